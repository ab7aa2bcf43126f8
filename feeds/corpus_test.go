package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// corpusDir is the shared bad-feed corpus, relative to this package.
const corpusDir = "../../shared/corpus/feeds"

// corpusFiles lists every feed document in the corpus (not the manifest,
// README or licences). It fails the test when the corpus is missing.
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

// fetchAndParse reads a corpus file through the Fetcher and parses it.
func fetchAndParse(ctx context.Context, path string) ([]Item, error) {
	f := NewFetcher(Options{})
	resp, err := f.Fetch(ctx, path, Validators{})
	if err != nil {
		return nil, err
	}
	return Parse(Source{Name: "corpus", URL: "https://feeds.example.com/feed.xml"}, resp.Body, testNow)
}

// testNow is the fixed "now" the parse tests run at.
var testNow = time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)

// TestCorpus runs every corpus document through Fetch and Parse within a
// deadline and checks the invariants every outcome must hold.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		rel, _ := filepath.Rel(corpusDir, path)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
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
				t.Fatalf("%s: no result within the deadline", rel)
			case o := <-done:
				checkOutcome(t, o.items, o.err)
				t.Logf("%d items, class %q, err %v", len(o.items), ClassOf(o.err), o.err)
			}
		})
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

// TestCorpusManifest checks a few of the manifest's expectations.
func TestCorpusManifest(t *testing.T) {
	tests := []struct {
		file      string
		wantClass Class
		wantItems int
		check     func(t *testing.T, items []Item, err error)
	}{
		{file: "synthetic/html5_page_not_feed.html", wantClass: ClassNotAFeed, check: func(t *testing.T, _ []Item, err error) {
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Alternate != "https://feeds.example.com/feed.xml" {
				t.Errorf("error %v: want alternate https://feeds.example.com/feed.xml", err)
			}
		}},
		{file: "synthetic/billion_laughs.xml", wantItems: 1, check: func(t *testing.T, items []Item, _ error) {
			if len(items[0].Title) > maxTitleBytes || len(items[0].Text) > maxTextBytes {
				t.Errorf("billion laughs expanded: %d/%d bytes", len(items[0].Title), len(items[0].Text))
			}
		}},
		{file: "synthetic/quadratic_blowup.xml", wantItems: 1, check: func(t *testing.T, items []Item, _ error) {
			if len(items[0].Text) > maxTextBytes {
				t.Errorf("quadratic blowup text is %d bytes", len(items[0].Text))
			}
		}},
		{file: "synthetic/windows1251_undeclared.xml", wantItems: 1, check: wantCyrillicTitle},
		{file: "synthetic/windows1251_declared.xml", wantItems: 1, check: wantCyrillicTitle},
		{file: "synthetic/koi8r_declared_utf8.xml", wantItems: 1, check: wantCyrillicTitle},
		{file: "synthetic/latin1_declared_utf8.xml", wantItems: 1, check: func(t *testing.T, items []Item, _ error) {
			if strings.ContainsRune(items[0].Title+items[0].Text, '\uFFFD') {
				t.Errorf("latin-1 item decoded with replacement characters: %+v", items[0])
			}
		}},
		{file: "synthetic/huge_fields.xml", wantItems: 1, check: func(t *testing.T, items []Item, _ error) {
			if len(items[0].Title) > maxTitleBytes || !utf8.ValidString(items[0].Title) {
				t.Errorf("title not capped at a rune boundary: %d bytes", len(items[0].Title))
			}
		}},
		{file: "synthetic/duplicate_guids_missing_dates.xml", wantItems: 5},
		{file: "synthetic/jsonfeed_truncated.json", wantClass: ClassParse},
		{file: "synthetic/script_iframe_description.xml", wantItems: 2, check: func(t *testing.T, items []Item, _ error) {
			for _, it := range items {
				if it.Text != "Intro clickdata Outro & end" || strings.Contains(it.Link, "javascript") {
					t.Errorf("item %s: text %q link %q", it.GUID, it.Text, it.Link)
				}
			}
		}},
		{file: "gofeed/testdata/parser/universal/unknown_feed.xml", wantClass: ClassNotAFeed},
		{file: "feedparser/tests/encoding/utf-16le-bom.xml", wantClass: ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			items, err := fetchAndParse(t.Context(), filepath.Join(corpusDir, tt.file))
			if got := ClassOf(err); got != tt.wantClass {
				t.Fatalf("class %q (err %v), want %q", got, err, tt.wantClass)
			}
			if err == nil && len(items) != tt.wantItems && tt.wantItems > 0 {
				t.Fatalf("%d items, want %d: %+v", len(items), tt.wantItems, items)
			}
			if tt.check != nil {
				tt.check(t, items, err)
			}
		})
	}
}

// wantCyrillicTitle checks that a legacy Cyrillic feed decoded to Cyrillic.
func wantCyrillicTitle(t *testing.T, items []Item, _ error) {
	t.Helper()
	title := items[0].Title
	if strings.ContainsRune(title, '\uFFFD') || !strings.ContainsFunc(title, isCyrillic) {
		t.Errorf("title %q: want Cyrillic text", title)
	}
}

// manifestEntry is the part of a corpus manifest entry the tests read.
type manifestEntry struct {
	File   string `json:"file"`
	Gofeed string `json:"gofeed_v1_4_2"`
}

// TestCorpusManifestCoversFiles checks the manifest lists every file the
// corpus test runs, so a renamed or removed file is noticed.
func TestCorpusManifestCoversFiles(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpusDir, "manifest.json"))
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var entries []manifestEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatalf("decode manifest: %v", err)
	}
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.File] = true
	}
	for _, path := range corpusFiles(t) {
		rel, _ := filepath.Rel(corpusDir, path)
		if !listed[filepath.ToSlash(rel)] {
			t.Errorf("%s is not in the manifest", rel)
		}
	}
}

// isCyrillic reports whether r is a Cyrillic letter.
func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }
