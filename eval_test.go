package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// ownLabelledSet is the project's own hand-labelled set, shared with the
// story package's relevance test.
const ownLabelledSet = "story/testdata/relevance.jsonl"

// labelled is one item of a labelled set: the project's own or the shared
// dev set (see eval_shared_test.go).
type labelled struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	URL       string   `json:"url"`
	Published string   `json:"published"`
	Relevant  bool     `json:"relevant"`
	Actors    []string `json:"actors"`
}

// readLabelled reads a JSON Lines labelled set. A missing or empty file
// fails the test: the figures must never pass by measuring nothing.
func readLabelled(t *testing.T, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open labelled set: %v", err)
	}
	defer f.Close()
	var items []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var it labelled
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(items) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return items
}

// evalNow is the date given to items whose set records none.
var evalNow = time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)

// publishedTime parses a set's dates, which may omit the day or month;
// an item without one is dated evalNow.
func publishedTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return evalNow
}

// scorePreview runs `preview -all -format json -feed FILE` over a labelled
// set turned into RSS, as the eval README describes, and requires
// precision, recall and the share of exactly matched actors of 0.90 each.
func scorePreview(t *testing.T, set []labelled) {
	t.Helper()
	items := make([]rssItem, len(set))
	for i, it := range set {
		items[i] = rssItem{guid: it.ID, title: it.Title, desc: it.Summary, link: it.URL, published: publishedTime(it.Published)}
	}
	feed := filepath.Join(t.TempDir(), "set.xml")
	if err := os.WriteFile(feed, []byte(rss(items)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, "preview", "-config", "config.example.toml", "-all", "-format", "json", "-feed", feed)
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, stderr)
	}
	got := map[string]previewItem{}
	for _, it := range decodeLines(t, out) {
		got[it.Title] = it
	}
	var tp, fp, fn, exact int
	for _, want := range set {
		it, ok := got[want.Title]
		if !ok {
			t.Errorf("%s: not in the preview output", want.ID)
			continue
		}
		switch {
		case it.Relevant && want.Relevant:
			tp++
		case it.Relevant:
			fp++
			t.Logf("false positive %s (score %.2f): %s", want.ID, it.Score, want.Title)
		case want.Relevant:
			fn++
			t.Logf("false negative %s (score %.2f): %s", want.ID, it.Score, want.Title)
		}
		if sameSet(it.Actors, want.Actors) {
			exact++
		} else {
			t.Logf("actors %s: got %q, want %q", want.ID, it.Actors, want.Actors)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	actors := float64(exact) / float64(len(set))
	t.Logf("%d items, precision %.3f, recall %.3f, actors exact %.3f", len(set), precision, recall, actors)
	if precision < 0.90 || recall < 0.90 || actors < 0.90 {
		t.Errorf("precision %.3f, recall %.3f, actors exact %.3f: each must be at least 0.90", precision, recall, actors)
	}
}

// TestPreviewOwnSet scores the preview command on the project's own
// labelled set.
func TestPreviewOwnSet(t *testing.T) {
	t.Parallel()
	scorePreview(t, readLabelled(t, ownLabelledSet))
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
