package story

import (
	"cmp"
	"errors"
	"slices"
	"sync"
)

// ErrEmptyPattern means an alias, stem, exclusion or phrase has no word
// left once normalised (it is empty, or only spaces and punctuation).
var ErrEmptyPattern = errors.New("pattern has no words")

// ErrStemWords means a stem is more than one word; stems are word-initial
// prefixes of a single word.
var ErrStemWords = errors.New("stem is more than one word")

// Matcher finds a story's phrases, context terms, exclusions and actors in
// a text in one pass over its words, and scores the item.
//
// Patterns and texts are compared word by word after normalisation (see
// Normalize and Words): whole words only, in any script, with possessives
// and hyphen variants accepted. A pattern word written with a capital
// first letter matches only words that start with a capital (Tusk, not
// tusk; Путин, not путина); written in lower case it matches any case.
// Stems match every word that starts with them. Where a longer pattern
// covers a shorter hit, the longer one wins: an actor's own exclusions
// suppress that actor's hits inside them, a story exclusion suppresses
// the shorter phrase, context and actor hits inside it, and a longer
// alias suppresses the same actor's shorter ones.
//
// A Matcher is safe for concurrent use.
type Matcher struct {
	def Definition
	// dict numbers every word that occurs in a pattern.
	dict wordTable
	// The word-level Aho–Corasick automaton over all patterns except
	// stems: root holds the transitions out of the root by word id (0 for
	// none), edges the others keyed by node<<32|word.
	root  []int32
	edges map[uint64]int32
	fail  []int32
	// The patterns that end at node n are out[outAt[n]:outAt[n+1]],
	// including those reached through failure links.
	outAt []int32
	out   []int32
	stems stemTable
	pats  []pattern
	// seenAt[kind] is where that kind's owners start in a scratch's seen
	// table.
	seenAt [patActorExclude]int
	pool   sync.Pool
}

// patKind says what a pattern belongs to.
type patKind uint8

// The kinds of pattern. Aliases and stems are both patAlias.
const (
	patPhrase patKind = iota
	patContext
	patExclude
	patAlias
	patActorExclude
)

// pattern is one configured alias, stem or term: owner indexes the
// Definition's list for its kind (Actors for patAlias and patActorExclude),
// words is its length in words, and bit j of caps says its word j was
// written with a capital and matches only capitalised words.
type pattern struct {
	kind  patKind
	owner int32
	words int32
	caps  uint64
}

// hit is one occurrence of a pattern: words first to last-1 of a field,
// bytes start to end of the original field text.
type hit struct {
	pat         int32
	inText      bool
	dropped     bool
	first, last int
	start, end  int
}

// scratch is the per-call state of a match, pooled so that matching does
// not allocate beyond its result.
type scratch struct {
	z    tokenizer
	hits []hit
	// seen[i] == gen marks pattern owner i as already counted.
	seen []uint32
	gen  uint32
}

// NewMatcher compiles def into a Matcher. It fails with ErrEmptyPattern or
// ErrStemWords, naming the offending term or actor, when a pattern is
// unusable.
func NewMatcher(def Definition) (*Matcher, error) {
	def.Phrases = slices.Clone(def.Phrases)
	def.Context = slices.Clone(def.Context)
	def.Exclude = slices.Clone(def.Exclude)
	def.Actors = slices.Clone(def.Actors)
	b := newBuilder(def)
	if err := b.addDefinition(); err != nil {
		return nil, err
	}
	m := b.build()
	size := len(def.Phrases) + len(def.Context) + len(def.Exclude) + len(def.Actors)
	m.pool.New = func() any { return &scratch{seen: make([]uint32, size)} }
	return m, nil
}

// Match scans title and text and returns the verdict: the distinct
// phrases, actors, context terms and exclusions found, their spans, the
// score and whether it reaches the threshold.
func (m *Matcher) Match(title, text string) Match {
	sc := m.pool.Get().(*scratch)
	defer m.release(sc)
	sc.hits = sc.hits[:0]
	m.scan(sc, false, title)
	m.scan(sc, true, text)
	return m.verdict(sc)
}

// maxPooled is the most word bytes a scratch may hold on to when it goes
// back to the pool; one grown larger by a huge text is dropped.
const maxPooled = 1 << 20

// release returns sc to the pool unless it has grown too large.
func (m *Matcher) release(sc *scratch) {
	if cap(sc.z.buf) <= maxPooled && cap(sc.z.toks) <= maxPooled/8 {
		m.pool.Put(sc)
	}
}

// scan appends the hits in one field (the title, or the text if inText)
// to sc.hits, sorts them by position and marks those that a longer
// pattern suppresses.
func (m *Matcher) scan(sc *scratch, inText bool, s string) {
	sc.z.tokenize(s)
	base := len(sc.hits)
	state := int32(0)
	for k, t := range sc.z.toks {
		h := m.stemHits(sc, inText, k)
		id := m.dict.lookupHashed(sc.z.buf[t.lo:t.hi], h)
		if id < 0 {
			state = 0
			continue
		}
		state = m.step(state, id)
		for _, p := range m.out[m.outAt[state]:m.outAt[state+1]] {
			first := k + 1 - int(m.pats[p].words)
			if !capitalsMatch(m.pats[p].caps, sc.z.toks[first:]) {
				continue
			}
			sc.hits = append(sc.hits, hit{pat: p, inText: inText, first: first, last: k + 1, start: sc.z.toks[first].start, end: t.end})
		}
	}
	hits := sc.hits[base:]
	slices.SortFunc(hits, m.compareHits)
	m.suppress(hits)
}

// stemHits appends a hit for every stem that word k starts with and
// returns the word's hash, computed on the way.
func (m *Matcher) stemHits(sc *scratch, inText bool, k int) uint32 {
	t := sc.z.toks[k]
	w := sc.z.buf[t.lo:t.hi]
	h := uint32(hashOffset)
	for i, c := range w {
		h = (h ^ uint32(c)) * hashPrime
		if i+1 >= len(m.stems.isLen) || !m.stems.isLen[i+1] {
			continue
		}
		if sid := m.stems.lookupHashed(w[:i+1], h); sid >= 0 {
			for _, p := range m.stems.pats[sid] {
				if !capitalsMatch(m.pats[p].caps, sc.z.toks[k:]) {
					continue
				}
				sc.hits = append(sc.hits, hit{pat: p, inText: inText, first: k, last: k + 1, start: t.start, end: t.end})
			}
		}
	}
	return h
}

// capitalsMatch reports whether the words starting at toks[0] are
// capitalised wherever bit j of caps asks word j to be.
func capitalsMatch(caps uint64, toks []token) bool {
	for j := 0; caps != 0; j, caps = j+1, caps>>1 {
		if caps&1 != 0 && !toks[j].capital {
			return false
		}
	}
	return true
}

// step follows the automaton from state on word id.
func (m *Matcher) step(state, id int32) int32 {
	for state != 0 {
		if next, ok := m.edges[uint64(state)<<32|uint64(id)]; ok {
			return next
		}
		state = m.fail[state]
	}
	return m.root[id]
}

// suppress marks the hits that a longer pattern covers: an actor's own
// exclusion ("Charles Kushner") drops that actor's hits inside it, a story
// exclusion ("Gaza peace plan") drops every shorter phrase, context or
// actor hit inside it, and an actor's longer alias ("Jared Kushner") drops
// the same actor's shorter hits inside it ("Kushner").
// The hits must be sorted by position, so that those inside a hit follow
// it or share its first word.
func (m *Matcher) suppress(hits []hit) {
	group := 0
	for i, outer := range hits {
		if outer.first != hits[group].first {
			group = i
		}
		op := m.pats[outer.pat]
		for j := group; j < len(hits) && hits[j].first < outer.last; j++ {
			h := &hits[j]
			if h.last <= outer.last && m.covers(op, m.pats[h.pat], outer.last-outer.first > h.last-h.first) {
				h.dropped = true
			}
		}
	}
}

// covers reports whether a hit of pattern outer drops a hit of pattern
// inner lying inside it; longer says the outer hit has more words.
func (m *Matcher) covers(outer, inner pattern, longer bool) bool {
	switch outer.kind {
	case patActorExclude:
		return inner.kind == patAlias && inner.owner == outer.owner
	case patExclude:
		return longer && inner.kind != patExclude && inner.kind != patActorExclude
	case patAlias:
		return longer && inner.kind == patAlias && inner.owner == outer.owner
	}
	return false
}

// compareHits orders hits by first word, longer first, then by pattern
// kind and owner, so that duplicates are next to each other.
func (m *Matcher) compareHits(a, b hit) int {
	pa, pb := m.pats[a.pat], m.pats[b.pat]
	return cmp.Or(
		cmp.Compare(a.first, b.first),
		cmp.Compare(b.last, a.last),
		cmp.Compare(pa.kind, pb.kind),
		cmp.Compare(pa.owner, pb.owner),
	)
}

// verdict turns the kept hits into a Match.
func (m *Matcher) verdict(sc *scratch) Match {
	var res Match
	kept := 0
	for _, h := range sc.hits {
		if !h.dropped && m.pats[h.pat].kind != patActorExclude {
			kept++
		}
	}
	if kept == 0 {
		res.Relevant = res.Score >= m.def.Threshold
		return res
	}
	res.Spans = make([]Span, 0, kept)
	sc.nextGen()
	for _, h := range sc.hits {
		p := m.pats[h.pat]
		if h.dropped || p.kind == patActorExclude {
			continue
		}
		field := FieldTitle
		if h.inText {
			field = FieldText
		}
		span := Span{Field: field, Start: h.start, End: h.end, Kind: p.kind.spanKind(), Term: m.term(p)}
		if n := len(res.Spans); n == 0 || res.Spans[n-1] != span {
			res.Spans = append(res.Spans, span)
		}
		if !sc.firstTime(m.seenAt[p.kind] + int(p.owner)) {
			continue
		}
		switch p.kind {
		case patPhrase:
			res.Phrases = append(res.Phrases, span.Term)
		case patContext:
			res.Context = append(res.Context, span.Term)
		case patExclude:
			res.Excluded = append(res.Excluded, span.Term)
		case patAlias:
			res.Actors = append(res.Actors, span.Term)
		}
		res.Score += m.weight(p)
	}
	res.Relevant = res.Score >= m.def.Threshold
	return res
}

// term returns what a span of pattern p reports: the configured phrase or
// the actor's canonical name.
func (m *Matcher) term(p pattern) string {
	switch p.kind {
	case patPhrase:
		return m.def.Phrases[p.owner].Text
	case patContext:
		return m.def.Context[p.owner].Text
	case patExclude:
		return m.def.Exclude[p.owner].Text
	}
	return m.def.Actors[p.owner].Name
}

// weight returns what a first hit of pattern p adds to the score;
// exclusions take their weight away.
func (m *Matcher) weight(p pattern) float64 {
	switch p.kind {
	case patPhrase:
		return m.def.Phrases[p.owner].Weight
	case patContext:
		return m.def.Context[p.owner].Weight
	case patExclude:
		return -m.def.Exclude[p.owner].Weight
	}
	return m.def.Actors[p.owner].Weight
}

// spanKind returns the Kind reported for hits of this pattern kind.
func (k patKind) spanKind() Kind {
	switch k {
	case patPhrase:
		return KindPhrase
	case patContext:
		return KindContext
	case patExclude:
		return KindExclude
	}
	return KindActor
}

// nextGen starts a new round of firstTime checks.
func (sc *scratch) nextGen() {
	sc.gen++
	if sc.gen == 0 {
		clear(sc.seen)
		sc.gen = 1
	}
}

// firstTime reports whether owner i is seen for the first time this round
// and marks it seen.
func (sc *scratch) firstTime(i int) bool {
	if sc.seen[i] == sc.gen {
		return false
	}
	sc.seen[i] = sc.gen
	return true
}
