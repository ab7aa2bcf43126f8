//go:build shared

package story_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"storyline/story"
)

// devCluster is one report of ../shared/eval/clusters-dev.jsonl. Its
// summary is an English condensation even for reports in other
// languages, which a real feed does not carry.
type devCluster struct {
	ID          string `json:"id"`
	Development string `json:"development"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Published   string `json:"published"`
	Lang        string `json:"lang"`
}

// loadClustersDev reads the shared labelled clustering set, which CI lays
// beside the checkout; it fails when the set is missing.
func loadClustersDev(t *testing.T) []devCluster {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "eval", "clusters-dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the shared clustering set must be beside the checkout: %v", err)
	}
	defer f.Close()
	var out []devCluster
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var d devCluster
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil || len(out) == 0 {
		t.Fatalf("%s: %d reports, %v", path, len(out), err)
	}
	return out
}

// TestClusterSharedDev clusters ../shared/eval/clusters-dev.jsonl (96
// reports of 24 developments in 11 languages, dated by the day) and
// prints its figures three ways: with the English summary of every
// report as its lead (the set as given, checked against the issue's
// floor); with the summary only for English reports, the others by their
// own-language title alone; and by titles alone.
func TestClusterSharedDev(t *testing.T) {
	set := loadClustersDev(t)
	m := exampleMatcher(t)
	for _, mode := range []struct {
		name string
		lead func(devCluster) string
	}{
		{"summaries", func(d devCluster) string { return d.Summary }},
		{"own-language", func(d devCluster) string {
			if d.Lang == "en" {
				return d.Summary
			}
			return ""
		}},
		{"titles", func(devCluster) string { return "" }},
	} {
		items := make([]clusterItem, len(set))
		for i, d := range set {
			day, err := time.Parse("2006-01-02", d.Published)
			if err != nil {
				t.Fatalf("%s: published %q: %v", d.ID, d.Published, err)
			}
			items[i] = clusterItem{ID: d.ID, Development: d.Development, Lang: d.Lang, Title: d.Title,
				Lead: mode.lead(d), Published: day.Add(12 * time.Hour)}
		}
		f := pairwise(items, clusterSet(m, items, story.DefaultClusterOptions()))
		f.log(t, "clusters-dev.jsonl, "+mode.name)
		if mode.name == "summaries" {
			f.meetsFloor(t, "clusters-dev.jsonl, "+mode.name)
		}
	}
}
