package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"storyline/feeds"
	"storyline/store"
)

// Commit applies store.ApplyBatch's rules to b in one write transaction,
// with the store's clock: nothing is stored if any part fails.
func (s *Store) Commit(ctx context.Context, b store.Batch) (store.Committed, error) {
	var c store.Committed
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = store.ApplyBatch(ctx, newBatchTx(tx, s.prepared), b, s.now().UTC())
		return err
	})
	if err != nil {
		return store.Committed{}, fmt.Errorf("commit feed %q: %w", b.State.URL, err)
	}
	s.logger.Debug("store commit", "feed", b.State.URL, "inserted", len(c.Inserted), "queued", len(c.Queued))
	return c, nil
}

// batchTx is one Commit's transaction, the steps store.ApplyBatch takes.
// It runs the statements the Store prepared once on the writer, each bound
// to the transaction on first use.
type batchTx struct {
	tx       *sql.Tx
	prepared map[string]*sql.Stmt
	stmts    map[string]*sql.Stmt
}

// newBatchTx returns the steps of a Commit in tx, with the statements of
// prepared (commitSQL).
func newBatchTx(tx *sql.Tx, prepared map[string]*sql.Stmt) *batchTx {
	return &batchTx{tx: tx, prepared: prepared, stmts: make(map[string]*sql.Stmt)}
}

// The statements of a Commit.
const (
	insertItemSQL = `
		INSERT INTO items (id, feed_url, feed_name, guid, link, title, text, summary, published,
		                   seen_at, language, relevant, score, actors, phrases, context, excluded,
		                   spans, cluster_id, message_id, channel_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`
	insertMentionSQL = `INSERT INTO mentions (item_id, actor, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	itemExistsSQL    = `SELECT EXISTS (SELECT 1 FROM items WHERE id = ?)`
	clusterExistsSQL = `SELECT EXISTS (SELECT 1 FROM clusters WHERE id = ?)`
	createClusterSQL = `INSERT INTO clusters (lead_item_id, created_at, updated_at) VALUES (?, ?, ?) RETURNING id`
	joinClusterSQL   = `UPDATE items SET cluster_id = ? WHERE id IN (SELECT value FROM json_each(?))`
	touchClusterSQL  = `UPDATE clusters SET updated_at = ? WHERE id = ?`
	indexTextSQL     = `
		INSERT INTO items_fts (rowid, title, text)
		SELECT seq, title, text FROM items WHERE id IN (SELECT value FROM json_each(?))`
	queueSQL = `
		INSERT INTO outbox (kind, item_ids, cluster_id, next_attempt, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`
	insertSignatureSQL = `
		INSERT INTO signatures (item_id, cluster_id, at, sig) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`
	addHourSQL = `
		INSERT INTO actor_hours (actor, hour, mentions, first_at, last_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET mentions = mentions + excluded.mentions,
		    first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`
	addPairSQL = `
		INSERT INTO actor_pairs (actor, day, other, reports) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET reports = reports + excluded.reports`
)

// commitSQL lists the statements of a Commit, which Open prepares.
var commitSQL = []string{
	insertItemSQL, insertMentionSQL, itemExistsSQL, clusterExistsSQL, createClusterSQL,
	joinClusterSQL, touchClusterSQL, indexTextSQL, queueSQL, insertSignatureSQL,
	addHourSQL, addPairSQL,
}

// stmt returns the prepared statement of query (one of commitSQL) bound to
// the transaction, which closes it when it ends. On the writer's one
// connection, binding reuses the statement prepared there.
func (b *batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	prepared, ok := b.prepared[query]
	if !ok {
		return nil, fmt.Errorf("statement not prepared: %s", query)
	}
	st := b.tx.StmtContext(ctx, prepared)
	b.stmts[query] = st
	return st, nil
}

// exec runs query with args.
func (b *batchTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// scan runs query with args and scans its one row into dest.
func (b *batchTx) scan(ctx context.Context, query string, args []any, dest ...any) error {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// SaveFeedState upserts st.
func (b *batchTx) SaveFeedState(ctx context.Context, st feeds.State) error {
	return saveFeedState(ctx, b.tx, st)
}

// InsertRecords stores each record and its mentions unless its id or link
// is stored already (the unique keys of items), then adds the full-text
// rows of those stored in one statement, so that FTS5 flushes its index once
// per batch, not once per item.
func (b *batchTx) InsertRecords(ctx context.Context, records []store.Record) ([]bool, error) {
	stored := make([]bool, len(records))
	var ids []string
	for i, r := range records {
		ok, err := b.insertRecord(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("insert item %q: %w", r.Item.ID, err)
		}
		if ok {
			stored[i] = true
			ids = append(ids, r.Item.ID)
		}
	}
	if len(ids) == 0 {
		return stored, nil
	}
	j, err := json.Marshal(ids)
	if err == nil {
		_, err = b.exec(ctx, indexTextSQL, string(j))
	}
	if err != nil {
		return nil, fmt.Errorf("index text: %w", err)
	}
	return stored, nil
}

// insertRecord stores r and its mentions unless its id or link is stored
// already, and reports whether it did.
func (b *batchTx) insertRecord(ctx context.Context, r store.Record) (bool, error) {
	j, err := encodeMatch(r.Match)
	if err != nil {
		return false, err
	}
	it := r.Item
	res, err := b.exec(ctx, insertItemSQL, it.ID, it.FeedURL, it.FeedName, it.GUID, it.Link,
		it.Title, it.Text, r.Summary, millis(it.Published), millis(r.SeenAt), it.Language,
		r.Match.Relevant, r.Match.Score, j.actors, j.phrases, j.context, j.excluded, j.spans,
		nullID(r.ClusterID), r.MessageID, r.ChannelID)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	for _, actor := range r.Match.Actors {
		if _, err := b.exec(ctx, insertMentionSQL, it.ID, actor, millis(it.Published)); err != nil {
			return false, fmt.Errorf("mention %q: %w", actor, err)
		}
	}
	return true, nil
}

// ItemExists reports whether item id is stored.
func (b *batchTx) ItemExists(ctx context.Context, id string) (bool, error) {
	var exists bool
	err := b.scan(ctx, itemExistsSQL, []any{id}, &exists)
	return exists, err
}

// ClusterExists reports whether cluster id exists.
func (b *batchTx) ClusterExists(ctx context.Context, id int64) (bool, error) {
	var exists bool
	err := b.scan(ctx, clusterExistsSQL, []any{id}, &exists)
	return exists, err
}

// CreateCluster creates a cluster led by leadID.
func (b *batchTx) CreateCluster(ctx context.Context, leadID string, now time.Time) (int64, error) {
	var id int64
	err := b.scan(ctx, createClusterSQL, []any{leadID, millis(now), millis(now)}, &id)
	return id, err
}

// JoinCluster puts itemIDs in cluster id, in one statement, and marks the
// cluster updated; the items' foreign key refuses a missing cluster.
func (b *batchTx) JoinCluster(ctx context.Context, id int64, itemIDs []string, now time.Time) error {
	j, err := json.Marshal(itemIDs)
	if err != nil {
		return err
	}
	if _, err := b.exec(ctx, joinClusterSQL, id, string(j)); err != nil {
		return err
	}
	_, err = b.exec(ctx, touchClusterSQL, millis(now), id)
	return err
}

// Queue adds a pending outbox entry; ids come from AUTOINCREMENT, so they
// are never handed out twice.
func (b *batchTx) Queue(ctx context.Context, kind store.OutboxKind, itemIDs []string, clusterID int64, now time.Time) (int64, error) {
	j, err := json.Marshal(itemIDs)
	if err != nil {
		return 0, err
	}
	var id int64
	err = b.scan(ctx, queueSQL, []any{string(kind), string(j), nullID(clusterID), millis(now), millis(now)}, &id)
	return id, err
}

// SaveSignature stores an item's signature for Signatures.
func (b *batchTx) SaveSignature(ctx context.Context, itemID string, clusterID int64, published time.Time, sig []byte) error {
	_, err := b.exec(ctx, insertSignatureSQL, itemID, clusterID, millis(published), sig)
	return err
}

// AddCounts adds c to actor_hours and actor_pairs, one upsert per row.
func (b *batchTx) AddCounts(ctx context.Context, c store.Counts) error {
	for _, h := range c.Hours {
		if _, err := b.exec(ctx, addHourSQL, h.Actor, millis(h.Hour), h.Mentions, millis(h.First), millis(h.Last)); err != nil {
			return fmt.Errorf("hour of %q: %w", h.Actor, err)
		}
	}
	for _, p := range c.Pairs {
		if _, err := b.exec(ctx, addPairSQL, p.Actor, millis(p.Day), p.Other, p.Reports); err != nil {
			return fmt.Errorf("pair %q, %q: %w", p.Actor, p.Other, err)
		}
	}
	return nil
}
