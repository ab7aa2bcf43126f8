package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"storyline/store"
)

// The queries of DailyReport; ?1 and ?2 bound the period by seen_at, read
// through items_seen.
const (
	dailyDevelopmentsSQL = `
		WITH period AS (
			SELECT id, cluster_id, feed_name, seen_at FROM items
			WHERE seen_at >= ?1 AND seen_at < ?2 AND relevant = 1
		), developments AS (
			SELECT p.cluster_id AS cluster_id, c.lead_item_id AS lead_id,
			       count(DISTINCT p.feed_name) AS outlets, count(*) AS reports, max(p.seen_at) AS latest
			FROM period AS p CROSS JOIN clusters AS c ON c.id = p.cluster_id
			GROUP BY p.cluster_id
			UNION ALL
			SELECT 0, id, 1, 1, seen_at FROM period WHERE cluster_id IS NULL
		)
		SELECT d.cluster_id, l.title, l.link, l.feed_name, d.outlets, d.reports, d.latest, count(*) OVER ()
		FROM developments AS d CROSS JOIN items AS l ON l.id = d.lead_id
		ORDER BY d.outlets DESC, d.latest DESC, d.reports DESC, l.seq
		LIMIT max(?3, 1)`
	dailyActorsSQL = `
		SELECT m.actor, count(*) AS n
		FROM items AS i CROSS JOIN mentions AS m ON m.item_id = i.id
		WHERE i.seen_at >= ?1 AND i.seen_at < ?2 AND i.relevant = 1
		GROUP BY m.actor ORDER BY n DESC, m.actor LIMIT ?3`
	dailyCountsSQL = `
		SELECT count(*), coalesce(sum(relevant), 0) FROM items
		WHERE relevant IN (0, 1) AND seen_at >= ?1 AND seen_at < ?2`
)

// DailyReport returns what a daily digest says about q's period, read in
// one snapshot through the index items_seen.
func (s *Store) DailyReport(ctx context.Context, q store.DailyQuery) (store.DailyReport, error) {
	r, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (store.DailyReport, error) { return dailyReport(ctx, tx, q) })
	if err != nil {
		return store.DailyReport{}, fmt.Errorf("daily report: %w", err)
	}
	return r, nil
}

// dailyReport runs DailyReport's queries in tx.
func dailyReport(ctx context.Context, tx *sql.Tx, q store.DailyQuery) (store.DailyReport, error) {
	r := store.DailyReport{Start: q.Start, End: q.End}
	start, end := millis(q.Start), millis(q.End)
	if err := tx.QueryRowContext(ctx, dailyCountsSQL, start, end).Scan(&r.Items, &r.Relevant); err != nil {
		return r, fmt.Errorf("counts: %w", err)
	}
	var err error
	if r.Developments, r.AllDevelopments, err = developments(ctx, tx, start, end, q.Developments); err != nil {
		return r, fmt.Errorf("developments: %w", err)
	}
	if r.Actors, err = queryRows(ctx, tx, func(r row) (store.NamedActor, error) {
		var a store.NamedActor
		return a, r.Scan(&a.Actor, &a.Items)
	}, dailyActorsSQL, start, end, q.Actors); err != nil {
		return r, fmt.Errorf("actors: %w", err)
	}
	return r, nil
}

// developments lists at most limit developments of the period and counts
// them all (at least one row is read for the count, even for a limit of 0).
func developments(ctx context.Context, tx *sql.Tx, start, end int64, limit int) ([]store.Development, int, error) {
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
	}, dailyDevelopmentsSQL, start, end, limit)
	if err != nil || len(rows) == 0 {
		return nil, 0, err
	}
	var out []store.Development
	for _, d := range rows[:min(max(limit, 0), len(rows))] {
		out = append(out, d.Development)
	}
	return out, rows[0].all, nil
}
