package store

import "time"

// The statuses of an outbox entry.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// OutboxEntry is one piece of queued Discord work. Its ID is unique for the
// life of the database; with the store's identity (StoreID) it makes the
// message nonce.
type OutboxEntry struct {
	ID      int64
	Kind    OutboxKind
	ItemIDs []string
	// ClusterID is the entry's cluster, zero for none.
	ClusterID int64
	// Status is StatusPending, StatusSent or StatusFailed.
	Status      string
	Attempts    int
	NextAttempt time.Time
	CreatedAt   time.Time
	// ErrorCode and LastError describe the last failed attempt.
	ErrorCode int
	LastError string
	// ChannelID and MessageID locate the message once sent.
	ChannelID, MessageID string
	// InFlightAt is when a request delivering the entry was first sent
	// (MarkInFlight); zero when none was. A pending entry that has one may
	// have reached Discord already.
	InFlightAt time.Time
}

// OutboxStats summarises the outbox for a status display.
type OutboxStats struct {
	Pending, Failed int
	// LastFailure, LastFailureCode and LastFailureAt describe the most
	// recent refusal among the entries still failed; empty when none is.
	LastFailure     string
	LastFailureCode int
	LastFailureAt   time.Time
	// LastSentAt is when an entry was last delivered; zero if never.
	LastSentAt time.Time
}

// Cluster is one development: the reports of it and the Discord message
// (and thread) that carries it.
type Cluster struct {
	ID int64
	// LeadItemID is the item the cluster's message was first posted for.
	LeadItemID string
	// ChannelID, MessageID and ThreadID locate the cluster's message and its
	// thread; empty until posted, or after the message is gone.
	ChannelID, MessageID, ThreadID string
	CreatedAt, UpdatedAt           time.Time
	// ItemIDs are the cluster's items in the order they were seen.
	ItemIDs []string
}

// Candidate is a stored report of a development that a new report may
// join: what the clustering decision needs of it.
type Candidate struct {
	ClusterID int64
	ItemID    string
	// Published is the item's publication time.
	Published time.Time
	// Sig is the item's signature as Record.Signature stored it.
	Sig []byte
	// Actors are the canonical names the matcher found in the item.
	Actors []string
	// Link is the item's canonical link, empty when it has none.
	Link string
}
