package bot

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"storyline/story"
)

// matchRank orders how well a typed text matches a name; lower is better.
type matchRank int

// The ranks of a match, best first.
const (
	// rankExact: the text is the whole name.
	rankExact matchRank = iota
	// rankPrefix: the name starts with the text.
	rankPrefix
	// rankWordPrefix: a later word of the name starts with the text.
	rankWordPrefix
	// rankSubstring: the text is inside the name.
	rankSubstring
	// rankNone: no match.
	rankNone
)

// actorName is one way of writing an actor: the canonical name, an alias
// or a stem, as a search key.
type actorName struct {
	actor int
	// text is the name as configured; key its search form (see searchKey).
	text, key string
	// canonical is set for the actor's canonical name.
	canonical bool
	// words are key and, for a name of several words, each word, as runes
	// for edit distances.
	words [][]rune
}

// actorIndex finds actors by any of their names, in any script, ignoring
// case, diacritics and punctuation. It is built once and read-only after,
// so it is safe for concurrent use.
type actorIndex struct {
	actors []story.Actor
	names  []actorName
}

// actorHit is an actor found for a typed text: the best of its names.
type actorHit struct {
	actor int
	rank  matchRank
	// name is the name that matched best.
	name string
	// distance is the edit distance of the closest name, for suggestions.
	distance int
}

// newActorIndex indexes the canonical name, aliases and stems of each
// actor. Exclusions (look-alikes that are not the actor) are not names.
func newActorIndex(actors []story.Actor) *actorIndex {
	x := &actorIndex{actors: slices.Clone(actors)}
	for i, a := range actors {
		seen := map[string]bool{}
		for _, text := range append(append([]string{a.Name}, a.Aliases...), a.Stems...) {
			key := searchKey(text)
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			x.names = append(x.names, actorName{actor: i, text: text, key: key, canonical: text == a.Name, words: keyWords(key)})
		}
	}
	return x
}

// searchKey is text as the index compares it: normalised (case, accents
// and typographic variants folded, see story.Normalize) with every run of
// characters other than letters and digits turned into one space.
func searchKey(text string) string {
	words := strings.FieldsFunc(story.Normalize(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, " ")
}

// keyWords returns key and, if it has several words, each of its words, as
// runes.
func keyWords(key string) [][]rune {
	out := [][]rune{[]rune(key)}
	if strings.Contains(key, " ") {
		for word := range strings.SplitSeq(key, " ") {
			out = append(out, []rune(word))
		}
	}
	return out
}

// rank says how well the search key q matches the name key.
func rank(q, key string) matchRank {
	switch i := strings.Index(key, q); {
	case i < 0:
		return rankNone
	case len(q) == len(key):
		return rankExact
	case i == 0:
		return rankPrefix
	case key[i-1] == ' ':
		return rankWordPrefix
	}
	if strings.Contains(key, " "+q) {
		return rankWordPrefix
	}
	return rankSubstring
}

// search returns the actors with a name matching text, each once with its
// best match, best rank first and in roster order within a rank. An empty
// text matches no one.
func (x *actorIndex) search(text string) []actorHit {
	q := searchKey(text)
	if q == "" {
		return nil
	}
	best := make([]actorHit, len(x.actors))
	for i := range best {
		best[i] = actorHit{actor: i, rank: rankNone}
	}
	for _, n := range x.names {
		if r := rank(q, n.key); r < best[n.actor].rank {
			best[n.actor] = actorHit{actor: n.actor, rank: r, name: n.text}
		}
	}
	hits := slices.DeleteFunc(best, func(h actorHit) bool { return h.rank == rankNone })
	slices.SortStableFunc(hits, func(a, b actorHit) int { return cmp.Compare(a.rank, b.rank) })
	return hits
}

// resolve returns the actor whose canonical name or alias is text (after
// normalisation), preferring a canonical name, and whether there is one.
func (x *actorIndex) resolve(text string) (story.Actor, bool) {
	q := searchKey(text)
	found := -1
	for _, n := range x.names {
		switch {
		case q == "" || n.key != q:
		case n.canonical:
			return x.actors[n.actor], true
		case found < 0:
			found = n.actor
		}
	}
	if found < 0 {
		return story.Actor{}, false
	}
	return x.actors[found], true
}

// closest returns the n actors with a name, or a word of a name, closest
// to text by edit distance; ties keep roster order.
func (x *actorIndex) closest(text string, n int) []actorHit {
	q := []rune(searchKey(text))
	best := make([]actorHit, len(x.actors))
	for i := range best {
		best[i] = actorHit{actor: i, rank: rankNone, distance: math.MaxInt}
	}
	for _, name := range x.names {
		d := math.MaxInt
		for _, w := range name.words {
			d = min(d, editDistance(q, w))
		}
		if d < best[name.actor].distance {
			best[name.actor] = actorHit{actor: name.actor, rank: rankNone, name: name.text, distance: d}
		}
	}
	slices.SortStableFunc(best, func(a, b actorHit) int { return cmp.Compare(a.distance, b.distance) })
	return best[:min(n, len(best))]
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
