package story

import (
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
// is in the cleaned text, its display form and how much of the story it
// carries.
type sentence struct {
	start, end int
	text       string
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
	sents := m.sentences(sc, title, text)
	if len(sents) == 0 {
		return clip(foldSpace(title), limit)
	}
	return pick(sents, limit)
}

// sentences returns the usable sentences of text with their scores.
func (m *Matcher) sentences(sc *scratch, title, text string) []sentence {
	text = dropTitle(dropPostFooter(text), title)
	titleKey := wordKey(title)
	var sents []sentence
	for _, r := range splitSentences(text) {
		s := cutBoilerplateTail(foldSpace(text[r[0]:r[1]]))
		if s == "" || isBoilerplate(s) || !hasLetter(s) || repeatsTitle(s, title, titleKey) {
			continue
		}
		sents = append(sents, sentence{start: r[0], end: r[1], text: s})
	}
	sents = dropTruncatedLast(sents)
	sc.hits = sc.hits[:0]
	m.scan(sc, true, text)
	m.scoreSentences(sc, sents)
	return sents
}

// scoreSentences adds to each sentence the weights of the distinct
// patterns found in it (exclusions subtract).
func (m *Matcher) scoreSentences(sc *scratch, sents []sentence) {
	h := 0
	for i := range sents {
		sc.nextGen()
		for ; h < len(sc.hits) && sc.hits[h].start < sents[i].end; h++ {
			hit := sc.hits[h]
			p := m.pats[hit.pat]
			if hit.dropped || p.kind == patActorExclude || hit.start < sents[i].start {
				continue
			}
			if sc.firstTime(m.seenAt[p.kind] + int(p.owner)) {
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
	if best := sents[order[0]].text; utf8.RuneCountInString(best) > limit {
		return clip(best, limit)
	}
	chosen := make([]bool, len(sents))
	total := -1
	for _, i := range order {
		if n := total + 1 + utf8.RuneCountInString(sents[i].text); n <= limit {
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
// control and format characters.
func foldSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.In(r, unicode.Cc, unicode.Cf):
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

// hasLetter reports whether s has a letter or digit.
func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// wordKey is the normalised words of s joined by spaces, for comparing
// texts regardless of case, punctuation and spacing.
func wordKey(s string) string {
	words := Words(s)
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// repeatsTitle reports whether sentence s has the same words as the title
// (whose wordKey is titleKey). Only a sentence of about the title's length
// can, so longer ones are not tokenised.
func repeatsTitle(s, title, titleKey string) bool {
	return titleKey != "" && len(s) <= 2*len(title)+16 && wordKey(s) == titleKey
}

// dropTitle removes the title from the start of text when the text opens
// by repeating it (a title of at least three words) as a unit of its own:
// followed by nothing, a line break or a separator such as ". " or " – ".
func dropTitle(text, title string) string {
	tw := Words(title)
	if len(tw) < 3 {
		return text
	}
	// Only the opening of text can repeat the title; a generous prefix
	// cut at white space keeps its words whole.
	xw := Words(text[:wordBoundaryAfter(text, 4*len(title)+32)])
	if len(xw) < len(tw) {
		return text
	}
	for i, w := range tw {
		if xw[i].Text != w.Text {
			return text
		}
	}
	rest := text[xw[len(tw)-1].End:]
	if !opensNewUnit(rest) {
		return text
	}
	return strings.TrimLeftFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || isSeparator(r)
	})
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
