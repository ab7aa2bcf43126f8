package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"storyline/store"
)

// outboxColumns are the columns scanOutbox reads, in its order.
const outboxColumns = `id, kind, item_ids, cluster_id, status, attempts, next_attempt, created_at,
	error_code, last_error, channel_id, message_id, in_flight_at`

// outboxHeadSQL selects the oldest pending entry other than an edit due at
// ?; OutboxHead asks at endOfTime, so that the outbox_due index bounds the
// search.
const outboxHeadSQL = `SELECT ` + outboxColumns + `
	FROM outbox WHERE status = 'pending' AND next_attempt <= ? AND kind != 'edit'
	ORDER BY id LIMIT 1`

// endOfTime is later than any entry's next attempt.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// OutboxHead returns the oldest pending entry that is not an edit, or
// store.ErrNoWork.
func (s *Store) OutboxHead(ctx context.Context) (store.OutboxEntry, error) {
	e, err := scanOutbox(s.reader.QueryRowContext(ctx, outboxHeadSQL, millis(endOfTime)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.OutboxEntry{}, store.ErrNoWork
	}
	if err != nil {
		return store.OutboxEntry{}, fmt.Errorf("outbox head: %w", err)
	}
	return e, nil
}

// OutboxEdits returns the pending edits, oldest first.
func (s *Store) OutboxEdits(ctx context.Context) ([]store.OutboxEntry, error) {
	edits, err := queryRows(ctx, s.reader, scanOutbox, `SELECT `+outboxColumns+`
		FROM outbox WHERE status = 'pending' AND kind = 'edit' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("outbox edits: %w", err)
	}
	return edits, nil
}

// scanOutbox reads one row of outboxColumns.
func scanOutbox(r row) (store.OutboxEntry, error) {
	var e store.OutboxEntry
	var itemIDs string
	var cluster, inFlight sql.NullInt64
	var next, created int64
	if err := r.Scan(&e.ID, &e.Kind, &itemIDs, &cluster, &e.Status, &e.Attempts, &next, &created,
		&e.ErrorCode, &e.LastError, &e.ChannelID, &e.MessageID, &inFlight); err != nil {
		return store.OutboxEntry{}, err
	}
	if err := json.Unmarshal([]byte(itemIDs), &e.ItemIDs); err != nil {
		return store.OutboxEntry{}, fmt.Errorf("entry %d: %w", e.ID, err)
	}
	e.ClusterID = cluster.Int64
	e.NextAttempt = fromMillis(next)
	e.CreatedAt = fromMillis(created)
	e.InFlightAt = fromNullMillis(inFlight)
	return e, nil
}

// MarkInFlight keeps the first time a request for entry id was sent.
func (s *Store) MarkInFlight(ctx context.Context, id int64, at time.Time) error {
	err := s.update(ctx, `UPDATE outbox SET in_flight_at = coalesce(in_flight_at, ?) WHERE id = ?`, millis(at), id)
	if err != nil {
		return fmt.Errorf("mark in flight %d: %w", id, err)
	}
	return nil
}

// MarkEditsSent records the delivery of a cluster's pending edits up to
// upTo.
func (s *Store) MarkEditsSent(ctx context.Context, clusterID, upTo int64, channelID, messageID string, at time.Time) error {
	_, err := s.writer.ExecContext(ctx, `
		UPDATE outbox SET status = 'sent', channel_id = ?, message_id = ?, sent_at = ?
		WHERE status = 'pending' AND kind = 'edit' AND cluster_id = ? AND id <= ?`,
		channelID, messageID, millis(at), clusterID, upTo)
	if err != nil {
		return fmt.Errorf("mark edits of cluster %d sent: %w", clusterID, err)
	}
	return nil
}

// StoreID returns the identity drawn when the database was created.
func (s *Store) StoreID(ctx context.Context) (string, error) {
	var id string
	if err := s.reader.QueryRowContext(ctx, `SELECT id FROM store_identity`).Scan(&id); err != nil {
		return "", fmt.Errorf("store id: %w", err)
	}
	return id, nil
}

// MarkSent records the delivery of entry id, on its items and cluster too,
// in one transaction.
func (s *Store) MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var kind store.OutboxKind
		var itemIDs string
		var cluster sql.NullInt64
		err := tx.QueryRowContext(ctx, `
			UPDATE outbox SET status = 'sent', channel_id = ?, message_id = ?, sent_at = ?
			WHERE id = ? RETURNING kind, item_ids, cluster_id`,
			channelID, messageID, millis(at), id).Scan(&kind, &itemIDs, &cluster)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil || (kind != store.KindPost && kind != store.KindDigest) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE items SET channel_id = ?, message_id = ?
			WHERE id IN (SELECT value FROM json_each(?))`, channelID, messageID, itemIDs); err != nil {
			return err
		}
		if kind != store.KindPost || !cluster.Valid {
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

// MarkRetry counts a failed attempt at entry id.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	err := s.update(ctx, `
		UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?`,
		millis(next), reason, id)
	if err != nil {
		return fmt.Errorf("mark retry %d: %w", id, err)
	}
	return nil
}

// MarkFailed records that Discord refused entry id for good.
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

// MarkReposted records, in one transaction, the repost of an edit whose
// message was gone.
func (s *Store) MarkReposted(ctx context.Context, id, clusterID int64, channelID, messageID string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := updateOne(ctx, tx, `
			UPDATE outbox SET status = 'sent', channel_id = ?, message_id = ?, sent_at = ?
			WHERE id = ? AND cluster_id = ?`, channelID, messageID, millis(at), id, clusterID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE clusters SET channel_id = ?, message_id = ?, thread_id = '' WHERE id = ?`,
			channelID, messageID, clusterID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE items SET channel_id = ?, message_id = ? WHERE cluster_id = ?`,
			channelID, messageID, clusterID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark reposted %d: %w", id, err)
	}
	return nil
}

// RetryFailed makes every failed or waiting entry pending and due now.
func (s *Store) RetryFailed(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `
		UPDATE outbox SET status = 'pending', next_attempt = ?, attempts = 0, error_code = 0,
		                  failed_at = NULL
		WHERE status = 'failed' OR (status = 'pending' AND next_attempt > ?)`, millis(now), millis(now))
	if err != nil {
		return 0, fmt.Errorf("retry failed: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retry failed: %w", err)
	}
	return n, nil
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
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	var st store.OutboxStats
	var failedAt, sentAt sql.NullInt64
	err := s.reader.QueryRowContext(ctx, outboxStatsSQL).Scan(
		&st.Pending, &st.Failed, &sentAt, &st.LastFailure, &st.LastFailureCode, &failedAt)
	if err != nil {
		return store.OutboxStats{}, fmt.Errorf("outbox stats: %w", err)
	}
	st.LastFailureAt = fromNullMillis(failedAt)
	st.LastSentAt = fromNullMillis(sentAt)
	return st, nil
}

// update runs one UPDATE on the writer; no row changed is store.ErrNotFound.
func (s *Store) update(ctx context.Context, query string, args ...any) error {
	return updateOne(ctx, s.writer, query, args...)
}

// updateOne runs one UPDATE on db; no row changed is store.ErrNotFound.
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
		return store.ErrNotFound
	}
	return nil
}
