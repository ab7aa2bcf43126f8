package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// noEnv is an environment with nothing set.
func noEnv(string) string { return "" }

// testStory is a small story config used by the command tests.
const testStory = `
[story]
name = "Harbour bridge deal"
phrases = ["bridge deal"]
weak_phrases = ["toll plan"]
context = ["harbour"]
exclude = ["football"]

[[actors]]
name = "Ada Quill"
aliases = ["Quill", "Ада Квилл"]
stems = ["Квилл"]
weight = 0.5

[[actors]]
name = "Bram Otter"
aliases = ["Otter"]
weight = 0.5
`

// writeConfig writes testStory plus extra TOML to a temporary config file.
func writeConfig(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(testStory+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// rssItem is one item of a generated RSS document.
type rssItem struct {
	guid, title, desc, link string
	published               time.Time
}

// rss renders items as an RSS 2.0 document.
func rss(items []rssItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://news.example/</link><description>d</description>`)
	for _, it := range items {
		fmt.Fprintf(&b, "<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><description>%s</description><link>%s</link><pubDate>%s</pubDate></item>\n",
			xmlEscape(it.guid), xmlEscape(it.title), xmlEscape(it.desc), xmlEscape(it.link), it.published.UTC().Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		panic(err)
	}
	return b.String()
}

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, args, noEnv, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestCheck(t *testing.T) {
	cfg := writeConfig(t, "[[feeds]]\nname = \"one\"\nurl = \"https://news.example/rss\"\n")
	out, _, err := runCmd(t, "check", "-config", cfg)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	for _, want := range []string{"ok", "1 feed", "2 actors", "2 phrases"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output %q lacks %q", out, want)
		}
	}
}

func TestCheckReportsFileAndLine(t *testing.T) {
	cfg := writeConfig(t, "[poll]\nintervall = \"1m\"\n")
	_, _, err := runCmd(t, "check", "-config", cfg)
	if err == nil {
		t.Fatal("check accepted an unknown key")
	}
	// The bad key is on the second line after testStory.
	line := strings.Count(testStory, "\n") + 2
	if want := fmt.Sprintf("config.toml:%d", line); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "intervall") {
		t.Errorf("error %q should name %s and the key", err, want)
	}
}

func TestCheckExampleConfig(t *testing.T) {
	out, _, err := runCmd(t, "check", "-config", "config.example.toml")
	if err != nil {
		t.Fatalf("check config.example.toml: %v", err)
	}
	if !strings.Contains(out, "45 actors") {
		t.Errorf("summary %q", out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}, {"preview", "-format", "xml"}, {"check", "stray"}} {
		if _, _, err := runCmd(t, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("run %q: err %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
}

// previewFeed serves a feed with two relevant, one rejected and one old item.
func previewFeed(t *testing.T, now time.Time) *httptest.Server {
	t.Helper()
	body := rss([]rssItem{
		{"a", "Quill signs the bridge deal", "Ada Quill and Bram Otter agreed. The post Bridge appeared first on Site.", "https://news.example/a?utm_source=x", now.Add(-3 * time.Hour)},
		{"b", "Ада Квилл обсудила toll plan", "Квилла поддержал Otter в harbour.", "https://news.example/b", now.Add(-2 * time.Hour)},
		{"c", "Football results", "Otter scored twice in the football match.", "https://news.example/c", now.Add(-3 * time.Hour)},
		{"d", "Old bridge deal news", "Quill said the bridge deal is near.", "https://news.example/d", now.Add(-100 * time.Hour)},
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decodeLines(t *testing.T, out string) []previewItem {
	t.Helper()
	var items []previewItem
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var it previewItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		items = append(items, it)
	}
	return items
}

func titles(items []previewItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

func TestPreviewJSON(t *testing.T) {
	srv := previewFeed(t, time.Now())
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private = true\n[[feeds]]\nname = \"Local\"\nurl = %q\n", srv.URL))
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"relevant only", nil, []string{"Quill signs the bridge deal", "Ада Квилл обсудила toll plan", "Old bridge deal news"}},
		{"all", []string{"-all"}, []string{"Quill signs the bridge deal", "Ада Квилл обсудила toll plan", "Football results", "Old bridge deal news"}},
		{"since", []string{"-since", "24h"}, []string{"Quill signs the bridge deal", "Ада Квилл обсудила toll plan"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runCmd(t, append([]string{"preview", "-config", cfg, "-format", "json"}, tc.args...)...)
			if err != nil {
				t.Fatalf("preview: %v\n%s", err, stderr)
			}
			items := decodeLines(t, out)
			if got := titles(items); !slices.Equal(got, tc.want) {
				t.Fatalf("titles %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPreviewItemFields(t *testing.T) {
	srv := previewFeed(t, time.Now())
	cfg := writeConfig(t, "[fetch]\nallow_private = true\n")
	out, stderr, err := runCmd(t, "preview", "-config", cfg, "-feed", srv.URL, "-format", "json", "-all")
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, stderr)
	}
	items := decodeLines(t, out)
	if len(items) != 4 {
		t.Fatalf("got %d items, want 4", len(items))
	}
	first := items[0]
	if first.Link != "https://news.example/a" || !first.Relevant || first.Feed != srv.URL {
		t.Errorf("first item %+v", first)
	}
	if !slices.Equal(first.Actors, []string{"Ada Quill", "Bram Otter"}) || !slices.Equal(first.Phrases, []string{"bridge deal"}) {
		t.Errorf("actors %q phrases %q", first.Actors, first.Phrases)
	}
	if strings.Contains(first.Summary, "appeared first") || first.Summary == "" {
		t.Errorf("summary %q", first.Summary)
	}
	if !slices.Equal(items[1].Actors, []string{"Ada Quill", "Bram Otter"}) {
		t.Errorf("Cyrillic item actors %q", items[1].Actors)
	}
	if items[2].Relevant || items[2].Score >= 1 {
		t.Errorf("football item %+v should be rejected", items[2])
	}
}

func TestPreviewText(t *testing.T) {
	srv := previewFeed(t, time.Now())
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private = true\n[[feeds]]\nname = \"Local\"\nurl = %q\n", srv.URL))
	out, _, err := runCmd(t, "preview", "-config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"POST", "Quill signs the bridge deal", "https://news.example/a", "actors:  Ada Quill · Bram Otter", "matched: bridge deal"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Football") {
		t.Errorf("rejected item printed without -all:\n%s", out)
	}
}

func TestPreviewFeedErrorsGoToStderr(t *testing.T) {
	good := previewFeed(t, time.Now())
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(broken.Close)
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private = true\n[[feeds]]\nname = \"Broken\"\nurl = %q\n[[feeds]]\nname = \"Good\"\nurl = %q\n", broken.URL, good.URL))
	out, stderr, err := runCmd(t, "preview", "-config", cfg, "-format", "json")
	if err != nil {
		t.Fatalf("one broken feed failed the preview: %v", err)
	}
	if !strings.Contains(stderr, `"Broken"`) || !strings.Contains(stderr, "http_5xx") {
		t.Errorf("stderr %q should name the feed and the error class", stderr)
	}
	if len(decodeLines(t, out)) != 3 {
		t.Errorf("the good feed's items are missing:\n%s", out)
	}
}

func TestPreviewGuardRefusesLoopback(t *testing.T) {
	srv := previewFeed(t, time.Now())
	cfg := writeConfig(t, "")
	_, stderr, err := runCmd(t, "preview", "-config", cfg, "-feed", srv.URL)
	if err == nil || !strings.Contains(stderr, "forbidden_address") {
		t.Errorf("loopback feed with allow_private = false: err %v, stderr %q", err, stderr)
	}
}

func TestPreviewStoreRemembersSeenItems(t *testing.T) {
	srv := previewFeed(t, time.Now())
	cfg := writeConfig(t, "[fetch]\nallow_private = true\n")
	db := filepath.Join(t.TempDir(), "seen.db")
	first, _, err := runCmd(t, "preview", "-config", cfg, "-feed", srv.URL, "-store", db, "-format", "json")
	if err != nil || len(decodeLines(t, first)) == 0 {
		t.Fatalf("first preview: %v %q", err, first)
	}
	second, _, err := runCmd(t, "preview", "-config", cfg, "-feed", srv.URL, "-store", db, "-format", "json")
	if err != nil || second != "" {
		t.Fatalf("second preview over the same store printed %q (err %v), want nothing new", second, err)
	}
}

func TestPreviewRefusesBotStore(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, fmt.Sprintf("[store]\npath = %q\n", filepath.Join(dir, "bot.db")))
	_, _, err := runCmd(t, "preview", "-config", cfg, "-feed", "/nonexistent", "-store", filepath.Join(dir, "bot.db"))
	if err == nil || !strings.Contains(err.Error(), "bot's own store") {
		t.Errorf("err %v, want a refusal to use the bot's store", err)
	}
}
