//go:build postgres

package postgres

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"storyline/store"
	"storyline/store/postgres/pgtest"
	"storyline/store/sqlite"
	"storyline/store/storetest"
)

// BenchmarkCommandQueriesSideBySide measures the command queries on
// 100,000 reports in PostgreSQL and, as the baseline of the same run, in
// SQLite, both filled with the same data through Commit:
//
//	go test -tags postgres -run '^$' -bench SideBySide -benchtime 2s ./store/postgres/
func BenchmarkCommandQueriesSideBySide(b *testing.B) {
	clock := func() time.Time { return storetest.T0 }
	lite, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), slog.New(slog.DiscardHandler), sqlite.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	pg, err := Open(b.Context(), pgtest.NewURL(b), slog.New(slog.DiscardHandler), WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	for _, s := range []struct {
		name string
		st   store.Store
	}{{"sqlite", lite}, {"postgres", pg}} {
		start := time.Now()
		storetest.FillBench(b, s.st)
		b.Logf("%s: filled %d reports in %s", s.name, storetest.BenchItems, time.Since(start).Round(time.Second))
	}
	if _, err := pg.pool.Exec(b.Context(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Run("sqlite", func(b *testing.B) { storetest.BenchQueries(b, lite) })
	b.Run("postgres", func(b *testing.B) { storetest.BenchQueries(b, pg) })
}
