package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Caps on normalised fields, in bytes. Hostile feeds carry megabyte titles;
// nothing downstream needs more than this.
const (
	maxTitleBytes    = 1000
	maxTextBytes     = 20 << 10
	maxLanguageBytes = 35
)

// plainText converts untrusted feed HTML (or plain text, which passes
// through) to one line of clean text no longer than limit bytes: tags are
// dropped with the contents of script-like elements, entities decoded,
// control, zero-width and bidi-override characters removed and whitespace
// folded to single spaces. Invalid UTF-8 reads as U+FFFD, one per run of
// bad bytes.
func plainText(s string, limit int) string {
	if s == "" {
		return ""
	}
	raw := htmlText(strings.ToValidUTF8(s, "\uFFFD"), 4*limit)
	return truncate(cleanRunes(raw), limit)
}

// htmlText returns the text of s as html.Tokenizer reads it, decoded, with
// a space at the boundary of every tag that is not inline and without the
// contents of skipped elements. It stops once the text passes budget bytes,
// so a hostile megabyte of markup is not all read for a short field.
func htmlText(s string, budget int) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := ""
	for b.Len() <= budget {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == "" {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			if skip == "" && skippedElement(string(name)) {
				skip = string(name)
			}
			b.WriteString(tagSeparator(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == skip {
				skip = ""
			}
			b.WriteString(tagSeparator(name))
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			b.WriteString(tagSeparator(name))
		}
	}
	return b.String()
}

// tagSeparator is what a tag leaves in the text: nothing for an inline
// element, a space for any other.
func tagSeparator(name []byte) string {
	if inlineElement(string(name)) {
		return ""
	}
	return " "
}

// skippedElement reports whether an element's content is not readable text.
func skippedElement(name string) bool {
	switch name {
	case "script", "style", "iframe", "noscript", "template", "object", "svg", "math":
		return true
	}
	return false
}

// inlineElement reports whether an element sits inside a line of text, so
// its tags must not split a word ("<b>T</b>rump" is "Trump").
func inlineElement(name string) bool {
	switch name {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
		"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr":
		return true
	}
	return false
}

// cleanRunes drops invisible characters and folds runs of whitespace
// (including line and paragraph separators) into single spaces, trimmed.
func cleanRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case invisible(r):
			continue
		case unicode.IsSpace(r) || r == 0x2028 || r == 0x2029:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// invisible reports whether r is a character removed from text: controls,
// zero-width characters, invisible operators, the BOM, soft hyphens,
// bidirectional overrides and isolates, and noncharacters.
func invisible(r rune) bool {
	switch {
	case unicode.Is(unicode.Cc, r) && !unicode.IsSpace(r):
		return true
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x2069,
		r >= 0xFFF9 && r <= 0xFFFB, r >= 0xFDD0 && r <= 0xFDEF:
		return true
	}
	switch r {
	case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x180E, 0x3164, 0xFEFF, 0xFFFE, 0xFFFF:
		return true
	}
	return false
}

// truncate cuts s to at most limit bytes at a rune boundary, dropping a
// trailing space left by the cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " ")
}
