package story

import "fmt"

// builder compiles a Definition into a Matcher.
type builder struct {
	m *Matcher
	z tokenizer
	// kids[n] are the transitions out of node n; own[n] the patterns
	// that end exactly at n.
	kids [][]trieEdge
	own  [][]int32
}

// trieEdge is a transition of the word trie.
type trieEdge struct {
	word, node int32
}

// newBuilder starts a Matcher for def with an empty automaton.
func newBuilder(def Definition) *builder {
	m := &Matcher{def: def, edges: map[uint64]int32{}}
	m.seenAt = [patActorExclude]int{
		patPhrase:  0,
		patContext: len(def.Phrases),
		patExclude: len(def.Phrases) + len(def.Context),
		patAlias:   len(def.Phrases) + len(def.Context) + len(def.Exclude),
	}
	return &builder{m: m, kids: [][]trieEdge{nil}, own: [][]int32{nil}}
}

// addDefinition adds every pattern of the definition.
func (b *builder) addDefinition() error {
	def := b.m.def
	terms := []struct {
		what  string
		kind  patKind
		terms []Term
	}{
		{"phrase", patPhrase, def.Phrases},
		{"context term", patContext, def.Context},
		{"exclusion", patExclude, def.Exclude},
	}
	for _, list := range terms {
		for i, t := range list.terms {
			if err := b.add(t.Text, pattern{kind: list.kind, owner: int32(i)}); err != nil {
				return fmt.Errorf("%s %q: %w", list.what, t.Text, err)
			}
		}
	}
	for i, a := range def.Actors {
		if err := b.addActor(int32(i), a); err != nil {
			return fmt.Errorf("actor %q: %w", a.Name, err)
		}
	}
	return nil
}

// addActor adds an actor's aliases, stems and exclusions.
func (b *builder) addActor(owner int32, a Actor) error {
	for _, alias := range a.Aliases {
		if err := b.add(alias, pattern{kind: patAlias, owner: owner}); err != nil {
			return fmt.Errorf("alias %q: %w", alias, err)
		}
	}
	for _, stem := range a.Stems {
		if err := b.addStem(stem, pattern{kind: patAlias, owner: owner, words: 1}); err != nil {
			return fmt.Errorf("stem %q: %w", stem, err)
		}
	}
	for _, ex := range a.Exclude {
		if err := b.add(ex, pattern{kind: patActorExclude, owner: owner}); err != nil {
			return fmt.Errorf("exclude %q: %w", ex, err)
		}
	}
	return nil
}

// add inserts a whole-word pattern into the trie.
func (b *builder) add(text string, p pattern) error {
	b.z.tokenize(text)
	if len(b.z.toks) == 0 {
		return ErrEmptyPattern
	}
	node := int32(0)
	for _, t := range b.z.toks {
		node = b.child(node, b.intern(b.z.buf[t.lo:t.hi]))
	}
	p.words = int32(len(b.z.toks))
	p.caps = b.capitals()
	b.own[node] = append(b.own[node], int32(len(b.m.pats)))
	b.m.pats = append(b.m.pats, p)
	return nil
}

// addStem inserts a one-word prefix pattern into the stem trie.
func (b *builder) addStem(text string, p pattern) error {
	b.z.tokenize(text)
	switch len(b.z.toks) {
	case 0:
		return ErrEmptyPattern
	case 1:
	default:
		return ErrStemWords
	}
	p.caps = b.capitals()
	b.m.stems.add(b.z.buf, int32(len(b.m.pats)))
	b.m.pats = append(b.m.pats, p)
	return nil
}

// capitals returns the caps mask of the pattern just tokenized: bit j is
// set when its word j starts with a capital (words past 64 ask nothing).
func (b *builder) capitals() uint64 {
	var caps uint64
	for j, t := range b.z.toks[:min(len(b.z.toks), 64)] {
		if t.capital {
			caps |= 1 << j
		}
	}
	return caps
}

// intern returns the id of a pattern word, numbering new words.
func (b *builder) intern(w []byte) int32 {
	if id := b.m.dict.lookup(w); id >= 0 {
		return id
	}
	return b.m.dict.add(string(w))
}

// child returns the trie node reached from node by word, creating it.
func (b *builder) child(node, word int32) int32 {
	key := uint64(node)<<32 | uint64(word)
	if next, ok := b.m.edges[key]; ok {
		return next
	}
	next := int32(len(b.own))
	b.own = append(b.own, nil)
	b.kids = append(b.kids, nil)
	b.kids[node] = append(b.kids[node], trieEdge{word: word, node: next})
	b.m.edges[key] = next
	return next
}

// build computes failure links and output lists breadth-first and returns
// the finished Matcher.
func (b *builder) build() *Matcher {
	m := b.m
	m.root = make([]int32, len(m.dict.words))
	m.fail = make([]int32, len(b.own))
	for _, e := range b.kids[0] {
		m.root[e.word] = e.node
		delete(m.edges, uint64(e.word))
	}
	outs := make([][]int32, len(b.own))
	queue := []int32{0}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range b.kids[u] {
			if u != 0 {
				m.fail[e.node] = m.step(m.fail[u], e.word)
			}
			queue = append(queue, e.node)
		}
		outs[u] = append(b.own[u], outs[m.fail[u]]...)
	}
	m.outAt = make([]int32, 0, len(outs)+1)
	for _, o := range outs {
		m.outAt = append(m.outAt, int32(len(m.out)))
		m.out = append(m.out, o...)
	}
	m.outAt = append(m.outAt, int32(len(m.out)))
	return m
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

// wordTable numbers the words of the patterns. It is an open-addressing
// hash table over FNV-1a hashes that looks a word up from its bytes
// without allocating; at most a quarter full, most lookups of words that
// are not in it stop at the first slot.
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
