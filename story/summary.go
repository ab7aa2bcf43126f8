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
// is in the cleaned text, its display form, its length in characters, how
// much of the story it carries and how it stands to the sentence before
// it.
type sentence struct {
	start, end int
	text       string
	runes      int
	score      float64
	// lead marks the title repeated at the opening of the text: it is
	// shown only before a sentence that points back at it.
	lead bool
	// fragment marks a unit without a sentence's final mark that is
	// followed by another: a heading, a caption, a standfirst.
	fragment bool
	// refers marks a sentence that opens by pointing back at the one
	// before it ("The agenda…", "He said…", "Цей документ…"): it is shown
	// only after it.
	refers bool
}

// Summarize returns a plain-text extractive summary of an item of at most
// limit characters (DefaultSummaryLen when limit <= 0): whole sentences of
// text in their original order, chosen first by how much of the story
// they name (phrases, the two weightiest actors, context), with the
// report's first sentence favoured and lists of names, headings and
// captions disfavoured. A sentence that points back at the one before it
// ("The agenda…", "Цей документ…") comes with it or not at all; when it
// points back at the title repeated at the text's start, the title comes
// with it. Page residue is left out: whatever precedes a dateline, the
// dateline itself, bylines, photo credits, links to other articles, list
// headers, feed footers ("The post … appeared first on …", "Read more")
// and sentences that repeat the title. Only a sentence longer than limit
// on its own is cut, at a word boundary, with "…". When text has nothing
// usable the summary is the title, so it is empty only when both are.
func (m *Matcher) Summarize(title, text string, limit int) string {
	if limit <= 0 {
		limit = DefaultSummaryLen
	}
	sc := m.pool.Get().(*scratch)
	defer m.release(sc)
	defer sc.sum.reset()
	sents, text := sentences(sc, title, text)
	if !hasReport(sents) {
		return clip(foldSpace(title), limit)
	}
	chosen := sc.sum.chosenFor(len(sents))
	if fitTogether(sents, limit) {
		chooseAll(sents, chosen, limit)
	} else {
		m.scoreSentences(sc, text, sents)
		sc.sum.order = byScore(sents, sc.sum.order[:0])
		if cut, ok := choose(sents, chosen, sc.sum.order, limit); ok {
			return cut
		}
	}
	return joinChosen(sents, chosen)
}

// summaryScratch holds the buffers Summarize reuses from one text to the
// next.
type summaryScratch struct {
	sents  []sentence
	split  [][2]int
	ranges [][2]int
	cuts   [][2]int
	chosen []bool
	order  []int
}

// chosenFor returns n cleared marks.
func (s *summaryScratch) chosenFor(n int) []bool {
	s.chosen = slices.Grow(s.chosen[:0], n)[:n]
	clear(s.chosen)
	return s.chosen
}

// reset lets go of the texts the buffers point into.
func (s *summaryScratch) reset() {
	clear(s.sents)
	s.sents = s.sents[:0]
}

// hasReport reports whether sents hold a sentence of the report, not only
// the repeated title.
func hasReport(sents []sentence) bool {
	return len(sents) > 0 && !(len(sents) == 1 && sents[0].lead)
}

// sentences returns the usable sentences of text, unscored, and the
// cleaned text whose byte ranges they give; z is the tokenizer to work
// with.
func sentences(sc *scratch, title, text string) ([]sentence, string) {
	z := &sc.z
	tw := newTitleWords(z, title)
	text = dropPostFooter(text)
	at := len(text) - len(tw.dropFrom(z, text))
	sents := sc.sum.sents[:0]
	if at > 0 {
		sents = append(sents, leadSentence(title, 0, at))
	}
	if _, end, ok := findDateline(text[at:]); ok && end < len(text)-at {
		// What comes before the dateline, the title included, is a
		// heading, standfirst, caption or byline.
		sents, at = sents[:0], at+end
	} else {
		at += bylineEnd(text[at:])
	}
	split := appendSentences(sc.sum.split[:0], text[at:])
	ranges := sc.sum.ranges[:0]
	for _, r := range split {
		ranges = splitGlued(ranges, text, at+r[0], at+r[1])
	}
	sc.sum.split, sc.sum.ranges = split, ranges
	cuts := sc.sum.cuts[:0]
	credits := mayHoldCredit(text[at:])
	for _, r := range ranges {
		raw := text[r[0]:r[1]]
		if cuts = cuts[:0]; credits {
			cuts = creditRanges(cuts, raw)
		}
		s := cutBoilerplateTail(foldSpace(without(raw, cuts)))
		if s == "" || isBoilerplate(s) || isResidueUnit(s) || !hasLetter(s) {
			continue
		}
		if tw.repeatedBy(z, s) {
			if len(sents) == 0 {
				sents = append(sents, leadSentence(title, r[0], r[1]))
			}
			continue
		}
		sents = append(sents, sentence{start: r[0], end: r[1], text: s, runes: utf8.RuneCountInString(s)})
	}
	sc.sum.cuts = cuts
	sc.sum.sents = sents
	sents = dropTruncatedLast(sents)
	markLinks(sents)
	return sents, text
}

// leadSentence is the title, repeated by the text from start to end,
// kept as what a later sentence may point back at.
func leadSentence(title string, start, end int) sentence {
	t := foldSpace(title)
	return sentence{start: start, end: end, text: t, runes: utf8.RuneCountInString(t), lead: true}
}

// without returns s less the sorted, disjoint byte ranges cut.
func without(s string, cut [][2]int) string {
	if len(cut) == 0 {
		return s
	}
	var b strings.Builder
	from := 0
	for _, c := range cut {
		if c[0] < from {
			continue
		}
		b.WriteString(s[from:c[0]])
		b.WriteByte(' ')
		from = c[1]
	}
	b.WriteString(s[from:])
	return b.String()
}

// markLinks marks the fragments among sents and the sentences that point
// back at the one before them.
func markLinks(sents []sentence) {
	for i := range sents {
		s := &sents[i]
		s.fragment = i < len(sents)-1 && !s.lead && !endsWithMark(s.text)
		if (s.fragment || s.lead) && closedByStop(s.text) {
			s.runes++ // the full stop joinChosen may add
		}
		if i > 0 && !s.lead {
			prev := sents[i-1]
			s.refers = opensReferring(s.text, prev.text, prev.fragment || prev.lead)
		}
	}
}

// endsWithMark reports whether s ends with a sentence's final mark,
// possibly followed by closing quotes and brackets.
func endsWithMark(s string) bool {
	s = strings.TrimRightFunc(s, isCloser)
	r, _ := utf8.DecodeLastRuneInString(s)
	return isTerminator(r)
}

// fitTogether reports whether all the sentences of the report fit in
// limit characters together; they are then all taken whatever their
// scores.
func fitTogether(sents []sentence, limit int) bool {
	total := -1
	for _, s := range sents {
		if !s.lead {
			total += 1 + s.runes
		}
	}
	return total <= limit
}

// chooseAll marks every sentence of the report chosen, and the repeated
// title too when the first sentence points back at it and it fits.
func chooseAll(sents []sentence, chosen []bool, limit int) {
	total := -1
	for i, s := range sents {
		if !s.lead {
			chosen[i] = true
			total += 1 + s.runes
		}
	}
	if sents[0].lead && len(sents) > 1 && sents[1].refers && total+1+sents[0].runes <= limit {
		chosen[0] = true
	}
}

// Adjustments of a sentence's score beyond the story it names.
const (
	// firstBonus favours the report's first sentence (not a heading nor a
	// list of names), which says what happened in most reports.
	firstBonus = 0.3
	// rosterShare and rosterPenalty put a list of names after every
	// other sentence: it names the people, not what they did.
	rosterShare   = 0.3
	rosterPenalty = 1.0
	// fragmentShare disfavours headings, captions and standfirsts.
	fragmentShare = 0.5
)

// scoreSentences scores each sentence of text: the weights of the
// distinct phrases, context terms and exclusions (which subtract) found
// in it and of its two weightiest actors, adjusted by firstBonus,
// rosterShare, rosterPenalty and fragmentShare.
func (m *Matcher) scoreSentences(sc *scratch, text string, sents []sentence) {
	sc.hits = sc.hits[:0]
	m.scan(sc, true, text)
	h, tok := 0, 0
	first := true
	for i := range sents {
		s := &sents[i]
		sc.nextGen()
		var actors [2]float64
		named := 0
		for ; h < len(sc.hits) && sc.hits[h].start < s.end; h++ {
			hit := sc.hits[h]
			p := m.pats[hit.pat]
			if hit.dropped || p.kind == patActorExclude || hit.start < s.start || !sc.firstTime(m.seenIndex(p)) {
				continue
			}
			w := m.weight(p)
			if p.kind != patAlias {
				s.score += w
				continue
			}
			named++
			if w > actors[0] {
				actors[0], w = w, actors[0]
			}
			actors[1] = max(actors[1], w)
		}
		s.score += actors[0] + actors[1]
		var capitals, words int
		capitals, words, tok = capitalisedWords(sc.z.toks, tok, s.start, s.end)
		switch {
		case s.lead:
		case s.fragment:
			s.score *= fragmentShare
		case isRoster(s.text, named, capitals, words):
			s.score = s.score*rosterShare - rosterPenalty
		case first:
			s.score += firstBonus
			first = false
		}
	}
}

// capitalisedWords counts the words of toks from index k on that lie in
// bytes start to end, and those of them after the first that start with a
// capital; it returns the index of the first word after end too.
func capitalisedWords(toks []token, k, start, end int) (capitals, words, next int) {
	for k < len(toks) && toks[k].start < start {
		k++
	}
	for ; k < len(toks) && toks[k].start < end; k++ {
		if words > 0 && toks[k].capital {
			capitals++
		}
		words++
	}
	return capitals, words, k
}

// isRoster reports whether a sentence is a list of names (a delegation,
// the people at a meeting) rather than an account of what happened: it
// names three actors or more with commas between them, or most of its
// many words are capitalised with commas between them.
func isRoster(s string, actors, capitals, words int) bool {
	commas := strings.Count(s, ",") + strings.Count(s, ";")
	return actors >= 3 && commas >= 2 || capitals >= 6 && 5*capitals >= 2*words && commas >= 3
}

// byScore appends to order the indexes of the sentences of the report,
// best first, in text order among equals.
func byScore(sents []sentence, order []int) []int {
	for i, s := range sents {
		if !s.lead {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sents[b].score, sents[a].score) })
	return order
}

// choose marks the sentences to show, taking them in order (best first),
// each with the sentences it points back at, while they fit in limit
// characters. When the best
// sentence does not fit on its own, it returns that sentence cut short
// and true.
func choose(sents []sentence, chosen []bool, order []int, limit int) (string, bool) {
	if best := sents[order[0]]; best.runes > limit {
		return clip(best.text, limit), true
	}
	total := -1
	for _, i := range order {
		cost, from := 0, i
		for j := i; ; j-- {
			if !chosen[j] {
				cost += 1 + sents[j].runes
			}
			if !sents[j].refers {
				from = j
				break
			}
		}
		if total+cost > limit {
			continue
		}
		for j := from; j <= i; j++ {
			chosen[j] = true
		}
		total += cost
	}
	if !slices.Contains(chosen, true) {
		return clip(sents[order[0]].text, limit), true
	}
	return "", false
}

// joinChosen joins the chosen sentences in their original order, closing
// a heading or the repeated title with a full stop when a sentence
// follows it.
func joinChosen(sents []sentence, chosen []bool) string {
	var b strings.Builder
	size := 0
	for i, s := range sents {
		if chosen[i] {
			size += len(s.text) + 2
		}
	}
	b.Grow(size)
	open := false
	for i, s := range sents {
		if !chosen[i] {
			continue
		}
		if open {
			b.WriteString(". ")
		} else if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.text)
		open = (s.lead || s.fragment) && closedByStop(s.text)
	}
	return b.String()
}

// closedByStop reports whether a heading or repeated title s takes a full
// stop before a sentence that follows it: it ends with a letter or digit.
func closedByStop(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
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
