//go:build shared

package feeds

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The tests in this file read the shared bad-feed corpus beside the
// checkout (corpusDir); they run with -tags shared and fail without it.

// TestCorpus runs every corpus document through Fetch and Parse within a
// deadline and checks the invariants every outcome must hold.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		rel, _ := filepath.Rel(corpusDir, path)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			checkParse(t, path)
		})
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

// corpusGolden are corpus documents whose parsed items are pinned in
// testdata/golden/corpus/<name>.json.
var corpusGolden = []string{
	"synthetic/relative_links_rss.xml",
	"synthetic/script_iframe_description.xml",
	"synthetic/odd_dates_rss.xml",
	"synthetic/jsonfeed_hostile.json",
	"gofeed/testdata/parser/universal/json11_feed.json",
	"gofeed/testdata/parser/rss/rss_channel_item_xml_base.xml",
}

func TestCorpusGolden(t *testing.T) {
	for _, file := range corpusGolden {
		t.Run(file, func(t *testing.T) {
			items, err := fetchAndParse(t.Context(), filepath.Join(corpusDir, file))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			name := strings.ReplaceAll(filepath.Base(file), ".", "_") + ".json"
			checkGolden(t, items, filepath.Join("testdata", "golden", "corpus", name))
		})
	}
}
