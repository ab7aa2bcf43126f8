package story

import "strings"

// Spelling names one alias or stem of a Definition's actor: Aliases[Index]
// of Actors[Actor], or Stems[Index] when Stem is set.
type Spelling struct {
	Actor int
	Stem  bool
	Index int
}

// Clash is a spelling the matcher reads as the same words as an earlier
// spelling of another actor, so that a mention of either would be credited
// to both.
type Clash struct {
	Spelling, Earlier Spelling
}

// Clashes returns, in the order of the actors and of their aliases then
// stems, every spelling that the matcher cannot tell from an earlier one of
// another actor. Spellings are compared as the matcher compares patterns:
// word by word after Words' normalisation, whatever their capitals (a
// spelling in lower case matches capitalised text too, so one that differs
// only in capitals still collides). A stem is compared as the one word it
// must be. Spellings with no words are left to NewMatcher to refuse.
func Clashes(actors []Actor) []Clash {
	var (
		z     tokenizer
		first = make(map[string]Spelling)
		found []Clash
	)
	for i, a := range actors {
		for _, list := range []struct {
			stem  bool
			texts []string
		}{{false, a.Aliases}, {true, a.Stems}} {
			for j, text := range list.texts {
				key := z.key(text)
				if key == "" {
					continue
				}
				sp := Spelling{Actor: i, Stem: list.stem, Index: j}
				earlier, seen := first[key]
				switch {
				case !seen:
					first[key] = sp
				case earlier.Actor != i:
					found = append(found, Clash{Spelling: sp, Earlier: earlier})
				}
			}
		}
	}
	return found
}

// key returns the words the matcher makes of a pattern, joined by spaces,
// or "" when it has none.
func (z *tokenizer) key(text string) string {
	z.tokenize(text)
	var b strings.Builder
	for i, t := range z.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(z.buf[t.lo:t.hi])
	}
	return b.String()
}
