package story

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// SuggestReport is one stored report as Suggest reads it.
type SuggestReport struct {
	Title, Text string
}

// SuggestOptions tune Suggest; a zero field takes its default.
type SuggestOptions struct {
	// MinReports is how many relevant reports must name a candidate, and
	// how many rejected reports must match an alias for it to look
	// ambiguous (default 3).
	MinReports int
	// Ratio is how many times more common, as a share of its set of
	// reports, a candidate must be among the relevant reports than among
	// the rejected ones, and an ambiguous alias among the rejected ones
	// than among the relevant ones (default 3).
	Ratio float64
	// Max is the most entries of each list (default 10).
	Max int
	// TextBytes is how much of each report's text is read (default 2,000
	// bytes): the lead carries what the report is about.
	TextBytes int
}

// withDefaults fills the zero fields of o.
func (o SuggestOptions) withDefaults() SuggestOptions {
	if o.MinReports <= 0 {
		o.MinReports = 3
	}
	if o.Ratio <= 0 {
		o.Ratio = 3
	}
	if o.Max <= 0 {
		o.Max = 10
	}
	if o.TextBytes <= 0 {
		o.TextBytes = 2000
	}
	return o
}

// Addition is a name or phrase that recurs in the reports the story keeps
// and that the story's definition does not have.
type Addition struct {
	// Text is the candidate as most often written.
	Text string
	// Name says it is a name (capitalised words) rather than a phrase.
	Name bool
	// Relevant and Rejected count the reports naming it.
	Relevant, Rejected int
	// Examples are the titles of up to two relevant reports naming it,
	// the first reports given first.
	Examples []string
}

// AmbiguousAlias is an actor's alias that the reports the story rejects
// match as another person's name or another thing's (see Suggest).
type AmbiguousAlias struct {
	// Actor is the actor's name; Alias the alias as most often written.
	Actor, Alias string
	// Relevant and Rejected count the reports it is matched in.
	Relevant, Rejected int
	// Before is the capitalised word most often just before the alias in
	// the rejected reports when it is there in at least half of them
	// ("Yuri" before "Dmitriev"): likely another person of that name.
	// BeforeCount is in how many rejected reports it is.
	Before      string
	BeforeCount int
	// Examples are the titles of up to two rejected reports matching it.
	Examples []string
}

// Suggestions are the candidate additions to a story's definition found in
// a set of reports. Nothing in them is applied: the operator decides.
type Suggestions struct {
	// Relevant and Rejected count the reports judged each way.
	Relevant, Rejected int
	Names, Phrases     []Addition
	Ambiguous          []AmbiguousAlias
}

// Suggest judges reports (newest first, as the store returns them) with the
// story as it is defined now and lists what the definition may be
// missing: names (runs of capitalised words) and phrases of two or three
// words that recur in the relevant reports, are rare in the rejected ones
// and are matched by no configured pattern; and aliases that look
// ambiguous, matched in the rejected reports far more than in the relevant
// ones, with the word that most often precedes them there. Each comes with
// its counts and two example titles.
func (m *Matcher) Suggest(reports []SuggestReport, opts SuggestOptions) Suggestions {
	opts = opts.withDefaults()
	judged := make([]judgedReport, len(reports))
	var out Suggestions
	for i, r := range reports {
		text := cutAtRune(r.Text, opts.TextBytes)
		judged[i] = judgedReport{title: r.Title, text: text, match: m.Match(r.Title, text)}
		if judged[i].match.Relevant {
			out.Relevant++
		} else {
			out.Rejected++
		}
	}
	c := newCandidates()
	for i := range judged {
		if judged[i].match.Relevant {
			c.learn(&judged[i])
		}
	}
	for _, relevant := range []bool{true, false} {
		if !relevant {
			// Only what recurs in the relevant reports is worth
			// counting among the rejected ones.
			c.prune(opts.MinReports)
		}
		for i := range judged {
			if judged[i].match.Relevant == relevant {
				c.add(&judged[i], i, relevant)
			}
		}
	}
	out.Names, out.Phrases = c.ranked(opts, out.Relevant, out.Rejected)
	out.Ambiguous = ambiguousAliases(judged, opts, out.Relevant, out.Rejected)
	return out
}

// judgedReport is a report with its verdict under the current definition.
type judgedReport struct {
	title, text string
	match       Match
}

// field returns the report's title or text.
func (r *judgedReport) field(f Field) string {
	if f == FieldTitle {
		return r.title
	}
	return r.text
}

// cutAtRune returns s cut to at most n bytes at a rune boundary.
func cutAtRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// candidateStat is what is known of one candidate: its counts, the forms it
// is written in and example titles.
type candidateStat struct {
	name               bool
	relevant, rejected int
	forms              map[string]int
	examples           []string
	// last is the report that counted it last, so that a report counts
	// once.
	last int
}

// candidates counts the candidates of a set of reports by key: their
// normalised words joined by spaces.
type candidates struct {
	stats map[string]*candidateStat
	z     tokenizer
	// cases counts, by normalised word, the occurrences written with a
	// capital and without one, away from a sentence's start.
	cases map[string]*[2]int
	// buf and key are reused from one field and candidate to the next.
	buf []word
	key []byte
}

// newCandidates returns an empty count.
func newCandidates() *candidates {
	return &candidates{stats: make(map[string]*candidateStat), cases: make(map[string]*[2]int)}
}

// maxNameWords and maxPhraseWords bound the candidates' lengths.
const (
	maxNameWords   = 4
	maxPhraseWords = 3
)

// learn counts how the words of relevant report r are written away from
// a sentence's start, with a capital or without, so that a name can be
// told from a word that opens a sentence.
func (c *candidates) learn(r *judgedReport) {
	for _, f := range []Field{FieldTitle, FieldText} {
		s := r.field(f)
		c.z.tokenize(s)
		for k, t := range c.z.toks {
			if k == 0 || startsSentence(s[c.z.toks[k-1].end:t.start]) {
				continue
			}
			key := c.z.buf[t.lo:t.hi]
			n := c.cases[string(key)]
			if n == nil {
				n = new([2]int)
				c.cases[string(key)] = n
			}
			if t.capital {
				n[0]++
			} else {
				n[1]++
			}
		}
	}
}

// add counts the candidates of report r (number i); a rejected report only
// counts candidates already found in relevant ones.
func (c *candidates) add(r *judgedReport, i int, relevant bool) {
	for _, f := range []Field{FieldTitle, FieldText} {
		s := r.field(f)
		c.z.tokenize(s)
		words := c.words(s, r.match.Spans, f)
		for a := range words {
			for b := a + 1; b <= len(words) && b-a <= maxNameWords; b++ {
				w := words[b-1]
				if w.configured {
					break
				}
				if name, ok := isCandidate(words[a:b]); ok {
					c.count(words[a:b], s, name, r.title, i, relevant)
				}
				if w.brokenAfter {
					break
				}
			}
		}
	}
}

// word is one word of a field as candidates see it.
type word struct {
	// lo and hi give its normalised form in the tokenizer's buffer; start
	// and end its bytes in the field.
	lo, hi, start, end int
	// capital: written with a capital; nameLike: usually written so in
	// the relevant reports; function: a function word, a month or a word
	// of two letters or fewer; digits: a number.
	capital, nameLike, function, digits bool
	// configured: inside a span the definition matched;
	// brokenAfter: punctuation separates it from the next word.
	configured, brokenAfter bool
}

// words describes the words the tokenizer found in field s, in c.buf.
func (c *candidates) words(s string, spans []Span, f Field) []word {
	toks := c.z.toks
	out := slices.Grow(c.buf[:0], len(toks))[:len(toks)]
	for k, t := range toks {
		key := c.z.buf[t.lo:t.hi]
		w := &out[k]
		*w = word{lo: t.lo, hi: t.hi, start: t.start, end: t.end, capital: t.capital, digits: isDigits(string(key))}
		w.brokenAfter = k == len(toks)-1 || breaksPhrase(s[t.end:toks[k+1].start])
		w.function = utf8.RuneCount(key) <= 2 && !w.digits || isStopWord(string(key)) || isMonth(string(key)) ||
			t.capital && openerAt(s, rawWord{start: t.start, end: t.end}) != openerNone
		if n := c.cases[string(key)]; n != nil && w.capital && !w.function {
			w.nameLike = n[0] > 0 && n[0] >= 2*n[1]
		}
		for _, sp := range spans {
			if sp.Field == f && sp.Start < t.end && t.start < sp.End {
				w.configured = true
				break
			}
		}
	}
	c.buf = out
	return out
}

// startsSentence reports whether the gap before a word ends a sentence.
func startsSentence(gap string) bool {
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case '.', '!', '?', ':', '\n':
			return true
		}
	}
	return false
}

// isMonth reports whether the normalised word w names a month in a
// language that writes months with a capital (English, German): a date,
// not a name.
func isMonth(w string) bool {
	switch w {
	case "january", "february", "march", "april", "may", "june", "july", "august", "september",
		"october", "november", "december", "januar", "februar", "marz", "mai", "juni", "juli",
		"oktober", "dezember":
		return true
	}
	return false
}

// breaksPhrase reports whether the text between two words keeps them
// apart: anything but spaces, hyphens and apostrophes.
func breaksPhrase(gap string) bool {
	for _, r := range gap {
		switch r {
		case ' ', '-', '‐', '\'', '’':
		default:
			return true
		}
	}
	return false
}

// isCandidate reports whether words make a candidate, and whether it is a
// name: two to four name-like capitalised words, or one of four letters or
// more; or a phrase of two or three words, none a function word, not all
// capitalised nor all numbers, and with any name-like words first ("Abu
// Dhabi talks", not "met Igor Kostyukov": names are suggested on their
// own). No word may be configured already.
func isCandidate(words []word) (name, ok bool) {
	allNames := true
	for _, w := range words {
		if w.configured {
			return false, false
		}
		allNames = allNames && w.nameLike
	}
	if allNames {
		return true, len(words) > 1 || words[0].hi-words[0].lo >= 4
	}
	if len(words) < 2 || len(words) > maxPhraseWords || words[len(words)-1].digits {
		return false, false
	}
	lower := false
	for _, w := range words {
		if w.function || w.nameLike && lower {
			return false, false
		}
		lower = lower || !w.capital && !w.digits
	}
	return false, lower
}

// count adds one report (number i, titled title) to the candidate made of
// words of field s.
func (c *candidates) count(words []word, s string, name bool, title string, i int, relevant bool) {
	key := c.key[:0]
	for k, w := range words {
		if k > 0 {
			key = append(key, ' ')
		}
		key = append(key, c.z.buf[w.lo:w.hi]...)
	}
	c.key = key
	st := c.stats[string(key)]
	if st == nil {
		if !relevant {
			return
		}
		st = &candidateStat{name: name, forms: make(map[string]int), last: -1}
		c.stats[string(key)] = st
	}
	if relevant {
		st.forms[s[words[0].start:words[len(words)-1].end]]++
	}
	if st.last == i {
		return
	}
	st.last = i
	if !relevant {
		st.rejected++
		return
	}
	st.relevant++
	if len(st.examples) < 2 && !slices.Contains(st.examples, title) {
		st.examples = append(st.examples, title)
	}
}

// prune drops the candidates named by fewer than min relevant reports.
func (c *candidates) prune(min int) {
	for k, st := range c.stats {
		if st.relevant < min {
			delete(c.stats, k)
		}
	}
}

// ranked returns the names and phrases worth suggesting, most relevant
// reports first: in at least opts.MinReports relevant reports, opts.Ratio
// times more common among them than among the rejected ones, and not
// inside a longer candidate found in nearly as many reports.
func (c *candidates) ranked(opts SuggestOptions, relevant, rejected int) (names, phrases []Addition) {
	type keyed struct {
		key string
		st  *candidateStat
	}
	var kept []keyed
	for k, st := range c.stats {
		if st.relevant >= opts.MinReports && share(st.relevant, relevant) >= opts.Ratio*share(st.rejected, rejected) {
			kept = append(kept, keyed{k, st})
		}
	}
	slices.SortFunc(kept, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(b.st.relevant, a.st.relevant), cmp.Compare(a.st.rejected, b.st.rejected),
			cmp.Compare(len(b.key), len(a.key)), strings.Compare(a.key, b.key))
	})
	for _, a := range kept {
		if slices.ContainsFunc(kept, func(b keyed) bool { return subsumes(b.key, b.st, a.key, a.st) }) {
			continue
		}
		cand := Addition{Text: commonest(a.st.forms), Name: a.st.name, Relevant: a.st.relevant, Rejected: a.st.rejected, Examples: a.st.examples}
		switch {
		case cand.Name && len(names) < opts.Max:
			names = append(names, cand)
		case !cand.Name && len(phrases) < opts.Max:
			phrases = append(phrases, cand)
		}
	}
	return names, phrases
}

// subsumes reports whether candidate a makes candidate b not worth
// showing. A name inside a longer one found in nearly as
// many reports is (Kostyukov inside Igor Kostyukov); a phrase inside a
// longer one found in as many reports is (free economic inside free
// economic zone), and a phrase with a shorter one inside it found in more
// reports is (trilateral talks resume beside trilateral talks).
func subsumes(aKey string, a *candidateStat, bKey string, b *candidateStat) bool {
	if a.name != b.name {
		// A phrase made of a name and a word that is there nearly
		// whenever the name is ("Mira Holt agreed") adds nothing to the
		// name.
		return a.name && containsWords(bKey, aKey) && 4*a.relevant <= 5*b.relevant
	}
	switch {
	case containsWords(aKey, bKey):
		if b.name {
			return 5*a.relevant >= 4*b.relevant
		}
		return a.relevant == b.relevant
	case containsWords(bKey, aKey):
		return !b.name && a.relevant > b.relevant
	}
	return false
}

// share is n as a share of total, 0 when total is 0.
func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// containsWords reports whether the words of longer hold those of shorter,
// a shorter key.
func containsWords(longer, shorter string) bool {
	if len(longer) <= len(shorter) {
		return false
	}
	return strings.Contains(" "+longer+" ", " "+shorter+" ")
}

// commonest returns the most common of forms, the first in byte order
// among equals.
func commonest(forms map[string]int) string {
	best, n := "", 0
	for f, c := range forms {
		if c > n || c == n && f < best {
			best, n = f, c
		}
	}
	return best
}

// aliasStat counts one actor's alias form: the reports it is matched in,
// each way, the capitalised words before it in the rejected ones and in
// the relevant ones, and example titles.
type aliasStat struct {
	actor                  string
	relevant, rejected     int
	forms                  map[string]int
	before, beforeRelevant map[string]int
	beforeForm             map[string]string
	examples               []string
}

// ambiguousAliases returns the alias forms matched in at least
// opts.MinReports rejected reports that look like another person's name
// or another thing's, most rejected reports first. A form looks like
// another person's name when the same capitalised word precedes it in at
// least half of the rejected reports and is opts.Ratio times more common
// before it there than in the relevant ones ("Yuri" before "Dmitriev");
// like another thing's when both the form and its actor are opts.Ratio
// times more common, as a share of their set, among the rejected reports.
// A head of state named by every kind of news is not ambiguous: the same
// person is.
func ambiguousAliases(judged []judgedReport, opts SuggestOptions, relevant, rejected int) []AmbiguousAlias {
	stats := make(map[string]*aliasStat)
	actors := make(map[string]*[2]int)
	var z tokenizer
	for _, r := range judged {
		seen := make(map[string]bool)
		for _, name := range r.match.Actors {
			n := actors[name]
			if n == nil {
				n = new([2]int)
				actors[name] = n
			}
			if r.match.Relevant {
				n[0]++
			} else {
				n[1]++
			}
		}
		for _, sp := range r.match.Spans {
			if sp.Kind != KindActor {
				continue
			}
			s := r.field(sp.Field)
			form := s[sp.Start:sp.End]
			key := sp.Term + "\x00" + Normalize(form)
			st := stats[key]
			if st == nil {
				st = &aliasStat{actor: sp.Term, forms: make(map[string]int), before: make(map[string]int),
					beforeRelevant: make(map[string]int), beforeForm: make(map[string]string)}
				stats[key] = st
			}
			st.forms[form]++
			if seen[key] {
				continue
			}
			seen[key] = true
			b, raw, hasBefore := capitalBefore(&z, s, sp.Start, r.match.Spans, sp.Field)
			if r.match.Relevant {
				st.relevant++
				if hasBefore {
					st.beforeRelevant[b]++
				}
				continue
			}
			st.rejected++
			if len(st.examples) < 2 && !slices.Contains(st.examples, r.title) {
				st.examples = append(st.examples, r.title)
			}
			if hasBefore {
				st.before[b]++
				st.beforeForm[b] = raw
			}
		}
	}
	var out []AmbiguousAlias
	for _, st := range stats {
		if st.rejected < opts.MinReports {
			continue
		}
		a := AmbiguousAlias{Actor: st.actor, Alias: commonest(st.forms), Relevant: st.relevant, Rejected: st.rejected, Examples: st.examples}
		b := commonest(st.before)
		lookalike := b != "" && 2*st.before[b] >= st.rejected &&
			share(st.before[b], rejected) >= opts.Ratio*share(st.beforeRelevant[b], relevant)
		n := actors[st.actor]
		rejectedMore := share(st.rejected, rejected) >= opts.Ratio*share(st.relevant, relevant) &&
			share(n[1], rejected) >= opts.Ratio*share(n[0], relevant)
		switch {
		case lookalike:
			a.Before, a.BeforeCount = st.beforeForm[b], st.before[b]
		case !rejectedMore:
			continue
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b AmbiguousAlias) int {
		return cmp.Or(cmp.Compare(b.Rejected, a.Rejected), cmp.Compare(a.Relevant, b.Relevant),
			strings.Compare(a.Actor, b.Actor), strings.Compare(a.Alias, b.Alias))
	})
	if len(out) > opts.Max {
		out = out[:opts.Max]
	}
	return out
}

// capitalBefore returns the normalised and the written form of the word
// just before offset at of field s when only a space separates them, it is
// capitalised, no configured pattern covers it and it is no function word.
func capitalBefore(z *tokenizer, s string, at int, spans []Span, f Field) (key, raw string, ok bool) {
	z.tokenize(s[:at])
	if len(z.toks) == 0 {
		return "", "", false
	}
	t := z.toks[len(z.toks)-1]
	if !t.capital || !onlySpace(s[t.end:at]) || openerAt(s, rawWord{start: t.start, end: t.end}) != openerNone {
		return "", "", false
	}
	for _, sp := range spans {
		if sp.Field == f && sp.Start < t.end && t.start < sp.End {
			return "", "", false
		}
	}
	return string(z.buf[t.lo:t.hi]), s[t.start:t.end], true
}
