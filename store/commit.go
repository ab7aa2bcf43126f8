package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"storyline/feeds"
)

// BatchTx is what ApplyBatch needs of an implementation's write
// transaction: single steps, each without rules of its own. Its errors
// should name what failed (the item, the cluster).
type BatchTx interface {
	// SaveFeedState stores st, replacing what was remembered for st.URL.
	SaveFeedState(ctx context.Context, st feeds.State) error
	// InsertRecords stores each record, its mentions and its full-text
	// entry, unless its id or non-empty link is stored already (by an
	// earlier record of the call too), and reports which it stored.
	InsertRecords(ctx context.Context, records []Record) ([]bool, error)
	// ItemExists reports whether item id is stored.
	ItemExists(ctx context.Context, id string) (bool, error)
	// ClusterExists reports whether cluster id exists.
	ClusterExists(ctx context.Context, id int64) (bool, error)
	// CreateCluster creates a cluster led by item leadID, created and
	// updated at now, without a message, and returns its id.
	CreateCluster(ctx context.Context, leadID string, now time.Time) (int64, error)
	// JoinCluster puts the stored items itemIDs in cluster id and marks the
	// cluster updated at now; a missing cluster is an error.
	JoinCluster(ctx context.Context, id int64, itemIDs []string, now time.Time) error
	// Queue adds a pending outbox entry, created and due at now, and
	// returns its id: a number greater than every id handed out before.
	Queue(ctx context.Context, kind OutboxKind, itemIDs []string, clusterID int64, now time.Time) (int64, error)
	// SaveSignature stores the signature sig of item itemID, published at
	// published, as a report of cluster clusterID.
	SaveSignature(ctx context.Context, itemID string, clusterID int64, published time.Time, sig []byte) error
	// AddCounts adds c to the stored counts: the mentions of an hour and
	// the reports of a pair and day add up, First keeps the earliest and
	// Last the latest.
	AddCounts(ctx context.Context, c Counts) error
}

// ApplyBatch applies b through tx, with now as the store's clock: the rules
// of Commit, the same for every implementation. The implementation runs it
// in one transaction and rolls back on error.
//
// The feed state is saved unless State.URL is empty. A record whose id or
// link is already stored (or repeated in the batch) is skipped, not an
// error, and so is a record not relevant to the story that was published
// before b.UnrelatedBefore; the others are stored, seen at now when SeenAt
// is zero, and their mentions counted (CountMentions). A record whose score
// is not a finite number is an error wrapping ErrInvalidRecord.
//
// A post or digest is queued only when all its items were stored by this
// batch, so an item is never queued twice. A reply is queued when its
// cluster exists and its items were stored by this batch; an edit when its
// cluster exists. Items stored by this batch join the post's cluster (a new
// one for NewCluster, one per development of a digest). A post naming an
// item that is neither in the batch nor stored is an error wrapping
// ErrNotFound; one whose fields contradict its kind, ErrInvalidPost.
//
// A stored record that carries a Signature and ends up in a cluster (by a
// post of this batch or its own ClusterID) has its signature stored for
// Signatures, and is listed in Committed.Signed.
func ApplyBatch(ctx context.Context, tx BatchTx, b Batch, now time.Time) (Committed, error) {
	a := &applier{tx: tx, now: now, clusterOf: make(map[string]int64)}
	if err := a.insert(ctx, b); err != nil {
		return Committed{}, err
	}
	for i, p := range b.Posts {
		id, err := a.queuePost(ctx, p)
		if err != nil {
			return Committed{}, fmt.Errorf("post %d: %w", i, err)
		}
		if id != 0 {
			a.c.Queued = append(a.c.Queued, id)
		}
	}
	if err := a.saveSignatures(ctx, b.Records); err != nil {
		return Committed{}, err
	}
	return a.c, nil
}

// applier is one ApplyBatch.
type applier struct {
	tx  BatchTx
	now time.Time
	c   Committed
	// inserted holds the ids stored by this batch; skipped those not stored
	// because the item (or its link) was stored already.
	inserted, skipped map[string]bool
	// clusterOf maps the items stored by this batch that joined a cluster
	// to it.
	clusterOf map[string]int64
}

// insert saves the feed state and stores the batch's new records.
func (a *applier) insert(ctx context.Context, b Batch) error {
	if b.State.URL != "" {
		if err := a.tx.SaveFeedState(ctx, b.State); err != nil {
			return fmt.Errorf("save feed state: %w", err)
		}
	}
	records := make([]Record, 0, len(b.Records))
	for _, r := range b.Records {
		if math.IsNaN(r.Match.Score) || math.IsInf(r.Match.Score, 0) {
			return fmt.Errorf("item %q: %w: score %v", r.Item.ID, ErrInvalidRecord, r.Match.Score)
		}
		if !r.Match.Relevant && r.Item.Published.Before(b.UnrelatedBefore) {
			continue
		}
		if r.SeenAt.IsZero() {
			r.SeenAt = a.now
		}
		records = append(records, r)
	}
	a.inserted = make(map[string]bool, len(records))
	a.skipped = make(map[string]bool)
	if len(records) == 0 {
		return nil
	}
	stored, err := a.tx.InsertRecords(ctx, records)
	if err != nil {
		return err
	}
	var counted []Record
	for i, r := range records {
		switch id := r.Item.ID; {
		case stored[i]:
			a.c.Inserted = append(a.c.Inserted, id)
			a.inserted[id] = true
			counted = append(counted, r)
		case !a.inserted[id]:
			a.skipped[id] = true
		}
	}
	if c := CountMentions(counted); len(c.Hours) > 0 {
		if err := a.tx.AddCounts(ctx, c); err != nil {
			return fmt.Errorf("count mentions: %w", err)
		}
	}
	return nil
}

// queuePost queues p's outbox entry if p is due and returns its id, or
// zero when p is not queued.
func (a *applier) queuePost(ctx context.Context, p Post) (int64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	due, err := a.postDue(ctx, p)
	if err != nil || !due {
		return 0, err
	}
	clusterID := p.ClusterID
	if p.NewCluster {
		clusterID, err = a.newCluster(ctx, p.ItemIDs)
	} else {
		err = a.joinCluster(ctx, clusterID, p.ItemIDs)
	}
	if err != nil {
		return 0, err
	}
	for _, dev := range p.Developments {
		if _, err := a.newCluster(ctx, dev); err != nil {
			return 0, err
		}
	}
	id, err := a.tx.Queue(ctx, p.Kind, p.ItemIDs, clusterID, a.now)
	if err != nil {
		return 0, fmt.Errorf("queue %s: %w", p.Kind, err)
	}
	return id, nil
}

// postDue reports whether p is queued: its items are all new in this batch
// (edits excepted) and, for an edit or reply, its cluster exists. An item
// neither in the batch nor stored is an error wrapping ErrNotFound.
func (a *applier) postDue(ctx context.Context, p Post) (bool, error) {
	allNew := true
	for _, id := range p.ItemIDs {
		if a.inserted[id] {
			continue
		}
		allNew = false
		stored := a.skipped[id]
		if !stored {
			var err error
			if stored, err = a.tx.ItemExists(ctx, id); err != nil {
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
	return a.tx.ClusterExists(ctx, p.ClusterID)
}

// newCluster creates a cluster led by ids[0] and puts the items of ids
// stored by this batch in it.
func (a *applier) newCluster(ctx context.Context, ids []string) (int64, error) {
	id, err := a.tx.CreateCluster(ctx, ids[0], a.now)
	if err != nil {
		return 0, fmt.Errorf("create cluster: %w", err)
	}
	return id, a.joinCluster(ctx, id, ids)
}

// joinCluster puts the items of ids stored by this batch into cluster id.
// It does nothing for cluster zero or when no such item is new.
func (a *applier) joinCluster(ctx context.Context, id int64, ids []string) error {
	var joining []string
	for _, itemID := range ids {
		if a.inserted[itemID] {
			joining = append(joining, itemID)
		}
	}
	if id == 0 || len(joining) == 0 {
		return nil
	}
	for _, itemID := range joining {
		a.clusterOf[itemID] = id
	}
	if err := a.tx.JoinCluster(ctx, id, joining, a.now); err != nil {
		return fmt.Errorf("join cluster %d: %w", id, err)
	}
	return nil
}

// saveSignatures stores the signature of each record that this batch
// stored, carries a signature and ended up in a cluster, and lists it in
// Committed.Signed.
func (a *applier) saveSignatures(ctx context.Context, records []Record) error {
	for _, r := range records {
		clusterID := a.clusterOf[r.Item.ID]
		if clusterID == 0 {
			clusterID = r.ClusterID
		}
		if len(r.Signature) == 0 || clusterID == 0 || !a.inserted[r.Item.ID] {
			continue
		}
		if err := a.tx.SaveSignature(ctx, r.Item.ID, clusterID, r.Item.Published, r.Signature); err != nil {
			return fmt.Errorf("signature of %q: %w", r.Item.ID, err)
		}
		if a.c.Signed == nil {
			a.c.Signed = make(map[string]int64)
		}
		a.c.Signed[r.Item.ID] = clusterID
	}
	return nil
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
