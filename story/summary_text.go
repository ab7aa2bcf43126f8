package story

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// splitSentences returns the byte ranges of the sentences of s, trimmed of
// white space. A sentence ends at a line break, or at ., !, ?, … (with any
// closing quotes and brackets after it) followed by white space and a word
// that does not start in lower case; a dot after an abbreviation (Mr.,
// Gen., Jan., г.), an initial (J.) or a dotted acronym (U.S., т.е.) does
// not end one, nor does a dot inside a number (3.5).
func splitSentences(s string) [][2]int {
	return appendSentences(nil, s)
}

// appendSentences appends the byte ranges of the sentences of s, as
// splitSentences finds them, to out.
func appendSentences(out [][2]int, s string) [][2]int {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && c != '\n' && c != '.' && c != '!' && c != '?' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			out = appendTrimmed(out, s, start, i)
			start = i + size
		case isTerminator(r):
			j := i + size
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if !isTerminator(r2) && !isCloser(r2) {
					break
				}
				j += size2
			}
			if endsSentence(s, i, r, j) {
				out = appendTrimmed(out, s, start, j)
				start = j
			}
			i = j
			continue
		}
		i += size
	}
	return appendTrimmed(out, s, start, len(s))
}

// appendTrimmed appends s[start:end] without surrounding white space, if
// anything is left.
func appendTrimmed(out [][2]int, s string, start, end int) [][2]int {
	seg := s[start:end]
	lead := len(seg) - len(strings.TrimLeftFunc(seg, unicode.IsSpace))
	seg = strings.TrimSpace(seg)
	if seg == "" {
		return out
	}
	return append(out, [2]int{start + lead, start + lead + len(seg)})
}

// isTerminator reports whether r can end a sentence.
func isTerminator(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…' || r == '。'
}

// isCloser reports whether r closes a quotation or bracket after a
// sentence's final mark.
func isCloser(r rune) bool {
	return strings.ContainsRune("\"'’”»)]", r)
}

// endsSentence reports whether the terminator r at i, whose closing marks
// end at j, ends a sentence.
func endsSentence(s string, i int, r rune, j int) bool {
	if j == len(s) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(s[j:])
	if !unicode.IsSpace(next) {
		return false
	}
	rest := strings.TrimLeftFunc(s[j:], unicode.IsSpace)
	if rest == "" || strings.ContainsRune(s[j:len(s)-len(rest)], '\n') {
		return true
	}
	first, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsLower(first) {
		return false
	}
	return r != '.' || !isAbbreviation(wordBefore(s, i))
}

// wordBefore returns the word that ends at i, without opening quotes or
// brackets.
func wordBefore(s string, i int) string {
	start := strings.LastIndexFunc(s[:i], unicode.IsSpace) + 1
	return strings.TrimLeft(s[start:i], "\"'‘“«([")
}

// isAbbreviation reports whether a dot after word marks an abbreviation
// rather than the end of a sentence.
func isAbbreviation(word string) bool {
	if strings.Contains(word, ".") {
		return true // U.S., e.g., т.е.
	}
	if r, size := utf8.DecodeRuneInString(word); size == len(word) && unicode.IsLetter(r) {
		return true // an initial, or г.
	}
	switch strings.ToLower(word) {
	case "mr", "mrs", "ms", "dr", "st", "mt", "prof", "rev", "hon", "jr", "sr",
		"gen", "lt", "col", "maj", "capt", "cpt", "sgt", "cmdr", "adm", "gov", "sen", "rep", "pres",
		"inc", "ltd", "corp", "co", "bros", "vs", "approx", "dept", "fig", "vol",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
		"гг", "вв", "тыс", "млн", "млрд", "трлн", "руб", "грн", "ул", "им", "ген", "проф", "акад", "стр", "см", "др", "пр":
		return true
	}
	return false
}

// dropPostFooter removes the "The post <title> appeared first on <site>."
// line that blog feeds append, up to the end of its line.
func dropPostFooter(s string) string {
	const marker = "appeared first on"
	for from := 0; ; {
		at := indexASCIIFold(s[from:], marker)
		if at < 0 {
			return s
		}
		at += from
		// The footer starts on the marker's line.
		line := strings.LastIndexByte(s[:at], '\n') + 1
		start := lastIndexASCIIFold(s[line:at], "the post ")
		if start < 0 {
			from = at + len(marker)
			continue
		}
		start += line
		end := len(s)
		if e := strings.IndexByte(s[at:], '\n'); e >= 0 {
			end = at + e
		}
		s = s[:start] + s[end:]
		from = start
	}
}

// lowerASCII lower-cases c if it is an ASCII letter.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixASCIIFold reports whether s starts with prefix, a lower-case
// ASCII string, ignoring the case of ASCII letters in s.
func hasPrefixASCIIFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// indexASCIIFold returns the index of the first instance of substr, a
// lower-case ASCII string, in s ignoring the case of ASCII letters in s,
// or -1.
func indexASCIIFold(s, substr string) int {
	first := substr[0] | 0x20
	for i := 0; i+len(substr) <= len(s); i++ {
		// Setting bit 0x20 lower-cases an ASCII letter, so every match
		// passes this quick test first.
		if s[i]|0x20 == first && hasPrefixASCIIFold(s[i:], substr) {
			return i
		}
	}
	return -1
}

// lastIndexASCIIFold returns the index of the last instance of substr, a
// lower-case ASCII string, in s ignoring the case of ASCII letters in s,
// or -1.
func lastIndexASCIIFold(s, substr string) int {
	for i := len(s) - len(substr); i >= 0; i-- {
		if hasPrefixASCIIFold(s[i:], substr) {
			return i
		}
	}
	return -1
}

// boilerplateTail is how far from a sentence's end a trailing link text
// is looked for: the longest lead and some punctuation after it.
const boilerplateTail = 64

// boilerplateLeads returns the openings of feed sentences that are link
// text, not content. Each has "read" in it.
func boilerplateLeads() [9]string {
	return [...]string{
		"continue reading", "read more", "read full story", "read the full story",
		"read full article", "read the full article", "read the rest", "keep reading",
		"click here to read",
	}
}

// isBoilerplate reports whether a folded sentence is a feed's link text.
func isBoilerplate(s string) bool {
	for _, lead := range boilerplateLeads() {
		if hasPrefixASCIIFold(s, lead) {
			return true
		}
	}
	return false
}

// cutBoilerplateTail removes link text such as "Continue reading →" or
// "[…]" from the end of a folded sentence: the link words count only when
// nothing but punctuation and symbols follows them.
func cutBoilerplateTail(s string) string {
	for _, tail := range []string{"[…]", "[...]", "(…)", "(...)"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, tail))
	}
	// A link text ends the sentence, so only its tail is searched, and
	// only if it has the "read" every lead has.
	from := max(0, len(s)-boilerplateTail)
	if indexASCIIFold(s[from:], "read") < 0 {
		return s
	}
	for _, lead := range boilerplateLeads() {
		at := lastIndexASCIIFold(s[from:], lead)
		if at > 0 && s[from+at-1] == ' ' && !hasLetter(s[from+at+len(lead):]) {
			s = strings.TrimSpace(s[:from+at])
			from = max(0, len(s)-boilerplateTail)
		}
	}
	return s
}

// dropTruncatedLast drops a final sentence cut short by the feed (ending in
// an ellipsis) when the report has others.
func dropTruncatedLast(sents []sentence) []sentence {
	report := len(sents)
	if report > 0 && sents[0].lead {
		report--
	}
	if n := len(sents); report > 1 {
		last := sents[n-1].text
		if strings.HasSuffix(last, "…") || strings.HasSuffix(last, "...") {
			return sents[:n-1]
		}
	}
	return sents
}
