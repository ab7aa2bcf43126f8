package feeds

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// feedMediaType reports whether a link type announces a feed. Plain
// application/json is not one: sites use it for API endpoints.
func feedMediaType(t string) bool {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "application/rss+xml", "application/atom+xml", "application/feed+json":
		return true
	}
	return false
}

// alternateFeed returns the first feed an HTML page announces with
// <link rel="alternate" type="…feed type…" href="…">, resolved against
// base, or "" when it announces none usable.
func alternateFeed(page []byte, base *url.URL) string {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data != "link" {
				continue
			}
			if href := feedHref(tok.Attr); href != "" {
				if link := canonicalLink(href, base); link != "" {
					return link
				}
			}
		}
	}
}

// feedHref returns the href of a link element whose rel includes
// "alternate" and whose type is a feed type.
func feedHref(attrs []html.Attribute) string {
	var rel, typ, href string
	for _, a := range attrs {
		switch a.Key {
		case "rel":
			rel = a.Val
		case "type":
			typ = a.Val
		case "href":
			href = a.Val
		}
	}
	for r := range strings.FieldsSeq(strings.ToLower(rel)) {
		if r == "alternate" && feedMediaType(typ) {
			return href
		}
	}
	return ""
}
