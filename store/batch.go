package store

import (
	"time"

	"storyline/feeds"
	"storyline/story"
)

// Record is one stored item: the feed entry, the matcher's verdict, its
// summary and where it was posted. Each actor of Match.Actors is a mention
// of that actor at Item.Published.
type Record struct {
	Item    feeds.Item
	Match   story.Match
	Summary string
	// SeenAt is when the item was first seen; Commit uses the store's clock
	// when it is zero.
	SeenAt time.Time
	// ClusterID is the development the item belongs to, zero for none.
	ClusterID int64
	// MessageID and ChannelID locate the Discord message that carries the
	// item, empty until it is posted.
	MessageID, ChannelID string
	// Signature is the item's near-duplicate signature (story.Sig in binary
	// form); Commit stores it when the item joins a cluster. Records read
	// back from the store leave it empty.
	Signature []byte
}

// DropSeen returns, in order, the items whose ID and non-empty Link are
// neither in seenIDs and seenLinks (the stored ones) nor those of an earlier
// item: what Unseen returns once the implementation has looked up which of
// the items' ids and links are stored. It adds the kept items' keys to the
// maps.
func DropSeen(items []feeds.Item, seenIDs, seenLinks map[string]bool) []feeds.Item {
	var fresh []feeds.Item
	for _, it := range items {
		if seenIDs[it.ID] || (it.Link != "" && seenLinks[it.Link]) {
			continue
		}
		seenIDs[it.ID] = true
		if it.Link != "" {
			seenLinks[it.Link] = true
		}
		fresh = append(fresh, it)
	}
	return fresh
}

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
	// KindDaily creates the daily digest message; its entry has no items,
	// its period is in Daily.
	KindDaily OutboxKind = "daily"
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
	// UnrelatedBefore, when not zero, is the retention horizon of reports
	// the story rejected: such a record published before it is not stored
	// (nor counted). Prune would drop it at once, and one that Prune
	// dropped and the feed still carries must not be counted again.
	UnrelatedBefore time.Time
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
