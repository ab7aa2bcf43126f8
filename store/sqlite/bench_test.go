package sqlite

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"storyline/store"
	"storyline/store/storetest"
)

// BenchmarkCommit commits 200 posted items per op: as one batch, and as a
// baseline, as 200 single-item commits (one transaction each).
func BenchmarkCommit(b *testing.B) {
	const size = 200
	for _, bc := range []struct {
		name   string
		commit func(*testing.B, *Store, store.Batch)
	}{
		{"batch=200", func(b *testing.B, s *Store, batch store.Batch) { storetest.Commit(b, s, batch) }},
		{"baseline=200-single-commits", func(b *testing.B, s *Store, batch store.Batch) {
			for i := range batch.Records {
				storetest.Commit(b, s, store.Batch{State: batch.State, Records: batch.Records[i : i+1], Posts: batch.Posts[i : i+1]})
			}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), slog.New(slog.DiscardHandler),
				WithClock(func() time.Time { return t0 }))
			if err != nil {
				b.Fatalf("Open: %v", err)
			}
			defer s.Close()
			n := 0
			for b.Loop() {
				bc.commit(b, s, storetest.Batch(n, size))
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
		})
	}
}
