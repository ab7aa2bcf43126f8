package sqlite

import (
	"context"
	"database/sql"
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
	seenIDs, seenLinks, err := s.stored(ctx, ids, links)
	if err != nil {
		return nil, fmt.Errorf("unseen: %w", err)
	}
	return store.DropSeen(items, seenIDs, seenLinks), nil
}

// storedSQL finds which of the ids (?1) and links (?2), JSON arrays, are
// stored. Requiring a non-empty link lets it use the partial index
// items_link.
const storedSQL = `
	SELECT 0, id FROM items WHERE id IN (SELECT value FROM json_each(?1))
	UNION ALL
	SELECT 1, link FROM items WHERE link != '' AND link IN (SELECT value FROM json_each(?2))`

// stored returns which of ids and of links are stored, in one snapshot.
func (s *Store) stored(ctx context.Context, ids, links []string) (map[string]bool, map[string]bool, error) {
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return nil, nil, err
	}
	linksJSON, err := json.Marshal(links)
	if err != nil {
		return nil, nil, err
	}
	type key struct {
		isLink int
		key    string
	}
	rows, err := s.prepared[storedSQL].QueryContext(ctx, string(idsJSON), string(linksJSON))
	keys, err := readRows(rows, err, func(r row) (key, error) {
		var k key
		return k, r.Scan(&k.isLink, &k.key)
	})
	if err != nil {
		return nil, nil, err
	}
	found := [2]map[string]bool{make(map[string]bool), make(map[string]bool)}
	for _, k := range keys {
		found[k.isLink][k.key] = true
	}
	return found[0], found[1], nil
}

// selectRecordsSQL reads stored records (see scanRecord); a WHERE clause
// follows.
const selectRecordsSQL = `
	SELECT id, feed_url, feed_name, guid, link, title, text, summary, published, seen_at,
	       language, relevant, score, actors, phrases, context, excluded, spans,
	       cluster_id, message_id, channel_id
	FROM items `

// Records returns the stored records with the given ids, in that order.
func (s *Store) Records(ctx context.Context, ids []string) ([]store.Record, error) {
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	found, err := queryRows(ctx, s.reader, scanRecord,
		selectRecordsSQL+`WHERE id IN (SELECT value FROM json_each(?))`, string(idsJSON))
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

// latestRecordsSQL reads the latest records of one verdict published
// since a time, through the (relevant, published) index.
const latestRecordsSQL = selectRecordsSQL + `WHERE relevant = ? AND published >= ? ORDER BY published DESC, id LIMIT ?`

// LatestRecords returns the latest limit records published since then
// with the given stored verdict, newest first.
func (s *Store) LatestRecords(ctx context.Context, relevant bool, since time.Time, limit int) ([]store.Record, error) {
	out, err := queryRows(ctx, s.reader, scanRecord, latestRecordsSQL, relevant, millis(since), max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("latest records: %w", err)
	}
	return out, nil
}

// scanRecord reads a row of selectRecordsSQL.
func scanRecord(row row) (store.Record, error) {
	var r store.Record
	var published, seen int64
	var j matchJSON
	var cluster sql.NullInt64
	err := row.Scan(&r.Item.ID, &r.Item.FeedURL, &r.Item.FeedName, &r.Item.GUID, &r.Item.Link,
		&r.Item.Title, &r.Item.Text, &r.Summary, &published, &seen, &r.Item.Language,
		&r.Match.Relevant, &r.Match.Score, &j.actors, &j.phrases, &j.context, &j.excluded, &j.spans,
		&cluster, &r.MessageID, &r.ChannelID)
	if err != nil {
		return store.Record{}, err
	}
	r.Item.Published = fromMillis(published)
	r.SeenAt = fromMillis(seen)
	r.ClusterID = cluster.Int64
	if err := j.decode(&r.Match); err != nil {
		return store.Record{}, fmt.Errorf("item %q: %w", r.Item.ID, err)
	}
	return r, nil
}

// matchJSON holds the list fields of a story.Match as their JSON columns.
type matchJSON struct {
	actors, phrases, context, excluded, spans string
}

// encodeMatch is the JSON form of m's lists.
func encodeMatch(m story.Match) (matchJSON, error) {
	var j matchJSON
	var err error
	if j.actors, err = encodeList(m.Actors); err != nil {
		return j, err
	}
	if j.phrases, err = encodeList(m.Phrases); err != nil {
		return j, err
	}
	if j.context, err = encodeList(m.Context); err != nil {
		return j, err
	}
	if j.excluded, err = encodeList(m.Excluded); err != nil {
		return j, err
	}
	j.spans, err = encodeList(m.Spans)
	return j, err
}

// decode sets m's lists from j.
func (j matchJSON) decode(m *story.Match) error {
	var err error
	if m.Actors, err = decodeList[string](j.actors); err != nil {
		return err
	}
	if m.Phrases, err = decodeList[string](j.phrases); err != nil {
		return err
	}
	if m.Context, err = decodeList[string](j.context); err != nil {
		return err
	}
	if m.Excluded, err = decodeList[string](j.excluded); err != nil {
		return err
	}
	m.Spans, err = decodeList[story.Span](j.spans)
	return err
}

// encodeList is v as a JSON array; nil is stored as [].
func encodeList[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// decodeList reads a JSON array written by encodeList; [] reads as nil.
func decodeList[T any](text string) ([]T, error) {
	var v []T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}
