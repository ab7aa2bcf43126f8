package story

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file keeps a verbatim copy of the summary code (summary.go,
// summary_text.go and the wordBoundaryAfter it uses from cluster.go) as it
// was before Summarize was made faster, renamed with an oracle prefix, so
// that tests can check that the faster code gives the same summaries and
// benchmarks can compare the two. Only the identifiers and doc comments
// differ; it shares the tokenizer (Words) and the matcher's scan.

// SummarizeBefore is Summarize as it was before it was made faster,
// exported for the external test package's benchmarks and differential
// tests.
func (m *Matcher) SummarizeBefore(title, text string, limit int) string {
	return m.oracleSummarize(title, text, limit)
}

// oracleSentence is sentence as it was before Summarize was made faster.
type oracleSentence struct {
	start, end int
	text       string
	score      float64
}

// oracleSummarize is Summarize as it was before Summarize was made faster.
func (m *Matcher) oracleSummarize(title, text string, limit int) string {
	if limit <= 0 {
		limit = DefaultSummaryLen
	}
	sc := m.pool.Get().(*scratch)
	defer m.release(sc)
	sents := m.oracleSentences(sc, title, text)
	if len(sents) == 0 {
		return oracleClip(oracleFoldSpace(title), limit)
	}
	return oraclePick(sents, limit)
}

// oracleSentences is sentences as it was before Summarize was made faster.
func (m *Matcher) oracleSentences(sc *scratch, title, text string) []oracleSentence {
	text = oracleDropTitle(oracleDropPostFooter(text), title)
	titleKey := oracleWordKey(title)
	var sents []oracleSentence
	for _, r := range oracleSplitSentences(text) {
		s := oracleCutBoilerplateTail(oracleFoldSpace(text[r[0]:r[1]]))
		if s == "" || oracleIsBoilerplate(s) || !oracleHasLetter(s) || oracleRepeatsTitle(s, title, titleKey) {
			continue
		}
		sents = append(sents, oracleSentence{start: r[0], end: r[1], text: s})
	}
	sents = oracleDropTruncatedLast(sents)
	sc.hits = sc.hits[:0]
	m.scan(sc, true, text)
	m.oracleScoreSentences(sc, sents)
	return sents
}

// oracleScoreSentences is scoreSentences as it was before Summarize was made faster.
func (m *Matcher) oracleScoreSentences(sc *scratch, sents []oracleSentence) {
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

// oraclePick is pick as it was before Summarize was made faster.
func oraclePick(sents []oracleSentence, limit int) string {
	order := make([]int, len(sents))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sents[b].score, sents[a].score) })
	if best := sents[order[0]].text; utf8.RuneCountInString(best) > limit {
		return oracleClip(best, limit)
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

// oracleClip is clip as it was before Summarize was made faster.
func oracleClip(s string, limit int) string {
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

// oracleFoldSpace is foldSpace as it was before Summarize was made faster.
func oracleFoldSpace(s string) string {
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

// oracleHasLetter is hasLetter as it was before Summarize was made faster.
func oracleHasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// oracleWordKey is wordKey as it was before Summarize was made faster.
func oracleWordKey(s string) string {
	words := Words(s)
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// oracleRepeatsTitle is repeatsTitle as it was before Summarize was made faster.
func oracleRepeatsTitle(s, title, titleKey string) bool {
	return titleKey != "" && len(s) <= 2*len(title)+16 && oracleWordKey(s) == titleKey
}

// oracleDropTitle is dropTitle as it was before Summarize was made faster.
func oracleDropTitle(text, title string) string {
	tw := Words(title)
	if len(tw) < 3 {
		return text
	}
	// Only the opening of text can repeat the title; a generous prefix
	// cut at white space keeps its words whole.
	xw := Words(text[:oracleWordBoundaryAfter(text, 4*len(title)+32)])
	if len(xw) < len(tw) {
		return text
	}
	for i, w := range tw {
		if xw[i].Text != w.Text {
			return text
		}
	}
	rest := text[xw[len(tw)-1].End:]
	if !oracleOpensNewUnit(rest) {
		return text
	}
	return strings.TrimLeftFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || oracleIsSeparator(r)
	})
}

// oracleOpensNewUnit is opensNewUnit as it was before Summarize was made faster.
func oracleOpensNewUnit(rest string) bool {
	body := strings.TrimLeftFunc(rest, unicode.IsSpace)
	if body == "" || strings.ContainsRune(rest[:len(rest)-len(body)], '\n') {
		return true
	}
	r, _ := utf8.DecodeRuneInString(body)
	return oracleIsSeparator(r)
}

// oracleIsSeparator is isSeparator as it was before Summarize was made faster.
func oracleIsSeparator(r rune) bool {
	return strings.ContainsRune(".:|!?-–—•", r)
}

// oracleSplitSentences is splitSentences as it was before Summarize was made faster.
func oracleSplitSentences(s string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			out = oracleAppendTrimmed(out, s, start, i)
			start = i + size
		case oracleIsTerminator(r):
			j := i + size
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if !oracleIsTerminator(r2) && !oracleIsCloser(r2) {
					break
				}
				j += size2
			}
			if oracleEndsSentence(s, i, r, j) {
				out = oracleAppendTrimmed(out, s, start, j)
				start = j
			}
			i = j
			continue
		}
		i += size
	}
	return oracleAppendTrimmed(out, s, start, len(s))
}

// oracleAppendTrimmed is appendTrimmed as it was before Summarize was made faster.
func oracleAppendTrimmed(out [][2]int, s string, start, end int) [][2]int {
	seg := s[start:end]
	lead := len(seg) - len(strings.TrimLeftFunc(seg, unicode.IsSpace))
	seg = strings.TrimSpace(seg)
	if seg == "" {
		return out
	}
	return append(out, [2]int{start + lead, start + lead + len(seg)})
}

// oracleIsTerminator is isTerminator as it was before Summarize was made faster.
func oracleIsTerminator(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…' || r == '。'
}

// oracleIsCloser is isCloser as it was before Summarize was made faster.
func oracleIsCloser(r rune) bool {
	return strings.ContainsRune("\"'’”»)]", r)
}

// oracleEndsSentence is endsSentence as it was before Summarize was made faster.
func oracleEndsSentence(s string, i int, r rune, j int) bool {
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
	return r != '.' || !oracleIsAbbreviation(oracleWordBefore(s, i))
}

// oracleWordBefore is wordBefore as it was before Summarize was made faster.
func oracleWordBefore(s string, i int) string {
	start := strings.LastIndexFunc(s[:i], unicode.IsSpace) + 1
	return strings.TrimLeft(s[start:i], "\"'‘“«([")
}

// oracleIsAbbreviation is isAbbreviation as it was before Summarize was made faster.
func oracleIsAbbreviation(word string) bool {
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

// oracleDropPostFooter is dropPostFooter as it was before Summarize was made faster.
func oracleDropPostFooter(s string) string {
	const marker = "appeared first on"
	for from := 0; ; {
		lower := oracleAsciiLower(s)
		at := strings.Index(lower[from:], marker)
		if at < 0 {
			return s
		}
		at += from
		start := strings.LastIndex(lower[:at], "the post ")
		if start < 0 || strings.ContainsRune(s[start:at], '\n') {
			from = at + len(marker)
			continue
		}
		end := len(s)
		if e := strings.IndexByte(s[at:], '\n'); e >= 0 {
			end = at + e
		}
		s = s[:start] + s[end:]
		from = start
	}
}

// oracleAsciiLower is asciiLower as it was before Summarize was made faster.
func oracleAsciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// oracleBoilerplateTail is boilerplateTail as it was before Summarize was made faster.
const oracleBoilerplateTail = 64

// oracleBoilerplateLeads is boilerplateLeads as it was before Summarize was made faster.
func oracleBoilerplateLeads() [9]string {
	return [...]string{
		"continue reading", "read more", "read full story", "read the full story",
		"read full article", "read the full article", "read the rest", "keep reading",
		"click here to read",
	}
}

// oracleIsBoilerplate is isBoilerplate as it was before Summarize was made faster.
func oracleIsBoilerplate(s string) bool {
	lower := oracleAsciiLower(s)
	for _, lead := range oracleBoilerplateLeads() {
		if strings.HasPrefix(lower, lead) {
			return true
		}
	}
	return false
}

// oracleCutBoilerplateTail is cutBoilerplateTail as it was before Summarize was made faster.
func oracleCutBoilerplateTail(s string) string {
	for _, tail := range []string{"[…]", "[...]", "(…)", "(...)"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, tail))
	}
	// A link text ends the sentence, so only its tail needs folding.
	from := max(0, len(s)-oracleBoilerplateTail)
	lower := oracleAsciiLower(s[from:])
	for _, lead := range oracleBoilerplateLeads() {
		at := strings.LastIndex(lower, lead)
		if at > 0 && lower[at-1] == ' ' && !oracleHasLetter(s[from+at+len(lead):]) {
			s = strings.TrimSpace(s[:from+at])
			from = max(0, len(s)-oracleBoilerplateTail)
			lower = oracleAsciiLower(s[from:])
		}
	}
	return s
}

// oracleDropTruncatedLast is dropTruncatedLast as it was before Summarize was made faster.
func oracleDropTruncatedLast(sents []oracleSentence) []oracleSentence {
	if n := len(sents); n > 1 {
		last := sents[n-1].text
		if strings.HasSuffix(last, "…") || strings.HasSuffix(last, "...") {
			return sents[:n-1]
		}
	}
	return sents
}

// oracleWordBoundaryAfter is wordBoundaryAfter (cluster.go) as it was
// before Summarize was made faster.
func oracleWordBoundaryAfter(text string, end int) int {
	if end >= len(text) {
		return len(text)
	}
	if i := strings.IndexAny(text[end:], " \t\n\r"); i >= 0 {
		return end + i
	}
	return len(text)
}
