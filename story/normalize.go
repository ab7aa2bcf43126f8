package story

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// asciiWord maps each ASCII byte to its folded form when it belongs in a
// word (letters to lower case, digits to themselves) and every other byte
// to 0. It covers all 256 byte values so that indexing it by a byte needs
// no bounds check.
const asciiWord = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // control
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // control
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // space to '/'
	"0123456789\x00\x00\x00\x00\x00\x00" + // digits, ':' to '?'
	"\x00abcdefghijklmnopqrstuvwxyz\x00\x00\x00\x00\x00" + // '@', A-Z, '[' to '_'
	"\x00abcdefghijklmnopqrstuvwxyz\x00\x00\x00\x00\x00" + //  '`', a-z, '{' to DEL
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // bytes of multi-byte runes
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// Normalize folds s to the form the matcher compares: Unicode NFKC, lower
// case, diacritics (nonspacing marks) removed (é→e, ł→l, ș→s, ß→ss, stress
// accents) while precomposed Cyrillic letters keep their identity except
// ё→е (й, ї, ў stay), every quotation mark and apostrophe turned into ',
// every dash into -, control and format characters dropped, invalid UTF-8
// replaced by U+FFFD, and runs of white space folded into one space with
// none at either end. Normalize(Normalize(s)) == Normalize(s). Words gives
// the same folding word by word, with offsets into s.
func Normalize(s string) string {
	if isNormalASCII(s) {
		return s
	}
	w := folder{out: make([]byte, 0, len(s))}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			w.emit(foldASCII(w.tmp[:0], c))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.emit(utf8.AppendRune(w.tmp[:0], utf8.RuneError))
			i++
			continue
		}
		j := unitEnd(s, i+size)
		if p := punctFold(r); p != 0 {
			w.emit(append(w.tmp[:0], p))
			w.emit(w.foldUnit(s[i+size : j]))
		} else {
			w.emit(w.foldUnit(s[i:j]))
		}
		i = j
	}
	return string(w.out)
}

// folder carries Normalize's output and scratch buffers.
type folder struct {
	out, tmp, nf []byte
	space        bool
}

// emit appends folded bytes to the output, folding white space runs into
// one space and leaving none at the start; a pending space is written only
// when something follows it.
func (w *folder) emit(b []byte) {
	for _, c := range b {
		if c == ' ' {
			w.space = len(w.out) > 0
			continue
		}
		if w.space {
			w.out = append(w.out, ' ')
			w.space = false
		}
		w.out = append(w.out, c)
	}
}

// foldUnit returns the folded form of one normalisation segment of the
// source in a buffer that the next call reuses.
func (w *folder) foldUnit(unit string) []byte {
	w.nf = norm.NFKC.AppendString(w.nf[:0], unit)
	w.tmp = w.tmp[:0]
	for _, r := range string(w.nf) {
		w.tmp = foldRune(w.tmp, r)
	}
	return w.tmp
}

// isNormalASCII reports whether s is ASCII that Normalize leaves unchanged.
func isNormalASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf, c >= 'A' && c <= 'Z', c < ' ', c == 0x7f, c == '"', c == '`':
			return false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			return false
		}
	}
	return true
}

// foldASCII appends the folded form of the ASCII byte c to dst.
func foldASCII(dst []byte, c byte) []byte {
	if f := asciiWord[c]; f != 0 {
		return append(dst, f)
	}
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return append(dst, ' ')
	case '"', '`':
		return append(dst, '\'')
	}
	if c < ' ' || c == 0x7f {
		return dst
	}
	return append(dst, c)
}

// unitEnd returns the end of the normalisation segment whose first rune
// ends at j: the segment also holds every following rune that may combine
// with what is before it.
func unitEnd(s string, j int) int {
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf || startsCyrillicLetter(s, j) {
			return j
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && size == 1 {
			return j
		}
		if startsSegment(s[j:]) {
			return j
		}
		j += size
	}
	return j
}

// startsSegment reports whether the rune at the start of s begins a new
// NFKC segment. Besides the rune itself, the first rune of its
// compatibility decomposition must not combine backwards: ㅏ (U+314F)
// becomes a conjoining vowel that joins the consonant before it.
func startsSegment(s string) bool {
	p := norm.NFKC.PropertiesString(s)
	if !p.BoundaryBefore() {
		return false
	}
	d := p.Decomposition()
	return d == nil || norm.NFKC.Properties(d).BoundaryBefore()
}

// startsCyrillicLetter reports whether s[j:] starts with a letter of the
// basic Cyrillic block (U+0400–U+04FF, without the combining marks
// U+0483–U+0489), which never combines with what precedes it.
func startsCyrillicLetter(s string, j int) bool {
	switch s[j] {
	case 0xD0, 0xD1, 0xD3:
		return j+1 < len(s)
	case 0xD2:
		return j+1 < len(s) && (s[j+1] < 0x83 || s[j+1] > 0x89)
	}
	return false
}

// punctFold returns ' for quotation marks and apostrophes, - for dashes and
// 0 for every other rune.
func punctFold(r rune) byte {
	switch r {
	case '\'', '`', '"', '‘', '’', '‚', '‛', '“', '”', '„', '‟', '«', '»', '‹', '›',
		'ʼ', 'ʻ', '´', '′', '″', '＇', '＂':
		return '\''
	case '-', '‐', '‑', '‒', '–', '—', '―', '−', '⁃', '﹘', '﹣', '－':
		return '-'
	}
	return 0
}

// isApostrophe reports whether r is a single quotation mark or apostrophe,
// the marks that can start a possessive ('s) or sit inside a word.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '‘', '’', '‛', 'ʼ', 'ʻ', '´', '′', '＇':
		return true
	}
	return false
}

// foldRune appends the folded form of r, a rune already in NFKC, to dst.
func foldRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return foldASCII(dst, byte(r))
	}
	if isCyrillicLetter(r) {
		return utf8.AppendRune(dst, foldCyrillic(r))
	}
	if p := punctFold(r); p != 0 {
		return append(dst, p)
	}
	if unicode.IsSpace(r) {
		return append(dst, ' ')
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Cc) {
		return dst
	}
	l := unicode.ToLower(r)
	if s := foldSpecial(l); s != "" {
		return append(dst, s...)
	}
	return appendWithoutMarks(dst, l)
}

// isCyrillicLetter reports whether r is a letter of the Cyrillic blocks
// U+0400–U+052F.
func isCyrillicLetter(r rune) bool {
	return (r >= 0x400 && r < 0x482) || (r >= 0x48A && r < 0x530)
}

// foldCyrillic lower-cases a Cyrillic letter and folds ё to е (and the
// stress-accented ѐ, ѝ to е, и); й, ї, ў and the rest keep their identity.
func foldCyrillic(r rune) rune {
	switch {
	case r >= 0x410 && r < 0x430:
		r += 0x20
	case r >= 0x400 && r < 0x410:
		r += 0x50
	case r >= 0x460:
		r = unicode.ToLower(r)
	}
	switch r {
	case 'ё', 'ѐ':
		return 'е'
	case 'ѝ':
		return 'и'
	}
	return r
}

// foldSpecial returns the folding of lower-case letters that have no
// canonical decomposition into a base letter and marks, or "" for others.
func foldSpecial(r rune) string {
	switch r {
	case 'ł':
		return "l"
	case 'ø':
		return "o"
	case 'đ', 'ð':
		return "d"
	case 'ħ':
		return "h"
	case 'ı':
		return "i"
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'þ':
		return "th"
	case 'ς':
		return "σ"
	}
	return ""
}

// appendWithoutMarks appends r to dst with its nonspacing marks removed
// (é→e, ș→s) and what is left recomposed; a rune whose canonical
// decomposition has no such mark (a Hangul syllable, an Indic vowel sign)
// is appended whole.
func appendWithoutMarks(dst []byte, r rune) []byte {
	var enc [utf8.UTFMax]byte
	d := norm.NFD.Properties(utf8.AppendRune(enc[:0], r)).Decomposition()
	if d == nil {
		return utf8.AppendRune(dst, r)
	}
	var kept [4 * utf8.UTFMax]byte
	rest := kept[:0]
	marks := false
	for _, dr := range string(d) {
		switch {
		case unicode.Is(unicode.Mn, dr):
			marks = true
		case foldSpecial(dr) != "":
			rest = append(rest, foldSpecial(dr)...)
		default:
			rest = utf8.AppendRune(rest, dr)
		}
	}
	if !marks {
		return utf8.AppendRune(dst, r)
	}
	return norm.NFC.Append(dst, rest...)
}
