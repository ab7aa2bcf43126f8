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
// folded to single spaces.
//
// It reads s in one pass, tokenizing it as html.Tokenizer does and cleaning
// the text as it goes. Invalid UTF-8 reads as U+FFFD, one per run of bad
// bytes. Its output is the clean text of the decoded text and tag
// separators up to the token that takes them past 4*limit bytes, cut to
// limit bytes at a rune boundary.
func plainText(s string, limit int) string {
	if s == "" {
		return ""
	}
	t := textScanner{s: s, limit: limit, budget: 4 * limit}
	t.out.Grow(min(len(s), limit) + 2*utf8.UTFMax)
	t.scan()
	return truncate(t.out.String(), limit)
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

// rawTextElement reports whether html.Tokenizer reads an element's content
// as one text token, with no tags in it, up to the element's end tag.
func rawTextElement(name string) bool {
	switch name {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style",
		"textarea", "title", "xmp":
		return true
	}
	return false
}

// textScanner extracts the clean text of an HTML fragment in one pass. Its
// out and space hold the clean text so far (space: a space is due before
// the next visible character); raw is the length the tokenizer's text
// tokens and tag separators would have so far, which the budget bounds.
type textScanner struct {
	s      string
	out    strings.Builder
	space  bool
	raw    int
	limit  int
	budget int
	skip   string // the skipped element whose end tag ends the skipping
	rawTag string // the raw text element whose content comes next
}

// full reports whether scanning can stop: the output already decides the
// truncated result, or the text has passed the budget.
func (t *textScanner) full() bool {
	return t.out.Len() > t.limit || t.raw > t.budget
}

// scan reads the input token by token until it ends or the scanner is
// full.
func (t *textScanner) scan() {
	for i := 0; i < len(t.s) && !t.full(); {
		if t.rawTag != "" {
			i = t.rawContent(i)
		} else {
			i = t.textOrMarkup(i)
		}
	}
}

// textOrMarkup reads the text token or the markup at s[i:] and returns
// where the next token starts.
func (t *textScanner) textOrMarkup(i int) int {
	s := t.s
	if !opensMarkup(s, i) {
		return t.text(i, len(s), dataText)
	}
	switch c := s[i+1]; {
	case isLetter(c):
		return t.startTag(i)
	case c == '/':
		return t.endTag(i)
	case c == '!' && strings.HasPrefix(s[i+2:], "--"):
		return commentEnd(s, i+4)
	}
	// A doctype, or a bogus comment such as <?xml ...?>.
	return closeAngle(s, i+2)
}

// startTag reads the start tag at s[i:] and returns the index after it.
// An unterminated tag ends the input, as in html.Tokenizer.
func (t *textScanner) startTag(i int) int {
	nameEnd, end := tagEnd(t.s, i+1)
	if end < 0 {
		return len(t.s)
	}
	name := lowerASCII(t.s[i+1 : nameEnd])
	if t.skip == "" && skippedElement(name) && !selfClosing(t.s, nameEnd, end) {
		t.skip = name
	}
	if rawTextElement(name) {
		t.rawTag = name
	}
	t.separate(name)
	return end
}

// endTag reads the end tag, bogus comment or text "</" at s[i:] and
// returns the index after it.
func (t *textScanner) endTag(i int) int {
	s := t.s
	switch {
	case i+2 == len(s):
		// A final "</" is a text token of its own, and nothing in it is
		// special.
		return t.text(i, len(s), rawText)
	case s[i+2] == '>':
		return i + 3
	case !isLetter(s[i+2]):
		return closeAngle(s, i+2)
	}
	nameEnd, end := tagEnd(s, i+2)
	if end < 0 {
		return len(s)
	}
	name := lowerASCII(s[i+2 : nameEnd])
	if name == t.skip {
		t.skip = ""
	}
	t.separate(name)
	return end
}

// rawContent reads the content of the raw text element just opened, which
// starts at s[i:], and returns where it ends.
func (t *textScanner) rawContent(i int) int {
	tag := t.rawTag
	t.rawTag = ""
	j := rawTextEnd(t.s, i, tag)
	switch {
	case j == i:
	case tag == "title", tag == "textarea":
		t.text(i, j, rcdataText)
	default:
		t.text(i, j, rawText)
	}
	return j
}

// separate adds what the tag named name contributes to the text: nothing
// for an inline element, a space for anything that breaks the line.
func (t *textScanner) separate(name string) {
	if !inlineElement(name) {
		t.raw++
		t.space = t.out.Len() > 0
	}
}

// textKind is how html.Tokenizer reads a text token.
type textKind uint8

const (
	dataText   textKind = iota // ordinary text: ends at markup, references decoded
	rcdataText                 // title and textarea: references decoded, NUL read as U+FFFD
	rawText                    // other raw text elements: NUL read as U+FFFD
)

// stops returns the printable characters that interrupt a run of text of
// kind k: '&', which may start a character reference, and '<', which may
// start markup. Where one does not apply it is NUL, which is not printable.
func (k textKind) stops() (amp, lt byte) {
	switch k {
	case dataText:
		return '&', '<'
	case rcdataText:
		return '&', '&'
	}
	return 0, 0
}

// text adds the text token of kind k at s[i:], which ends at j or, for
// ordinary text, at the first markup, and returns where it ends. It decodes
// the text as html.Tokenizer.Text does and counts the decoded length toward
// the budget. The text of a skipped element is dropped.
func (t *textScanner) text(i, j int, k textKind) int {
	if t.skip != "" {
		if k == dataText {
			return markupStart(t.s, i)
		}
		return j
	}
	s, start, grow := t.s, i, 0
loop:
	for i < j && t.out.Len() <= t.limit {
		c := s[i]
		switch {
		case c == '<' && k == dataText && opensMarkup(s, i):
			break loop
		case c == '&' && k != rawText:
			var g int
			i, g = t.entity(i, j)
			grow += g
		case c > ' ' && c < 0x7F:
			i = t.visibleRun(i, j, k)
		case c >= utf8.RuneSelf:
			var g int
			i, g = t.nonASCII(i, j)
			grow += g
		case c == 0 && k != dataText:
			t.putRune(utf8.RuneError)
			grow += len("\uFFFD") - 1
			i++
		case c == ' ' || '\t' <= c && c <= '\r':
			if c == '\r' && i+1 < j && s[i+1] == '\n' {
				grow-- // The tokenizer turns "\r\n" into "\n".
			}
			t.space = t.out.Len() > 0
			i++
		default:
			i++ // An invisible control character.
		}
	}
	t.raw += i - start + grow
	return i
}

// visibleRun writes the run of printable ASCII at s[i:j] that starts with
// s[i], with the single spaces between its words, up to the next special
// character of text kind k, and returns where the run ends. It writes no
// more than the output needs to fill up.
func (t *textScanner) visibleRun(i, j int, k textKind) int {
	s := t.s
	amp, lt := k.stops()
	plain := func(c byte) bool { return c-'!' < '~'-'!'+1 && c != amp && c != lt }
	j = min(j, i+t.limit+1-t.out.Len())
	e := i + 1
	for e < j {
		if plain(s[e]) {
			e++
		} else if s[e] == ' ' && e+1 < j && plain(s[e+1]) {
			e += 2
		} else {
			break
		}
	}
	t.flushSpace()
	t.out.WriteString(s[i:e])
	return e
}

// nonASCII writes the character starting at s[i] (before j), a run of
// invalid UTF-8 counting as one U+FFFD, and returns the index after it and
// how much longer it is as valid UTF-8.
func (t *textScanner) nonASCII(i, j int) (next, grow int) {
	r, size := utf8.DecodeRuneInString(t.s[i:j])
	if size > 1 {
		t.putRune(r)
		return i + size, 0
	}
	k := i + 1
	for k < j && t.s[k] >= utf8.RuneSelf {
		if _, size := utf8.DecodeRuneInString(t.s[k:j]); size > 1 {
			break
		}
		k++
	}
	t.putRune(utf8.RuneError)
	return k, len("\uFFFD") - (k - i)
}

// entity writes the character reference at s[i:] (s[i] == '&', in a text
// token ending at j) as html.UnescapeString decodes it, and returns the
// index after it and how much longer its decoding is.
func (t *textScanner) entity(i, j int) (next, grow int) {
	k, r, ok := charRef(t.s, i, j)
	if ok {
		t.putRune(r)
		return k, utf8.RuneLen(r) - (k - i)
	}
	decoded := html.UnescapeString(t.s[i:k])
	for _, r := range decoded {
		t.putRune(r)
	}
	return k, len(decoded) - (k - i)
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

// putRune adds r to the clean text: it drops invisible characters and
// folds whitespace, including line and paragraph separators, into single
// spaces between words.
func (t *textScanner) putRune(r rune) {
	switch {
	case commonVisible(r):
		t.flushSpace()
		t.out.WriteRune(r)
	case invisible(r):
	case unicode.IsSpace(r) || r == 0x2028 || r == 0x2029:
		t.space = t.out.Len() > 0
	default:
		t.flushSpace()
		t.out.WriteRune(r)
	}
}

// commonVisible reports whether r is in a range of frequent characters
// that are neither invisible nor space: printable ASCII, Latin, Greek,
// Cyrillic, Armenian, Hebrew and Arabic letters, and the dashes, quotes and
// ellipsis of General Punctuation. It spares putRune the slower checks.
func commonVisible(r rune) bool {
	return r > ' ' && r < 0x7F || r > 0xAD && r < 0x34F || r > 0x34F && r < 0x61C ||
		r >= 0x2010 && r <= 0x2027
}

// flushSpace writes the space due before a visible character.
func (t *textScanner) flushSpace() {
	if t.space {
		t.out.WriteByte(' ')
		t.space = false
	}
}

// charRef finds the end of the character reference candidate at s[i:]
// (s[i] == '&', in a text token ending at j): "&#" and digits, or '&' and
// letters and digits, either with an optional ';'. html.UnescapeString
// decodes the candidate alone as it would in context. charRef also returns
// the character for a numeric or common named reference, with ok set.
func charRef(s string, i, j int) (end int, r rune, ok bool) {
	if i+1 < j && s[i+1] == '#' {
		return numericRef(s, i, j)
	}
	k := i + 1
	for k < j && (isLetter(s[k]) || '0' <= s[k] && s[k] <= '9') {
		k++
	}
	if k == i+1 {
		return k, '&', true
	}
	if k < j && s[k] == ';' {
		k++
	}
	r, ok = commonEntity(s[i:k])
	return k, r, ok
}

// numericRef decodes the numeric character reference at s[i:] (which
// starts "&#", in a text token ending at j) as html.UnescapeString does,
// returning its end and character. It leaves codes 0x80 to 0x9F, which
// stand for Windows-1252 characters, to html.UnescapeString (ok false).
func numericRef(s string, i, j int) (end int, r rune, ok bool) {
	k, base := i+2, rune(10)
	if k < j && s[k]|0x20 == 'x' {
		k, base = k+1, 16
	}
	start := k
	for ; k < j; k++ {
		d := digitValue(s[k])
		if d >= base {
			break
		}
		if r <= unicode.MaxRune {
			r = r*base + d
		}
	}
	if k == start {
		return i + 1, '&', true
	}
	if k < j && s[k] == ';' {
		k++
	}
	switch {
	case 0x80 <= r && r <= 0x9F:
		return k, 0, false
	case r == 0, 0xD800 <= r && r <= 0xDFFF, r > unicode.MaxRune:
		r = utf8.RuneError
	}
	return k, r, true
}

// digitValue returns the value of the hexadecimal digit c, or 16 if c is
// not one.
func digitValue(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c|0x20 && c|0x20 <= 'f':
		return rune(c|0x20-'a') + 10
	}
	return 16
}

// commonEntity returns the character a frequent named reference stands
// for, sparing html.UnescapeString's allocations.
func commonEntity(ref string) (rune, bool) {
	switch ref {
	case "&amp;":
		return '&', true
	case "&lt;":
		return '<', true
	case "&gt;":
		return '>', true
	case "&quot;":
		return '"', true
	case "&apos;":
		return '\'', true
	case "&nbsp;":
		return '\u00A0', true
	case "&lsquo;":
		return '\u2018', true
	case "&rsquo;":
		return '\u2019', true
	case "&ldquo;":
		return '\u201C', true
	case "&rdquo;":
		return '\u201D', true
	case "&ndash;":
		return '\u2013', true
	case "&mdash;":
		return '\u2014', true
	case "&hellip;":
		return '\u2026', true
	}
	return 0, false
}

// opensMarkup reports whether s[i] is a '<' that starts a tag, comment or
// declaration, or is the "</" ending the input, rather than being text.
func opensMarkup(s string, i int) bool {
	if s[i] != '<' || i+1 == len(s) {
		return false
	}
	c := s[i+1]
	return isLetter(c) || c == '/' || c == '!' || c == '?'
}

// markupStart returns the index of the first '<' at or after i that starts
// a tag, comment or declaration (or is the "</" ending the input), or
// len(s). Any other '<' is text.
func markupStart(s string, i int) int {
	for {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			return len(s)
		}
		i += k
		if opensMarkup(s, i) {
			return i
		}
		i++
	}
}

// tagEnd reads the tag whose name starts at s[i] as html.Tokenizer does,
// and returns the end of the name and the index after the closing '>', or
// -1 if the input ends first. A '>' in a quoted attribute value does not
// close the tag.
func tagEnd(s string, i int) (nameEnd, end int) {
	nameEnd = i + 1
	for nameEnd < len(s) && !isSpace(s[nameEnd]) && s[nameEnd] != '/' && s[nameEnd] != '>' {
		nameEnd++
	}
	for i = skipSpace(s, nameEnd); i < len(s); {
		if s[i] == '>' {
			return nameEnd, i + 1
		}
		_, _, i = readAttr(s, i)
	}
	return nameEnd, -1
}

// readAttr reads the attribute at s[i:] (s[i] is neither space nor '>')
// as html.Tokenizer does: it returns the attribute's key, the end of its
// value (the end of the key if it has none) and the index after the
// attribute and the spaces following it.
func readAttr(s string, i int) (key string, valEnd, next int) {
	k := i
	if s[k] == '=' {
		k++ // A leading '=' is part of the key.
	}
	for k < len(s) && !isSpace(s[k]) && s[k] != '/' && s[k] != '>' && s[k] != '=' {
		k++
	}
	valEnd, next = attrValue(s, k)
	return s[i:k], valEnd, skipSpace(s, next)
}

// attrValue reads the value following the attribute key that ends at
// s[k], if any, and returns the end of the value (k if there is none) and
// the index after it.
func attrValue(s string, k int) (valEnd, next int) {
	i := skipSpace(s, k)
	switch {
	case i == len(s):
		return k, i
	case s[i] == '/':
		return k, i + 1
	case s[i] != '=':
		return k, i
	}
	i = skipSpace(s, i+1)
	switch {
	case i == len(s), s[i] == '>':
		return k, i
	case s[i] == '"', s[i] == '\'':
		e := strings.IndexByte(s[i+1:], s[i])
		if e < 0 {
			return len(s), len(s)
		}
		return i + 1 + e, i + 2 + e
	}
	e := i + 1
	for e < len(s) && !isSpace(s[e]) && s[e] != '>' {
		e++
	}
	if e < len(s) && s[e] != '>' {
		return e, e + 1
	}
	return e, e
}

// selfClosing reports whether html.Tokenizer reads the start tag ending at
// end, whose name ends at nameEnd, as self-closing: it ends in "/>" and the
// '/' is not the end of the value of its last attribute, counting only the
// first attribute of each key.
func selfClosing(s string, nameEnd, end int) bool {
	if s[end-2] != '/' {
		return false
	}
	var keys []string
	last := -1
	for i := skipSpace(s, nameEnd); s[i] != '>'; {
		key, valEnd, next := readAttr(s, i)
		if key != "" && !containsFoldASCII(keys, key) {
			keys = append(keys, key)
			last = valEnd
		}
		i = next
	}
	return last != end-1
}

// containsFoldASCII reports whether keys holds key, ignoring ASCII case
// and reading each run of invalid UTF-8 as U+FFFD, as the tokenizer
// compares attribute keys.
func containsFoldASCII(keys []string, key string) bool {
	key = lowerASCII(strings.ToValidUTF8(key, "\uFFFD"))
	for _, k := range keys {
		if lowerASCII(strings.ToValidUTF8(k, "\uFFFD")) == key {
			return true
		}
	}
	return false
}

// commentEnd returns the index after the comment whose "<!--" ends at
// s[i], following html.Tokenizer: it ends at "-->" or "--!>", or at once
// with "<!-->" or "<!--->", or with the input.
func commentEnd(s string, i int) int {
	dashes, beginning := 0, true
	for ; i < len(s); i++ {
		switch s[i] {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i + 1
			}
		case '!':
			if dashes >= 2 && i+1 < len(s) {
				i++
				if s[i] == '>' {
					return i + 1
				}
				if s[i] == '-' {
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return len(s)
}

// closeAngle returns the index after the first '>' at or after i, or
// len(s).
func closeAngle(s string, i int) int {
	if k := strings.IndexByte(s[i:], '>'); k >= 0 {
		return i + k + 1
	}
	return len(s)
}

// rawTextEnd returns where the content of the raw text element tag, which
// starts at s[i], ends: at its end tag, or at the end of the input.
func rawTextEnd(s string, i int, tag string) int {
	switch tag {
	case "plaintext":
		return len(s)
	case "script":
		return scriptEnd(s, i)
	}
	for {
		k := strings.Index(s[i:], "</")
		if k < 0 {
			return len(s)
		}
		i += k
		if ok, _ := endTagAt(s, i+2, tag); ok {
			return i
		}
		i += 2
	}
}

// endTagAt reports whether s[i:] is tag, in any case, followed by a space,
// '/' or '>', as after the "</" of the end tag of a raw text element. It
// returns the index after that character, or of the first one that does
// not match.
func endTagAt(s string, i int, tag string) (ok bool, next int) {
	for k := range len(tag) {
		if i+k == len(s) || s[i+k]|0x20 != tag[k] {
			return false, i + k
		}
	}
	e := i + len(tag)
	if e < len(s) && (isSpace(s[e]) || s[e] == '/' || s[e] == '>') {
		return true, e + 1
	}
	return false, e
}

// States of html.Tokenizer's script data reader between characters.
const (
	scriptData = iota
	scriptEscaped
	scriptEscapedDash
	scriptEscapedDashDash
	scriptDoubleEscaped
	scriptDoubleEscapedDash
	scriptDoubleEscapedDashDash
)

// scriptEnd returns where script content starting at s[i] ends, following
// html.Tokenizer's rules for "<!--" and "<script" hiding the closing
// "</script>".
func scriptEnd(s string, i int) int {
	state := scriptData
	for i < len(s) {
		c := s[i]
		i++
		switch {
		case c == '<':
			var end bool
			if state, i, end = scriptTag(s, i, state); end {
				return i
			}
		case state != scriptData:
			state = scriptEscapedNext(state, c)
		}
	}
	return len(s)
}

// scriptEscapedNext returns the state after c, which is not '<', in an
// escaped or double-escaped script state: dashes count up to two, "-->"
// goes back to script data.
func scriptEscapedNext(state int, c byte) int {
	base := scriptEscaped
	if state >= scriptDoubleEscaped {
		base = scriptDoubleEscaped
	}
	switch {
	case c == '-':
		return min(state+1, base+2)
	case c == '>' && state == base+2:
		return scriptData
	}
	return base
}

// scriptTag reads what follows a '<' (just before s[i]) in script content
// in state. It returns the next state and where to go on reading, or the
// index of the '<' and end set if it starts the closing "</script>".
func scriptTag(s string, i, state int) (next, at int, end bool) {
	if i == len(s) {
		return state, i, false
	}
	c := s[i]
	switch {
	case state >= scriptDoubleEscaped:
		if c != '/' {
			return scriptDoubleEscaped, i, false
		}
		ok, at := endTagAt(s, i+1, "script")
		if ok {
			return scriptEscaped, at, false
		}
		return scriptDoubleEscaped, at, false
	case c == '/':
		ok, at := endTagAt(s, i+1, "script")
		switch {
		case ok:
			return state, i - 1, true
		case state == scriptData:
			return scriptData, at, false
		}
		return scriptEscaped, at, false
	case state == scriptData:
		if c == '!' && strings.HasPrefix(s[i+1:], "--") {
			return scriptEscapedDashDash, i + 3, false
		}
		return scriptData, i, false
	case isLetter(c):
		ok, at := endTagAt(s, i, "script")
		if ok {
			return scriptDoubleEscaped, at, false
		}
		return scriptEscaped, at, false
	}
	return scriptData, i, false
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z'
}

// isSpace reports whether c is HTML white space, as html.Tokenizer has it
// (no vertical tab).
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

// skipSpace returns the index of the first non-space byte at or after i,
// or len(s).
func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// lowerASCII returns s with ASCII capitals lowered, as html.Tokenizer
// lowers tag names and attribute keys.
func lowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
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
