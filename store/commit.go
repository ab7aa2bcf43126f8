package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"storyline/feeds"
)

// ErrInvalidPost is returned by Commit for a Post whose fields contradict
// its kind.
var ErrInvalidPost = errors.New("store: invalid post")

// OutboxKind says what an outbox entry does in Discord.
type OutboxKind string

// The outbox kinds.
const (
	// KindPost creates one message for one item.
	KindPost OutboxKind = "post"
	// KindDigest creates one message for several items.
	KindDigest OutboxKind = "digest"
	// KindEdit re-renders an existing cluster's message.
	KindEdit OutboxKind = "edit"
	// KindReply posts a message in a cluster's thread.
	KindReply OutboxKind = "reply"
)

// Post asks Commit to queue Discord work for some of the batch's items.
type Post struct {
	Kind    OutboxKind
	ItemIDs []string
	// ClusterID is the existing cluster the items join (and, for an edit or
	// reply, whose message or thread is used); zero for none.
	ClusterID int64
	// NewCluster makes the items a new cluster led by ItemIDs[0]. It
	// excludes ClusterID and is only for posts and digests.
	NewCluster bool
	// Developments, for a digest only, groups its items into the
	// developments they report: each becomes a new cluster led by its
	// first item, carrying no message of its own, so that later reports
	// of it join it instead of being posted as new.
	Developments [][]string
}

// Batch is everything one poll of one feed stores, committed at once.
type Batch struct {
	// State is the feed's new poll state; it is not saved when State.URL is
	// empty.
	State   feeds.State
	Records []Record
	Posts   []Post
}

// Committed says what a Commit stored.
type Committed struct {
	// Inserted are the ids of the records newly stored, in batch order.
	Inserted []string
	// Queued are the ids of the outbox entries created, in post order.
	Queued []int64
	// Signed maps the id of each record whose signature was stored to the
	// cluster it belongs to.
	Signed map[string]int64
}

// Commit stores b in one transaction: nothing is stored if any part fails.
//
// A stored record that carries a Signature and ends up in a cluster (by a
// post of this batch or its own ClusterID) has its signature stored for
// Signatures, and is listed in Committed.Signed.
//
// A record whose id or link is already stored (or repeated in the batch) is
// skipped, not an error; the others are stored with their mentions and
// full-text rows. A post or digest is queued only when all its items were
// stored by this batch, so an item is never queued twice. A reply is queued
// when its cluster exists and its items were stored by this batch; an edit
// when its cluster exists. Items stored by this batch join the post's
// cluster. A post naming an item that is neither in the batch nor stored is
// an error wrapping ErrNotFound.
func (s *Store) Commit(ctx context.Context, b Batch) (Committed, error) {
	var c Committed
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = (&batchTx{tx: tx, now: s.now().UTC(), stmts: make(map[string]*sql.Stmt)}).commit(ctx, b)
		return err
	})
	if err != nil {
		return Committed{}, fmt.Errorf("commit feed %q: %w", b.State.URL, err)
	}
	s.logger.Debug("store commit", "feed", b.State.URL, "inserted", len(c.Inserted), "queued", len(c.Queued))
	return c, nil
}

// batchTx is one Commit's transaction. It prepares each statement once,
// since a batch runs the same few statements for every item.
type batchTx struct {
	tx    *sql.Tx
	now   time.Time
	stmts map[string]*sql.Stmt
	// inserted holds the ids stored by this batch; skipped those not stored
	// because the item was stored already.
	inserted, skipped map[string]bool
	// clusterOf maps the items stored by this batch that joined a cluster
	// to it.
	clusterOf map[string]int64
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
)

// stmt returns query prepared in the transaction; the transaction closes
// it when it ends.
func (b *batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
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

// commit does Commit's work.
func (b *batchTx) commit(ctx context.Context, batch Batch) (Committed, error) {
	var c Committed
	if batch.State.URL != "" {
		if err := saveFeedState(ctx, b.tx, batch.State); err != nil {
			return c, fmt.Errorf("save feed state: %w", err)
		}
	}
	b.inserted = make(map[string]bool, len(batch.Records))
	b.skipped = make(map[string]bool)
	b.clusterOf = make(map[string]int64)
	for _, r := range batch.Records {
		ok, err := b.insertRecord(ctx, r)
		switch {
		case err != nil:
			return Committed{}, fmt.Errorf("insert item %q: %w", r.Item.ID, err)
		case ok:
			c.Inserted = append(c.Inserted, r.Item.ID)
			b.inserted[r.Item.ID] = true
		case !b.inserted[r.Item.ID]:
			b.skipped[r.Item.ID] = true
		}
	}
	if err := b.indexText(ctx, c.Inserted); err != nil {
		return Committed{}, fmt.Errorf("index text: %w", err)
	}
	for i, p := range batch.Posts {
		id, err := b.queuePost(ctx, p)
		if err != nil {
			return Committed{}, fmt.Errorf("post %d: %w", i, err)
		}
		if id != 0 {
			c.Queued = append(c.Queued, id)
		}
	}
	if err := b.saveSignatures(ctx, batch.Records, &c); err != nil {
		return Committed{}, err
	}
	return c, nil
}

// indexText adds the full-text rows of the items stored by this batch in one
// statement, so FTS5 flushes its index once per batch, not once per item.
func (b *batchTx) indexText(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	j, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = b.exec(ctx, indexTextSQL, string(j))
	return err
}

// insertRecord stores r and its mentions unless its id or link is stored
// already, and reports whether it did.
func (b *batchTx) insertRecord(ctx context.Context, r Record) (bool, error) {
	j, err := encodeMatch(r.Match)
	if err != nil {
		return false, err
	}
	seen := r.SeenAt
	if seen.IsZero() {
		seen = b.now
	}
	it := r.Item
	res, err := b.exec(ctx, insertItemSQL, it.ID, it.FeedURL, it.FeedName, it.GUID, it.Link,
		it.Title, it.Text, r.Summary, millis(it.Published), millis(seen), it.Language,
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

// queuePost queues p's outbox entry if p is due (see Commit) and returns its
// id, or zero when p is not queued.
func (b *batchTx) queuePost(ctx context.Context, p Post) (int64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	due, err := b.postDue(ctx, p)
	if err != nil || !due {
		return 0, err
	}
	clusterID := p.ClusterID
	if p.NewCluster {
		clusterID, err = b.newCluster(ctx, p.ItemIDs)
	} else if err = b.joinCluster(ctx, clusterID, p.ItemIDs); err != nil {
		err = fmt.Errorf("join cluster %d: %w", clusterID, err)
	}
	if err != nil {
		return 0, err
	}
	for _, dev := range p.Developments {
		if _, err := b.newCluster(ctx, dev); err != nil {
			return 0, err
		}
	}
	idsJSON, err := json.Marshal(p.ItemIDs)
	if err != nil {
		return 0, err
	}
	var id int64
	err = b.scan(ctx, queueSQL,
		[]any{string(p.Kind), string(idsJSON), nullID(clusterID), millis(b.now), millis(b.now)}, &id)
	if err != nil {
		return 0, fmt.Errorf("queue %s: %w", p.Kind, err)
	}
	return id, nil
}

// newCluster creates a cluster led by ids[0] and puts the items of ids
// stored by this batch in it.
func (b *batchTx) newCluster(ctx context.Context, ids []string) (int64, error) {
	var id int64
	if err := b.scan(ctx, createClusterSQL, []any{ids[0], millis(b.now), millis(b.now)}, &id); err != nil {
		return 0, fmt.Errorf("create cluster: %w", err)
	}
	if err := b.joinCluster(ctx, id, ids); err != nil {
		return 0, fmt.Errorf("join cluster %d: %w", id, err)
	}
	return id, nil
}

// validate checks p's fields against its kind.
func (p Post) validate() error {
	switch {
	case p.NewCluster && p.ClusterID != 0:
		return fmt.Errorf("%w: both NewCluster and ClusterID %d", ErrInvalidPost, p.ClusterID)
	case len(p.Developments) > 0:
		return p.validateDevelopments()
	case p.Kind == KindPost || p.Kind == KindDigest:
		if len(p.ItemIDs) == 0 {
			return fmt.Errorf("%w: %s without items", ErrInvalidPost, p.Kind)
		}
	case p.Kind == KindEdit || p.Kind == KindReply:
		if p.ClusterID == 0 {
			return fmt.Errorf("%w: %s without a cluster", ErrInvalidPost, p.Kind)
		}
		if p.Kind == KindReply && len(p.ItemIDs) == 0 {
			return fmt.Errorf("%w: reply without items", ErrInvalidPost)
		}
	default:
		return fmt.Errorf("%w: kind %q", ErrInvalidPost, p.Kind)
	}
	return nil
}

// validateDevelopments checks a post's developments: only a digest of
// no cluster has them, each is non-empty and names only the digest's items,
// and no item is in two.
func (p Post) validateDevelopments() error {
	if p.Kind != KindDigest || p.NewCluster || p.ClusterID != 0 {
		return fmt.Errorf("%w: developments in a %s that is not a digest of new items", ErrInvalidPost, p.Kind)
	}
	in := make(map[string]bool, len(p.ItemIDs))
	for _, id := range p.ItemIDs {
		in[id] = true
	}
	for i, dev := range p.Developments {
		if len(dev) == 0 {
			return fmt.Errorf("%w: development %d is empty", ErrInvalidPost, i)
		}
		for _, id := range dev {
			if !in[id] {
				return fmt.Errorf("%w: development %d names %q, which is not in the digest or in two developments", ErrInvalidPost, i, id)
			}
			delete(in, id)
		}
	}
	return nil
}

// postDue reports whether p is queued: its items are all new in this batch
// (edits excepted) and, for an edit or reply, its cluster exists. An item
// neither in the batch nor stored is an error wrapping ErrNotFound.
func (b *batchTx) postDue(ctx context.Context, p Post) (bool, error) {
	allNew := true
	for _, id := range p.ItemIDs {
		if b.inserted[id] {
			continue
		}
		allNew = false
		stored := b.skipped[id]
		if !stored {
			if err := b.scan(ctx, itemExistsSQL, []any{id}, &stored); err != nil {
				return false, err
			}
		}
		if !stored {
			return false, fmt.Errorf("item %q: %w", id, ErrNotFound)
		}
	}
	switch {
	case p.Kind == KindPost || p.Kind == KindDigest:
		return allNew, nil
	case p.Kind == KindReply && !allNew:
		return false, nil
	}
	var exists bool
	err := b.scan(ctx, clusterExistsSQL, []any{p.ClusterID}, &exists)
	return exists, err
}

// joinCluster puts the items of ids stored by this batch into cluster id
// and marks the cluster updated. It does nothing for cluster zero or when
// no such item is new.
func (b *batchTx) joinCluster(ctx context.Context, id int64, ids []string) error {
	var joining []string
	for _, itemID := range ids {
		if b.inserted[itemID] {
			joining = append(joining, itemID)
		}
	}
	if id == 0 || len(joining) == 0 {
		return nil
	}
	for _, itemID := range joining {
		b.clusterOf[itemID] = id
	}
	joinJSON, err := json.Marshal(joining)
	if err != nil {
		return err
	}
	if _, err := b.exec(ctx, joinClusterSQL, id, string(joinJSON)); err != nil {
		return err
	}
	_, err = b.exec(ctx, touchClusterSQL, millis(b.now), id)
	return err
}
