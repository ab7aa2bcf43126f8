package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"storyline/store"
)

// The queries of Search. FTS5 returns the matches of a query in rowid
// (seq) order, newest first when asked, and stops as soon as enough are
// found; its bm25 ranking is not used, because it counts every match of
// each phrase in the whole index first, a cost that grows with the store
// (0.7 s for a phrase in half of a million items).
const (
	// searchHorizonSQL returns the rowid of the ?2-th latest match of the
	// FTS5 query ?1 and of the one after it, if any: the oldest item
	// ranked, and whether older ones match.
	searchHorizonSQL = `
		SELECT rowid FROM items_fts WHERE items_fts MATCH ?1
		ORDER BY rowid DESC LIMIT 2 OFFSET ?2 - 1`
	// searchSQL returns the best ?3 of the matches of ?1 from rowid ?4 on:
	// those matching ?2 (?1 within the title) first, newest first within
	// each, with a snippet of about 20 tokens from the column that matches
	// best, its terms between char(2) and char(3) (store.HighlightStart
	// and store.HighlightEnd).
	searchSQL = `
		WITH title AS (
			SELECT rowid, 0 AS tier FROM items_fts
			WHERE items_fts MATCH ?2 AND rowid >= ?4 ORDER BY rowid DESC LIMIT ?3
		), best AS (
			SELECT rowid, tier FROM title
			UNION ALL
			SELECT * FROM (
				SELECT rowid, 1 FROM items_fts
				WHERE items_fts MATCH ?1 AND rowid >= ?4 AND rowid NOT IN (SELECT rowid FROM title)
				ORDER BY rowid DESC LIMIT ?3)
			ORDER BY tier, rowid DESC LIMIT ?3
		)
		SELECT i.id, i.title, i.link, i.feed_name, i.published, i.relevant,
		       snippet(items_fts, -1, char(2), char(3), '…', 20)
		FROM best CROSS JOIN items_fts ON items_fts.rowid = best.rowid
		CROSS JOIN items AS i ON i.seq = best.rowid
		WHERE items_fts MATCH ?1
		ORDER BY best.tier, best.rowid DESC`
)

// Search runs query as an FTS5 query ("peace plan", witkoff OR kushner,
// "28-point"); one FTS5 cannot parse is searched again as its plain words.
func (s *Store) Search(ctx context.Context, query string, limit int) (store.SearchResult, error) {
	words, err := store.SearchWords(query)
	if err != nil || len(words) == 0 {
		return store.SearchResult{}, err
	}
	res, err := s.search(ctx, query, limit, store.SearchRanked)
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return store.SearchResult{}, fmt.Errorf("search %q: %w", query, err)
	}
	s.logger.Debug("search query not parsed, searching plain words", "error", err)
	res, err = s.search(ctx, plainQuery(words), limit, store.SearchRanked)
	if err != nil {
		return store.SearchResult{}, fmt.Errorf("search %q: %w", query, err)
	}
	return res, nil
}

// search runs one FTS5 query in one snapshot, ranking at most the latest
// ranked matches.
func (s *Store) search(ctx context.Context, query string, limit, ranked int) (store.SearchResult, error) {
	return snapshot(ctx, s.reader, func(sqlTx *sql.Tx) (store.SearchResult, error) {
		tx := preparedTx{sqlTx, s.prepared}
		horizon, err := queryRows(ctx, tx, column[int64], searchHorizonSQL, query, ranked)
		if err != nil {
			return store.SearchResult{}, err
		}
		var res store.SearchResult
		var from int64
		if len(horizon) > 0 {
			from, res.More = horizon[0], len(horizon) > 1
		}
		res.Hits, err = queryRows(ctx, tx, scanSearchHit, searchSQL, query, "{title} : ("+query+")", limit, from)
		return res, err
	})
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
