package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/ingest"
	"storyline/store"
	"storyline/store/sqlite"
)

// openStore opens a store in a temporary directory.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), slog.New(slog.DiscardHandler),
		sqlite.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// floodPoll is a poll of a feed carrying n items, item i published i
// minutes before t0 and given the id prefix-i, in shuffled order.
func floodPoll(n int, prefix string, seed uint64) feeds.Poll {
	const url = "https://flood.example/rss"
	p := feeds.Poll{
		Source: feeds.Source{Name: "Flood", URL: url},
		State:  feeds.State{URL: url, LastSuccess: t0},
		Prev:   feeds.State{URL: url, LastSuccess: t0.Add(-time.Minute)},
	}
	for i := range n {
		id := fmt.Sprintf("%s-%d", prefix, i)
		p.Items = append(p.Items, feeds.Item{
			FeedName: "Flood", FeedURL: url, ID: "guid:" + id, GUID: id,
			Title: "Unrelated report " + id, Published: t0.Add(-time.Duration(i) * time.Minute),
		})
	}
	rand.New(rand.NewPCG(seed, seed)).Shuffle(n, func(i, j int) { p.Items[i], p.Items[j] = p.Items[j], p.Items[i] })
	return p
}

func TestProcessTakesTheNewestItemsOfAFloodingFeed(t *testing.T) {
	st := openStore(t)
	var log bytes.Buffer
	pipe := ingest.New(st, testMatcher(t), slog.New(slog.NewTextHandler(&log, nil)),
		ingest.Options{MaxItems: 100, Now: func() time.Time { return t0 }})
	poll := floodPoll(2000, "a", 1)

	res, err := pipe.Process(t.Context(), poll)
	if err != nil {
		t.Fatal(err)
	}
	var want []string // the 100 newest, in feed order
	for _, it := range poll.Items {
		if it.Published.After(t0.Add(-100 * time.Minute)) {
			want = append(want, it.ID)
		}
	}
	var got []string
	for _, r := range res.Records {
		got = append(got, r.Item.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stored %d items %v…, want the 100 newest in feed order %v…", len(got), got[:min(3, len(got))], want[:3])
	}
	if !strings.Contains(log.String(), "feed over the item cap") || !strings.Contains(log.String(), "items=2000 taken=100") {
		t.Errorf("the cap is not logged:\n%s", log.String())
	}

	// The same feed again: its newest items are stored, so nothing more is.
	if res, err = pipe.Process(t.Context(), poll); err != nil || len(res.Records) != 0 {
		t.Fatalf("second poll stored %d items (%v), want none", len(res.Records), err)
	}
	unseen, err := st.Unseen(t.Context(), poll.Items)
	if err != nil || len(unseen) != 1900 {
		t.Fatalf("%d items of the flood unseen (%v), want 1900: the store grew by more than the cap", len(unseen), err)
	}
}

func TestProcessCapsByDefault(t *testing.T) {
	pipe := ingest.New(openStore(t), testMatcher(t), slog.New(slog.DiscardHandler), ingest.Options{Now: func() time.Time { return t0 }})
	res, err := pipe.Process(t.Context(), floodPoll(10_000, "b", 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != ingest.DefaultMaxItems {
		t.Fatalf("stored %d items of 10,000, want %d", len(res.Records), ingest.DefaultMaxItems)
	}
}

// cancelAfterUnseen is a store that cancels the poll's context once it has
// answered Unseen, as a shutdown arriving mid-poll would.
type cancelAfterUnseen struct {
	*sqlite.Store
	cancel context.CancelFunc
}

func (c cancelAfterUnseen) Unseen(ctx context.Context, items []feeds.Item) ([]feeds.Item, error) {
	defer c.cancel()
	return c.Store.Unseen(ctx, items)
}

func TestProcessStoresNothingWhenCancelledMidPoll(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pipe := ingest.New(cancelAfterUnseen{st, cancel}, testMatcher(t), slog.New(slog.DiscardHandler),
		ingest.Options{Now: func() time.Time { return t0 }})
	poll := floodPoll(300, "c", 3)
	if _, err := pipe.Process(ctx, poll); !errors.Is(err, context.Canceled) {
		t.Fatalf("Process = %v, want context.Canceled", err)
	}
	unseen, err := st.Unseen(t.Context(), poll.Items)
	if err != nil || len(unseen) != len(poll.Items) {
		t.Fatalf("%d of %d items unseen (%v): a cancelled poll stored some", len(unseen), len(poll.Items), err)
	}
	states, err := st.FeedStates(t.Context())
	if err != nil || len(states) != 0 {
		t.Fatalf("feed states %v (%v): a cancelled poll saved the feed's state", states, err)
	}
	if _, err := st.OutboxHead(t.Context()); !errors.Is(err, store.ErrNoWork) {
		t.Fatalf("OutboxHead = %v: a cancelled poll queued a post", err)
	}
}
