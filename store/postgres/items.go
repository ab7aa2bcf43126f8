package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

// Unseen returns the items not stored yet, looking up the whole slice in
// one query.
func (s *Store) Unseen(ctx context.Context, items []feeds.Item) ([]feeds.Item, error) {
	ids := make([]string, 0, len(items))
	links := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
		if it.Link != "" {
			links = append(links, it.Link)
		}
	}
	type key struct {
		isLink bool
		key    string
	}
	keys, err := queryRows(ctx, s.pool, func(r row) (key, error) {
		var k key
		return k, r.Scan(&k.isLink, &k.key)
	}, storedSQL, ids, links)
	if err != nil {
		return nil, fmt.Errorf("unseen: %w", err)
	}
	seenIDs, seenLinks := make(map[string]bool), make(map[string]bool)
	for _, k := range keys {
		if k.isLink {
			seenLinks[k.key] = true
		} else {
			seenIDs[k.key] = true
		}
	}
	return store.DropSeen(items, seenIDs, seenLinks), nil
}

// storedSQL finds which of the ids ($1) and links ($2) are stored.
// Requiring a non-empty link lets it use the partial index items_link.
const storedSQL = `
	SELECT false, id FROM items WHERE id = ANY ($1)
	UNION ALL
	SELECT true, link FROM items WHERE link <> '' AND link = ANY ($2)`

// selectRecordsSQL reads stored records (see scanRecord); a WHERE clause
// follows.
const selectRecordsSQL = `
	SELECT id, feed_url, feed_name, guid, link, title, text, summary, published, seen_at,
	       language, relevant, score, actors, phrases, context, excluded, spans,
	       cluster_id, message_id, channel_id
	FROM items `

// Records returns the stored records with the given ids, in that order.
func (s *Store) Records(ctx context.Context, ids []string) ([]store.Record, error) {
	found, err := queryRows(ctx, s.pool, scanRecord, selectRecordsSQL+`WHERE id = ANY ($1)`, orEmpty(ids))
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	byID := make(map[string]store.Record, len(found))
	for _, r := range found {
		byID[r.Item.ID] = r
	}
	out := make([]store.Record, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("records: item %q: %w", id, store.ErrNotFound)
		}
		out = append(out, r)
	}
	return out, nil
}

// LatestRecords returns the latest limit records published since then
// with the given stored verdict, newest first.
func (s *Store) LatestRecords(ctx context.Context, relevant bool, since time.Time, limit int) ([]store.Record, error) {
	out, err := queryRows(ctx, s.pool, scanRecord,
		selectRecordsSQL+`WHERE relevant = $1 AND published >= $2 ORDER BY published DESC, id LIMIT $3`,
		relevant, millis(since), max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("latest records: %w", err)
	}
	return out, nil
}

// scanRecord reads a row of selectRecordsSQL.
func scanRecord(row row) (store.Record, error) {
	var r store.Record
	var published, seen int64
	var spans []byte
	var cluster *int64
	m := &r.Match
	err := row.Scan(&r.Item.ID, &r.Item.FeedURL, &r.Item.FeedName, &r.Item.GUID, &r.Item.Link,
		&r.Item.Title, &r.Item.Text, &r.Summary, &published, &seen, &r.Item.Language,
		&m.Relevant, &m.Score, &m.Actors, &m.Phrases, &m.Context, &m.Excluded, &spans,
		&cluster, &r.MessageID, &r.ChannelID)
	if err != nil {
		return store.Record{}, err
	}
	r.Item.Published = fromMillis(published)
	r.SeenAt = fromMillis(seen)
	if cluster != nil {
		r.ClusterID = *cluster
	}
	m.Actors, m.Phrases, m.Context, m.Excluded = orNil(m.Actors), orNil(m.Phrases), orNil(m.Context), orNil(m.Excluded)
	if err := json.Unmarshal(spans, &m.Spans); err != nil {
		return store.Record{}, fmt.Errorf("item %q: spans: %w", r.Item.ID, err)
	}
	m.Spans = orNil[story.Span](m.Spans)
	return r, nil
}
