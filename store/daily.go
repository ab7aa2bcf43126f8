package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// KindDaily creates the daily digest message; its entry has no items, its
// period is in Daily.
const KindDaily OutboxKind = "daily"

// ErrDailyExists is returned by QueueDaily when a digest was queued already
// for that time or a later one.
var ErrDailyExists = errors.New("store: daily digest already queued")

// Daily is one queued daily digest: the outbox entry that sends it and the
// period it covers, from Start (included) to End (excluded).
type Daily struct {
	EntryID    int64
	Start, End time.Time
}

// The lookups of digests: the end of the latest, and the period of one.
const (
	latestDailySQL = `SELECT max(period_end) FROM digests`
	dailyOfSQL     = `SELECT period_start, period_end FROM digests WHERE outbox_id = ?`
)

// QueueDaily queues the daily digest scheduled at end, covering the items
// seen since the latest digest ended or, for the first digest, since from.
// A digest is queued once per scheduled time: ErrDailyExists when one was
// queued for end already, or for a later time. The entry is due at once.
func (s *Store) QueueDaily(ctx context.Context, from, end time.Time) (Daily, error) {
	d := Daily{Start: from, End: end}
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, latestDailySQL).Scan(&last); err != nil {
			return err
		}
		if last.Valid && last.Int64 >= millis(end) {
			return ErrDailyExists
		}
		if last.Valid {
			d.Start = fromMillis(last.Int64)
		}
		if !d.Start.Before(d.End) {
			return fmt.Errorf("period starts at %v, not before its end", d.Start)
		}
		err := tx.QueryRowContext(ctx, `
			INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES (?, '[]', ?, ?)
			RETURNING id`, KindDaily, now, now).Scan(&d.EntryID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO digests (period_end, period_start, outbox_id) VALUES (?, ?, ?)`,
			millis(d.End), millis(d.Start), d.EntryID)
		return err
	})
	if err != nil {
		return Daily{}, fmt.Errorf("queue daily digest at %s: %w", end.UTC().Format(time.RFC3339), err)
	}
	return d, nil
}

// DailyOf returns the digest sent by outbox entry id, or an error wrapping
// ErrNotFound.
func (s *Store) DailyOf(ctx context.Context, entryID int64) (Daily, error) {
	d := Daily{EntryID: entryID}
	var start, end int64
	err := s.reader.QueryRowContext(ctx, dailyOfSQL, entryID).Scan(&start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Daily{}, fmt.Errorf("daily digest of entry %d: %w", entryID, err)
	}
	d.Start, d.End = fromMillis(start), fromMillis(end)
	return d, nil
}
