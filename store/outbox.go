package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNoWork is returned by OutboxHead when no entry is pending.
var ErrNoWork = errors.New("store: no outbox entry due")

// The statuses of an outbox entry.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// OutboxEntry is one piece of queued Discord work. Its ID is unique for the
// life of the database, so it serves as the message nonce.
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
}

// outboxHeadSQL selects the oldest pending entry due at ?; OutboxHead asks
// at endOfTime, so that the outbox_due index bounds the search.
const outboxHeadSQL = `
	SELECT id, kind, item_ids, cluster_id, status, attempts, next_attempt, created_at,
	       error_code, last_error, channel_id, message_id
	FROM outbox WHERE status = 'pending' AND next_attempt <= ?
	ORDER BY id LIMIT 1`

// endOfTime is later than any entry's next attempt.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// OutboxHead returns the oldest (by id) pending entry, due or not, or
// ErrNoWork. A poster that sends the head and nothing else, waiting for it
// to fall due, delivers the outbox strictly in order, across restarts too.
func (s *Store) OutboxHead(ctx context.Context) (OutboxEntry, error) {
	var e OutboxEntry
	var itemIDs string
	var cluster sql.NullInt64
	var next, created int64
	err := s.reader.QueryRowContext(ctx, outboxHeadSQL, millis(endOfTime)).Scan(
		&e.ID, &e.Kind, &itemIDs, &cluster, &e.Status, &e.Attempts, &next, &created,
		&e.ErrorCode, &e.LastError, &e.ChannelID, &e.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxEntry{}, ErrNoWork
	}
	if err != nil {
		return OutboxEntry{}, fmt.Errorf("outbox head: %w", err)
	}
	if err := json.Unmarshal([]byte(itemIDs), &e.ItemIDs); err != nil {
		return OutboxEntry{}, fmt.Errorf("outbox head: entry %d: %w", e.ID, err)
	}
	e.ClusterID = cluster.Int64
	e.NextAttempt = fromMillis(next)
	e.CreatedAt = fromMillis(created)
	return e, nil
}

// MarkSent records that entry id was delivered as message messageID in
// channelID at at. For a post or digest the message is also recorded on its
// items and, for a post, on its cluster.
func (s *Store) MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var kind OutboxKind
		var itemIDs string
		var cluster sql.NullInt64
		err := tx.QueryRowContext(ctx, `
			UPDATE outbox SET status = 'sent', channel_id = ?, message_id = ?, sent_at = ?
			WHERE id = ? RETURNING kind, item_ids, cluster_id`,
			channelID, messageID, millis(at), id).Scan(&kind, &itemIDs, &cluster)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || (kind != KindPost && kind != KindDigest) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE items SET channel_id = ?, message_id = ?
			WHERE id IN (SELECT value FROM json_each(?))`, channelID, messageID, itemIDs); err != nil {
			return err
		}
		if kind != KindPost || !cluster.Valid {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE clusters SET channel_id = ?, message_id = ? WHERE id = ?`,
			channelID, messageID, cluster.Int64)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark sent %d: %w", id, err)
	}
	return nil
}

// MarkRetry counts a failed attempt at entry id and makes it due again at
// next.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	err := s.update(ctx, `
		UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?`,
		millis(next), reason, id)
	if err != nil {
		return fmt.Errorf("mark retry %d: %w", id, err)
	}
	return nil
}

// MarkFailed records that Discord refused entry id for good at at, with the
// given HTTP status or error code. The entry is kept, visible in
// OutboxStats, until RetryFailed.
func (s *Store) MarkFailed(ctx context.Context, id int64, code int, reason string, at time.Time) error {
	err := s.update(ctx, `
		UPDATE outbox SET status = 'failed', attempts = attempts + 1, error_code = ?,
		                  last_error = ?, failed_at = ?
		WHERE id = ?`, code, reason, millis(at), id)
	if err != nil {
		return fmt.Errorf("mark failed %d: %w", id, err)
	}
	return nil
}

// RetryFailed makes every failed entry pending again, due at now with its
// attempts reset, and returns how many there were.
func (s *Store) RetryFailed(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `
		UPDATE outbox SET status = 'pending', next_attempt = ?, attempts = 0, error_code = 0,
		                  failed_at = NULL
		WHERE status = 'failed'`, millis(now))
	if err != nil {
		return 0, fmt.Errorf("retry failed: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retry failed: %w", err)
	}
	return n, nil
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

// outboxStatsSQL counts pending and failed entries, finds the last delivery
// and the latest refusal still failed.
const outboxStatsSQL = `
	SELECT (SELECT count(*) FROM outbox WHERE status = 'pending'),
	       (SELECT count(*) FROM outbox WHERE status = 'failed'),
	       (SELECT max(sent_at) FROM outbox),
	       coalesce(f.last_error, ''), coalesce(f.error_code, 0), f.failed_at
	FROM (SELECT 1) LEFT JOIN (
		SELECT last_error, error_code, failed_at FROM outbox
		WHERE status = 'failed' ORDER BY failed_at DESC, id DESC LIMIT 1) AS f`

// OutboxStats returns the outbox summary.
func (s *Store) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	var failedAt, sentAt sql.NullInt64
	err := s.reader.QueryRowContext(ctx, outboxStatsSQL).Scan(
		&st.Pending, &st.Failed, &sentAt, &st.LastFailure, &st.LastFailureCode, &failedAt)
	if err != nil {
		return OutboxStats{}, fmt.Errorf("outbox stats: %w", err)
	}
	st.LastFailureAt = fromNullMillis(failedAt)
	st.LastSentAt = fromNullMillis(sentAt)
	return st, nil
}

// update runs one UPDATE on the writer; no row changed is ErrNotFound.
func (s *Store) update(ctx context.Context, query string, args ...any) error {
	return updateOne(ctx, s.writer, query, args...)
}

// updateOne runs one UPDATE on db; no row changed is ErrNotFound.
func updateOne(ctx context.Context, db execer, query string, args ...any) error {
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
