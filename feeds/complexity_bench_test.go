package feeds

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// hostileDocs are the documents a hostile feed can send within the default
// 10 MiB cap: what gofeed cannot survive, what costs it most and still
// passes, and, as a baseline gofeed survives, a smaller nesting.
func hostileDocs() []struct {
	name      string
	body      []byte
	gofeedToo bool
} {
	var items strings.Builder
	for i := 0; items.Len() < 10<<20-200; i++ {
		fmt.Fprintf(&items, "<item><title>t%d</title><guid>%d</guid></item>", i, i)
	}
	return []struct {
		name      string
		body      []byte
		gofeedToo bool
	}{
		{"nested-2M", deepRSS(strings.Repeat("<x:a>", 2_000_000)), false},
		{"nested-100k", deepRSS(nest("x:a", 100_000)), true},
		{"extensions-1.7M", deepRSS(strings.Repeat("<x:a/>", 1_700_000)), false},
		{"items-200k", rss("/", items.String()), true},
	}
}

// BenchmarkParseHostile measures Parse on hostile documents against gofeed
// alone on the same bytes where gofeed survives them. Peak memory is the
// process's: run one case with -benchtime 1x under /usr/bin/time -v (see
// README).
func BenchmarkParseHostile(b *testing.B) {
	src := Source{Name: "hostile", URL: "https://hostile.example/feed"}
	for _, doc := range hostileDocs() {
		b.Run(doc.name+"/Parse", func(b *testing.B) {
			b.SetBytes(int64(len(doc.body)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse(b.Context(), src, doc.body, testNow)
			}
		})
		if !doc.gofeedToo {
			continue
		}
		b.Run(doc.name+"/gofeed-baseline", func(b *testing.B) {
			b.SetBytes(int64(len(doc.body)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = gofeed.NewParser().Parse(bytes.NewReader(doc.body))
			}
		})
	}
}
