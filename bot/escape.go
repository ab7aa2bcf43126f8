package bot

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Feed text is untrusted. Before it reaches Discord it is
//
//   - cleaned: control characters (Cc), format characters (Cf: zero-width
//     spaces and joiners, bidi overrides, soft hyphens, BOM) and the few
//     letters that render as blanks (Hangul fillers, the combining grapheme
//     joiner) are removed, and runs of white space become one space (or one
//     newline where newlines are kept);
//   - defused: an '@' that would start a mention (@everyone, @here, or
//     after '<' as in <@id> and <@&id>) becomes the fullwidth '＠', which
//     Discord never parses as a mention. A backslash does not help here:
//     embeds show it literally where markdown is not parsed. Mentions in
//     embeds never ping anyway, and every message also sends
//     allowed_mentions {"parse": []}; this keeps them from even rendering
//     as mentions;
//   - escaped, where Discord parses markdown (titles, descriptions, field
//     values): every character that can start markdown, a masked link
//     ([text](url)), a quote, a heading, a list, a spoiler, code, a mention
//     or a custom emoji or timestamp (<...>) gets a backslash, so it shows
//     as itself. Footers and thread names are not markdown and are only
//     cleaned and defused;
//   - cut to Discord's limits, counted in code points, at a word boundary
//     with "…".
//
// Links are used only when they are absolute http(s) URLs.

// markdownSpecials are the characters escaped in markdown text.
const markdownSpecials = "\\*_~`|>#-[]()<"

// ellipsis ends text that was cut.
const ellipsis = "…"

// blank reports whether r is removed from feed text: control, format and
// invisible characters.
func blank(r rune) bool {
	switch r {
	case '\u034f', '\u115f', '\u1160', '\u3164', '\uffa0', utf8.RuneError:
		return true
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

// clean removes control, format and invisible characters and folds white
// space: runs become one space or, when multiline is set and the run holds
// a newline, one newline (two for a paragraph break). The result is trimmed.
func clean(s string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s))
	newlines, space := 0, false
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
			newlines++
		case unicode.IsSpace(r):
			space = true
		case blank(r):
		default:
			if b.Len() > 0 {
				switch {
				case newlines > 0:
					b.WriteString(strings.Repeat("\n", min(newlines, 2)))
				case space:
					b.WriteByte(' ')
				}
			}
			newlines, space = 0, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plain is untrusted text for a place where Discord parses no markdown
// (footers, thread names): cleaned, on one line, mentions defused.
func plain(s string) string {
	return defuse(clean(s, false), false)
}

// markdown is untrusted text for a place where Discord parses markdown:
// cleaned, mentions defused, markdown escaped.
func markdown(s string, multiline bool) string {
	return defuse(clean(s, multiline), true)
}

// defuse replaces the '@' of would-be mentions by '＠' and, when escape is
// set, backslash-escapes markdown.
func defuse(s string, escape bool) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for i, r := range s {
		switch {
		case r == '@' && mentionAt(s, i):
			b.WriteRune('＠')
		case escape && strings.ContainsRune(markdownSpecials, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case escape && r == '.' && lineStart && i > 0 && isDigit(s[i-1]):
			// "1. " at the start of a line would become a list.
			b.WriteString(`\.`)
		default:
			b.WriteRune(r)
		}
		lineStart = r == '\n' || (lineStart && '0' <= r && r <= '9')
	}
	return b.String()
}

// mentionAt reports whether the '@' at s[i] would start a mention.
func mentionAt(s string, i int) bool {
	if i > 0 && s[i-1] == '<' {
		return true
	}
	rest := s[i+1:]
	for _, word := range [...]string{"everyone", "here"} {
		if len(rest) >= len(word) && strings.EqualFold(rest[:len(word)], word) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// length is the length Discord counts: code points.
func length(s string) int { return utf8.RuneCountInString(s) }

// cut returns s if it has at most n code points; otherwise it cuts s at a
// word boundary (or mid-word when the last boundary is in the first half)
// so that, with "…" appended, it has at most n. A cut never leaves a lone
// escaping backslash at the end.
func cut(s string, n int) string {
	if length(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)[:n-1]
	if i := lastSpace(r); i > len(r)/2 {
		r = r[:i]
	}
	r = []rune(strings.TrimRightFunc(string(r), unicode.IsSpace))
	trailing := 0
	for i := len(r) - 1; i >= 0 && r[i] == '\\'; i-- {
		trailing++
	}
	if trailing%2 == 1 {
		r = r[:len(r)-1]
	}
	return string(r) + ellipsis
}

// lastSpace returns the index of the last white space in r, or -1.
func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if unicode.IsSpace(r[i]) {
			return i
		}
	}
	return -1
}

// maxURL is the longest URL an embed accepts.
const maxURL = 2048

// webLink returns raw as an absolute http(s) URL fit for an embed's url and
// for a masked link, and whether it is one. Parentheses are
// percent-encoded so that the URL cannot end a masked link early.
func webLink(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil {
		return "", false
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return "", false
	}
	out := strings.NewReplacer("(", "%28", ")", "%29").Replace(u.String())
	if len(out) > maxURL || strings.ContainsFunc(out, func(r rune) bool { return unicode.IsSpace(r) || blank(r) }) {
		return "", false
	}
	return out, true
}
