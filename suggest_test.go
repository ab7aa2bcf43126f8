package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storyline/config"
	"storyline/feeds"
	"storyline/store"
	"storyline/store/sqlite"
)

// storeReports stores reports (title and text) in a new SQLite store at
// path, judged with the story of the config at cfgPath, published a
// minute apart within the last hour, the first the newest.
func storeReports(t *testing.T, path, cfgPath string, reports [][2]string) {
	t.Helper()
	cfg, err := config.Load(cfgPath, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newMatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var b store.Batch
	now := time.Now()
	for i, r := range reports {
		id := fmt.Sprintf("r%d", i)
		b.Records = append(b.Records, store.Record{
			Item: feeds.Item{ID: id, GUID: id, FeedName: "Wire", FeedURL: "https://wire.example/rss",
				Title: r[0], Text: r[1], Published: now.Add(-time.Duration(i+1) * time.Minute)},
			Match: m.Match(r[0], r[1]),
		})
	}
	if _, err := st.Commit(t.Context(), b); err != nil {
		t.Fatal(err)
	}
}

// TestSuggestCommand checks that `storyline suggest` reads the stored
// reports and prints the names and phrases the story's definition lacks,
// with counts and examples, and an alias another person shares, and says
// that nothing was changed.
func TestSuggestCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bot.db")
	cfgPath := writeConfig(t, fmt.Sprintf("[store]\npath = %q\n", db))
	var reports [][2]string
	for i := range 4 {
		reports = append(reports, [2]string{
			fmt.Sprintf("Quill and Otter sign the bridge deal (%d)", i),
			"Quill, Otter and the mayor Mira Holt agreed on toll booths at the harbour.",
		})
		reports = append(reports, [2]string{
			fmt.Sprintf("Jon Otter scores again (%d)", i),
			"Jon Otter scored twice in the football match; the mayor watched.",
		})
	}
	storeReports(t, db, cfgPath, reports)

	out, stderr, err := runCmd(t, "suggest", "-config", cfgPath)
	if err != nil {
		t.Fatalf("suggest: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"from 4 relevant and 4 rejected reports",
		"Mira Holt: 4 relevant, 0 rejected",
		"toll booths: 4 relevant, 0 rejected",
		"e.g. “Quill and Otter sign the bridge deal (0)” · “Quill and Otter sign the bridge deal (1)”",
		`"Otter" (Bram Otter): 4 rejected, 4 relevant; after "Jon" in 4`,
		`an exclude entry "Jon Otter"`,
		"Nothing was changed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("suggest printed\n%s\nwant %q", out, want)
		}
	}
	for _, unwanted := range []string{"bridge deal: ", "the mayor:", "Mira Holt agreed"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("suggest printed\n%s\nwant no %q: configured, as common in rejected reports, or a name with a word", out, unwanted)
		}
	}
}

// TestSuggestWithoutStore checks that suggest refuses to run on a store
// that does not exist, naming it, instead of creating an empty one.
func TestSuggestWithoutStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "missing.db")
	cfgPath := writeConfig(t, fmt.Sprintf("[store]\npath = %q\n", db))
	_, _, err := runCmd(t, "suggest", "-config", cfgPath)
	if err == nil || !strings.Contains(err.Error(), "no store at "+db) || !strings.Contains(err.Error(), "storyline run") {
		t.Errorf("suggest without a store = %v, want an error naming %s and what to do", err, db)
	}
	if _, _, err := runCmd(t, "suggest", "-config", cfgPath, "-since", "-1h"); exitCode(err) != 2 {
		t.Errorf("suggest -since -1h = %v, want a usage error", err)
	}
}
