package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// This file keeps the tokenizer-based text extraction that plainText
// replaced, as it was, as the oracle the scanner is tested against. It shares
// no code with the scanner: the helpers are copied too.

// oraclePlainText is the original plainText: html.Tokenizer, then
// oracleCleanRunes, then truncate.
func oraclePlainText(s string, limit int) string {
	if s == "" {
		return ""
	}
	raw := oracleHTMLText(strings.ToValidUTF8(s, "\uFFFD"), 4*limit)
	return oracleTruncate(oracleCleanRunes(raw), limit)
}

// oracleTagSeparator is the original tagSeparator.
func oracleTagSeparator(name []byte) string {
	if oracleInlineElement(string(name)) {
		return ""
	}
	return " "
}

// oracleHTMLText is the original htmlText: the text nodes of s, decoded,
// separated by spaces at tag boundaries, skipping the contents of skipped
// elements, stopping once the output passes budget bytes.
func oracleHTMLText(s string, budget int) string {
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
			if skip == "" && oracleSkippedElement(string(name)) {
				skip = string(name)
			}
			b.WriteString(oracleTagSeparator(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == skip {
				skip = ""
			}
			b.WriteString(oracleTagSeparator(name))
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			b.WriteString(oracleTagSeparator(name))
		}
	}
	return b.String()
}

// oracleCleanRunes is the original cleanRunes: it drops invisible characters
// and folds runs of whitespace (including line and paragraph separators)
// into single spaces, trimmed.
func oracleCleanRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r > ' ' && r < 0x7F {
			// Printable ASCII, most of any feed: nothing to drop or fold.
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(byte(r))
			continue
		}
		switch {
		case oracleInvisible(r):
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

// oracleSkippedElement is the original skippedElement.
func oracleSkippedElement(name string) bool {
	switch name {
	case "script", "style", "iframe", "noscript", "template", "object", "svg", "math":
		return true
	}
	return false
}

// oracleInlineElement is the original inlineElement.
func oracleInlineElement(name string) bool {
	switch name {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
		"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr":
		return true
	}
	return false
}

// oracleInvisible is the original invisible.
func oracleInvisible(r rune) bool {
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

// oracleTruncate is the original truncate.
func oracleTruncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " ")
}
