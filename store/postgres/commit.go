package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"storyline/feeds"
	"storyline/store"
)

// Commit applies store.ApplyBatch's rules to b in one transaction, with the
// store's clock: nothing is stored if any part fails.
func (s *Store) Commit(ctx context.Context, b store.Batch) (store.Committed, error) {
	var c store.Committed
	err := s.write(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = store.ApplyBatch(ctx, batchTx{tx}, b, s.now().UTC())
		return err
	})
	if err != nil {
		return store.Committed{}, fmt.Errorf("commit feed %q: %w", b.State.URL, err)
	}
	s.logger.Debug("store commit", "feed", b.State.URL, "inserted", len(c.Inserted), "queued", len(c.Queued))
	return c, nil
}

// batchTx is one Commit's transaction, the steps store.ApplyBatch takes.
// pgx prepares each statement once per connection and keeps it.
type batchTx struct {
	tx pgx.Tx
}

// The statements of a Commit.
const (
	// insertItemSQL stores an item, its full-text vector and its mentions
	// unless its id or link is stored, and counts the items it stored (0
	// or 1).
	insertItemSQL = `
		WITH item AS (
			INSERT INTO items (id, feed_url, feed_name, guid, link, title, text, summary, published,
			                   seen_at, language, relevant, score, actors, phrases, context, excluded,
			                   spans, cluster_id, message_id, channel_id, fts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
			        setweight(to_tsvector('simple', $22), 'A') || setweight(to_tsvector('simple', $23), 'B'))
			ON CONFLICT DO NOTHING
			RETURNING id, published
		), mention AS (
			INSERT INTO mentions (item_id, actor, at)
			SELECT item.id, actor, item.published FROM item, unnest($14::text[]) AS actor
			ON CONFLICT DO NOTHING
		)
		SELECT count(*) FROM item`
	itemExistsSQL    = `SELECT EXISTS (SELECT 1 FROM items WHERE id = $1)`
	clusterExistsSQL = `SELECT EXISTS (SELECT 1 FROM clusters WHERE id = $1)`
	createClusterSQL = `INSERT INTO clusters (lead_item_id, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`
	joinClusterSQL   = `
		WITH cluster AS (UPDATE clusters SET updated_at = $3 WHERE id = $1 RETURNING id)
		UPDATE items SET cluster_id = cluster.id FROM cluster WHERE items.id = ANY ($2)`
	queueSQL = `
		INSERT INTO outbox (kind, item_ids, cluster_id, next_attempt, created_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`
	insertSignatureSQL = `
		INSERT INTO signatures (item_id, cluster_id, at, sig) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`
	// addHoursSQL and addPairsSQL add a batch's counts, one array per
	// column; the rows of a batch have distinct keys.
	addHoursSQL = `
		INSERT INTO actor_hours AS h (actor, hour, mentions, first_at, last_at)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::bigint[], $5::bigint[])
		ON CONFLICT (actor, hour) DO UPDATE SET mentions = h.mentions + excluded.mentions,
		    first_at = least(h.first_at, excluded.first_at), last_at = greatest(h.last_at, excluded.last_at)`
	addPairsSQL = `
		INSERT INTO actor_pairs AS p (actor, day, other, reports)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::integer[])
		ON CONFLICT (actor, day, other) DO UPDATE SET reports = p.reports + excluded.reports`
)

// SaveFeedState upserts st.
func (b batchTx) SaveFeedState(ctx context.Context, st feeds.State) error {
	return saveFeedState(ctx, b.tx, st)
}

// InsertRecords stores each record, its mentions and its full-text vector
// unless its id or link is stored already (the unique keys of items), all
// in one round trip to the server.
func (b batchTx) InsertRecords(ctx context.Context, records []store.Record) ([]bool, error) {
	var batch pgx.Batch
	for _, r := range records {
		spans, err := json.Marshal(orEmpty(r.Match.Spans))
		if err != nil {
			return nil, fmt.Errorf("insert item %q: %w", r.Item.ID, err)
		}
		it, m := r.Item, r.Match
		batch.Queue(insertItemSQL, it.ID, it.FeedURL, it.FeedName, it.GUID, it.Link,
			it.Title, it.Text, r.Summary, millis(it.Published), millis(r.SeenAt), it.Language,
			m.Relevant, m.Score, orEmpty(m.Actors), orEmpty(m.Phrases), orEmpty(m.Context), orEmpty(m.Excluded),
			string(spans), nullID(r.ClusterID), r.MessageID, r.ChannelID, searchText(it.Title), searchText(it.Text))
	}
	results := b.tx.SendBatch(ctx, &batch)
	stored := make([]bool, len(records))
	for i, r := range records {
		var n int
		if err := results.QueryRow().Scan(&n); err != nil {
			_ = results.Close()
			return nil, fmt.Errorf("insert item %q: %w", r.Item.ID, err)
		}
		stored[i] = n == 1
	}
	if err := results.Close(); err != nil {
		return nil, fmt.Errorf("insert items: %w", err)
	}
	return stored, nil
}

// ItemExists reports whether item id is stored.
func (b batchTx) ItemExists(ctx context.Context, id string) (bool, error) {
	var exists bool
	err := b.tx.QueryRow(ctx, itemExistsSQL, id).Scan(&exists)
	return exists, err
}

// ClusterExists reports whether cluster id exists.
func (b batchTx) ClusterExists(ctx context.Context, id int64) (bool, error) {
	var exists bool
	err := b.tx.QueryRow(ctx, clusterExistsSQL, id).Scan(&exists)
	return exists, err
}

// CreateCluster creates a cluster led by leadID.
func (b batchTx) CreateCluster(ctx context.Context, leadID string, now time.Time) (int64, error) {
	var id int64
	err := b.tx.QueryRow(ctx, createClusterSQL, leadID, millis(now)).Scan(&id)
	return id, err
}

// JoinCluster puts itemIDs in cluster id and marks the cluster updated, in
// one statement; a missing cluster is store.ErrNotFound.
func (b batchTx) JoinCluster(ctx context.Context, id int64, itemIDs []string, now time.Time) error {
	return updateOne(ctx, b.tx, joinClusterSQL, id, itemIDs, millis(now))
}

// Queue adds a pending outbox entry; ids come from an identity column, so
// they are never handed out twice.
func (b batchTx) Queue(ctx context.Context, kind store.OutboxKind, itemIDs []string, clusterID int64, now time.Time) (int64, error) {
	var id int64
	err := b.tx.QueryRow(ctx, queueSQL, string(kind), orEmpty(itemIDs), nullID(clusterID), millis(now)).Scan(&id)
	return id, err
}

// SaveSignature stores an item's signature for Signatures.
func (b batchTx) SaveSignature(ctx context.Context, itemID string, clusterID int64, published time.Time, sig []byte) error {
	_, err := b.tx.Exec(ctx, insertSignatureSQL, itemID, clusterID, millis(published), sig)
	return err
}

// AddCounts adds c to actor_hours and actor_pairs, one statement each.
func (b batchTx) AddCounts(ctx context.Context, c store.Counts) error {
	var (
		actors, others       []string
		hours, firsts, lasts []int64
		mentions, reports    []int32
		pairActors           []string
		days                 []int64
	)
	for _, h := range c.Hours {
		actors, hours = append(actors, h.Actor), append(hours, millis(h.Hour))
		mentions = append(mentions, int32(h.Mentions))
		firsts, lasts = append(firsts, millis(h.First)), append(lasts, millis(h.Last))
	}
	for _, p := range c.Pairs {
		pairActors, days, others = append(pairActors, p.Actor), append(days, millis(p.Day)), append(others, p.Other)
		reports = append(reports, int32(p.Reports))
	}
	if _, err := b.tx.Exec(ctx, addHoursSQL, orEmpty(actors), orEmpty(hours), orEmpty(mentions), orEmpty(firsts), orEmpty(lasts)); err != nil {
		return fmt.Errorf("hours: %w", err)
	}
	if len(c.Pairs) == 0 {
		return nil
	}
	if _, err := b.tx.Exec(ctx, addPairsSQL, pairActors, days, others, reports); err != nil {
		return fmt.Errorf("pairs: %w", err)
	}
	return nil
}
