package sqlite

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRetention measures retention on a copy of each benchmark store
// (-reports) with a 30-day horizon: one Prune of 50 reports (the retention's batch), the time it
// holds the store's one writer (with the incremental vacuum that gives the
// pages back), beside a full VACUUM, what a periodic vacuum would hold it
// for. After the measured batches, prune-50 drops the rest of the
// backlog and reports the reports dropped, the slowest batch and the
// file's size before and after.
//
//	go test -run '^$' -bench Retention -benchtime 20x ./store/sqlite/
func BenchmarkRetention(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("reports=%d", n), func(b *testing.B) {
			horizon := t0.Add(-30 * day)
			b.Run("prune-50", func(b *testing.B) {
				s, path := openBenchCopy(b, n)
				before := fileSize(b, s, path)
				dropped, slowest := 0, time.Duration(0)
				prune := func() error {
					start := time.Now()
					k, err := s.Prune(b.Context(), horizon, 50)
					slowest = max(slowest, time.Since(start))
					dropped += k
					return err
				}
				percentiles(b, prune)
				for last := dropped; ; last = dropped {
					if err := prune(); err != nil {
						b.Fatal(err)
					}
					if dropped == last {
						break
					}
				}
				b.ReportMetric(float64(dropped), "dropped")
				b.ReportMetric(float64(slowest.Microseconds())/1e3, "slowest-ms")
				b.ReportMetric(float64(before)/1e6, "MB-before")
				b.ReportMetric(float64(fileSize(b, s, path))/1e6, "MB-after")
			})
			b.Run("baseline-vacuum", func(b *testing.B) {
				s, _ := openBenchCopy(b, n)
				percentiles(b, func() error {
					_, err := s.writer.ExecContext(b.Context(), `VACUUM`)
					return err
				})
			})
		})
	}
}

// openBenchCopy opens a copy of the benchmark store of n reports in
// b.TempDir(), for benchmarks that change it, and returns its path.
func openBenchCopy(b *testing.B, n int) (*Store, string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "copy.db")
	if err := copyFile(benchStorePath(b, n), path); err != nil {
		b.Fatal(err)
	}
	s, err := Open(b.Context(), path, slog.New(slog.DiscardHandler), WithClock(func() time.Time { return t0 }))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s, path
}

// copyFile copies the file src to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}
