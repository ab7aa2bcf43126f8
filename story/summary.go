package story

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultSummaryLen is the summary length, in characters, that Summarize
// uses when it is given none.
const DefaultSummaryLen = 350

// sentence is one candidate sentence of a text being summarised: where it
// is in the cleaned text, its display form, its length in characters and
// how much of the story it carries.
type sentence struct {
	start, end int
	text       string
	runes      int
	score      float64
}

// Summarize returns a plain-text extractive summary of an item of at most
// limit characters (DefaultSummaryLen when limit <= 0): whole sentences of
// text in their original order, chosen first by how much of the story
// they name (phrases, actors, context) and then by position. Feed
// boilerplate ("The post … appeared first on …", "Continue reading",
// "Read more") and sentences that repeat the title are left out. Only a
// sentence longer than limit on its own is cut, at a word boundary, with
// "…". When text has nothing usable the summary is the title, so it is
// empty only when both are.
func (m *Matcher) Summarize(title, text string, limit int) string {
	if limit <= 0 {
		limit = DefaultSummaryLen
	}
	sc := m.pool.Get().(*scratch)
	defer m.release(sc)
	sents, text := sentences(&sc.z, title, text)
	if len(sents) == 0 {
		return clip(foldSpace(title), limit)
	}
	if !fitTogether(sents, limit) {
		m.scoreSentences(sc, text, sents)
	}
	return pick(sents, limit)
}

// sentences returns the usable sentences of text, unscored, and the
// cleaned text whose byte ranges they give; z is the tokenizer to work
// with.
func sentences(z *tokenizer, title, text string) ([]sentence, string) {
	tw := newTitleWords(z, title)
	text = tw.dropFrom(z, dropPostFooter(text))
	ranges := splitSentences(text)
	sents := make([]sentence, 0, len(ranges))
	for _, r := range ranges {
		s := cutBoilerplateTail(foldSpace(text[r[0]:r[1]]))
		if s == "" || isBoilerplate(s) || !hasLetter(s) || tw.repeatedBy(z, s) {
			continue
		}
		sents = append(sents, sentence{start: r[0], end: r[1], text: s, runes: utf8.RuneCountInString(s)})
	}
	return dropTruncatedLast(sents), text
}

// fitTogether reports whether all the sentences fit in limit characters
// together; pick then takes them all whatever their scores.
func fitTogether(sents []sentence, limit int) bool {
	total := -1
	for _, s := range sents {
		total += 1 + s.runes
	}
	return total <= limit
}

// scoreSentences adds to each sentence of text the weights of the
// distinct patterns found in it (exclusions subtract).
func (m *Matcher) scoreSentences(sc *scratch, text string, sents []sentence) {
	sc.hits = sc.hits[:0]
	m.scan(sc, true, text)
	h := 0
	for i := range sents {
		sc.nextGen()
		for ; h < len(sc.hits) && sc.hits[h].start < sents[i].end; h++ {
			hit := sc.hits[h]
			p := m.pats[hit.pat]
			if hit.dropped || p.kind == patActorExclude || hit.start < sents[i].start {
				continue
			}
			if sc.firstTime(m.seenIndex(p)) {
				sents[i].score += m.weight(p)
			}
		}
	}
}

// pick chooses sentences best first while they fit in limit characters
// and joins them in their original order; when the best one does not fit
// on its own, the summary is that sentence cut short.
func pick(sents []sentence, limit int) string {
	order := make([]int, len(sents))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sents[b].score, sents[a].score) })
	if best := sents[order[0]]; best.runes > limit {
		return clip(best.text, limit)
	}
	chosen := make([]bool, len(sents))
	total := -1
	for _, i := range order {
		if n := total + 1 + sents[i].runes; n <= limit {
			chosen[i], total = true, n
		}
	}
	var b strings.Builder
	for i, s := range sents {
		if !chosen[i] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.text)
	}
	return b.String()
}

// clip cuts s to at most limit characters at a word boundary, ending it
// with "…".
func clip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == limit-1 {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > len(head)/2 {
		head = head[:sp]
	}
	return strings.TrimRight(head, " .,;:-–—") + "…"
}

// foldSpace trims s and folds white space runs into one space, dropping
// control and format characters. When there is nothing to fold it returns
// s itself.
func foldSpace(s string) string {
	if isFolded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case isControl(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isFolded reports whether foldSpace has nothing to do on s: no white
// space at either end, none but single plain spaces inside, no control
// or format character and no invalid UTF-8.
func isFolded(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// s[i+1] exists: s does not end in a space.
			if c < ' ' || c == 0x7f || (c == ' ' && s[i+1] == ' ') {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 || !keptAsIs(r) {
			return false
		}
		i += size
	}
	return true
}

// keptAsIs reports whether foldSpace keeps r as it is: r is neither white
// space nor a control or format character. Cyrillic letters, common in
// the texts, are answered without looking up the Unicode tables.
func keptAsIs(r rune) bool {
	return isCyrillicLetter(r) || !(unicode.IsSpace(r) || isControl(r))
}

// isControl reports whether r is a control or format character.
func isControl(r rune) bool {
	if r < utf8.RuneSelf {
		return r < ' ' || r == 0x7f
	}
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

// hasLetter reports whether s has a letter or digit.
func hasLetter(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			if asciiWord[s[i]] != 0 {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
		i += size
	}
	return false
}

// titleWords is a title and its words as the tokenizer found them: toks
// index buf, which holds the folded words run together.
type titleWords struct {
	title string
	buf   []byte
	toks  []token
}

// newTitleWords splits title into words with z and keeps a copy of them.
func newTitleWords(z *tokenizer, title string) titleWords {
	z.tokenize(title)
	return titleWords{title: title, buf: slices.Clone(z.buf), toks: slices.Clone(z.toks)}
}

// opens reports whether the words in z start with the title's words.
func (tw *titleWords) opens(z *tokenizer) bool {
	if len(z.toks) < len(tw.toks) {
		return false
	}
	for i, t := range tw.toks {
		x := z.toks[i]
		if !bytes.Equal(z.buf[x.lo:x.hi], tw.buf[t.lo:t.hi]) {
			return false
		}
	}
	return true
}

// repeatedBy reports whether sentence s has the same words as the title;
// z is the tokenizer to split it with. Only a sentence of about the
// title's length can, so longer ones are not split, nor are those whose
// plain-ASCII opening or first word already differs.
func (tw *titleWords) repeatedBy(z *tokenizer, s string) bool {
	if len(tw.toks) == 0 || len(s) > 2*len(tw.title)+16 || asciiWordsDiffer(s, tw.buf, true) ||
		tw.differsIn(z, s[:wordBoundaryAfter(s, 1)]) {
		return false
	}
	z.tokenize(s)
	return len(z.toks) == len(tw.toks) && tw.opens(z)
}

// dropFrom removes the title from the start of text when the text opens
// by repeating it (a title of at least three words) as a unit of its own:
// followed by nothing, a line break or a separator such as ". " or " – ".
// z is the tokenizer to split text with.
func (tw *titleWords) dropFrom(z *tokenizer, text string) string {
	if len(tw.toks) < 3 || asciiWordsDiffer(text, tw.buf, false) ||
		tw.differsIn(z, text[:wordBoundaryAfter(text, len(tw.title))]) {
		return text
	}
	// Only the opening of text can repeat the title; a generous prefix
	// cut at white space keeps its words whole.
	z.tokenize(text[:wordBoundaryAfter(text, 4*len(tw.title)+32)])
	if !tw.opens(z) {
		return text
	}
	rest := text[z.toks[len(tw.toks)-1].end:]
	if !opensNewUnit(rest) {
		return text
	}
	return strings.TrimLeftFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || isSeparator(r)
	})
}

// differsIn reports whether the words of prefix, an opening of a text
// that ends at white space or at the text's end, show that the text does
// not start with the title's words; z is the tokenizer to split it with.
// Such an opening has the text's first words, so a short one settles most
// texts without splitting them whole.
func (tw *titleWords) differsIn(z *tokenizer, prefix string) bool {
	z.tokenize(prefix)
	for i := range min(len(z.toks), len(tw.toks)) {
		t, x := tw.toks[i], z.toks[i]
		if !bytes.Equal(z.buf[x.lo:x.hi], tw.buf[t.lo:t.hi]) {
			return true
		}
	}
	return false
}

// asciiWordsDiffer reports whether the words of s, run together, surely
// differ from joined: at all if whole, else within joined's length. It
// judges by the opening of s up to its first non-ASCII byte or
// apostrophe, whose words are its letters and digits in lower case, and
// reports false when that opening does not settle it.
func asciiWordsDiffer(s string, joined []byte, whole bool) bool {
	k := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == '\'' || c == '`' {
			return false
		}
		f := asciiWord[c]
		switch {
		case f == 0:
		case k == len(joined):
			return whole
		case f != joined[k]:
			return true
		default:
			k++
		}
	}
	return k < len(joined)
}

// opensNewUnit reports whether what follows a repeated title starts a new
// unit: nothing, a line break, or a separator.
func opensNewUnit(rest string) bool {
	body := strings.TrimLeftFunc(rest, unicode.IsSpace)
	if body == "" || strings.ContainsRune(rest[:len(rest)-len(body)], '\n') {
		return true
	}
	r, _ := utf8.DecodeRuneInString(body)
	return isSeparator(r)
}

// isSeparator reports whether r ends or separates a headline.
func isSeparator(r rune) bool {
	return strings.ContainsRune(".:|!?-–—•", r)
}
