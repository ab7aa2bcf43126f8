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

// labelled is one item of the shared labelled dev set.
type labelled struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	URL       string   `json:"url"`
	Published string   `json:"published"`
	Relevant  bool     `json:"relevant"`
	Actors    []string `json:"actors"`
}

// devSet reads ../shared/eval/dev.jsonl, which CI lays beside the clone.
func devSet(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "shared", "eval", "dev.jsonl"))
	if err != nil {
		t.Fatalf("the labelled dev set must be beside the checkout: %v", err)
	}
	defer f.Close()
	var items []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var it labelled
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("dev.jsonl: %v", err)
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		t.Fatal("dev.jsonl is empty")
	}
	return items
}

// publishedTime parses the set's dates, which may omit the day or month.
func publishedTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// TestPreviewDevSet runs `preview -all -format json -feed FILE` over the dev
// set turned into RSS, as the eval README describes, and scores it.
func TestPreviewDevSet(t *testing.T) {
	set := devSet(t)
	items := make([]rssItem, len(set))
	for i, it := range set {
		items[i] = rssItem{guid: it.ID, title: it.Title, desc: it.Summary, link: it.URL, published: publishedTime(it.Published)}
	}
	feed := filepath.Join(t.TempDir(), "dev.xml")
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
	t.Logf("dev set: %d items, precision %.3f, recall %.3f, actors exact %.3f", len(set), precision, recall, actors)
	if precision < 0.90 || recall < 0.90 || actors < 0.90 {
		t.Errorf("precision %.3f, recall %.3f, actors exact %.3f: each must be at least 0.90", precision, recall, actors)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
