package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The shape of a benchmark store of n reports: they are published over the
// year before t0, four in ten in the last 30 days, and stored in
// publication order (seq follows time, as in a running store). Each names
// three distinct actors of benchActors, drawn with weights 1/(rank+1), so
// that actor 0 is in about 57% of reports; titles and texts are words of a
// Zipf-distributed vocabulary with the actors' names. One report in ten is
// posted (its outbox entry sent) and leads a development that the next two
// join; those three are relevant, the other seven were rejected.
const (
	benchMentionsPer    = 3
	benchActors         = 40
	benchVocabulary     = 5000
	benchPostedFraction = 10
	benchFeeds          = 7
	// benchRowsPerInsert is how many rows one INSERT of the generator
	// carries.
	benchRowsPerInsert = 250
	// benchGenVersion names the generator in the cache file name; change
	// it when the data it makes changes.
	benchGenVersion = 2
)

// benchActor is the name of actor i; actor 0 is named most often.
func benchActor(i int) string { return fmt.Sprintf("Actor %02d", i) }

// benchItemID is the id of the k-th report stored.
func benchItemID(k int) string { return fmt.Sprintf("item-%08d", k) }

// benchStorePath returns the path of a benchmark store of n reports,
// generating it on first use. Stores are cached in the system's temporary
// directory under a name that holds the generator's version and a hash of
// the schema's migrations, so a run after a schema change makes a new one.
// Benchmarks that write may only add feed states to it.
func benchStorePath(tb testing.TB, n int) string {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), "storyline-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("g%d-s%08x-%d.db", benchGenVersion, schemaHash(tb), n))
	if _, err := os.Stat(path); err == nil {
		return path
	} else if !errors.Is(err, os.ErrNotExist) {
		tb.Fatal(err)
	}
	start := time.Now()
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := generateBenchStore(context.Background(), tmp, n); err != nil {
		_ = os.Remove(tmp)
		tb.Fatalf("generate benchmark store of %d reports: %v", n, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("generated %d reports in %s: %s", n, time.Since(start).Round(time.Second), path)
	return path
}

// schemaHash hashes the migrations' text.
func schemaHash(tb testing.TB) uint32 {
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		tb.Fatal(err)
	}
	h := fnv.New32a()
	for _, m := range migs {
		h.Write([]byte(m.sql))
	}
	return h.Sum32()
}

// openBench opens the benchmark store of n reports with the clock at t0,
// closed at the end of the benchmark.
func openBench(b *testing.B, n int) *Store {
	b.Helper()
	s, err := Open(b.Context(), benchStorePath(b, n), slog.New(slog.DiscardHandler),
		WithClock(func() time.Time { return t0 }))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// generateBenchStore creates the store at path and fills it with n
// reports in one transaction without journal, foreign keys or full-text
// triggers, then builds the full-text index once and the counts with
// RebuildCounts, analyses the tables and leaves the file in WAL mode, as a
// long-running store is.
func generateBenchStore(ctx context.Context, path string, n int) error {
	s, err := Open(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	if err := bulkInsert(ctx, path, n); err != nil {
		return err
	}
	if s, err = Open(ctx, path, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	if err := s.RebuildCounts(ctx, time.Time{}); err != nil {
		return err
	}
	fmt.Printf("bench store of %d reports: RebuildCounts took %s\n", n, time.Since(start).Round(time.Millisecond))
	_, err = s.writer.ExecContext(ctx, `ANALYZE`)
	return err
}

// bulkInsert inserts n reports into the store at path and indexes their
// text, in one transaction without journal.
func bulkInsert(ctx context.Context, path string, n int) error {
	db, err := sql.Open("sqlite", fileURI(path)+"?_pragma=journal_mode(DELETE)&_pragma=synchronous(OFF)&_pragma=foreign_keys(0)&_pragma=cache_size(-400000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	g := newBenchGen(n)
	for first := 0; first < n; first += benchRowsPerInsert {
		if err := g.insert(ctx, tx, first, min(benchRowsPerInsert, n-first)); err != nil {
			return rollback(tx, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (items_fts) VALUES ('rebuild')`); err != nil {
		return rollback(tx, fmt.Errorf("index text: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `PRAGMA journal_mode = WAL`)
	return err
}

// benchGen draws a benchmark store's data from a fixed seed.
type benchGen struct {
	rng    *rand.Rand
	zipf   *rand.Zipf
	weight []float64 // cumulative actor weights
	// times are the publication times of the reports, in order.
	times []int64
}

// newBenchGen prepares the data of n reports.
func newBenchGen(n int) *benchGen {
	rng := rand.New(rand.NewPCG(1, 2))
	g := &benchGen{rng: rng, zipf: rand.NewZipf(rng, 1.1, 1, benchVocabulary-1)}
	total := 0.0
	for i := range benchActors {
		total += 1 / float64(i+1)
		g.weight = append(g.weight, total)
	}
	g.times = make([]int64, n)
	for i := range g.times {
		span := 365 * day
		if rng.IntN(10) < 4 {
			span = 30 * day
		}
		g.times[i] = millis(t0.Add(-time.Duration(rng.Int64N(int64(span)))))
	}
	slices.Sort(g.times)
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
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "w%d", g.zipf.Uint64())
	}
	return sb.String()
}

// The generator's multi-row inserts: a head and one row's placeholders.
const (
	benchItemsHead = `INSERT INTO items (seq, id, feed_url, feed_name, guid, link, title, text, summary, published, seen_at,
		language, relevant, score, actors, phrases, context, excluded, spans, cluster_id, message_id, channel_id) VALUES `
	benchItemsRow    = `(?, ?, 'https://wire.example/feed', ?, ?, ?, ?, ?, '', ?, ?, 'en', ?, ?, ?, '[]', '[]', '[]', '[]', ?, ?, 'ch')`
	benchMentionHead = `INSERT INTO mentions (item_id, actor, at) VALUES `
	benchClusterHead = `INSERT INTO clusters (id, lead_item_id, created_at, updated_at, channel_id, message_id) VALUES `
	benchOutboxHead  = `INSERT INTO outbox (kind, item_ids, cluster_id, status, next_attempt, channel_id, message_id, created_at, sent_at) VALUES `
)

// insert inserts reports first … first+n-1 with their mentions and, for
// the posted ones, a cluster and a sent outbox entry.
func (g *benchGen) insert(ctx context.Context, tx *sql.Tx, first, n int) error {
	var items, mentions, clusters, outbox []any
	for k := first; k < first+n; k++ {
		id := benchItemID(k)
		at := g.times[k]
		names := g.actors()
		var cluster sql.NullInt64
		if k%benchPostedFraction < 3 {
			cluster = nullID(int64(k/benchPostedFraction + 1))
		}
		message := ""
		if k%benchPostedFraction == 0 {
			message = fmt.Sprintf("m-%d", k/benchPostedFraction)
			clusters = append(clusters, cluster, id, at, at, "ch", message)
			outbox = append(outbox, "post", `["`+id+`"]`, cluster, "sent", at, "ch", message, at, at)
		}
		relevant := cluster.Valid
		items = append(items, k+1, id, fmt.Sprintf("Wire %d", k%benchFeeds), id, "https://wire.example/"+id,
			g.words(8)+" "+names[0], g.words(20)+" "+strings.Join(names, " ")+" "+g.words(20),
			at, at, relevant, map[bool]float64{true: 2.5, false: 0.3}[relevant],
			`["`+strings.Join(names, `","`)+`"]`, cluster, message)
		for _, name := range names {
			mentions = append(mentions, id, name, at)
		}
	}
	for _, ins := range []struct {
		head, row string
		args      []any
		columns   int
	}{
		{benchItemsHead, benchItemsRow, items, 14},
		{benchMentionHead, `(?, ?, ?)`, mentions, 3},
		{benchClusterHead, `(?, ?, ?, ?, ?, ?)`, clusters, 6},
		{benchOutboxHead, `(?, ?, ?, ?, ?, ?, ?, ?, ?)`, outbox, 9},
	} {
		if len(ins.args) == 0 {
			continue
		}
		rows := len(ins.args) / ins.columns
		query := ins.head + strings.TrimSuffix(strings.Repeat(ins.row+", ", rows), ", ")
		if _, err := tx.ExecContext(ctx, query, ins.args...); err != nil {
			return fmt.Errorf("insert at report %d: %w", first, err)
		}
	}
	return nil
}
