package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"storyline/store"
)

// outboxColumns are the columns scanOutbox reads, in its order.
const outboxColumns = `id, kind, item_ids, cluster_id, status, attempts, next_attempt, created_at,
	error_code, last_error, channel_id, message_id, in_flight_at`

// outboxHeadSQL selects the oldest pending entry other than an edit,
// through outbox_pending.
const outboxHeadSQL = `SELECT ` + outboxColumns + `
	FROM outbox WHERE status = 'pending' AND kind <> 'edit'
	ORDER BY id LIMIT 1`

// OutboxHead returns the oldest pending entry that is not an edit, or
// store.ErrNoWork.
func (s *Store) OutboxHead(ctx context.Context) (store.OutboxEntry, error) {
	e, err := scanOutbox(s.pool.QueryRow(ctx, outboxHeadSQL))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.OutboxEntry{}, store.ErrNoWork
	}
	if err != nil {
		return store.OutboxEntry{}, fmt.Errorf("outbox head: %w", err)
	}
	return e, nil
}

// OutboxEdits returns the pending edits, oldest first.
func (s *Store) OutboxEdits(ctx context.Context) ([]store.OutboxEntry, error) {
	edits, err := queryRows(ctx, s.pool, scanOutbox, `SELECT `+outboxColumns+`
		FROM outbox WHERE status = 'pending' AND kind = 'edit' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("outbox edits: %w", err)
	}
	return edits, nil
}

// scanOutbox reads one row of outboxColumns.
func scanOutbox(r row) (store.OutboxEntry, error) {
	var e store.OutboxEntry
	var cluster, inFlight *int64
	var next, created int64
	if err := r.Scan(&e.ID, &e.Kind, &e.ItemIDs, &cluster, &e.Status, &e.Attempts, &next, &created,
		&e.ErrorCode, &e.LastError, &e.ChannelID, &e.MessageID, &inFlight); err != nil {
		return store.OutboxEntry{}, err
	}
	if cluster != nil {
		e.ClusterID = *cluster
	}
	e.ItemIDs = orNil(e.ItemIDs)
	e.NextAttempt = fromMillis(next)
	e.CreatedAt = fromMillis(created)
	e.InFlightAt = fromNullMillis(inFlight)
	return e, nil
}

// MarkInFlight keeps the first time a request for entry id was sent.
func (s *Store) MarkInFlight(ctx context.Context, id int64, at time.Time) error {
	err := updateOne(ctx, s.pool, `UPDATE outbox SET in_flight_at = coalesce(in_flight_at, $1) WHERE id = $2`, millis(at), id)
	if err != nil {
		return fmt.Errorf("mark in flight %d: %w", id, err)
	}
	return nil
}

// MarkEditsSent records the delivery of a cluster's pending edits up to
// upTo.
func (s *Store) MarkEditsSent(ctx context.Context, clusterID, upTo int64, channelID, messageID string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE outbox SET status = 'sent', channel_id = $1, message_id = $2, sent_at = $3
		WHERE status = 'pending' AND kind = 'edit' AND cluster_id = $4 AND id <= $5`,
		channelID, messageID, millis(at), clusterID, upTo)
	if err != nil {
		return fmt.Errorf("mark edits of cluster %d sent: %w", clusterID, err)
	}
	return nil
}

// StoreID returns the identity drawn when the database was created.
func (s *Store) StoreID(ctx context.Context) (string, error) {
	var id string
	if err := s.pool.QueryRow(ctx, `SELECT id FROM store_identity`).Scan(&id); err != nil {
		return "", fmt.Errorf("store id: %w", err)
	}
	return id, nil
}

// MarkSent records the delivery of entry id, on its items and cluster too,
// in one transaction.
func (s *Store) MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		var kind store.OutboxKind
		var itemIDs []string
		var cluster *int64
		err := tx.QueryRow(ctx, `
			UPDATE outbox SET status = 'sent', channel_id = $1, message_id = $2, sent_at = $3
			WHERE id = $4 RETURNING kind, item_ids, cluster_id`,
			channelID, messageID, millis(at), id).Scan(&kind, &itemIDs, &cluster)
		if err != nil || (kind != store.KindPost && kind != store.KindDigest) {
			return noRows(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE items SET channel_id = $1, message_id = $2 WHERE id = ANY ($3)`,
			channelID, messageID, itemIDs); err != nil {
			return err
		}
		if kind != store.KindPost || cluster == nil {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE clusters SET channel_id = $1, message_id = $2 WHERE id = $3`,
			channelID, messageID, *cluster)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark sent %d: %w", id, err)
	}
	return nil
}

// MarkRetry counts a failed attempt at entry id.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	err := updateOne(ctx, s.pool, `
		UPDATE outbox SET attempts = attempts + 1, next_attempt = $1, last_error = $2 WHERE id = $3`,
		millis(next), reason, id)
	if err != nil {
		return fmt.Errorf("mark retry %d: %w", id, err)
	}
	return nil
}

// MarkFailed records that Discord refused entry id for good.
func (s *Store) MarkFailed(ctx context.Context, id int64, code int, reason string, at time.Time) error {
	err := updateOne(ctx, s.pool, `
		UPDATE outbox SET status = 'failed', attempts = attempts + 1, error_code = $1,
		                  last_error = $2, failed_at = $3
		WHERE id = $4`, code, reason, millis(at), id)
	if err != nil {
		return fmt.Errorf("mark failed %d: %w", id, err)
	}
	return nil
}

// MarkReposted records, in one transaction, the repost of an edit whose
// message was gone.
func (s *Store) MarkReposted(ctx context.Context, id, clusterID int64, channelID, messageID string, at time.Time) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := updateOne(ctx, tx, `
			UPDATE outbox SET status = 'sent', channel_id = $1, message_id = $2, sent_at = $3
			WHERE id = $4 AND cluster_id = $5`, channelID, messageID, millis(at), id, clusterID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE clusters SET channel_id = $1, message_id = $2, thread_id = '' WHERE id = $3`,
			channelID, messageID, clusterID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE items SET channel_id = $1, message_id = $2 WHERE cluster_id = $3`,
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
	tag, err := s.pool.Exec(ctx, `
		UPDATE outbox SET status = 'pending', next_attempt = $1, attempts = 0, error_code = 0,
		                  failed_at = NULL
		WHERE status = 'failed' OR (status = 'pending' AND next_attempt > $1)`, millis(now))
	if err != nil {
		return 0, fmt.Errorf("retry failed: %w", err)
	}
	return tag.RowsAffected(), nil
}

// outboxStatsSQL counts pending and failed entries, finds the last delivery
// and the latest refusal still failed, each through a partial index.
const outboxStatsSQL = `
	SELECT (SELECT count(*) FROM outbox WHERE status = 'pending'),
	       (SELECT count(*) FROM outbox WHERE status = 'failed'),
	       (SELECT max(sent_at) FROM outbox WHERE sent_at IS NOT NULL),
	       coalesce(f.last_error, ''), coalesce(f.error_code, 0), f.failed_at
	FROM (SELECT 1) AS one LEFT JOIN (
		SELECT last_error, error_code, failed_at FROM outbox
		WHERE status = 'failed' ORDER BY failed_at DESC, id DESC LIMIT 1) AS f ON true`

// OutboxStats returns the outbox summary.
func (s *Store) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	var st store.OutboxStats
	var failedAt, sentAt *int64
	err := s.pool.QueryRow(ctx, outboxStatsSQL).Scan(
		&st.Pending, &st.Failed, &sentAt, &st.LastFailure, &st.LastFailureCode, &failedAt)
	if err != nil {
		return store.OutboxStats{}, fmt.Errorf("outbox stats: %w", err)
	}
	st.LastFailureAt = fromNullMillis(failedAt)
	st.LastSentAt = fromNullMillis(sentAt)
	return st, nil
}
