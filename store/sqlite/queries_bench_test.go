package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/store"
)

// The size of the benchmark store.
const (
	benchItems          = 100_000
	benchMentionsPer    = 3 // mentions per item: 300,000 in all
	benchActors         = 40
	benchVocabulary     = 5000
	benchPostedFraction = 10 // one item in ten is posted
	benchInsertBatch    = 200
)

// benchActor is the name of actor i; actor 0 is named most often.
func benchActor(i int) string { return fmt.Sprintf("Actor %02d", i) }

// BenchmarkCommandQueries measures the store queries behind the bot's
// commands on a store of 100,000 items and 300,000 mentions, generated once
// for all sub-benchmarks. Each is compared with a baseline in the same run:
// the same query with mentions_actor_at dropped, or a LIKE scan instead of
// the full-text index.
func BenchmarkCommandQueries(b *testing.B) {
	s := benchStore(b)
	ctx := b.Context()
	actors := make([]string, benchActors)
	for i := range actors {
		actors[i] = benchActor(i)
	}
	report := func(actor string) func(*testing.B) {
		return func(b *testing.B) {
			q := store.ActorQuery{Actor: actor, Now: t0, Days: 30, Latest: 5, With: 5}
			for b.Loop() {
				if _, err := s.ActorReport(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			reportMillis(b)
		}
	}
	trends := func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ActorTrends(ctx, actors, t0, 7*day); err != nil {
				b.Fatal(err)
			}
		}
		reportMillis(b)
	}
	b.Run("actor-report/busiest-actor", report(benchActor(0)))
	b.Run("actor-report/median-actor", report(benchActor(benchActors/2)))
	b.Run("actor-trends/40-actors", trends)
	// Of the 100,000 items, w17 is in 27,079, the phrase "Actor 00" in
	// 56,852, "w3 w4" in 4,143, w250 or w251 in 3,345 and w4321 in 75.
	for _, q := range []string{"w17", `"Actor 00"`, `"w3 w4"`, "w250 OR w251", "w4321"} {
		b.Run("search/fts5/"+q, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, q, 10); err != nil {
					b.Fatal(err)
				}
			}
			reportMillis(b)
		})
	}
	for _, q := range []string{"w17", `"Actor 00"`} {
		b.Run("search/baseline-rank-every-match/"+q, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.search(ctx, q, 10, math.MaxInt64); err != nil {
					b.Fatal(err)
				}
			}
			reportMillis(b)
		})
	}
	b.Run("search/baseline-like-scan/w4321", func(b *testing.B) {
		for b.Loop() {
			likeSearch(b, s, "w4321")
		}
		reportMillis(b)
	})
	b.Run("latest-posted/10", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.LatestPosted(ctx, 10); err != nil {
				b.Fatal(err)
			}
		}
		reportMillis(b)
	})
	b.Run("message-items", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.MessageItems(ctx, "m-500"); err != nil {
				b.Fatal(err)
			}
		}
		reportMillis(b)
	})
	b.Run("baseline-without-mentions-index", func(b *testing.B) {
		exec(b, s, `DROP INDEX mentions_actor_at`)
		defer exec(b, s, `CREATE INDEX mentions_actor_at ON mentions (actor, at)`)
		b.Run("actor-report/busiest-actor", report(benchActor(0)))
		b.Run("actor-trends/40-actors", trends)
	})
}

// reportMillis reports the mean time per operation in milliseconds.
func reportMillis(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
}

// likeSearch is the baseline of Search: the latest ten items whose title or
// text contains word, found by reading every row.
func likeSearch(b *testing.B, s *Store, word string) {
	_, err := queryRows(b.Context(), s.reader, func(r row) (string, error) {
		var id, title string
		return id, r.Scan(&id, &title)
	}, `
		SELECT id, title FROM items WHERE title LIKE ?1 OR text LIKE ?1
		ORDER BY seq DESC LIMIT 10`, "%"+word+"%")
	if err != nil {
		b.Fatal(err)
	}
}

// exec runs one statement on the writer.
func exec(b *testing.B, s *Store, query string, args ...any) {
	b.Helper()
	if _, err := s.writer.ExecContext(context.Background(), query, args...); err != nil {
		b.Fatalf("%s: %v", query, err)
	}
}

// benchStore generates the benchmark store in b.TempDir(). Items are
// published over the year before t0, four in ten of them in the last 30
// days; each names three distinct actors, drawn with weights 1/(rank+1);
// titles and texts are words of a Zipf-distributed vocabulary with the
// actors' names. One item in ten is posted (its outbox entry sent) and
// leads a cluster that the next two items join.
func benchStore(b *testing.B) *Store {
	b.Helper()
	start := time.Now()
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), slog.New(slog.DiscardHandler),
		WithClock(func() time.Time { return t0 }))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if err := generateBench(b.Context(), s); err != nil {
		b.Fatalf("generate: %v", err)
	}
	b.Logf("generated %d items, %d mentions in %s", benchItems, benchItems*benchMentionsPer, time.Since(start).Round(time.Millisecond))
	return s
}

// generateBench fills s with the benchmark data in one transaction, with
// foreign keys off (items and their clusters refer to each other), builds
// the full-text index once at the end, whatever the schema's insert path,
// and leaves the database analysed and checkpointed, as a long-running
// store is.
func generateBench(ctx context.Context, s *Store) error {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	g := newBenchGen()
	if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS items_fts_insert`); err != nil {
		return rollback(tx, err)
	}
	for first := 0; first < benchItems; first += benchInsertBatch {
		if err := g.insertBatch(tx, first, min(benchInsertBatch, benchItems-first)); err != nil {
			return rollback(tx, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (items_fts) VALUES ('rebuild')`); err != nil {
		return rollback(tx, err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, stmt := range []string{`PRAGMA foreign_keys = ON`, `ANALYZE`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// benchGen draws the benchmark data from a fixed seed.
type benchGen struct {
	rng    *rand.Rand
	zipf   *rand.Zipf
	weight []float64 // cumulative actor weights
}

func newBenchGen() *benchGen {
	rng := rand.New(rand.NewPCG(1, 2))
	g := &benchGen{rng: rng, zipf: rand.NewZipf(rng, 1.1, 1, benchVocabulary-1)}
	total := 0.0
	for i := range benchActors {
		total += 1 / float64(i+1)
		g.weight = append(g.weight, total)
	}
	return g
}

// actors draws benchMentionsPer distinct actors.
func (g *benchGen) actors() []string {
	var out []string
	for len(out) < benchMentionsPer {
		x := g.rng.Float64() * g.weight[len(g.weight)-1]
		i := 0
		for g.weight[i] < x {
			i++
		}
		if name := benchActor(i); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// words draws n vocabulary words.
func (g *benchGen) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("w%d", g.zipf.Uint64())
	}
	return strings.Join(w, " ")
}

// published draws a publication time: 40% in the last 30 days, the rest in
// the year before t0.
func (g *benchGen) published() time.Time {
	span := 365 * day
	if g.rng.IntN(10) < 4 {
		span = 30 * day
	}
	return t0.Add(-time.Duration(g.rng.Int64N(int64(span))))
}

// insertBatch inserts items first … first+n-1 with their mentions and, for
// the posted ones, a cluster and a sent outbox entry.
func (g *benchGen) insertBatch(tx *sql.Tx, first, n int) error {
	var items, mentions, clusters, outbox rowsSQL
	for k := first; k < first+n; k++ {
		id := fmt.Sprintf("item-%06d", k)
		at := millis(g.published())
		names := g.actors()
		var cluster int64
		if k%benchPostedFraction < 3 {
			cluster = int64(k/benchPostedFraction + 1)
		}
		message := ""
		if k%benchPostedFraction == 0 {
			message = fmt.Sprintf("m-%d", k/benchPostedFraction)
			clusters.add(`(?, ?, ?, ?, 'ch', ?)`, cluster, id, at, at, message)
			outbox.add(`('post', json_array(?), ?, 'sent', ?, 'ch', ?, ?, ?)`, id, cluster, at, message, at, at)
		}
		items.add(`(?, 'https://wire.example/feed', ?, ?, ?, ?, ?, '', ?, ?, 'en', ?, 1.5, json(?), '[]', '[]', '[]', '[]', ?, ?, 'ch')`,
			id, fmt.Sprintf("Wire %d", k%7), id, "https://wire.example/"+id,
			g.words(8)+" "+names[0], g.words(20)+" "+strings.Join(names, " ")+" "+g.words(20),
			at, at, message != "", `["`+strings.Join(names, `","`)+`"]`, nullID(cluster), message)
		for _, name := range names {
			mentions.add(`(?, ?, ?)`, id, name, at)
		}
	}
	for _, st := range []struct {
		head string
		rows *rowsSQL
	}{
		{`INSERT INTO items (id, feed_url, feed_name, guid, link, title, text, summary, published, seen_at,
			language, relevant, score, actors, phrases, context, excluded, spans, cluster_id, message_id, channel_id) VALUES `, &items},
		{`INSERT INTO mentions (item_id, actor, at) VALUES `, &mentions},
		{`INSERT INTO clusters (id, lead_item_id, created_at, updated_at, channel_id, message_id) VALUES `, &clusters},
		{`INSERT INTO outbox (kind, item_ids, cluster_id, status, next_attempt, channel_id, message_id, created_at, sent_at) VALUES `, &outbox},
	} {
		if len(st.rows.args) == 0 {
			continue
		}
		if _, err := tx.Exec(st.head+st.rows.values.String(), st.rows.args...); err != nil {
			return fmt.Errorf("batch at %d: %w", first, err)
		}
	}
	return nil
}

// rowsSQL builds the VALUES list of a multi-row INSERT.
type rowsSQL struct {
	values strings.Builder
	args   []any
}

// add appends one row.
func (r *rowsSQL) add(row string, args ...any) {
	if r.values.Len() > 0 {
		r.values.WriteString(", ")
	}
	r.values.WriteString(row)
	r.args = append(r.args, args...)
}
