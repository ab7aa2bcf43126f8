package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storyline/store"
	"storyline/story"
)

// benchGap is the time between two stored reports in the benchmark: a
// 36-hour window holds 720 of them, however many are stored.
const benchGap = 3 * time.Minute

// benchPerDevelopment is how many reports each development of the
// benchmark has.
const benchPerDevelopment = 5

// benchCorpus makes the synthetic reports of BenchmarkCluster: each
// development has its own rare words, and every report also uses words
// common to the whole story, so band keys collide across developments as
// they do in a real story.
type benchCorpus struct {
	rng    *rand.Rand
	common []string
	start  time.Time
}

// newBenchCorpus returns a corpus with a fixed seed.
func newBenchCorpus() *benchCorpus {
	c := &benchCorpus{rng: rand.New(rand.NewPCG(1, 2)), start: t0}
	for range 200 {
		c.common = append(c.common, c.word())
	}
	return c
}

// word returns a random pronounceable word.
func (c *benchCorpus) word() string {
	const consonants, vowels = "bdfklmnprstvz", "aeiou"
	var b strings.Builder
	for range 3 + c.rng.IntN(2) {
		b.WriteByte(consonants[c.rng.IntN(len(consonants))])
		b.WriteByte(vowels[c.rng.IntN(len(vowels))])
	}
	return b.String()
}

// development returns the rare words of a new development.
func (c *benchCorpus) development() []string {
	words := make([]string, 8)
	for i := range words {
		words[i] = c.word()
	}
	return words
}

// report returns the title and lead of a report of a development with
// the rare words topic.
func (c *benchCorpus) report(topic []string) (string, string) {
	pick := func(n int, from []string) []string {
		out := make([]string, n)
		for i := range out {
			// Common words are skewed: a few appear in most reports.
			out[i] = from[int(float64(len(from))*c.rng.Float64()*c.rng.Float64())]
		}
		return out
	}
	title := append(pick(4, topic), pick(2, c.common)...)
	lead := append(pick(5, topic), pick(12, c.common)...)
	c.rng.Shuffle(len(lead), func(i, j int) { lead[i], lead[j] = lead[j], lead[i] })
	return strings.Join(title, " "), strings.Join(lead, " ")
}

// at is when the k-th stored report was published.
func (c *benchCorpus) at(k int) time.Time {
	return c.start.Add(time.Duration(k) * benchGap)
}

// bulkStore opens a store in dir holding n clustered reports, inserted in
// one transaction with the statements Commit uses, without the outbox.
func bulkStore(b *testing.B, c *benchCorpus, n int) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		bt := newBatchTx(tx, s.prepared)
		var topic []string
		for k := range n {
			if k%benchPerDevelopment == 0 {
				topic = c.development()
			}
			if err := bulkReport(ctx, bt, c, k, topic); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("bulk insert: %v", err)
	}
	return s
}

// bulkReport inserts the k-th report, its cluster when it leads one, and
// its signature.
func bulkReport(ctx context.Context, bt *batchTx, c *benchCorpus, k int, topic []string) error {
	id := fmt.Sprintf("item-%d", k)
	clusterID := int64(k/benchPerDevelopment + 1)
	at := millis(c.at(k))
	title, lead := c.report(topic)
	if k%benchPerDevelopment == 0 {
		if _, err := bt.exec(ctx, `INSERT INTO clusters (id, lead_item_id, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			clusterID, id, at, at); err != nil {
			return err
		}
	}
	if _, err := bt.exec(ctx, insertItemSQL, id, "https://feed.example/rss", "Feed", id,
		"https://news.example/"+id, title, lead, "", at, at, "en", true, 1.0,
		`["Actor A"]`, "[]", "[]", "[]", "[]", clusterID, "", ""); err != nil {
		return err
	}
	blob, err := story.Signature(title, lead, story.Match{}).MarshalBinary()
	if err != nil {
		return err
	}
	_, err = bt.exec(ctx, insertSignatureSQL, id, clusterID, at, blob)
	return err
}

// BenchmarkSignatures measures loading the signatures of one 36-hour
// window, as the pipeline does at start, with 1,000 and with 100,000
// reports stored. Reports are spaced evenly, so both stores hold the same
// number within the window: the second should cost about as much as the
// first (the baseline), since the load is a range of an index, not a scan.
func BenchmarkSignatures(b *testing.B) {
	window := story.DefaultClusterOptions().Window
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			c := newBenchCorpus()
			s := bulkStore(b, c, n)
			end := c.at(n)
			loaded := 0
			for b.Loop() {
				found, err := s.Signatures(b.Context(), end.Add(-window), end)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := storyCandidates(found); err != nil {
					b.Fatal(err)
				}
				loaded += len(found)
			}
			b.ReportMetric(float64(loaded)/float64(b.N), "reports/op")
		})
	}
}

// storyCandidates decodes stored candidates for the clusterer.
func storyCandidates(found []store.Candidate) ([]story.Candidate, error) {
	out := make([]story.Candidate, len(found))
	for i, f := range found {
		var sig story.Sig
		if err := sig.UnmarshalBinary(f.Sig); err != nil {
			return nil, err
		}
		out[i] = story.Candidate{ClusterID: f.ClusterID, Report: story.Report{
			ID: f.ItemID, Link: f.Link, Published: f.Published, Sig: sig, Actors: f.Actors,
		}}
	}
	return out, nil
}
