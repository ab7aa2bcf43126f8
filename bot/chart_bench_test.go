package bot

import (
	"io"
	"testing"
	"time"

	"gonum.org/v1/plot/vg/vgimg"
)

// BenchmarkMentionsChart measures the /actor chart: 30 days drawn and
// encoded as we do (PNG, fastest compression), against the baseline of
// gonum's own PNG writer (default compression) for the same drawing.
func BenchmarkMentionsChart(b *testing.B) {
	last := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	daily := make([]int, chartDays)
	for i := range daily {
		daily[i] = (i * 37) % 23
	}
	b.Run("best-speed-png", func(b *testing.B) {
		size := 0
		for b.Loop() {
			data, err := mentionsChart(daily, last)
			if err != nil {
				b.Fatal(err)
			}
			size = len(data)
		}
		reportMillis(b)
		b.ReportMetric(float64(size), "bytes")
	})
	b.Run("baseline-gonum-png-writer", func(b *testing.B) {
		var size int64
		for b.Loop() {
			canvas, err := drawChart(daily, last)
			if err != nil {
				b.Fatal(err)
			}
			if size, err = (vgimg.PngCanvas{Canvas: canvas}).WriteTo(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		reportMillis(b)
		b.ReportMetric(float64(size), "bytes")
	})
}
