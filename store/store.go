// Package store is storyline's storage seam: the Store interface the rest of
// the program reads and writes through, the types it speaks in, and the
// rules every implementation applies the same way (what Commit queues, which
// posts are valid, how a daily digest's period is found, which search
// queries are refused). Implementations live beside it, one per database
// (store/sqlite; store/postgres later), and all pass the conformance suite
// in store/storetest.
//
// It must not know any SQL dialect or driver, Discord types, HTTP fetching
// or how items are matched.
package store

import (
	"context"
	"errors"
	"time"

	"storyline/feeds"
)

// The errors a Store's methods wrap.
var (
	// ErrNotFound: an item, cluster, message or outbox entry does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrNoWork: OutboxHead found no pending entry.
	ErrNoWork = errors.New("store: no outbox entry pending")
	// ErrInvalidPost: Commit was given a Post whose fields contradict its
	// kind.
	ErrInvalidPost = errors.New("store: invalid post")
	// ErrInvalidRecord: Commit was given a Record that cannot be stored.
	ErrInvalidRecord = errors.New("store: invalid record")
	// ErrDailyExists: QueueDaily found a digest queued already for that
	// time or a later one.
	ErrDailyExists = errors.New("store: daily digest already queued")
	// ErrQueryTooLong: Search was given more than MaxSearchWords words.
	ErrQueryTooLong = errors.New("store: search query has too many words")
)

// Store is storyline's state: the items seen with their matches, actor
// mentions, per-feed poll state, clusters of reports (developments), the
// outbox of Discord work, daily digests and a full-text index. An
// implementation is safe for concurrent use; every method that reads more
// than one query reads one snapshot. Times are kept to the millisecond and
// read back in UTC.
type Store interface {
	// Commit stores b in one transaction, nothing if any part fails,
	// following the rules of ApplyBatch.
	Commit(ctx context.Context, b Batch) (Committed, error)
	// Unseen returns the items not stored yet: it drops those whose ID, or
	// non-empty Link, is stored, and repeats of an ID or Link within items
	// (keeping the first). Order is kept.
	Unseen(ctx context.Context, items []feeds.Item) ([]feeds.Item, error)
	// Records returns the stored records with the given ids, in that
	// order, without their Signature. A missing id is an error wrapping
	// ErrNotFound.
	Records(ctx context.Context, ids []string) ([]Record, error)
	// LatestRecords returns at most limit stored records whose stored
	// verdict is relevant (or, for false, is not) and that were published
	// at or after since, newest published first (then by item id), without
	// their Signature. Its cost follows limit, not the store.
	LatestRecords(ctx context.Context, relevant bool, since time.Time, limit int) ([]Record, error)
	// FeedStates returns the remembered state of every feed, by URL.
	FeedStates(ctx context.Context) (map[string]feeds.State, error)
	// Signatures returns every report that belongs to a development and
	// was published at or after from and before to, oldest first (then by
	// item id). Its cost follows the reports in the range, not the store.
	Signatures(ctx context.Context, from, to time.Time) ([]Candidate, error)

	// StoreID returns the store's identity: ten lowercase hexadecimal
	// digits drawn at random when the database was created, the same for
	// every process that opens it and different for every other database.
	// With an outbox entry's id it makes message nonces that no other store
	// (a new database, another bot's) repeats.
	StoreID(ctx context.Context) (string, error)

	// OutboxHead returns the oldest (by id) pending entry that is not an
	// edit, due or not, or ErrNoWork. A poster that sends the head and
	// nothing else, waiting for it to fall due, delivers posts, digests and
	// replies strictly in order, across restarts too; edits, which only
	// re-render a message, go beside them (OutboxEdits).
	OutboxHead(ctx context.Context) (OutboxEntry, error)
	// OutboxEdits returns every pending edit entry, due or not, oldest
	// first.
	OutboxEdits(ctx context.Context) ([]OutboxEntry, error)
	// MarkInFlight records that a request delivering entry id may reach
	// Discord from at on. Only the first call counts: the entry keeps the
	// earliest such time, as InFlightAt, until it is sent. A missing entry
	// is ErrNotFound.
	MarkInFlight(ctx context.Context, id int64, at time.Time) error
	// MarkSent records that entry id was delivered as message messageID in
	// channelID at at. For a post or digest the message is also recorded
	// on its items and, for a post, on its cluster.
	MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error
	// MarkRetry counts a failed attempt at entry id, keeps reason as its
	// last error and makes it due again at next.
	MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error
	// MarkFailed records that Discord refused entry id for good at at, with
	// the given HTTP status or error code. The entry is kept, visible in
	// OutboxStats, until RetryFailed.
	MarkFailed(ctx context.Context, id int64, code int, reason string, at time.Time) error
	// MarkReposted records that entry id, an edit of cluster clusterID
	// whose Discord message was gone, was delivered as a new message
	// messageID in channelID at at. At once the entry is marked sent, the
	// cluster carries the new message (its old thread forgotten) and
	// every item of the cluster carries the new message id. Until then
	// the cluster keeps its old message, so a crash before it only makes
	// the edit fail and repost again. An entry that is not of that
	// cluster is ErrNotFound.
	MarkReposted(ctx context.Context, id, clusterID int64, channelID, messageID string, at time.Time) error
	// MarkEditsSent records that the pending edits of cluster clusterID
	// with ids up to upTo were delivered, together, as an edit of message
	// messageID in channelID at at. Edits of the cluster queued later stay
	// pending. It is not an error when no edit matches.
	MarkEditsSent(ctx context.Context, clusterID, upTo int64, channelID, messageID string, at time.Time) error
	// RetryFailed makes every failed entry pending again, and every
	// pending entry that waits for a later attempt (a backoff, a paused
	// channel) due, at now, with attempts and error code reset (the last
	// error kept). It returns how many entries it changed.
	RetryFailed(ctx context.Context, now time.Time) (int64, error)
	// OutboxStats returns the outbox summary.
	OutboxStats(ctx context.Context) (OutboxStats, error)

	// Cluster returns cluster id with its items, or an error wrapping
	// ErrNotFound.
	Cluster(ctx context.Context, id int64) (Cluster, error)
	// SetClusterMessage records the message (and thread, empty for none)
	// that carries cluster id.
	SetClusterMessage(ctx context.Context, id int64, channelID, messageID, threadID string) error

	// QueueDaily queues the daily digest scheduled at end, due at once, for
	// the period DailyPeriod gives: ErrDailyExists when a digest was queued
	// for end already, or for a later time.
	QueueDaily(ctx context.Context, from, end time.Time) (Daily, error)
	// DailyOf returns the digest sent by outbox entry entryID, or an error
	// wrapping ErrNotFound.
	DailyOf(ctx context.Context, entryID int64) (Daily, error)
	// DailyReport returns the developments, the most named actors and the
	// item counts of q's period.
	DailyReport(ctx context.Context, q DailyQuery) (DailyReport, error)

	// ActorReport returns the mention statistics of q.Actor, read from the
	// counts (see Counts) but for its latest items: its cost follows the
	// windows asked for, not the reports stored. An actor never named has a
	// report of zeros, not an error.
	ActorReport(ctx context.Context, q ActorQuery) (ActorReport, error)
	// ActorTrends returns, for each of actors, the mentions in the window
	// HoursBefore(now, Hours(window)) and in the window before it, ranked
	// by the current count (then the previous, then the name). Actors
	// never named are included with zeros.
	ActorTrends(ctx context.Context, actors []string, now time.Time, window time.Duration) ([]ActorTrend, error)
	// RebuildCounts counts again, from the mentions of the reports stored,
	// the counts of the reports published on or after the UTC day of from
	// (zero: all of them), replacing what was counted for that time; the
	// counts of earlier days are kept. Reports Prune dropped are no longer
	// stored, so a rebuild of their days forgets them: rebuild from the
	// retention horizon on. It writes in one transaction.
	RebuildCounts(ctx context.Context, from time.Time) error
	// LatestPosted returns the latest limit messages posted (posts and
	// digests whose message still exists: their lead item still carries
	// it), newest first.
	LatestPosted(ctx context.Context, limit int) ([]PostedMessage, error)
	// MessageItems returns the items behind the bot's message messageID
	// (those of the outbox entries delivered as it, those recording it,
	// the lead of the cluster it carries) and the rest of their
	// developments, or an error wrapping ErrNotFound when the message
	// carries no stored item.
	MessageItems(ctx context.Context, messageID string) (Posting, error)
	// Search returns the best limit items, relevant or not, among the
	// latest SearchRanked items matching query: words (all required),
	// "quoted phrases" and OR. Those matching in their title come first,
	// then the others, each newest (last stored) first; More says whether
	// older items match too. Case and diacritics are folded. A query that
	// cannot be parsed is searched again as its plain words; SearchWords
	// says which queries find nothing and which are refused. Its cost
	// follows SearchRanked, not the items stored.
	Search(ctx context.Context, query string, limit int) (SearchResult, error)

	// Prune drops at most limit of the reports the story rejected (not
	// relevant, in no development, never posted) that were published
	// before before, oldest first, with their mentions, search rows and
	// signatures, and returns how many it dropped. The counts are kept, so
	// ActorReport's figures do not change. Each call is one short write:
	// a caller drops a backlog in many calls, letting commits in between.
	// An implementation may reclaim the space freed as it goes.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	// Size returns the space the store takes.
	Size(ctx context.Context) (Size, error)

	// Close releases the store's connections.
	Close() error
}
