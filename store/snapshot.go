package store

import (
	"time"

	"storyline/feeds"
)

// Snapshot is the whole content of a store, in a form every implementation
// reads and writes: what `storyline migrate` moves from one database to
// another. Ids (clusters, outbox entries) are kept, so that messages,
// nonces and "Why was this posted?" still find their items.
type Snapshot struct {
	// StoreID is the store's identity (Store.StoreID): the store it moves
	// to takes it, so that an entry in flight keeps its nonce.
	StoreID string
	// Items are the stored records in the order they were stored, with
	// their cluster and message, without signatures.
	Items []Record
	// Mentions are the actors named by the items, dated.
	Mentions []Mention
	// Clusters are the developments, without their item ids (each item
	// names its cluster).
	Clusters []Cluster
	// Outbox holds every entry, sent, failed or pending, by id.
	Outbox []OutboxRow
	// LastOutboxID is the largest outbox id ever handed out (an entry
	// may have been deleted): the next one must be greater.
	LastOutboxID int64
	FeedStates   []feeds.State
	Digests      []Daily
	// Signatures are the clustered reports' signatures (ClusterID,
	// ItemID, Published and Sig).
	Signatures []Candidate
	// Counts are the mention counts, hours by actor and hour, pairs by
	// actor, day and other: those of reports retention dropped too.
	Counts Counts
}

// Mention is one actor named by one item.
type Mention struct {
	ItemID, Actor string
	At            time.Time
}

// OutboxRow is an outbox entry with the times of its delivery or refusal.
type OutboxRow struct {
	OutboxEntry
	SentAt, FailedAt time.Time
}
