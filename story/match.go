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
// tusk; Путин, not путина), unless Rules.LowerCaseLetters frees it; written
// in lower case it matches any case. Stems match every word that starts
// with them. Rules.Inflect, Rules.PhraseSlack and Rules.TypoLetters make
// phrases, context terms and aliases tolerant of endings, word order and
// misspellings; exclusions always match exactly.
//
// Where a longer pattern covers a shorter hit, the longer one wins: an
// actor's own exclusions suppress that actor's hits inside them, a story
// exclusion suppresses the shorter phrase, context and actor hits inside
// it, a longer alias suppresses the same actor's shorter ones, and under
// the evidence rule a phrase suppresses the shorter phrases of its own or
// a weaker class inside it. An
// actor exclusion that names another person ("Daniil Medvedev") also keeps
// the aliases it contains from crediting the actor anywhere else in the
// item, unless another alias of the actor is there.
//
// A Matcher is safe for concurrent use.
type Matcher struct {
	def Definition
	// lex resolves text words to the classes of term words and to the
	// exclusion words.
	lex lexicon
	// terms is the automaton over lexicon classes for the phrases,
	// context terms and aliases, excl the one over exclusion words.
	terms automaton
	excl  automaton
	stems stemTable
	// prox are the patterns matched in any order; proxOf[c] those that
	// need class c.
	prox   []proxPattern
	proxOf [][]int32
	pats   []pattern
	// seenAt[r] is where region r starts in a scratch's seen table.
	seenAt   [regions]int
	seenSize int
	pool     sync.Pool
}

// automaton is a word-level Aho–Corasick automaton: root holds the
// transitions out of the root by word id (0 for none), edges the others
// keyed by node<<32|word. The patterns that end at node n are
// out[outAt[n]:outAt[n+1]], including those reached through failure links.
type automaton struct {
	root  []int32
	edges map[uint64]int32
	fail  []int32
	outAt []int32
	out   []int32
}

// step follows the automaton from state on word id.
func (a *automaton) step(state, id int32) int32 {
	for state != 0 {
		if next, ok := a.edges[uint64(state)<<32|uint64(id)]; ok {
			return next
		}
		state = a.fail[state]
	}
	if int(id) < len(a.root) {
		return a.root[id]
	}
	return 0
}

// outputs returns the patterns that end at state.
func (a *automaton) outputs(state int32) []int32 {
	return a.out[a.outAt[state]:a.outAt[state+1]]
}

// proxPattern is a phrase or context term matched in any order: the
// classes it needs, whether each must be capitalised, and the most words
// its match may span.
type proxPattern struct {
	pat  int32
	need []int32
	caps []bool
	span int
}

// patKind says what a pattern belongs to.
type patKind uint8

// The kinds of pattern. Aliases and stems are both patAlias.
const (
	patPhrase patKind = iota
	patWeak
	patGeneric
	patContext
	patExclude
	patAlias
	patActorExclude
)

// isExclusion reports whether p is a story or actor exclusion, matched
// exactly.
func (p pattern) isExclusion() bool {
	return p.kind == patExclude || p.kind == patActorExclude
}

// The regions of a scratch's seen table: the terms counted, by concept,
// the actors counted, and two marks per actor.
const (
	regPhrase = iota
	regWeak
	regGeneric
	regContext
	regExclude
	regActor
	// regLookalike marks an actor whose look-alike person is named.
	regLookalike
	// regFull marks an actor named by an alias no look-alike contains.
	regFull
	regions
)

// pattern is one configured alias, stem or term: owner indexes the
// Definition's list for its kind (Actors for patAlias and patActorExclude),
// words is its length in words, and bit j of caps says its word j must
// match a capitalised word. A term's concept numbers it among the terms of
// its kind, sharing the number with those that are forms of it. person
// marks an actor exclusion that names another person, shadowable an alias
// found inside one.
type pattern struct {
	kind       patKind
	person     bool
	shadowable bool
	owner      int32
	concept    int32
	words      int32
	caps       uint64
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

// maxPrefixBytes bounds the word prefixes whose hashes a scan keeps for
// the inflection lookups; longer words match only exactly.
const maxPrefixBytes = 48

// scratch is the per-call state of a match, pooled so that matching does
// not allocate beyond its result.
type scratch struct {
	z    tokenizer
	hits []hit
	// ph[i] is the hash of the current word's first i bytes.
	ph [maxPrefixBytes + 1]uint32
	// seen[i] == gen marks entry i of the seen table.
	seen []uint32
	gen  uint32
	// last[c] is the last word of class c in the field being scanned, when
	// lastGen[c] == field.
	last    []int32
	lastGen []uint32
	field   uint32
	// sum holds the buffers of a summary.
	sum summaryScratch
}

// NewMatcher compiles def into a Matcher. It fails with ErrEmptyPattern or
// ErrStemWords, naming the offending term or actor, when a pattern is
// unusable.
func NewMatcher(def Definition) (*Matcher, error) {
	def.Phrases = slices.Clone(def.Phrases)
	def.Weak = slices.Clone(def.Weak)
	def.Generic = slices.Clone(def.Generic)
	def.Context = slices.Clone(def.Context)
	def.Exclude = slices.Clone(def.Exclude)
	def.Actors = slices.Clone(def.Actors)
	b := newBuilder(def)
	if err := b.addDefinition(); err != nil {
		return nil, err
	}
	m := b.m
	m.pool.New = func() any { return m.newScratch() }
	return m, nil
}

// newScratch returns empty per-call state sized for the matcher.
func (m *Matcher) newScratch() *scratch {
	sc := &scratch{seen: make([]uint32, m.seenSize)}
	if len(m.prox) > 0 {
		sc.last = make([]int32, m.lex.classes)
		sc.lastGen = make([]uint32, m.lex.classes)
	}
	return sc
}

// Match scans title and text and returns the verdict: the distinct
// phrases, actors, context terms and exclusions found, their spans, the
// score and whether it makes the item relevant.
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
	sc.nextField()
	base := len(sc.hits)
	state, exclState := int32(0), int32(0)
	for k, t := range sc.z.toks {
		w := sc.z.buf[t.lo:t.hi]
		h := m.stemHits(sc, inText, k)
		c, x := m.lex.resolve(w, h, sc.ph[:min(len(w), maxPrefixBytes)+1], t.capital)
		if x >= 0 {
			exclState = m.excl.step(exclState, x)
			m.emit(sc, inText, k, m.excl.outputs(exclState))
		} else {
			exclState = 0
		}
		if c < 0 {
			state = 0
			continue
		}
		state = m.terms.step(state, c)
		m.emit(sc, inText, k, m.terms.outputs(state))
		if len(m.proxOf) > 0 && len(m.proxOf[c]) > 0 {
			m.proxHits(sc, inText, k, c)
		}
	}
	hits := sc.hits[base:]
	slices.SortFunc(hits, m.compareHits)
	m.suppress(hits)
}

// emit appends a hit for each pattern ending at word k whose capitals
// match.
func (m *Matcher) emit(sc *scratch, inText bool, k int, outs []int32) {
	for _, p := range outs {
		first := k + 1 - int(m.pats[p].words)
		if !capitalsMatch(m.pats[p].caps, sc.z.toks[first:]) {
			continue
		}
		sc.hits = append(sc.hits, hit{pat: p, inText: inText, first: first, last: k + 1, start: sc.z.toks[first].start, end: sc.z.toks[k].end})
	}
}

// proxHits records word k, of class c, and appends a hit for each pattern
// matched in any order that it completes: every class the pattern needs
// was last seen within the pattern's span, capitalised where it must be.
func (m *Matcher) proxHits(sc *scratch, inText bool, k int, c int32) {
	sc.last[c], sc.lastGen[c] = int32(k), sc.field
	for _, id := range m.proxOf[c] {
		pp := &m.prox[id]
		first, ok := k, true
		for j, need := range pp.need {
			pos := int(sc.last[need])
			if sc.lastGen[need] != sc.field || k-pos >= pp.span || (pp.caps[j] && !sc.z.toks[pos].capital) {
				ok = false
				break
			}
			first = min(first, pos)
		}
		if ok {
			sc.hits = append(sc.hits, hit{pat: pp.pat, inText: inText, first: first, last: k + 1, start: sc.z.toks[first].start, end: sc.z.toks[k].end})
		}
	}
}

// stemHits appends a hit for every stem that word k starts with and
// returns the word's hash, computed on the way together with the hashes
// of its prefixes.
func (m *Matcher) stemHits(sc *scratch, inText bool, k int) uint32 {
	t := sc.z.toks[k]
	w := sc.z.buf[t.lo:t.hi]
	h := uint32(hashOffset)
	sc.ph[0] = h
	for i, c := range w {
		h = (h ^ uint32(c)) * hashPrime
		if i < maxPrefixBytes {
			sc.ph[i+1] = h
		}
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
// inner lying inside it; longer says the outer hit has more words. Under
// the evidence rule a phrase also drops the shorter phrases of its own or
// a weaker class inside it ("Geneva talks" counts once, not with "Geneva"
// and "talks").
func (m *Matcher) covers(outer, inner pattern, longer bool) bool {
	switch outer.kind {
	case patActorExclude:
		return inner.kind == patAlias && inner.owner == outer.owner
	case patExclude:
		return longer && !inner.isExclusion()
	case patAlias:
		return longer && inner.kind == patAlias && inner.owner == outer.owner
	case patPhrase, patWeak, patGeneric:
		return longer && m.def.Rules.Evidence && inner.isPhrase() && inner.kind >= outer.kind
	}
	return false
}

// isPhrase reports whether p is a strong, weak or generic phrase.
func (p pattern) isPhrase() bool {
	return p.kind == patPhrase || p.kind == patWeak || p.kind == patGeneric
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

// nextGen starts a new round of seen-table marks.
func (sc *scratch) nextGen() {
	sc.gen++
	if sc.gen == 0 {
		clear(sc.seen)
		sc.gen = 1
	}
}

// firstTime reports whether entry i is seen for the first time this
// round and marks it seen.
func (sc *scratch) firstTime(i int) bool {
	if sc.seen[i] == sc.gen {
		return false
	}
	sc.seen[i] = sc.gen
	return true
}

// marked reports whether entry i was marked this round.
func (sc *scratch) marked(i int) bool { return sc.seen[i] == sc.gen }

// nextField starts a new field for the any-order patterns.
func (sc *scratch) nextField() {
	sc.field++
	if sc.field == 0 {
		clear(sc.lastGen)
		sc.field = 1
	}
}
