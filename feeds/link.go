package feeds

import (
	"net/url"
	"strings"
)

// maxLinkBytes is the longest canonical link kept; Discord refuses longer
// embed URLs and no real article link comes near it.
const maxLinkBytes = 2048

// trackingParam reports whether a query parameter only tracks the reader and
// does not select content, so it is dropped from canonical links.
func trackingParam(key string) bool {
	key = strings.ToLower(key)
	if strings.HasPrefix(key, "utm_") {
		return true
	}
	switch key {
	case "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "igshid",
		"mc_cid", "mc_eid", "yclid", "ref", "ref_src", "ref_url", "cmpid", "ocid", "smid",
		"mkt_tok", "_hsenc", "_hsmi", "__twitter_impression", "at_medium", "at_campaign", "wt.mc_id":
		return true
	}
	return false
}

// canonicalLink resolves raw against base (which may be nil) and returns the
// canonical http(s) form: scheme and host lowercased, default port, user
// info, fragment and tracking parameters removed, the query re-escaped in
// its original order. It returns "" for any other scheme, a relative link
// with no base, or a link longer than maxLinkBytes.
func canonicalLink(raw string, base *url.URL) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	u.Host = canonicalHost(u)
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	if u.Path == "" {
		u.Path = "/"
	}
	link := u.String()
	if len(link) > maxLinkBytes {
		return ""
	}
	return link
}

// canonicalHost lowercases the host and drops the scheme's default port.
func canonicalHost(u *url.URL) string {
	host := strings.ToLower(u.Host)
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return host
}

// cleanQuery drops tracking and empty parameters from a raw query and
// re-escapes the rest, keeping their order.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		key, value, hasValue := strings.Cut(part, "=")
		key, value = unescapeQuery(key), unescapeQuery(value)
		if key == "" || trackingParam(key) {
			continue
		}
		if hasValue {
			kept = append(kept, url.QueryEscape(key)+"="+url.QueryEscape(value))
		} else {
			kept = append(kept, url.QueryEscape(key))
		}
	}
	return strings.Join(kept, "&")
}

// unescapeQuery decodes a query component, keeping it as written when its
// escapes are malformed.
func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// absoluteHTTP parses s as an absolute http(s) URL, or returns nil.
func absoluteHTTP(s string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}
