package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/store"
	"storyline/story"
)

// The size of the benchmark store: the README's performance figures'.
const (
	BenchItems       = 100_000
	benchActors      = 40
	benchMentionsPer = 3
	benchVocabulary  = 5000
	benchBatch       = 200
)

// BenchActor is the name of actor i; actor 0 is named most often.
func BenchActor(i int) string { return fmt.Sprintf("Actor %02d", i) }

// FillBench fills an empty store with the benchmark data through its own
// Commit and MarkSent, so that every implementation holds the same: items
// published over the year before T0, four in ten in the last 30 days, each
// naming three distinct actors drawn with weights 1/(rank+1), titles and
// texts of a Zipf-distributed vocabulary with the actors' names; one item
// in ten is posted as a new development (its message "m-N" recorded) and
// the next two join it.
func FillBench(tb testing.TB, s store.Store) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, benchVocabulary-1)
	var cumulative []float64
	total := 0.0
	for i := range benchActors {
		total += 1 / float64(i+1)
		cumulative = append(cumulative, total)
	}
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = fmt.Sprintf("w%d", zipf.Uint64())
		}
		return strings.Join(w, " ")
	}
	actors := func() []string {
		var out []string
		for len(out) < benchMentionsPer {
			x := rng.Float64() * total
			i := 0
			for cumulative[i] < x {
				i++
			}
			if name := BenchActor(i); !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
		return out
	}
	var cluster int64
	for first := 0; first < BenchItems; first += benchBatch {
		var b store.Batch
		var posted []string
		for k := first; k < min(first+benchBatch, BenchItems); k++ {
			span := 365 * day
			if rng.IntN(10) < 4 {
				span = 30 * day
			}
			at := T0.Add(-time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
			id := fmt.Sprintf("item-%06d", k)
			names := actors()
			r := store.Record{
				Match:  story.Match{Relevant: k%10 == 0, Score: 1.5, Actors: names},
				SeenAt: at,
			}
			r.Item.FeedURL, r.Item.FeedName = "https://wire.example/feed", fmt.Sprintf("Wire %d", k%7)
			r.Item.ID, r.Item.GUID, r.Item.Link = id, id, "https://wire.example/"+id
			r.Item.Title = words(8) + " " + names[0]
			r.Item.Text = words(20) + " " + strings.Join(names, " ") + " " + words(20)
			r.Item.Published, r.Item.Language = at, "en"
			b.Records = append(b.Records, r)
			switch k % 10 {
			case 0:
				b.Posts = append(b.Posts, store.Post{Kind: store.KindPost, ItemIDs: []string{id}, NewCluster: true})
				posted = append(posted, id)
			case 1, 2:
				b.Posts = append(b.Posts, store.Post{Kind: store.KindEdit, ItemIDs: []string{id}, ClusterID: cluster})
			}
			if k%10 == 0 {
				// The next two items join the cluster this post makes;
				// its id is known once committed, so commit here.
				c := Commit(tb, s, b)
				cluster = clusterOfItem(tb, s, id)
				markPosted(tb, s, c, k/10)
				b = store.Batch{}
			}
		}
		if len(b.Records) > 0 {
			Commit(tb, s, b)
		}
	}
}

// clusterOfItem returns the cluster of stored item id.
func clusterOfItem(tb testing.TB, s store.Store, id string) int64 {
	tb.Helper()
	rs, err := s.Records(tb.Context(), []string{id})
	if err != nil {
		tb.Fatal(err)
	}
	return rs[0].ClusterID
}

// markPosted records the post c queued last as message m-n.
func markPosted(tb testing.TB, s store.Store, c store.Committed, n int) {
	tb.Helper()
	id := c.Queued[len(c.Queued)-1]
	if err := s.MarkSent(tb.Context(), id, "ch", fmt.Sprintf("m-%d", n), T0); err != nil {
		tb.Fatal(err)
	}
}

// BenchQueries measures the store queries behind the bot's commands on a
// store FillBench filled, each as a sub-benchmark reporting ms/op.
func BenchQueries(b *testing.B, s store.Store) {
	ctx := b.Context()
	names := make([]string, benchActors)
	for i := range names {
		names[i] = BenchActor(i)
	}
	run := func(name string, op func() error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
		})
	}
	for _, a := range []int{0, benchActors / 2} {
		q := store.ActorQuery{Actor: BenchActor(a), Now: T0, Days: 30, Latest: 5, With: 5}
		run(fmt.Sprintf("actor-report/actor-%02d", a), func() error { _, err := s.ActorReport(ctx, q); return err })
	}
	run("actor-trends/40-actors", func() error { _, err := s.ActorTrends(ctx, names, T0, 7*day); return err })
	for _, q := range []string{"w17", `"Actor 00"`, `"w3 w4"`, "w250 OR w251", "w4321", "w43*"} {
		run("search/"+q, func() error { _, err := s.Search(ctx, q, 10); return err })
	}
	run("latest-posted/10", func() error { _, err := s.LatestPosted(ctx, 10); return err })
	run("message-items", func() error { _, err := s.MessageItems(ctx, "m-500"); return err })
}
