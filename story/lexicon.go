package story

import (
	"unicode/utf8"
)

// lexicon numbers the words of all patterns and tells which of them a
// word of a text is. For the phrases, context terms and aliases (terms) it
// finds the word itself, an inflected form of it (Rules.Inflect) or a
// misspelling of an alias word (Rules.TypoLetters); words that are forms of
// one another share a class, and those patterns are sequences of classes.
// Exclusion words are numbered apart, found only as written.
type lexicon struct {
	dict wordTable
	// class maps a word id to its class, or -1 for a word found only in
	// exclusions; exact maps it to its exclusion word id, or -1.
	class []int32
	exact []int32
	// term[id] says the word belongs to a term pattern.
	term []bool
	// exactWords is the number of exclusion words.
	exactWords int32
	// classes is the number of classes.
	classes int
	// lower[id] says the word was written in lower case somewhere, so
	// that it takes the endings of common words too.
	lower []bool
	// actor[id] is the actor whose aliases hold the word: -1 for none,
	// noActor for several.
	actor []int32

	inflect bool
	endings endingTable
	// stems maps a stem (a word less none, one or two final vowels) to
	// the words it starts; isStemLen[n] says some stem is n bytes long.
	stems     wordTable
	stemWords [][]stemEntry
	isStemLen []bool
	// stemStart is a filter on the hash of a word's first stemStartBytes
	// bytes: a word whose bit is clear starts no stem.
	stemStart [stemFilterBits / 64]uint64

	// typoMin is Rules.TypoLetters; typos maps each alias word of at least
	// typoMin letters, and each form of it less one inner letter, to the
	// word (or -2 where words of two actors share a form).
	typoMin  int
	typos    wordTable
	typoWord []int32
	// typoFirst[b] says some misspelt form starts with byte b, and
	// typoBytes bounds the length of the forms in bytes.
	typoFirst [256]bool
	typoBytes [2]int
}

// The stem filter: stems have at least minStemLetters letters, so at least
// stemStartBytes bytes.
const (
	stemStartBytes = minStemLetters
	stemFilterBits = 1 << 13
)

// stemEntry is a word that a stem starts, and what follows the stem in
// the word (the dropped vowels, or nothing).
type stemEntry struct {
	word int32
	tail string
}

// newLexicon starts an empty lexicon with the given rules.
func newLexicon(r Rules) lexicon {
	lx := lexicon{inflect: r.Inflect, typoMin: r.TypoLetters}
	if lx.inflect {
		lx.endings = newEndingTable()
	}
	return lx
}

// noActor marks a word found in the aliases of several actors.
const noActor = -2

// entry returns the id of a folded word, numbering it if new.
func (lx *lexicon) entry(w []byte) int32 {
	id := lx.dict.lookup(w)
	if id < 0 {
		id = lx.dict.add(string(w))
		lx.lower = append(lx.lower, false)
		lx.actor = append(lx.actor, -1)
		lx.term = append(lx.term, false)
		lx.exact = append(lx.exact, -1)
	}
	return id
}

// word numbers a folded term word; lower says it was written in lower
// case, and actor is the actor whose alias it belongs to, or -1.
func (lx *lexicon) word(w []byte, lower bool, actor int32) int32 {
	id := lx.entry(w)
	lx.term[id] = true
	lx.lower[id] = lx.lower[id] || lower
	switch prev := lx.actor[id]; {
	case actor < 0 || prev == actor || prev == noActor:
	case prev < 0:
		lx.actor[id] = actor
	default:
		lx.actor[id] = noActor
	}
	return id
}

// exactWord returns the exclusion word id of a folded word, numbering it
// if new.
func (lx *lexicon) exactWord(w []byte) int32 {
	id := lx.entry(w)
	if lx.exact[id] < 0 {
		lx.exact[id] = lx.exactWords
		lx.exactWords++
	}
	return lx.exact[id]
}

// finish indexes the stems and misspellings of the term words and merges
// those that are forms of one another into classes.
func (lx *lexicon) finish() {
	n := len(lx.dict.words)
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	if lx.inflect {
		for id, w := range lx.dict.words {
			if lx.term[id] {
				lx.addStems(int32(id), w)
			}
		}
		// A term word that is a form of another ("плана" of "план") joins
		// its class.
		for id, w := range lx.dict.words {
			if !lx.term[id] {
				continue
			}
			if other := lx.inflected([]byte(w), prefixHashes([]byte(w)), int32(id)); other >= 0 {
				union(parent, int32(id), other)
			}
		}
	}
	lx.class = make([]int32, n)
	number := make(map[int32]int32)
	for id := range lx.class {
		if !lx.term[id] {
			lx.class[id] = -1
			continue
		}
		root := find(parent, int32(id))
		c, ok := number[root]
		if !ok {
			c = int32(len(number))
			number[root] = c
		}
		lx.class[id] = c
	}
	lx.classes = len(number)
	if lx.typoMin > 0 {
		lx.addTypos()
	}
}

// find returns the root of x's set, halving paths on the way.
func find(parent []int32, x int32) int32 {
	for parent[x] != x {
		parent[x] = parent[parent[x]]
		x = parent[x]
	}
	return x
}

// union merges the sets of a and b.
func union(parent []int32, a, b int32) {
	ra, rb := find(parent, a), find(parent, b)
	if ra != rb {
		parent[max(ra, rb)] = min(ra, rb)
	}
}

// addStems records the stems of word id: the word itself, and the word
// less one or two final vowels while the rest keeps minStemLetters.
func (lx *lexicon) addStems(id int32, w string) {
	letters := utf8.RuneCountInString(w)
	if letters < minStemLetters || hasDigit(w) {
		return
	}
	lx.addStem(w, stemEntry{word: id})
	stem := w
	for dropped := 1; dropped <= maxTailLetters && letters-dropped >= minStemLetters; dropped++ {
		r, size := utf8.DecodeLastRuneInString(stem)
		if !isVowelLike(r) {
			return
		}
		stem = stem[:len(stem)-size]
		lx.addStem(stem, stemEntry{word: id, tail: w[len(stem):]})
	}
}

// addStem records one stem of a word.
func (lx *lexicon) addStem(stem string, e stemEntry) {
	sid := lx.stems.lookup([]byte(stem))
	if sid < 0 {
		sid = lx.stems.add(stem)
		lx.stemWords = append(lx.stemWords, nil)
	}
	lx.stemWords[sid] = append(lx.stemWords[sid], e)
	h := hashWord([]byte(stem[:stemStartBytes]))
	lx.stemStart[h%stemFilterBits/64] |= 1 << (h % 64)
	if len(stem) >= len(lx.isStemLen) {
		lx.isStemLen = append(lx.isStemLen, make([]bool, len(stem)+1-len(lx.isStemLen))...)
	}
	lx.isStemLen[len(stem)] = true
}

// prefixHashes returns the hashWord of every prefix of w, by length.
func prefixHashes(w []byte) []uint32 {
	ph := make([]uint32, len(w)+1)
	h := uint32(hashOffset)
	ph[0] = h
	for i, c := range w {
		h = (h ^ uint32(c)) * hashPrime
		ph[i+1] = h
	}
	return ph
}

// resolve returns the class of the folded text word w, whose hash is h
// and whose prefix hashes are ph (as many as were computed), or -1, and its
// exclusion word id, or -1. A capital word may also be a misspelt alias.
func (lx *lexicon) resolve(w []byte, h uint32, ph []uint32, capital bool) (class, exact int32) {
	class, exact = -1, -1
	if id := lx.dict.lookupHashed(w, h); id >= 0 {
		class, exact = lx.class[id], lx.exact[id]
		if class >= 0 {
			return class, exact
		}
	}
	if lx.inflect {
		if id := lx.inflected(w, ph, -1); id >= 0 {
			return lx.class[id], exact
		}
	}
	if capital && lx.typoMin > 0 {
		return lx.misspelt(w), exact
	}
	return -1, exact
}

// inflected returns the term word that w is an inflected form of, other
// than the word skip, or -1. It tries the longest stem first.
func (lx *lexicon) inflected(w []byte, ph []uint32, skip int32) int32 {
	if len(ph) <= stemStartBytes {
		return -1
	}
	if h := ph[stemStartBytes]; lx.stemStart[h%stemFilterBits/64]&(1<<(h%64)) == 0 {
		return -1
	}
	lo := max(minStemLetters, len(w)-maxRestBytes)
	for j := min(len(w)-1, len(ph)-1, len(lx.isStemLen)-1); j >= lo; j-- {
		if !lx.isStemLen[j] || !utf8.RuneStart(w[j]) {
			continue
		}
		sid := lx.stems.lookupHashed(w[:j], ph[j])
		if sid < 0 {
			continue
		}
		for _, e := range lx.stemWords[sid] {
			if e.word != skip && lx.accepts(e, w[j:]) {
				return e.word
			}
		}
	}
	return -1
}

// accepts reports whether rest, what follows a stem in a text word, makes
// it a form of the stem's word: the word's own tail and an ending, or,
// where the stem dropped vowels, an ending that starts with a vowel.
func (lx *lexicon) accepts(e stemEntry, rest []byte) bool {
	allowed := endCase
	if lx.lower[e.word] {
		allowed |= endWord | endFeminine
	}
	if e.tail == "" {
		c := lx.endings.classOf(rest)
		return c&allowed != 0 || lx.assimilated(lx.dict.words[e.word], rest)
	}
	if isFeminineTail(e.tail) {
		allowed |= endFeminine
	}
	if isAdjectivalTail(e.tail) && !lx.lower[e.word] && utf8.RuneCount(rest) == 1 {
		// A name like Zelensky or Sikorski takes no one-letter ending:
		// Zelenska and Зеленська are the feminine, Sikorsky another
		// spelling (and another man).
		return false
	}
	c := lx.endings.classOf(rest)
	return c&endVowel != 0 && c&allowed != 0
}

// isAdjectivalTail reports whether a dropped tail ends like a masculine
// adjective or adjectival surname (-sky, -ski, -ий, -ій).
func isAdjectivalTail(tail string) bool {
	r, _ := utf8.DecodeLastRuneInString(tail)
	switch r {
	case 'y', 'i', 'j', 'й', 'и', 'ы', 'і':
		return true
	}
	return false
}

// isFeminineTail reports whether a dropped tail is the -а or -я of a
// feminine noun or name.
func isFeminineTail(tail string) bool {
	return tail == "а" || tail == "я"
}

// assimilated reports whether rest is the Hungarian -val/-vel ending
// assimilated to the word's last consonant: Trump → Trumppal, or merged
// into a double one: Witkoff → Witkoffal.
func (lx *lexicon) assimilated(w string, rest []byte) bool {
	last, size := utf8.DecodeLastRuneInString(w)
	if isVowel(last) {
		return false
	}
	end := string(rest)
	if len(rest) == size+2 && string(rest[:size]) == w[len(w)-size:] {
		end = end[size:]
	} else if before, _ := utf8.DecodeLastRuneInString(w[:len(w)-size]); before != last {
		return false
	}
	return end == "al" || end == "el"
}

// addTypos indexes the words that belong to one actor's aliases and
// have at least typoMin letters, and their forms less one inner letter.
func (lx *lexicon) addTypos() {
	lx.typoBytes = [2]int{maxTypoBytes, 0}
	for id, w := range lx.dict.words {
		if !lx.term[id] || lx.actor[id] < 0 || hasDigit(w) {
			continue
		}
		runes := []rune(w)
		if len(runes) < lx.typoMin {
			continue
		}
		lx.addTypo(w, int32(id))
		for i := 1; i < len(runes)-1; i++ {
			lx.addTypo(string(runes[:i])+string(runes[i+1:]), int32(id))
		}
	}
}

// addTypo maps a form to an alias word: the word itself where the form is
// one, else the first word it was found for, or -2 when words of two
// actors share it.
func (lx *lexicon) addTypo(form string, word int32) {
	lx.typoFirst[form[0]] = true
	lx.typoBytes = [2]int{min(lx.typoBytes[0], len(form)), max(lx.typoBytes[1], len(form))}
	id := lx.typos.lookup([]byte(form))
	if id < 0 {
		lx.typos.add(form)
		lx.typoWord = append(lx.typoWord, word)
		return
	}
	prev := lx.typoWord[id]
	switch {
	case lx.dict.words[word] == form:
		lx.typoWord[id] = word
	case prev < 0 || lx.dict.words[prev] == form:
	case lx.actor[prev] != lx.actor[word]:
		lx.typoWord[id] = -2
	}
}

// maxTypoBytes bounds the words checked for misspellings.
const maxTypoBytes = 64

// misspelt returns the class of the alias word that w is one edit away
// from, or -1 when there is none or more than one.
func (lx *lexicon) misspelt(w []byte) int32 {
	// A form is w itself or w less one letter, at most four bytes shorter.
	if len(w) > maxTypoBytes || len(w) < lx.typoBytes[0] || len(w) > lx.typoBytes[1]+utf8.UTFMax ||
		!lx.typoFirst[w[0]] || utf8.RuneCount(w) < lx.typoMin-1 {
		return -1
	}
	found := int32(-1)
	// consider looks a form of w up and reports false when w is ambiguous.
	consider := func(form []byte) bool {
		id := lx.typos.lookup(form)
		if id < 0 {
			return true
		}
		word := lx.typoWord[id]
		if word < 0 {
			return false
		}
		if !oneEdit(w, lx.dict.words[word]) || lx.endsLikeForm(w, lx.dict.words[word]) {
			return true
		}
		if found >= 0 && lx.actor[found] != lx.actor[word] {
			return false
		}
		found = word
		return true
	}
	if !consider(w) {
		return -1
	}
	var buf [maxTypoBytes]byte
	for i := 0; i < len(w); {
		_, size := utf8.DecodeRune(w[i:])
		if i > 0 && i+size < len(w) && !consider(append(append(buf[:0], w[:i]...), w[i+size:]...)) {
			return -1
		}
		i += size
	}
	if found < 0 {
		return -1
	}
	return lx.class[found]
}

// endsLikeForm reports whether w is the word's stem followed by a known
// ending, a form the ending rules refused (Зеленской is not Зеленский),
// which must not come back as a misspelling.
func (lx *lexicon) endsLikeForm(w []byte, word string) bool {
	stem := word
	for dropped := 0; dropped <= maxTailLetters; dropped++ {
		if len(w) > len(stem) && string(w[:len(stem)]) == stem && lx.endings.classOf(w[len(stem):]) != 0 {
			return true
		}
		r, size := utf8.DecodeLastRuneInString(stem)
		if !isVowelLike(r) || utf8.RuneCountInString(stem) <= minStemLetters {
			return false
		}
		stem = stem[:len(stem)-size]
	}
	return false
}

// oneEdit reports whether a and b differ by one letter added, dropped or
// changed, or two neighbours swapped, keeping their first and last letters.
func oneEdit(a []byte, b string) bool {
	x, y := []rune(string(a)), []rune(b)
	if len(x) < 2 || len(y) < 2 || x[0] != y[0] || x[len(x)-1] != y[len(y)-1] {
		return false
	}
	if len(x) > len(y) {
		x, y = y, x
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	switch {
	case len(x) == len(y) && i == len(x):
		return false
	case len(x) == len(y):
		if string(x[i+1:]) == string(y[i+1:]) {
			return true
		}
		return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && string(x[i+2:]) == string(y[i+2:])
	case len(x)+1 == len(y):
		return string(x[i:]) == string(y[i+1:])
	}
	return false
}
