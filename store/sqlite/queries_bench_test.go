package sqlite

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/store"
)

// benchReports lists the store sizes the store benchmarks run at; add
// 10000000 for ten million reports (about 11 GB in the system's temporary
// directory, generated once in half an hour).
var benchReports = flag.String("reports", "1000,100000,1000000", "comma-separated store sizes of BenchmarkCommandQueries")

// BenchmarkCommandQueries measures, on stores of 1,000, 100,000 and
// 1,000,000 reports (see benchStorePath), the store's side of every command
// and of a poll that finds nothing new, reporting the median and 99th
// percentile of single calls. Each is run beside its baseline, the queries
// before counts, bounded search and prepared statements (kept below as
// they were), on the same store in the same run.
//
//	go test -run '^$' -bench CommandQueries -benchtime 200x ./store/sqlite/
func BenchmarkCommandQueries(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) { benchCommands(b, openBench(b, n)) })
	}
}

// benchSizes returns the store sizes -reports lists.
func benchSizes(b *testing.B) []int {
	var sizes []int
	for _, field := range strings.Split(*benchReports, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			b.Fatalf("-reports: %q is not a number of reports", field)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// benchCommands runs the command benchmarks on s.
func benchCommands(b *testing.B, s *Store) {
	ctx := b.Context()
	busiest := store.ActorQuery{Actor: benchActor(0), Now: t0, Days: 30, Latest: 5, With: 5}
	actors := make([]string, benchActors)
	for i := range actors {
		actors[i] = benchActor(i)
	}
	pair := func(name string, current, baseline func() error) {
		b.Run(name+"/now", func(b *testing.B) { percentiles(b, current) })
		if baseline != nil {
			b.Run(name+"/baseline", func(b *testing.B) { percentiles(b, baseline) })
		}
	}
	pair("actor-busiest", func() error {
		_, err := s.ActorReport(ctx, busiest)
		return err
	}, func() error {
		_, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (store.ActorReport, error) { return oldActorReport(ctx, tx, busiest) })
		return err
	})
	pair("actors-40", func() error {
		_, err := s.ActorTrends(ctx, actors, t0, 7*day)
		return err
	}, func() error {
		_, err := oldActorTrends(ctx, s, actors, t0, 7*day)
		return err
	})
	// The phrase "Actor 00" is in 57% of the reports, w17 in 27%, w4321 in
	// fewer than one in a thousand.
	for _, q := range []string{`"Actor 00"`, "w17", "w4321"} {
		pair("search-"+q, func() error {
			_, err := s.Search(ctx, q, 10)
			return err
		}, func() error {
			_, err := queryRows(ctx, s.reader, scanSearchHit, oldSearchSQL, q, 10, oldSearchRanked)
			return err
		})
	}
	pair("latest-10", func() error {
		_, err := s.LatestPosted(ctx, 10)
		return err
	}, nil)
	pair("why-posted", func() error {
		_, err := s.MessageItems(ctx, "m-50")
		return err
	}, nil)
	poll, state := benchPoll(s, 35)
	pair("poll-nothing-new-35", func() error {
		fresh, err := s.Unseen(ctx, poll)
		if err == nil && len(fresh) > 0 {
			err = fmt.Errorf("%d of the poll's items are new", len(fresh))
		}
		if err == nil {
			_, err = s.Commit(ctx, store.Batch{State: state})
		}
		return err
	}, func() error {
		fresh, err := oldUnseen(ctx, s, poll)
		if err == nil && len(fresh) > 0 {
			err = fmt.Errorf("%d of the poll's items are new", len(fresh))
		}
		if err == nil {
			_, err = s.Commit(ctx, store.Batch{State: state})
		}
		return err
	})
}

// benchPoll returns the n latest reports of a benchmark store as a feed
// would carry them again, and the feed's state after the poll.
func benchPoll(s *Store, n int) ([]feeds.Item, feeds.State) {
	var maxSeq int
	_ = s.reader.QueryRow(`SELECT max(seq) FROM items`).Scan(&maxSeq)
	var items []feeds.Item
	for k := max(0, maxSeq-n); k < maxSeq; k++ {
		id := benchItemID(k)
		items = append(items, feeds.Item{ID: id, GUID: id, Link: "https://wire.example/" + id, Title: "t"})
	}
	return items, feeds.State{URL: "https://wire.example/feed", LastPoll: t0, LastSuccess: t0, NextPoll: t0.Add(10 * time.Minute)}
}

// percentiles runs op in b.Loop and reports the median and 99th
// percentile of its calls in milliseconds. A first call, not measured,
// reads what op needs into the page cache.
func percentiles(b *testing.B, op func() error) {
	if err := op(); err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	at := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(took)))) - 1
		return float64(took[max(i, 0)].Microseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// The baseline: the queries of ActorReport, ActorTrends, Search and Unseen
// as they were before the counts (they counted mentions through
// mentions_actor_at), the bounded search (bm25 over the latest 10,000
// matches) and the statements prepared once.
const (
	oldActorCountsSQL = `
		SELECT coalesce(sum(at > ?2), 0), coalesce(sum(at > ?3), 0), count(*),
		       coalesce(sum(at > ?5 AND at <= ?3), 0)
		FROM mentions WHERE actor = ?1 AND at > ?4 AND at <= ?6`
	oldActorSeenSQL = `
		SELECT (SELECT min(at) FROM mentions WHERE actor = ?1),
		       (SELECT max(at) FROM mentions WHERE actor = ?1)`
	oldActorWithSQL = `
		SELECT other.actor, count(*) AS n
		FROM (SELECT item_id FROM mentions WHERE actor = ?1 AND at <= ?2 ORDER BY at DESC LIMIT ?3) AS m
		CROSS JOIN mentions AS other ON other.item_id = m.item_id AND other.actor != ?1
		GROUP BY other.actor ORDER BY n DESC, other.actor LIMIT ?4`
	oldActorDailySQL = `
		SELECT (at - ?2) / 86400000, count(*) FROM mentions
		WHERE actor = ?1 AND at >= ?2 AND at < ?3 GROUP BY 1`
	oldNamedWithSample = 1000
	oldActorTrendsSQL  = `
		SELECT a.value,
		       (SELECT count(*) FROM mentions WHERE actor = a.value AND at > ?2 AND at <= ?3),
		       (SELECT count(*) FROM mentions WHERE actor = a.value AND at > ?4 AND at <= ?2)
		FROM json_each(?1) AS a ORDER BY 2 DESC, 3 DESC, 1`
	oldSearchSQL = `
		WITH best AS (
			SELECT rowid, score FROM (
				SELECT rowid, bm25(items_fts, 2.0, 1.0) AS score FROM items_fts
				WHERE items_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3)
			ORDER BY score LIMIT ?2)
		SELECT i.id, i.title, i.link, i.feed_name, i.published, i.relevant,
		       snippet(items_fts, -1, char(2), char(3), '…', 20)
		FROM best CROSS JOIN items_fts ON items_fts.rowid = best.rowid
		CROSS JOIN items AS i ON i.seq = best.rowid
		WHERE items_fts MATCH ?1
		ORDER BY best.score, best.rowid DESC`
	oldSearchRanked = 10_000
)

// oldActorReport is ActorReport before the counts.
func oldActorReport(ctx context.Context, tx *sql.Tx, q store.ActorQuery) (store.ActorReport, error) {
	r := store.ActorReport{Actor: q.Actor}
	now := millis(q.Now)
	err := tx.QueryRowContext(ctx, oldActorCountsSQL, q.Actor,
		now-day.Milliseconds(), now-(7*day).Milliseconds(), now-(30*day).Milliseconds(),
		now-(14*day).Milliseconds(), now).Scan(&r.Day, &r.Week, &r.Month, &r.PrevWeek)
	if err != nil {
		return r, err
	}
	var first, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, oldActorSeenSQL, q.Actor).Scan(&first, &last); err != nil {
		return r, err
	}
	if r.With, err = queryRows(ctx, tx, scanActorCount, oldActorWithSQL, q.Actor, now, oldNamedWithSample, q.With); err != nil {
		return r, err
	}
	if r.Latest, err = queryRows(ctx, tx, scanItemRef, actorLatestSQL, q.Actor, q.Latest); err != nil {
		return r, err
	}
	end := q.Now.UTC().Truncate(day).Add(day)
	_, err = queryRows(ctx, tx, func(r row) ([2]int, error) {
		var c [2]int
		return c, r.Scan(&c[0], &c[1])
	}, oldActorDailySQL, q.Actor, millis(end.Add(-time.Duration(q.Days)*day)), millis(end))
	return r, err
}

// oldActorTrends is ActorTrends before the counts.
func oldActorTrends(ctx context.Context, s *Store, actors []string, now time.Time, window time.Duration) ([]store.ActorTrend, error) {
	names := `["` + strings.Join(actors, `","`) + `"]`
	end := millis(now)
	return queryRows(ctx, s.reader, func(r row) (store.ActorTrend, error) {
		var t store.ActorTrend
		return t, r.Scan(&t.Actor, &t.Current, &t.Previous)
	}, oldActorTrendsSQL, names, end-window.Milliseconds(), end, end-2*window.Milliseconds())
}

// oldUnseen is Unseen before its query was prepared once: database/sql
// prepares it again on every call.
func oldUnseen(ctx context.Context, s *Store, items []feeds.Item) ([]feeds.Item, error) {
	var ids, links []string
	for _, it := range items {
		ids = append(ids, it.ID)
		links = append(links, it.Link)
	}
	keys, err := queryRows(ctx, s.reader, func(r row) ([2]string, error) {
		var k [2]string
		return k, r.Scan(&k[0], &k[1])
	}, storedSQL, `["`+strings.Join(ids, `","`)+`"]`, `["`+strings.Join(links, `","`)+`"]`)
	if err != nil {
		return nil, err
	}
	seen := [2]map[string]bool{make(map[string]bool), make(map[string]bool)}
	for _, k := range keys {
		seen[k[0][0]-'0'][k[1]] = true
	}
	return store.DropSeen(items, seen[0], seen[1]), nil
}
