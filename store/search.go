package store

import (
	"fmt"
	"strings"
	"unicode"
)

// The markers Search puts around each matched term of a snippet. They are
// control characters, which stored text never contains, so a caller can
// escape the text between them and then mark the terms its own way.
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// MaxSearchWords is the most words a search query may have: the cost of
// snippets grows with the number of terms times their occurrences, and a
// running snippet cannot be interrupted.
const MaxSearchWords = 12

// SearchRanked is how many matching items Search ranks at most: the most
// recently stored ones. Ranking costs about a microsecond per matching item,
// so a word found in every item would otherwise cost a tenth of a second on a
// store of 100,000 items.
const SearchRanked = 10_000

// SearchHit is one item found by Search.
type SearchHit struct {
	Item     ItemRef
	Relevant bool
	// Snippet is a short extract of the title or text around the matched
	// terms, each between HighlightStart and HighlightEnd; an ellipsis marks
	// where the extract cuts the text.
	Snippet string
}

// SearchWords returns the words of a search query: its runs of letters,
// digits and combining marks, everything else being syntax or space. Search
// finds nothing for a query without words and refuses, with an error
// wrapping ErrQueryTooLong, one of more than MaxSearchWords words.
func SearchWords(query string) ([]string, error) {
	words := strings.FieldsFunc(query, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
	if len(words) > MaxSearchWords {
		return nil, fmt.Errorf("search: %d words: %w", len(words), ErrQueryTooLong)
	}
	return words, nil
}
