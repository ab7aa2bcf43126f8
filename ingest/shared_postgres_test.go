//go:build postgres

package ingest_test

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/ingest"
	"storyline/store"
	"storyline/store/postgres"
	"storyline/store/postgres/pgtest"
)

// sharedFixture is two instances' pipelines on one PostgreSQL database.
type sharedFixture struct {
	*fixture
	pipes [2]*ingest.Pipeline
}

// newSharedFixture opens two stores on one new database, each with its
// pipeline clustering through the store's lock and shared window.
func newSharedFixture(t *testing.T) *sharedFixture {
	u := pgtest.NewURL(t)
	f := &sharedFixture{fixture: &fixture{t: t, now: t0}}
	for i := range f.pipes {
		st, err := postgres.Open(t.Context(), u, slog.New(slog.DiscardHandler), postgres.WithClock(func() time.Time { return f.now }))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		opts := ingest.Options{BacklogWindow: 12 * time.Hour, BacklogMax: 3, MaxPerCycle: 5,
			Now: func() time.Time { return f.now }, Shared: st}
		f.pipes[i] = ingest.New(st, testMatcher(t), slog.New(slog.DiscardHandler), opts)
		f.st = st
	}
	return f
}

// pollOn processes one poll of outlet on instance i, at the current time.
func (f *sharedFixture) pollOn(i int, outlet string, reports ...report) {
	f.t.Helper()
	url := "https://" + outlet + ".example/rss"
	p := feeds.Poll{
		Source: feeds.Source{Name: outlet, URL: url},
		State:  feeds.State{URL: url, LastSuccess: f.now},
		Prev:   feeds.State{URL: url, LastSuccess: f.now.Add(-20 * time.Minute)},
	}
	for _, r := range reports {
		p.Items = append(p.Items, feeds.Item{
			FeedName: outlet, FeedURL: url, ID: r.id, GUID: r.id, Link: "https://news.example/" + r.id,
			Title: r.title, Text: r.text, Published: f.now.Add(-r.age),
		})
	}
	if _, err := f.pipes[i].Process(f.t.Context(), p); err != nil {
		f.t.Errorf("Process on instance %d: %v", i, err)
	}
}

// TestSharedWindowLearnsOtherInstancesReports: both instances have loaded
// their clustering windows; a report the first one posts is seen by the
// second before it decides on the next report of the same development,
// which joins it instead of being posted again.
func TestSharedWindowLearnsOtherInstancesReports(t *testing.T) {
	f := newSharedFixture(t)
	f.pollOn(0, geneva.outlet, geneva)
	f.pollOn(1, resigns.outlet, resigns)
	f.now = f.now.Add(20 * time.Minute)
	for i, r := range kyiv {
		f.pollOn(i%2, r.outlet, r)
	}
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"geneva-wire"}, 1},
		{store.KindPost, []string{"yermak-wire"}, 2},
		{store.KindPost, []string{"kyiv-wire"}, 3},
		{store.KindEdit, []string{"kyiv-ind"}, 3},
		{store.KindEdit, []string{"kyiv-meduza"}, 3},
		{store.KindEdit, []string{"kyiv-pravda"}, 3},
		{store.KindEdit, []string{"kyiv-herald"}, 3},
	})
}

// TestSharedConcurrentPollsMakeOneDevelopment polls the five outlets'
// reports of one development at once, from two instances, and the same
// item from both: one post, four edits, nothing queued twice.
func TestSharedConcurrentPollsMakeOneDevelopment(t *testing.T) {
	f := newSharedFixture(t)
	f.pollOn(0, geneva.outlet, geneva)
	f.pollOn(1, resigns.outlet, resigns)
	f.drain()
	var wg sync.WaitGroup
	for i, r := range kyiv {
		wg.Go(func() { f.pollOn(i%2, r.outlet, r) })
		wg.Go(func() { f.pollOn((i+1)%2, r.outlet+"-mirror", r) })
	}
	wg.Wait()
	got := f.drain()
	posts, edits, items := 0, 0, map[string]int{}
	for _, q := range got {
		switch q.kind {
		case store.KindPost:
			posts++
		case store.KindEdit:
			edits++
		}
		for _, id := range q.items {
			items[id]++
		}
		if q.cluster != got[0].cluster {
			t.Errorf("entry %+v is not of the development's cluster", q)
		}
	}
	if posts != 1 || len(items) != 5 {
		t.Errorf("queued %v: want one post and the five reports once each", got)
	}
	for id, n := range items {
		if n != 1 {
			t.Errorf("report %s queued %d times", id, n)
		}
	}
	t.Logf("%d post, %d edits", posts, edits)
}
