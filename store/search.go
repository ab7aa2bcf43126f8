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
// recently stored ones. Finding them costs up to a few microseconds each (a
// phrase is checked word by word), so the cost of a query found in half the
// items stays that of SearchRanked items, however many are stored.
const SearchRanked = 2_000

// SearchResult is what Search found.
type SearchResult struct {
	Hits []SearchHit
	// More is true when items older than the SearchRanked ranked match
	// too: a caller can suggest narrowing the query.
	More bool
}

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
