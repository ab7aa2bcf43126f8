package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"storyline/store"
)

// The lookups of digests: the end of the latest, and the period of one.
const (
	latestDailySQL = `SELECT max(period_end) FROM digests`
	dailyOfSQL     = `SELECT period_start, period_end FROM digests WHERE outbox_id = ?`
)

// QueueDaily queues the daily digest scheduled at end in one write
// transaction, which reads where the latest digest ended.
func (s *Store) QueueDaily(ctx context.Context, from, end time.Time) (store.Daily, error) {
	var d store.Daily
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, latestDailySQL).Scan(&last); err != nil {
			return err
		}
		var err error
		if d, err = store.DailyPeriod(from, end, fromNullMillis(last)); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `
			INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES (?, '[]', ?, ?)
			RETURNING id`, store.KindDaily, now, now).Scan(&d.EntryID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO digests (period_end, period_start, outbox_id) VALUES (?, ?, ?)`,
			millis(d.End), millis(d.Start), d.EntryID)
		return err
	})
	if err != nil {
		return store.Daily{}, fmt.Errorf("queue daily digest at %s: %w", end.UTC().Format(time.RFC3339), err)
	}
	return d, nil
}

// DailyOf returns the digest sent by outbox entry entryID.
func (s *Store) DailyOf(ctx context.Context, entryID int64) (store.Daily, error) {
	d := store.Daily{EntryID: entryID}
	var start, end int64
	err := s.reader.QueryRowContext(ctx, dailyOfSQL, entryID).Scan(&start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Daily{}, fmt.Errorf("daily digest of entry %d: %w", entryID, err)
	}
	d.Start, d.End = fromMillis(start), fromMillis(end)
	return d, nil
}
