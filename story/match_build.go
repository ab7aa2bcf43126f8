package story

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// builder compiles a Definition into a Matcher.
type builder struct {
	m *Matcher
	z tokenizer
	// pending are the patterns read so far, compiled once the lexicon
	// knows its classes.
	pending []pendingPattern
	// terms and excl are the word tries of the two automata.
	terms, excl trie
}

// pendingPattern is a pattern as read: its text, its word ids (in the
// lexicon, or in the exclusion words for exclusions) and which of them are
// short lower-case words (di, de, w, на) that a phrase matched in any
// order may leave out.
type pendingPattern struct {
	p     pattern
	text  string
	words []int32
	short []bool
}

// trie is a word trie on its way to an automaton: kids[n] are the
// transitions out of node n, own[n] the patterns that end exactly at n.
type trie struct {
	a    *automaton
	kids [][]trieEdge
	own  [][]int32
}

// trieEdge is a transition of the word trie.
type trieEdge struct {
	word, node int32
}

// newBuilder starts a Matcher for def with empty automata.
func newBuilder(def Definition) *builder {
	m := &Matcher{def: def, lex: newLexicon(def.Rules)}
	at := 0
	for r, n := range [regions]int{
		regPhrase:    len(def.Phrases),
		regWeak:      len(def.Weak),
		regGeneric:   len(def.Generic),
		regContext:   len(def.Context),
		regExclude:   len(def.Exclude),
		regActor:     len(def.Actors),
		regLookalike: len(def.Actors),
		regFull:      len(def.Actors),
	} {
		m.seenAt[r] = at
		at += n
	}
	m.seenSize = at
	b := &builder{m: m}
	b.terms = newTrie(&m.terms)
	b.excl = newTrie(&m.excl)
	return b
}

// newTrie starts an empty trie for the automaton a.
func newTrie(a *automaton) trie {
	a.edges = map[uint64]int32{}
	return trie{a: a, kids: [][]trieEdge{nil}, own: [][]int32{nil}}
}

// addDefinition reads every pattern of the definition and compiles them.
func (b *builder) addDefinition() error {
	def := b.m.def
	terms := []struct {
		what  string
		kind  patKind
		terms []Term
	}{
		{"phrase", patPhrase, def.Phrases},
		{"weak phrase", patWeak, def.Weak},
		{"generic phrase", patGeneric, def.Generic},
		{"context term", patContext, def.Context},
		{"exclusion", patExclude, def.Exclude},
	}
	for _, list := range terms {
		for i, t := range list.terms {
			if err := b.read(t.Text, pattern{kind: list.kind, owner: int32(i)}); err != nil {
				return fmt.Errorf("%s %q: %w", list.what, t.Text, err)
			}
		}
	}
	for i, a := range def.Actors {
		if err := b.readActor(int32(i), a); err != nil {
			return fmt.Errorf("actor %q: %w", a.Name, err)
		}
	}
	b.compile()
	return nil
}

// readActor reads an actor's aliases, stems and exclusions.
func (b *builder) readActor(owner int32, a Actor) error {
	for _, alias := range a.Aliases {
		if err := b.read(alias, pattern{kind: patAlias, owner: owner}); err != nil {
			return fmt.Errorf("alias %q: %w", alias, err)
		}
	}
	for _, stem := range a.Stems {
		if err := b.addStem(stem, pattern{kind: patAlias, owner: owner, words: 1}); err != nil {
			return fmt.Errorf("stem %q: %w", stem, err)
		}
	}
	for _, ex := range a.Exclude {
		if err := b.read(ex, pattern{kind: patActorExclude, owner: owner}); err != nil {
			return fmt.Errorf("exclude %q: %w", ex, err)
		}
	}
	return nil
}

// read tokenizes a whole-word pattern and numbers its words: exclusions
// among the exclusion words, the rest in the lexicon.
func (b *builder) read(text string, p pattern) error {
	b.z.tokenize(text)
	if len(b.z.toks) == 0 {
		return ErrEmptyPattern
	}
	exact := p.isExclusion()
	pp := pendingPattern{p: p, text: text}
	for _, t := range b.z.toks {
		w := b.z.buf[t.lo:t.hi]
		if exact {
			pp.words = append(pp.words, b.m.lex.exactWord(w))
		} else {
			actor := int32(-1)
			if p.kind == patAlias {
				actor = p.owner
			}
			pp.words = append(pp.words, b.m.lex.word(w, !t.capital, actor))
		}
		pp.short = append(pp.short, !t.capital && utf8.RuneCount(w) <= maxShortLetters && !hasDigit(string(w)))
	}
	pp.p.words = int32(len(b.z.toks))
	pp.p.caps = b.capitals(exact)
	b.pending = append(b.pending, pp)
	return nil
}

// addStem inserts a one-word prefix pattern into the stem table.
func (b *builder) addStem(text string, p pattern) error {
	b.z.tokenize(text)
	switch len(b.z.toks) {
	case 0:
		return ErrEmptyPattern
	case 1:
	default:
		return ErrStemWords
	}
	p.caps = b.capitals(false)
	b.m.stems.add(b.z.buf, int32(len(b.m.pats)))
	b.m.pats = append(b.m.pats, p)
	return nil
}

// capitals returns the caps mask of the pattern just tokenized: bit j is
// set when its word j starts with a capital and must match a capitalised
// word (words past 64 ask nothing). Unless exact, a word in another
// script than Latin of at least Rules.LowerCaseLetters letters asks
// nothing either.
func (b *builder) capitals(exact bool) uint64 {
	lower := b.m.def.Rules.LowerCaseLetters
	var caps uint64
	for j, t := range b.z.toks[:min(len(b.z.toks), 64)] {
		if !t.capital {
			continue
		}
		w := string(b.z.buf[t.lo:t.hi])
		if !exact && lower > 0 && !isLatinWord(w) && utf8.RuneCountInString(w) >= lower {
			continue
		}
		caps |= 1 << j
	}
	return caps
}

// compile settles the lexicon's classes, adds the patterns read to the
// automata (or to the patterns matched in any order) and finds the
// exclusions that name another person.
func (b *builder) compile() {
	m := b.m
	m.lex.finish()
	m.proxOf = make([][]int32, m.lex.classes)
	concepts := conceptTable{ids: make(map[string]int32)}
	var lookalikes []lookalike
	for _, pp := range b.pending {
		pi := int32(len(m.pats))
		m.pats = append(m.pats, pp.p)
		if pp.p.isExclusion() {
			b.excl.insert(pp.words, pi)
			if pp.p.kind == patExclude {
				m.pats[pi].concept = concepts.of(pp.p.kind, pp.words)
			} else {
				lookalikes = append(lookalikes, lookalike{pat: pi, text: pp.text})
			}
			continue
		}
		classes := make([]int32, len(pp.words))
		for j, w := range pp.words {
			classes[j] = m.lex.class[w]
		}
		key := classes
		if need, caps, ok := b.anyOrder(pp, classes); ok {
			m.addProx(pi, pp, need, caps)
			key = slices.Sorted(slices.Values(need))
		} else {
			b.terms.insert(classes, pi)
		}
		if pp.p.kind != patAlias {
			m.pats[pi].concept = concepts.of(pp.p.kind, key)
		}
	}
	b.terms.build()
	b.excl.build()
	m.findLookalikes(lookalikes)
}

// Short words: lower-case words of at most maxShortLetters letters are
// left out of a phrase matched in any order when at least minKeptWords
// other words remain, so "piano di pace in 28 punti" finds "i 28 punti
// del piano di pace" while "из 28 пунктов" still needs its preposition.
const (
	maxShortLetters = 2
	minKeptWords    = 3
)

// anyOrder returns the classes a pattern needs, without repeats, and
// whether each must be capitalised, when the pattern is a phrase or
// context term matched in any order: Rules.PhraseSlack is set and it has
// two or more distinct words.
func (b *builder) anyOrder(pp pendingPattern, classes []int32) (need []int32, caps []bool, ok bool) {
	if b.m.def.Rules.PhraseSlack <= 0 || pp.p.kind == patAlias || len(classes) < 2 {
		return nil, nil, false
	}
	long := 0
	for _, short := range pp.short {
		if !short {
			long++
		}
	}
	for j, c := range classes {
		if (pp.short[j] && long >= minKeptWords) || slices.Contains(need, c) {
			continue
		}
		need = append(need, c)
		caps = append(caps, j < 64 && pp.p.caps&(1<<j) != 0)
	}
	return need, caps, len(need) >= 2
}

// addProx records a pattern matched in any order.
func (m *Matcher) addProx(pi int32, pp pendingPattern, need []int32, caps []bool) {
	id := int32(len(m.prox))
	m.prox = append(m.prox, proxPattern{pat: pi, need: need, caps: caps, span: len(pp.words) + m.def.Rules.PhraseSlack})
	for _, c := range need {
		m.proxOf[c] = append(m.proxOf[c], id)
	}
}

// conceptTable numbers the concepts of each kind of term by their words
// or classes: terms that are forms of one another share one.
type conceptTable struct {
	ids  map[string]int32
	next [patActorExclude]int32
}

// of returns the concept of a term of the kind with the given words.
func (ct *conceptTable) of(kind patKind, words []int32) int32 {
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(int(kind)))
	sb.WriteByte(':')
	for _, w := range words {
		sb.WriteString(strconv.Itoa(int(w)))
		sb.WriteByte(' ')
	}
	key := sb.String()
	id, ok := ct.ids[key]
	if !ok {
		id = ct.next[kind]
		ct.next[kind]++
		ct.ids[key] = id
	}
	return id
}

// lookalike is an actor exclusion to check: its pattern and text.
type lookalike struct {
	pat  int32
	text string
}

// findLookalikes marks the actor exclusions that name another person
// (an alias of the actor ends them, after other words) and the aliases
// found inside them, by matching each exclusion's own text.
func (m *Matcher) findLookalikes(exclusions []lookalike) {
	sc := m.newScratch()
	for _, ex := range exclusions {
		actor := m.pats[ex.pat].owner
		sc.hits = sc.hits[:0]
		m.scan(sc, false, ex.text)
		n := len(sc.z.toks)
		for _, h := range sc.hits {
			q := m.pats[h.pat]
			if q.kind == patAlias && q.owner == actor && h.last == n && h.first > 0 {
				m.pats[ex.pat].person = true
				m.pats[h.pat].shadowable = true
			}
		}
	}
}

// insert adds a pattern's word sequence to the trie.
func (t *trie) insert(words []int32, p int32) {
	node := int32(0)
	for _, w := range words {
		node = t.child(node, w)
	}
	t.own[node] = append(t.own[node], p)
}

// child returns the trie node reached from node by word, creating it.
func (t *trie) child(node, word int32) int32 {
	key := uint64(node)<<32 | uint64(word)
	if next, ok := t.a.edges[key]; ok {
		return next
	}
	next := int32(len(t.own))
	t.own = append(t.own, nil)
	t.kids = append(t.kids, nil)
	t.kids[node] = append(t.kids[node], trieEdge{word: word, node: next})
	t.a.edges[key] = next
	return next
}

// build computes failure links and output lists breadth-first and
// finishes the automaton.
func (t *trie) build() {
	a := t.a
	words := int32(0)
	for _, e := range t.kids[0] {
		words = max(words, e.word+1)
	}
	a.root = make([]int32, words)
	a.fail = make([]int32, len(t.own))
	for _, e := range t.kids[0] {
		a.root[e.word] = e.node
		delete(a.edges, uint64(e.word))
	}
	outs := make([][]int32, len(t.own))
	queue := []int32{0}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range t.kids[u] {
			if u != 0 {
				a.fail[e.node] = a.step(a.fail[u], e.word)
			}
			queue = append(queue, e.node)
		}
		outs[u] = append(t.own[u], outs[a.fail[u]]...)
	}
	a.outAt = make([]int32, 0, len(outs)+1)
	for _, o := range outs {
		a.outAt = append(a.outAt, int32(len(a.out)))
		a.out = append(a.out, o...)
	}
	a.outAt = append(a.outAt, int32(len(a.out)))
}

// stemTable finds the stems that a word starts with. Its words are the
// folded stems; pats[id] are the stem patterns of stem id; isLen[n] says
// some stem is n bytes long, so a word's prefixes are looked up only at
// those lengths, from the hash the matcher computes over the word anyway.
type stemTable struct {
	wordTable
	pats  [][]int32
	isLen []bool
}

// add records the stem w for pattern p.
func (st *stemTable) add(w []byte, p int32) {
	id := st.lookup(w)
	if id < 0 {
		id = st.wordTable.add(string(w))
		st.pats = append(st.pats, nil)
	}
	st.pats[id] = append(st.pats[id], p)
	if len(w) >= len(st.isLen) {
		st.isLen = append(st.isLen, make([]bool, len(w)+1-len(st.isLen))...)
	}
	st.isLen[len(w)] = true
}

// wordTable numbers words. It is an open-addressing hash table over
// FNV-1a hashes that looks a word up from its bytes without allocating; at
// most a quarter full, most lookups of words that are not in it stop at the
// first slot.
type wordTable struct {
	words []string
	slots []wordSlot
}

// wordSlot holds a word's hash and id, or id -1 when empty.
type wordSlot struct {
	hash uint32
	id   int32
}

// lookup returns the id of w, or -1.
func (t *wordTable) lookup(w []byte) int32 {
	return t.lookupHashed(w, hashWord(w))
}

// lookupHashed returns the id of w, whose hashWord is h, or -1.
func (t *wordTable) lookupHashed(w []byte, h uint32) int32 {
	if len(t.slots) == 0 {
		return -1
	}
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s.id < 0 {
			return -1
		}
		if s.hash == h && t.words[s.id] == string(w) {
			return s.id
		}
	}
}

// add numbers a word that is not in the table yet and returns its id.
func (t *wordTable) add(w string) int32 {
	id := int32(len(t.words))
	t.words = append(t.words, w)
	if len(t.words)*4 > len(t.slots) {
		t.rehash(max(64, len(t.slots)*2))
		return id
	}
	t.place(hashWord([]byte(w)), id)
	return id
}

// rehash rebuilds the slots with the given power-of-two size.
func (t *wordTable) rehash(size int) {
	t.slots = make([]wordSlot, size)
	for i := range t.slots {
		t.slots[i].id = -1
	}
	for id, w := range t.words {
		t.place(hashWord([]byte(w)), int32(id))
	}
}

// place puts id into the first free slot for hash h.
func (t *wordTable) place(h uint32, id int32) {
	mask := uint32(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].id >= 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = wordSlot{hash: h, id: id}
}

// The 32-bit FNV-1a parameters.
const (
	hashOffset = 2166136261
	hashPrime  = 16777619
)

// hashWord is the 32-bit FNV-1a hash of w.
func hashWord(w []byte) uint32 {
	h := uint32(hashOffset)
	for _, c := range w {
		h = (h ^ uint32(c)) * hashPrime
	}
	return h
}
