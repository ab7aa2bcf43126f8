package feeds

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// BenchmarkParseDenseConcurrently polls four copies of the densest
// document a 10 MiB feed may send (items-200k, ~336 MB to parse) at
// once, within the default parse budget (one such body at a time) and
// with a budget that lets all four parse together. Peak memory is the
// process's: run one case with -benchtime 1x under /usr/bin/time -v (see
// README).
func BenchmarkParseDenseConcurrently(b *testing.B) {
	docs := hostileDocs()
	body := docs[len(docs)-1].body
	path := filepath.Join(b.TempDir(), "dense.xml")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		b.Fatal(err)
	}
	const feeds = 4
	for _, tc := range []struct {
		name   string
		budget int64
	}{
		{"budget=one-body", DefaultParseBudget},
		{"budget=all-four", feeds * DefaultParseBudget},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := NewScheduler(NewFetcher(Options{MaxBytes: int64(len(body))}), nil, nil, nil, nil, SchedulerOptions{ParseBudget: tc.budget})
			for b.Loop() {
				var wg sync.WaitGroup
				for i := range feeds {
					wg.Go(func() {
						p := s.PollNow(b.Context(), Source{Name: fmt.Sprint("dense", i), URL: path}, State{})
						if p.Err != nil || len(p.Items) == 0 {
							b.Errorf("poll %d: %v, %d items", i, p.Err, len(p.Items))
						}
					})
				}
				wg.Wait()
			}
		})
	}
}
