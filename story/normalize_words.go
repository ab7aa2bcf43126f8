package story

import (
	"unicode"
	"unicode/utf8"
)

// Word is one normalised word of a text and where it came from.
type Word struct {
	// Text is the word folded as by Normalize.
	Text string
	// Start and End are byte offsets of the word in the original text.
	Start, End int
	// Capital says the word starts with an upper-case letter in the
	// original text.
	Capital bool
}

// Words splits s into normalised words: runs of letters or of digits
// (28point is 28 and point), split at everything else, hyphens and
// apostrophes included. A possessive 's after a word is dropped (Trump's and
// Witkoff’s give trump and witkoff), and single Latin letters joined by dots
// make one word (U.S. gives us, J.D. gives jd). Offsets always fall on rune
// boundaries of s.
func Words(s string) []Word {
	var z tokenizer
	z.tokenize(s)
	words := make([]Word, len(z.toks))
	for i, t := range z.toks {
		words[i] = Word{Text: string(z.buf[t.lo:t.hi]), Start: t.start, End: t.end, Capital: t.capital}
	}
	return words
}

// token is one word found by the tokenizer: it came from src[start:end]
// and its folded text is buf[lo:hi]; capital says it starts with an
// upper-case letter.
type token struct {
	start, end int
	lo, hi     int
	capital    bool
}

// tokenizer splits a text into folded words. Its buffers are reused from
// one text to the next, so a warm tokenizer does not allocate.
type tokenizer struct {
	buf  []byte
	toks []token
	f    folder
	// open says the last token may still grow; digit and acro say whether
	// it is a run of digits and whether it is a dotted acronym.
	open, digit, acro bool
}

// tokenize replaces the tokenizer's words by those of s.
func (z *tokenizer) tokenize(s string) {
	z.buf, z.toks, z.open = z.buf[:0], z.toks[:0], false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			i = z.nonASCII(s, i)
		case asciiWord[c] != 0:
			i = z.asciiRun(s, i)
		default:
			i = z.asciiOther(s, i)
		}
	}
}

// asciiRun adds the run of ASCII letters or digits starting at i and
// returns where it ends.
func (z *tokenizer) asciiRun(s string, i int) int {
	digit := asciiWord[s[i]] <= '9'
	z.begin(i, digit, s[i] >= 'A' && s[i] <= 'Z')
	j := i + 1
	for j < len(s) {
		f := asciiWord[s[j]]
		if f == 0 || (f <= '9') != digit {
			break
		}
		j++
	}
	n := len(z.buf)
	z.buf = append(z.buf, s[i:j]...)
	for k, c := range z.buf[n:] {
		z.buf[n+k] = asciiWord[c]
	}
	z.finish(j)
	return j
}

// asciiOther handles the ASCII non-word byte at i and returns where to go
// on.
func (z *tokenizer) asciiOther(s string, i int) int {
	switch c := s[i]; {
	case c == '\'' || c == '`':
		return z.apostrophe(s, i+1)
	case c == '.' && z.continuesAcronym(s, i):
		z.acro = true
		return i + 1
	}
	z.open = false
	return i + 1
}

// nonASCII handles the normalisation segment starting at i and returns
// where it ends.
func (z *tokenizer) nonASCII(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		z.open = false
		return i + 1
	}
	j := unitEnd(s, i+size)
	switch {
	case isApostrophe(r):
		return z.apostrophe(s, j)
	case punctFold(r) != 0:
		z.open = false
	case j == i+size && isCyrillicLetter(r):
		return z.cyrillicRun(s, i, r)
	default:
		folded := z.f.foldUnit(s[i:j])
		if len(folded) == 0 && z.open {
			// Marks and format characters fold to nothing and stay
			// inside the word around them.
			z.finish(j)
		}
		capital := unicode.IsUpper(r) || unicode.IsTitle(r)
		for _, fr := range string(folded) {
			z.addFolded(fr, i, j, capital)
			capital = false
		}
	}
	return j
}

// cyrillicRun adds the run of two-byte Cyrillic letters starting with
// first at i, each a normalisation segment of its own, and returns where
// it ends.
func (z *tokenizer) cyrillicRun(s string, i int, first rune) int {
	z.begin(i, false, unicode.IsUpper(first))
	j := i
	for j+1 < len(s) {
		c0, c1 := s[j], s[j+1]
		if c0 < 0xD0 || c0 > 0xD4 || c1 < 0x80 || c1 > 0xBF {
			break
		}
		r := rune(c0&0x1F)<<6 | rune(c1&0x3F)
		if !isCyrillicLetter(r) || unitEnd(s, j+2) != j+2 {
			break
		}
		z.buf = utf8.AppendRune(z.buf, foldCyrillic(r))
		j += 2
	}
	z.finish(j)
	return j
}

// addFolded adds one folded rune that came from src[start:end]; capital
// says it came from an upper-case letter.
func (z *tokenizer) addFolded(r rune, start, end int, capital bool) {
	digit := false
	switch {
	case r < utf8.RuneSelf && asciiWord[r] != 0:
		digit = r <= '9'
	case r < utf8.RuneSelf:
		z.open = false
		return
	case unicode.IsLetter(r) || unicode.Is(unicode.Mc, r):
	case unicode.IsNumber(r):
		digit = true
	default:
		z.open = false
		return
	}
	z.begin(start, digit, capital)
	z.buf = utf8.AppendRune(z.buf, r)
	z.finish(end)
}

// begin makes sure a token of the given class is open, starting a new one
// at start if needed; capital says whether a new one starts with an
// upper-case letter.
func (z *tokenizer) begin(start int, digit, capital bool) {
	if z.open && z.digit == digit {
		return
	}
	z.toks = append(z.toks, token{start: start, lo: len(z.buf), capital: capital})
	z.open, z.digit, z.acro = true, digit, false
}

// finish records that the open token now ends at end in the source and at
// the end of the buffer.
func (z *tokenizer) finish(end int) {
	t := &z.toks[len(z.toks)-1]
	t.end, t.hi = end, len(z.buf)
}

// apostrophe closes the open token at an apostrophe whose end is at j and
// skips a possessive s after it; it returns where to go on.
func (z *tokenizer) apostrophe(s string, j int) int {
	if !z.open {
		return j
	}
	z.open = false
	r, size := utf8.DecodeRuneInString(s[j:])
	if (r == 's' || r == 'S' || r == 'ｓ' || r == 'Ｓ') && !wordAt(s, j+size) {
		return j + size
	}
	return j
}

// continuesAcronym reports whether the dot at i joins two single letters of
// a dotted acronym (U.S., J.D.).
func (z *tokenizer) continuesAcronym(s string, i int) bool {
	if !z.open || z.digit || i+1 >= len(s) {
		return false
	}
	t := z.toks[len(z.toks)-1]
	if !z.acro && (t.hi-t.lo != 1 || t.end-t.start != 1) {
		return false
	}
	if asciiWord[s[i+1]] <= '9' {
		return false
	}
	return i+2 == len(s) || (s[i+2] < utf8.RuneSelf && asciiWord[s[i+2]] == 0)
}

// wordAt reports whether a letter, digit or combining mark starts at j.
func wordAt(s string, j int) bool {
	if j >= len(s) {
		return false
	}
	if s[j] < utf8.RuneSelf {
		return asciiWord[s[j]] != 0
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	return unicode.In(r, unicode.L, unicode.N, unicode.M)
}
