package store

import (
	"context"
	"errors"
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
// FTS5's snippets grows with the number of terms times their occurrences,
// and a running snippet cannot be interrupted.
const MaxSearchWords = 12

// ErrQueryTooLong is returned by Search for a query of more than
// MaxSearchWords words.
var ErrQueryTooLong = errors.New("store: search query has too many words")

// SearchHit is one item found by Search.
type SearchHit struct {
	Item     ItemRef
	Relevant bool
	// Snippet is a short extract of the title or text around the matched
	// terms, each between HighlightStart and HighlightEnd; an ellipsis marks
	// where the extract cuts the text.
	Snippet string
}

// SearchRanked is how many matching items Search ranks at most: the most
// recently stored ones. Ranking costs about a microsecond per matching item,
// so a word found in every item would otherwise cost a tenth of a second on a
// store of 100,000 items.
const SearchRanked = 10_000

// searchSQL ranks by bm25 the latest SearchRanked items matching the FTS5
// query ?1, a title match weighing twice a text match, and cuts, for the
// best ?2 only, a snippet of about 20 tokens from the column that matches
// best.
const searchSQL = `
	WITH best AS (
		SELECT rowid, score FROM (
			SELECT rowid, bm25(items_fts, 2.0, 1.0) AS score FROM items_fts
			WHERE items_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3)
		ORDER BY score LIMIT ?2)
	SELECT i.id, i.title, i.link, i.feed_name, i.published, i.relevant,
	       snippet(items_fts, -1, char(2), char(3), '…', 20)
	FROM best CROSS JOIN items_fts ON items_fts.rowid = best.rowid
	CROSS JOIN items AS i ON i.seq = best.rowid
	WHERE items_fts MATCH ?1
	ORDER BY best.score, best.rowid DESC`

// Search returns the best limit items, relevant or not, among the latest
// SearchRanked items matching a full-text query in FTS5 syntax ("peace
// plan", witkoff OR kushner, "28-point"). A query FTS5 cannot parse is
// searched again as its plain words (all of them, anywhere); a query
// without words finds nothing; one of more than MaxSearchWords words is an
// error wrapping ErrQueryTooLong.
func (s *Store) Search(ctx context.Context, query string, limit int) ([]SearchHit, error) {
	switch words := len(strings.Fields(plainQuery(query))); {
	case words == 0:
		return nil, nil
	case words > MaxSearchWords:
		return nil, fmt.Errorf("search: %d words: %w", words, ErrQueryTooLong)
	}
	hits, err := s.search(ctx, query, limit, SearchRanked)
	if err == nil {
		return hits, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	s.logger.Debug("search query not parsed, searching plain words", "error", err)
	hits, err = s.search(ctx, plainQuery(query), limit, SearchRanked)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	return hits, nil
}

// search runs one FTS5 query, ranking at most the latest ranked matches.
func (s *Store) search(ctx context.Context, query string, limit, ranked int) ([]SearchHit, error) {
	return queryRows(ctx, s.reader, scanSearchHit, searchSQL, query, limit, ranked)
}

// scanSearchHit reads a row of searchSQL.
func scanSearchHit(r row) (SearchHit, error) {
	var h SearchHit
	var published int64
	err := r.Scan(&h.Item.ID, &h.Item.Title, &h.Item.Link, &h.Item.FeedName, &published, &h.Relevant, &h.Snippet)
	h.Item.Published = fromMillis(published)
	return h, err
}

// plainQuery turns text into an FTS5 query that cannot fail to parse: each
// run of letters and digits becomes a quoted string, all of them required.
// It is empty when text has no letter or digit.
func plainQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
	for i, w := range words {
		words[i] = `"` + w + `"`
	}
	return strings.Join(words, " ")
}
