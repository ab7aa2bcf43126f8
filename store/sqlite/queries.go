package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"storyline/store"
)

// day is the length of one UTC day, the bucket of ActorReport.Daily.
const day = 24 * time.Hour

// The queries of ActorReport. Counts read actor_hours and actor_pairs by
// their primary keys; the latest items read mentions through
// mentions_actor_at. ?1 is the actor.
const (
	actorCountsSQL = `
		SELECT coalesce(sum(mentions) FILTER (WHERE hour >= ?2), 0),
		       coalesce(sum(mentions) FILTER (WHERE hour >= ?3), 0),
		       coalesce(sum(mentions) FILTER (WHERE hour >= ?4), 0),
		       coalesce(sum(mentions) FILTER (WHERE hour >= ?5 AND hour < ?3), 0)
		FROM actor_hours WHERE actor = ?1 AND hour >= min(?4, ?5) AND hour < ?6`
	actorSeenSQL = `
		SELECT (SELECT first_at FROM actor_hours WHERE actor = ?1 ORDER BY hour LIMIT 1),
		       (SELECT last_at FROM actor_hours WHERE actor = ?1 ORDER BY hour DESC LIMIT 1)`
	actorWithSQL = `
		SELECT other, sum(reports) AS n FROM actor_pairs
		WHERE actor = ?1 AND day >= ?2 AND day < ?3
		GROUP BY other ORDER BY n DESC, other LIMIT ?4`
	actorLatestSQL = `
		SELECT i.id, i.title, i.link, i.feed_name, i.published
		FROM mentions AS m JOIN items AS i ON i.id = m.item_id
		WHERE m.actor = ?1 ORDER BY m.at DESC, m.item_id DESC LIMIT ?2`
	actorDailySQL = `
		SELECT (hour - ?2) / 86400000, sum(mentions) FROM actor_hours
		WHERE actor = ?1 AND hour >= ?2 AND hour < ?3 GROUP BY 1`
)

// ActorReport returns the mention statistics of q.Actor, read in one
// snapshot.
func (s *Store) ActorReport(ctx context.Context, q store.ActorQuery) (store.ActorReport, error) {
	r, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (store.ActorReport, error) {
		return actorReport(ctx, preparedTx{tx, s.prepared}, q)
	})
	if err != nil {
		return store.ActorReport{}, fmt.Errorf("actor report %q: %w", q.Actor, err)
	}
	return r, nil
}

// actorReport runs ActorReport's queries in tx.
func actorReport(ctx context.Context, tx rowReader, q store.ActorQuery) (store.ActorReport, error) {
	r := store.ActorReport{Actor: q.Actor}
	dayW, week, month := store.HoursBefore(q.Now, 24), store.HoursBefore(q.Now, 7*24), store.HoursBefore(q.Now, 30*24)
	err := tx.QueryRowContext(ctx, actorCountsSQL, q.Actor, millis(dayW.Start), millis(week.Start),
		millis(month.Start), millis(week.Shift().Start), millis(month.End)).Scan(&r.Day, &r.Week, &r.Month, &r.PrevWeek)
	if err != nil {
		return r, fmt.Errorf("counts: %w", err)
	}
	var first, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, actorSeenSQL, q.Actor).Scan(&first, &last); err != nil {
		return r, fmt.Errorf("first and last seen: %w", err)
	}
	r.FirstSeen, r.LastSeen = fromNullMillis(first), fromNullMillis(last)
	withEnd := q.Now.UTC().Truncate(day).Add(day)
	if r.With, err = queryRows(ctx, tx, scanActorCount, actorWithSQL, q.Actor,
		millis(withEnd.Add(-store.NamedWithDays*day)), millis(withEnd), q.With); err != nil {
		return r, fmt.Errorf("named with: %w", err)
	}
	if r.Latest, err = queryRows(ctx, tx, scanItemRef, actorLatestSQL, q.Actor, q.Latest); err != nil {
		return r, fmt.Errorf("latest items: %w", err)
	}
	if r.Daily, err = dailyCounts(ctx, tx, q); err != nil {
		return r, fmt.Errorf("daily counts: %w", err)
	}
	return r, nil
}

// dailyCounts counts q.Actor's mentions per UTC day over q.Days days.
func dailyCounts(ctx context.Context, tx rowReader, q store.ActorQuery) ([]int, error) {
	if q.Days <= 0 {
		return nil, nil
	}
	end := q.Now.UTC().Truncate(day).Add(day)
	start := end.Add(-time.Duration(q.Days) * day)
	type dayCount struct{ day, n int }
	counts, err := queryRows(ctx, tx, func(r row) (dayCount, error) {
		var c dayCount
		return c, r.Scan(&c.day, &c.n)
	}, actorDailySQL, q.Actor, millis(start), millis(end))
	if err != nil {
		return nil, err
	}
	daily := make([]int, q.Days)
	for _, c := range counts {
		if c.day >= 0 && c.day < len(daily) {
			daily[c.day] = c.n
		}
	}
	return daily, nil
}

// scanActorCount reads an (actor, count) row.
func scanActorCount(r row) (store.ActorCount, error) {
	var c store.ActorCount
	return c, r.Scan(&c.Actor, &c.Count)
}

// scanItemRef reads an (id, title, link, feed_name, published) row.
func scanItemRef(r row) (store.ItemRef, error) {
	var it store.ItemRef
	var published int64
	err := r.Scan(&it.ID, &it.Title, &it.Link, &it.FeedName, &published)
	it.Published = fromMillis(published)
	return it, err
}

// actorTrendsSQL counts, for each actor of the JSON array ?1, the mentions
// in the hours [?3, ?4) and [?2, ?3): one primary-key range per actor and
// window.
const actorTrendsSQL = `
	SELECT a.value,
	       (SELECT coalesce(sum(mentions), 0) FROM actor_hours WHERE actor = a.value AND hour >= ?3 AND hour < ?4),
	       (SELECT coalesce(sum(mentions), 0) FROM actor_hours WHERE actor = a.value AND hour >= ?2 AND hour < ?3)
	FROM json_each(?1) AS a
	ORDER BY 2 DESC, 3 DESC, 1`

// ActorTrends counts the mentions of actors in two windows of whole hours.
func (s *Store) ActorTrends(ctx context.Context, actors []string, now time.Time, window time.Duration) ([]store.ActorTrend, error) {
	namesJSON, err := json.Marshal(actors)
	if err != nil {
		return nil, fmt.Errorf("actor trends: %w", err)
	}
	cur := store.HoursBefore(now, store.Hours(window))
	rows, err := s.prepared[actorTrendsSQL].QueryContext(ctx, string(namesJSON), millis(cur.Shift().Start), millis(cur.Start), millis(cur.End))
	out, err := readRows(rows, err, func(r row) (store.ActorTrend, error) {
		var t store.ActorTrend
		return t, r.Scan(&t.Actor, &t.Current, &t.Previous)
	})
	if err != nil {
		return nil, fmt.Errorf("actor trends: %w", err)
	}
	return out, nil
}
