package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"storyline/store"
)

// QueueDaily queues the daily digest scheduled at end in one transaction,
// which locks the digests table so that two instances queuing the same
// digest queue it once.
func (s *Store) QueueDaily(ctx context.Context, from, end time.Time) (store.Daily, error) {
	var d store.Daily
	now := millis(s.now())
	err := s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE digests IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var last *int64
		if err := tx.QueryRow(ctx, `SELECT max(period_end) FROM digests`).Scan(&last); err != nil {
			return err
		}
		var err error
		if d, err = store.DailyPeriod(from, end, fromNullMillis(last)); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES ($1, '{}', $2, $2)
			RETURNING id`, store.KindDaily, now).Scan(&d.EntryID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO digests (period_end, period_start, outbox_id) VALUES ($1, $2, $3)`,
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
	err := s.pool.QueryRow(ctx, `SELECT period_start, period_end FROM digests WHERE outbox_id = $1`, entryID).Scan(&start, &end)
	if err != nil {
		return store.Daily{}, fmt.Errorf("daily digest of entry %d: %w", entryID, noRows(err))
	}
	d.Start, d.End = fromMillis(start), fromMillis(end)
	return d, nil
}

// The queries of DailyReport; $1 and $2 bound the period by seen_at, read
// through items_seen.
const (
	dailyDevelopmentsSQL = `
		WITH period AS (
			SELECT seq, id, cluster_id, feed_name, seen_at FROM items
			WHERE seen_at >= $1 AND seen_at < $2 AND relevant
		), developments AS (
			SELECT p.cluster_id AS cluster_id, c.lead_item_id AS lead_id,
			       count(DISTINCT p.feed_name) AS outlets, count(*) AS reports, max(p.seen_at) AS latest
			FROM period AS p JOIN clusters AS c ON c.id = p.cluster_id
			GROUP BY p.cluster_id, c.lead_item_id
			UNION ALL
			SELECT 0, id, 1, 1, seen_at FROM period WHERE cluster_id IS NULL
		)
		SELECT d.cluster_id, l.title, l.link, l.feed_name, d.outlets::int, d.reports::int, d.latest,
		       (count(*) OVER ())::int
		FROM developments AS d JOIN items AS l ON l.id = d.lead_id
		ORDER BY d.outlets DESC, d.latest DESC, d.reports DESC, l.seq
		LIMIT greatest($3, 1)`
	dailyActorsSQL = `
		SELECT m.actor, count(*)::int AS n
		FROM items AS i JOIN mentions AS m ON m.item_id = i.id
		WHERE i.seen_at >= $1 AND i.seen_at < $2 AND i.relevant
		GROUP BY m.actor ORDER BY n DESC, m.actor LIMIT $3`
	dailyCountsSQL = `
		SELECT count(*)::int, (count(*) FILTER (WHERE relevant))::int FROM items
		WHERE seen_at >= $1 AND seen_at < $2`
)

// DailyReport returns what a daily digest says about q's period, read in
// one snapshot.
func (s *Store) DailyReport(ctx context.Context, q store.DailyQuery) (store.DailyReport, error) {
	r, err := snapshot(ctx, s.pool, func(tx pgx.Tx) (store.DailyReport, error) { return dailyReport(ctx, tx, q) })
	if err != nil {
		return store.DailyReport{}, fmt.Errorf("daily report: %w", err)
	}
	return r, nil
}

// dailyReport runs DailyReport's queries in tx.
func dailyReport(ctx context.Context, tx pgx.Tx, q store.DailyQuery) (store.DailyReport, error) {
	r := store.DailyReport{Start: q.Start, End: q.End}
	start, end := millis(q.Start), millis(q.End)
	if err := tx.QueryRow(ctx, dailyCountsSQL, start, end).Scan(&r.Items, &r.Relevant); err != nil {
		return r, fmt.Errorf("counts: %w", err)
	}
	type counted struct {
		store.Development
		all int
	}
	rows, err := queryRows(ctx, tx, func(r row) (counted, error) {
		var d counted
		var latest int64
		err := r.Scan(&d.ClusterID, &d.Title, &d.Link, &d.FeedName, &d.Outlets, &d.Reports, &latest, &d.all)
		d.Latest = fromMillis(latest)
		return d, err
	}, dailyDevelopmentsSQL, start, end, q.Developments)
	if err != nil {
		return r, fmt.Errorf("developments: %w", err)
	}
	for _, d := range rows[:min(max(q.Developments, 0), len(rows))] {
		r.Developments = append(r.Developments, d.Development)
	}
	if len(rows) > 0 {
		r.AllDevelopments = rows[0].all
	}
	r.Actors, err = queryRows(ctx, tx, func(r row) (store.NamedActor, error) {
		var a store.NamedActor
		return a, r.Scan(&a.Actor, &a.Items)
	}, dailyActorsSQL, start, end, q.Actors)
	if err != nil {
		return r, fmt.Errorf("actors: %w", err)
	}
	r.Actors = orNil(r.Actors)
	return r, nil
}
