package story_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// sameLimits are the summary lengths the differential tests try; 0 means
// the default.
func sameLimits() []int { return []int{0, 1, 12, 80, 200, 350, 1000} }

// corpusFiles are the labelled items whose titles and texts make the
// differential corpus: the package's own test data and the shared dev set.
func corpusFiles() []string {
	return []string{
		"testdata/relevance.jsonl",
		"testdata/clusters.jsonl",
		"testdata/clusters_gaza.jsonl",
		"../../shared/eval/dev.jsonl",
	}
}

// titledText is one title and text to summarise.
type titledText struct{ title, text string }

// readTitledTexts reads the title and the summary or lead of every item of
// a JSON lines file.
func readTitledTexts(t testing.TB, path string) []titledText {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []titledText
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var it struct{ Title, Summary, Lead string }
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, titledText{it.Title, it.Summary + it.Lead})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// variants dresses an item up as feeds deliver it: the title repeated at
// the start, link texts and footers at the end, odd white space, control
// and format characters, invalid UTF-8, a truncated ending, and no text
// or no title at all.
func variants(it titledText) []titledText {
	t, x := it.title, it.text
	half := x[:strings.LastIndexByte(x[:len(x)/2+1], ' ')+1]
	return []titledText{
		it,
		{t, t + "\n" + x},
		{t, t + ". " + x},
		{t, strings.ToUpper(t) + " – " + x + " Continue reading →"},
		{t, t + " - " + x},
		{t, t + ": " + x},
		{t, t + " | " + x + " Keep reading"},
		{t, t + " " + x},
		{t, strings.ReplaceAll(t, " ", "  ") + " | " + x},
		{t, x + "\nThe post " + t + " appeared first on Example News.\n"},
		{t, "The post " + x + "\n" + t + " appeared first on Example News."},
		{t, x + " […]\nRead more"},
		{t, x + " Read the full story..."},
		{t, strings.ReplaceAll(x, " ", "  ")},
		{t, strings.ReplaceAll(x, ", ", ",\u00a0\t")},
		{t, strings.ReplaceAll(x, "e ", "e\u200b \x00")},
		{t, strings.ReplaceAll(x, "s ", "s\t")},
		{t, strings.ReplaceAll(x, "n ", "n\u00a0")},
		{t, strings.ReplaceAll(x, "er", "e\u00adr")},
		{t, strings.ReplaceAll(x, "a", "a\x7f")},
		{t, strings.ReplaceAll(x, "o", "o\xff")},
		{t, strings.ReplaceAll(x, ". ", ".\r\n")},
		{t, half + "…"},
		{t, x + " " + x},
		{t, x + "\n" + t},
		{t, ""},
		{"", x},
	}
}

// articles joins the texts of items into long multi-paragraph articles,
// titled after their first item.
func articles(items []titledText) []titledText {
	var out []titledText
	for start := 0; start < len(items); start += 12 {
		group := items[start:min(start+12, len(items))]
		var b strings.Builder
		for i, it := range group {
			if i > 0 {
				b.WriteString([]string{" ", "\n\n", "\n"}[i%3])
			}
			b.WriteString(it.text)
		}
		out = append(out, titledText{group[0].title, b.String()})
	}
	return out
}

// sameCorpus is every title and text the differential test summarises.
func sameCorpus(t testing.TB) []titledText {
	t.Helper()
	corpus := []titledText{
		{benchShortTitle, benchShortText},
		{benchArticleTitle, benchArticle()},
	}
	for _, path := range corpusFiles() {
		items := readTitledTexts(t, path)
		for _, it := range append(items, articles(items)...) {
			corpus = append(corpus, variants(it)...)
		}
	}
	return corpus
}

// TestSummarizeSameAsBefore checks that Summarize gives the summaries it
// gave before it was made faster, over the whole corpus at several
// lengths.
func TestSummarizeSameAsBefore(t *testing.T) {
	m := exampleMatcher(t)
	for _, it := range sameCorpus(t) {
		for _, limit := range sameLimits() {
			if got, want := m.Summarize(it.title, it.text, limit), m.SummarizeBefore(it.title, it.text, limit); got != want {
				t.Errorf("Summarize(%q, %q, %d) =\n%q, before\n%q", it.title, it.text, limit, got, want)
			}
		}
	}
}

// FuzzSummarizeSame checks that Summarize gives the summaries it gave
// before it was made faster, for any title, text and length.
func FuzzSummarizeSame(f *testing.F) {
	m := exampleMatcher(f)
	f.Add("Witkoff lands in Moscow", "Witkoff lands in Moscow. Mr. Putin met him. Read more", 80)
	f.Add("Встреча", "Встреча прошла в 2025 г. в Киеве…", 10)
	f.Add("ＴＩＴＬＥ", "\xff The post x appeared first on y.", 1)
	f.Add("Trump's plan", "TRUMP’S PLAN – Witkoff's  draft\t\u00a0cuts\u200b the army. Continue reading…", 0)
	f.Add("Envoy", "The post\nEnvoy appeared first on X. The Post Envoy Appeared First On Y.\nRead more", 200)
	f.Add(benchArticleTitle, benchArticle(), 350)
	f.Fuzz(func(t *testing.T, title, text string, limit int) {
		limit %= 1200
		if got, want := m.Summarize(title, text, limit), m.SummarizeBefore(title, text, limit); got != want {
			t.Fatalf("Summarize(%q, %q, %d) =\n%q, before\n%q", title, text, limit, got, want)
		}
	})
}
