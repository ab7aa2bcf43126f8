package sqlite

import (
	"context"
	"fmt"
	"strings"

	"storyline/store"
)

// searchSQL ranks by bm25 the latest ?3 items matching the FTS5 query ?1,
// a title match weighing twice a text match, and cuts, for the best ?2
// only, a snippet of about 20 tokens from the column that matches best,
// its terms between char(2) and char(3) (store.HighlightStart and
// store.HighlightEnd).
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

// Search runs query as an FTS5 query ("peace plan", witkoff OR kushner,
// "28-point"); one FTS5 cannot parse is searched again as its plain words.
func (s *Store) Search(ctx context.Context, query string, limit int) ([]store.SearchHit, error) {
	words, err := store.SearchWords(query)
	if err != nil || len(words) == 0 {
		return nil, err
	}
	hits, err := s.search(ctx, query, limit, store.SearchRanked)
	if err == nil {
		return hits, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	s.logger.Debug("search query not parsed, searching plain words", "error", err)
	hits, err = s.search(ctx, plainQuery(words), limit, store.SearchRanked)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	return hits, nil
}

// search runs one FTS5 query, ranking at most the latest ranked matches.
func (s *Store) search(ctx context.Context, query string, limit, ranked int) ([]store.SearchHit, error) {
	return queryRows(ctx, s.reader, scanSearchHit, searchSQL, query, limit, ranked)
}

// scanSearchHit reads a row of searchSQL.
func scanSearchHit(r row) (store.SearchHit, error) {
	var h store.SearchHit
	var published int64
	err := r.Scan(&h.Item.ID, &h.Item.Title, &h.Item.Link, &h.Item.FeedName, &published, &h.Relevant, &h.Snippet)
	h.Item.Published = fromMillis(published)
	return h, err
}

// plainQuery is an FTS5 query that cannot fail to parse: each of words
// quoted, all of them required.
func plainQuery(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + w + `"`
	}
	return strings.Join(quoted, " ")
}
