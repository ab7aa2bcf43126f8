package feeds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// ownFeedsDir holds the project's own feed documents: real-world shapes
// and hostile input, written for these tests.
const ownFeedsDir = "testdata/feeds"

// corpusDir is the shared bad-feed corpus beside the checkout, read only by
// tests built with the shared tag (corpus_test.go) and the plain-text
// corpus check.
const corpusDir = "../../shared/corpus/feeds"

// testNow is the fixed "now" the parse tests run at.
var testNow = time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)

// corpusFiles lists every feed document in the shared corpus (not the
// manifest, README or licences). It fails the test when the corpus is
// missing.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || strings.HasPrefix(name, ".") || name == "manifest.json" || name == "README.md" || name == "LICENSE" {
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		t.Fatalf("walk corpus %s: %v", corpusDir, err)
	}
	if len(files) < 100 {
		t.Fatalf("corpus %s has %d files, want the full corpus", corpusDir, len(files))
	}
	return files
}

// fetchAndParse reads a feed document through the Fetcher and parses it.
func fetchAndParse(ctx context.Context, path string) ([]Item, error) {
	f := NewFetcher(Options{})
	resp, err := f.Fetch(ctx, path, Validators{})
	if err != nil {
		return nil, err
	}
	return Parse(ctx, Source{Name: "corpus", URL: "https://feeds.example.com/feed.xml"}, resp.Body, testNow)
}

// checkParse fetches and parses path within a deadline and checks the
// invariants every outcome must hold (see checkOutcome).
func checkParse(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	type outcome struct {
		items []Item
		err   error
	}
	done := make(chan outcome, 1)
	go func() {
		items, err := fetchAndParse(ctx, path)
		done <- outcome{items, err}
	}()
	select {
	case <-ctx.Done():
		t.Fatalf("%s: no result within the deadline", path)
	case o := <-done:
		checkOutcome(t, o.items, o.err)
		t.Logf("%d items, class %q, err %v", len(o.items), ClassOf(o.err), o.err)
	}
}

// checkOutcome asserts what holds for any parse: an error with a class, or
// items with IDs, clean valid-UTF-8 text within the caps.
func checkOutcome(t *testing.T, items []Item, err error) {
	t.Helper()
	if err != nil {
		if ClassOf(err) == "" || ClassOf(err) == ClassOther {
			t.Errorf("error %v has class %q, want a specific class", err, ClassOf(err))
		}
		return
	}
	ids := map[string]bool{}
	for _, it := range items {
		if it.ID == "" || ids[it.ID] {
			t.Errorf("item %+v: empty or repeated ID", it)
		}
		ids[it.ID] = true
		for name, s := range map[string]string{"title": it.Title, "text": it.Text, "link": it.Link} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, invisible) {
				t.Errorf("item %s %s %q: invalid or invisible characters", it.ID, name, s)
			}
		}
		if len(it.Title) > maxTitleBytes || len(it.Text) > maxTextBytes {
			t.Errorf("item %s: title %d / text %d bytes, over the caps", it.ID, len(it.Title), len(it.Text))
		}
		if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
			t.Errorf("item %s: link %q is not http(s)", it.ID, it.Link)
		}
		if it.Published.IsZero() || it.Published.After(testNow.Add(futureSkew)) {
			t.Errorf("item %s: published %v", it.ID, it.Published)
		}
	}
}

// checkGolden compares items with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, items []Item, golden string) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(items); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("items differ from %s (run with -update if intended):\n%s", golden, got)
	}
}

// ownFeeds lists the project's feed documents.
func ownFeeds(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(ownFeedsDir)
	if err != nil {
		t.Fatalf("list %s: %v", ownFeedsDir, err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if len(files) == 0 {
		t.Fatalf("%s holds no feeds", ownFeedsDir)
	}
	return files
}

// TestOwnFeeds runs every project feed document through Fetch and Parse
// within a deadline and checks the invariants every outcome must hold.
func TestOwnFeeds(t *testing.T) {
	for _, name := range ownFeeds(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkParse(t, filepath.Join(ownFeedsDir, name))
		})
	}
}

// feedExpectation is what a test feed document must parse to.
type feedExpectation struct {
	file      string
	wantClass Class
	wantItems int
	check     func(t *testing.T, items []Item, err error)
}

// TestOwnFeedsExpectations checks what each project feed document is for.
func TestOwnFeedsExpectations(t *testing.T) {
	tests := []feedExpectation{
		{file: "page_with_alternate.html", wantClass: ClassNotAFeed, check: func(t *testing.T, _ []Item, err error) {
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Alternate != "https://feeds.example.com/rss/world.xml" {
				t.Errorf("error %v: want alternate https://feeds.example.com/rss/world.xml", err)
			}
		}},
		{file: "entity_expansion.rss.xml", wantItems: 1, check: func(t *testing.T, items []Item, _ error) {
			if len(items[0].Title) > maxTitleBytes || len(items[0].Text) > maxTextBytes || strings.Count(items[0].Title, "haha") > 1 {
				t.Errorf("nested entities expanded: title %q, text %d bytes", items[0].Title, len(items[0].Text))
			}
		}},
		{file: "entity_blowup.rss.xml", wantItems: 1, check: func(t *testing.T, items []Item, _ error) {
			if len(items[0].Text) > maxTextBytes {
				t.Errorf("repeated entity text is %d bytes", len(items[0].Text))
			}
		}},
		{file: "windows1251_undeclared.rss.xml", wantItems: 1, check: wantTitle("Переговоры о мирном плане продолжатся в Женеве")},
		{file: "windows1251_declared.rss.xml", wantItems: 1, check: wantTitle("Переговоры о мирном плане продолжатся в Женеве")},
		{file: "koi8r_declared_utf8.rss.xml", wantItems: 1, check: wantTitle("Переговоры о мирном плане продолжатся в Женеве")},
		{file: "latin1_declared_utf8.rss.xml", wantItems: 1, check: wantTitle("Négociations à Genève : réunion décisive")},
		{file: "utf16le_bom.rss.xml", wantItems: 1, check: wantTitle("Talks resume in Geneva")},
		{file: "repeated_ids.rss.xml", wantItems: 5},
		{file: "truncated.json", wantClass: ClassParse},
		{file: "wrong_types.json", wantClass: ClassParse},
		{file: "script_iframe.rss.xml", wantItems: 2, check: func(t *testing.T, items []Item, _ error) {
			for _, it := range items {
				if it.Text != "Before press After & more" || strings.Contains(it.Link, "javascript") {
					t.Errorf("item %s: text %q link %q", it.GUID, it.Text, it.Link)
				}
			}
		}},
		{file: "relative_links.rss.xml", wantItems: 6, check: func(t *testing.T, items []Item, _ error) {
			links := map[string]string{}
			for _, it := range items {
				links[it.GUID] = it.Link
			}
			want := map[string]string{
				"hg-1001": "https://gazette.example.net/europe/geneva-envoys.html",
				"hg-1002": "https://gazette.example.net/live/2025-11-20/kyiv-reactions",
				"hg-1003": "https://cdn.gazette.example.net/galleries/week-47",
				"hg-1004": "",
				"hg-1005": "",
			}
			for guid, link := range want {
				if links[guid] != link {
					t.Errorf("%s: link %q, want %q", guid, links[guid], link)
				}
			}
		}},
		{file: "hostile.json", wantItems: 5, check: func(t *testing.T, items []Item, _ error) {
			for _, it := range items {
				if strings.ContainsAny(it.Title+it.Text, "\x00\x07\u202e\u200b") {
					t.Errorf("item %s kept a control or invisible character: %q / %q", it.GUID, it.Title, it.Text)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			items, err := fetchAndParse(t.Context(), filepath.Join(ownFeedsDir, tt.file))
			if got := ClassOf(err); got != tt.wantClass {
				t.Fatalf("class %q (err %v), want %q", got, err, tt.wantClass)
			}
			if err == nil && len(items) != tt.wantItems {
				t.Fatalf("%d items, want %d: %+v", len(items), tt.wantItems, items)
			}
			if tt.check != nil {
				tt.check(t, items, err)
			}
		})
	}
	// Every document is there for a reason: listed here or pinned by a
	// golden file (TestParseGolden).
	for _, name := range ownFeeds(t) {
		listed := slices.ContainsFunc(tests, func(tt feedExpectation) bool { return tt.file == name })
		if !listed && !slices.Contains(goldenFeeds, name) {
			t.Errorf("%s has neither an expectation nor a golden file", name)
		}
	}
}

// wantTitle checks that the only item decoded to title.
func wantTitle(title string) func(t *testing.T, items []Item, err error) {
	return func(t *testing.T, items []Item, _ error) {
		t.Helper()
		if items[0].Title != title {
			t.Errorf("title %q, want %q", items[0].Title, title)
		}
	}
}

// isCyrillic reports whether r is a Cyrillic letter.
func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }
