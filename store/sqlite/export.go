package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"storyline/store"
)

// Export reads the whole store in one snapshot, for `storyline migrate`.
func (s *Store) Export(ctx context.Context) (store.Snapshot, error) {
	snap, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (store.Snapshot, error) {
		var snap store.Snapshot
		if err := tx.QueryRowContext(ctx, `SELECT id FROM store_identity`).Scan(&snap.StoreID); err != nil {
			return snap, fmt.Errorf("store id: %w", err)
		}
		var err error
		if snap.Items, err = queryRows(ctx, tx, scanRecord, selectRecordsSQL+`ORDER BY seq`); err != nil {
			return snap, fmt.Errorf("items: %w", err)
		}
		if snap.Mentions, err = queryRows(ctx, tx, func(r row) (store.Mention, error) {
			var m store.Mention
			var at int64
			err := r.Scan(&m.ItemID, &m.Actor, &at)
			m.At = fromMillis(at)
			return m, err
		}, `SELECT item_id, actor, at FROM mentions ORDER BY item_id, actor`); err != nil {
			return snap, fmt.Errorf("mentions: %w", err)
		}
		if snap.Clusters, err = queryRows(ctx, tx, func(r row) (store.Cluster, error) {
			var c store.Cluster
			var created, updated int64
			err := r.Scan(&c.ID, &c.LeadItemID, &c.ChannelID, &c.MessageID, &c.ThreadID, &created, &updated)
			c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
			return c, err
		}, `SELECT id, lead_item_id, channel_id, message_id, thread_id, created_at, updated_at FROM clusters ORDER BY id`); err != nil {
			return snap, fmt.Errorf("clusters: %w", err)
		}
		if snap.Outbox, err = queryRows(ctx, tx, scanOutboxRow, `
			SELECT id, kind, item_ids, cluster_id, status, attempts, next_attempt, created_at,
			       error_code, last_error, channel_id, message_id, in_flight_at, sent_at, failed_at
			FROM outbox ORDER BY id`); err != nil {
			return snap, fmt.Errorf("outbox: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `
			SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
			           coalesce((SELECT max(id) FROM outbox), 0))`).Scan(&snap.LastOutboxID); err != nil {
			return snap, fmt.Errorf("outbox sequence: %w", err)
		}
		if snap.FeedStates, err = queryRows(ctx, tx, scanFeedState,
			`SELECT `+feedStateColumns+` FROM feed_state ORDER BY url`); err != nil {
			return snap, fmt.Errorf("feed states: %w", err)
		}
		if snap.Digests, err = queryRows(ctx, tx, func(r row) (store.Daily, error) {
			var d store.Daily
			var start, end int64
			err := r.Scan(&d.EntryID, &start, &end)
			d.Start, d.End = fromMillis(start), fromMillis(end)
			return d, err
		}, `SELECT outbox_id, period_start, period_end FROM digests ORDER BY period_end`); err != nil {
			return snap, fmt.Errorf("digests: %w", err)
		}
		if snap.Signatures, err = queryRows(ctx, tx, func(r row) (store.Candidate, error) {
			var c store.Candidate
			var at int64
			err := r.Scan(&c.ItemID, &c.ClusterID, &at, &c.Sig)
			c.Published = fromMillis(at)
			return c, err
		}, `SELECT item_id, cluster_id, at, sig FROM signatures ORDER BY at, item_id`); err != nil {
			return snap, fmt.Errorf("signatures: %w", err)
		}
		if snap.Counts.Hours, err = queryRows(ctx, tx, scanHourCount, exportHoursSQL); err != nil {
			return snap, fmt.Errorf("hour counts: %w", err)
		}
		if snap.Counts.Pairs, err = queryRows(ctx, tx, scanPairCount, exportPairsSQL); err != nil {
			return snap, fmt.Errorf("pair counts: %w", err)
		}
		return snap, nil
	})
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("export: %w", err)
	}
	return snap, nil
}

// scanOutboxRow reads an outbox row with its delivery times.
func scanOutboxRow(r row) (store.OutboxRow, error) {
	var o store.OutboxRow
	var itemIDs string
	var cluster, inFlight, sent, failed sql.NullInt64
	var next, created int64
	err := r.Scan(&o.ID, &o.Kind, &itemIDs, &cluster, &o.Status, &o.Attempts, &next, &created,
		&o.ErrorCode, &o.LastError, &o.ChannelID, &o.MessageID, &inFlight, &sent, &failed)
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal([]byte(itemIDs), &o.ItemIDs); err != nil {
		return o, fmt.Errorf("entry %d: %w", o.ID, err)
	}
	if len(o.ItemIDs) == 0 {
		o.ItemIDs = nil
	}
	o.ClusterID = cluster.Int64
	o.NextAttempt, o.CreatedAt = fromMillis(next), fromMillis(created)
	o.SentAt, o.FailedAt = fromNullMillis(sent), fromNullMillis(failed)
	o.InFlightAt = fromNullMillis(inFlight)
	return o, nil
}

// The queries that export the counts, in key order.
const (
	exportHoursSQL = `SELECT actor, hour, mentions, first_at, last_at FROM actor_hours ORDER BY actor, hour`
	exportPairsSQL = `SELECT actor, day, other, reports FROM actor_pairs ORDER BY actor, day, other`
)

// scanHourCount reads a row of exportHoursSQL.
func scanHourCount(r row) (store.HourCount, error) {
	var h store.HourCount
	var hour, first, last int64
	err := r.Scan(&h.Actor, &hour, &h.Mentions, &first, &last)
	h.Hour, h.First, h.Last = fromMillis(hour), fromMillis(first), fromMillis(last)
	return h, err
}

// scanPairCount reads a row of exportPairsSQL.
func scanPairCount(r row) (store.PairCount, error) {
	var p store.PairCount
	var day int64
	err := r.Scan(&p.Actor, &day, &p.Other, &p.Reports)
	p.Day = fromMillis(day)
	return p, err
}
