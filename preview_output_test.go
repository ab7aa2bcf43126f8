package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"storyline/feeds"
)

// samplePost is one post the README's offline preview shows: its title
// and the titles of the reports that join it.
type samplePost struct {
	title string
	joins []string
}

// parsePosts reads the posts of a text preview: blocks starting "POST",
// the title on the next line, joining reports on "also reported:" lines.
func parsePosts(t *testing.T, out string) []samplePost {
	t.Helper()
	var posts []samplePost
	for _, block := range strings.Split(strings.TrimSpace(out), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "POST  score ") {
			t.Fatalf("block does not start with a POST line:\n%s", block)
		}
		p := samplePost{title: strings.TrimSpace(lines[1])}
		for _, l := range lines[2:] {
			if rest, ok := strings.CutPrefix(l, "  also reported: "); ok {
				title, _, _ := strings.Cut(rest, " — ")
				p.joins = append(p.joins, title)
			}
		}
		posts = append(posts, p)
	}
	return posts
}

// sampleOffTopic are the items of testdata/sample.xml about something else.
var sampleOffTopic = []string{
	"Daniil Medvedev reaches the final in Paris", "Kyiv theatre opens its winter season",
	"Ceasefire talks on Gaza resume in Cairo", "City council approves a new tram line", "Heavy snow closes mountain passes",
}

// TestPreviewSampleFeed runs the README's offline quick start as typed:
// the sample feed's reports about the story come out as the posts the bot
// would make, reports of one development grouped under its first, and the
// items about something else are left out.
func TestPreviewSampleFeed(t *testing.T) {
	t.Parallel()
	stdout, stderr, err := runCmd(t, "preview", "-config", "config.example.toml", "-feed", "testdata/sample.xml")
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, stderr)
	}
	want := []samplePost{
		{title: "Driscoll hands the US draft to Zelensky in Kyiv"},
		{title: "Dmitriev says Moscow sees the US draft as a basis for talks"},
		{title: "Rubio and Umerov rework the peace plan in Geneva", joins: []string{"Geneva talks shorten the plan to 19 points"}},
		{title: "Witkoff flies to Moscow with the revised peace plan", joins: []string{
			"Уиткофф прилетел в Москву с обновлённым мирным планом США", "Putin receives Witkoff and Kushner in the Kremlin"}},
	}
	got := parsePosts(t, stdout)
	if !slices.EqualFunc(got, want, func(a, b samplePost) bool { return a.title == b.title && slices.Equal(a.joins, b.joins) }) {
		t.Errorf("posts:\n%+v\nwant:\n%+v\noutput:\n%s", got, want, stdout)
	}
	for _, title := range sampleOffTopic {
		if strings.Contains(stdout, title) {
			t.Errorf("the preview shows %q, which is not about the story", title)
		}
	}
	if !strings.Contains(stdout, "actors:  Dan Driscoll · Volodymyr Zelensky") {
		t.Errorf("the first post does not name its actors:\n%s", stdout)
	}
	if want := "preview: 12 new items; 7 about the story, as 4 posts; 5 items not about the story left out (-all shows them)\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
}

func TestPreviewSampleFeedAll(t *testing.T) {
	t.Parallel()
	stdout, _, err := runCmd(t, "preview", "-config", "config.example.toml", "-feed", "testdata/sample.xml", "-all")
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range sampleOffTopic {
		if !strings.Contains(stdout, "\n  "+title+"\n") {
			t.Errorf("-all does not show %q:\n%s", title, stdout)
		}
	}
	if n := strings.Count(stdout, "skip  score "); n != len(sampleOffTopic) {
		t.Errorf("%d skipped items shown, want %d", n, len(sampleOffTopic))
	}
	if n := strings.Count(stdout, "POST  score "); n != 4 {
		t.Errorf("%d posts shown with -all, want 4", n)
	}
}

func TestPreviewJSONNumbersDevelopments(t *testing.T) {
	t.Parallel()
	stdout, _, err := runCmd(t, "preview", "-config", "config.example.toml", "-feed", "testdata/sample.xml", "-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	dev := make(map[string]int)
	for _, it := range decodeLines(t, stdout) {
		if !it.Relevant || it.Development == 0 {
			t.Errorf("item %q: relevant %v, development %d", it.Title, it.Relevant, it.Development)
		}
		dev[it.Title] = it.Development
	}
	if len(dev) != 7 {
		t.Fatalf("%d items, want the 7 about the story", len(dev))
	}
	if dev["Witkoff flies to Moscow with the revised peace plan"] != dev["Уиткофф прилетел в Москву с обновлённым мирным планом США"] ||
		dev["Rubio and Umerov rework the peace plan in Geneva"] != dev["Geneva talks shorten the plan to 19 points"] {
		t.Errorf("reports of one development carry different numbers: %v", dev)
	}
	if dev["Driscoll hands the US draft to Zelensky in Kyiv"] != 1 || dev["Putin receives Witkoff and Kushner in the Kremlin"] != 4 ||
		dev["Putin receives Witkoff and Kushner in the Kremlin"] != dev["Witkoff flies to Moscow with the revised peace plan"] {
		t.Errorf("developments are not numbered in publication order: %v", dev)
	}
}

// refusedURL is an http URL on loopback where nothing listens.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/rss"
}

func TestPreviewFeedErrorLines(t *testing.T) {
	t.Parallel()
	good := previewFeed(t, time.Now())
	down := refusedURL(t)
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private = true\n[[feeds]]\nname = \"Down\"\nurl = %q\n[[feeds]]\nname = \"Good\"\nurl = %q\n", down, good.URL))
	_, stderr, err := runCmd(t, "preview", "-config", cfg)
	if err != nil {
		t.Fatalf("one feed down failed the preview: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 3 {
		t.Fatalf("stderr has %d lines, want the failed feed, the summary and the hint:\n%s", len(lines), stderr)
	}
	if !strings.HasPrefix(lines[0], fmt.Sprintf("feed \"Down\" (%s): connect: ", down)) || strings.Count(lines[0], down) != 1 {
		t.Errorf("error line %q should name the feed, its URL once and the class", lines[0])
	}
	if last := lines[2]; !strings.Contains(last, "1 of 2 feeds failed") || !strings.Contains(last, "network") || !strings.Contains(last, "-feed") {
		t.Errorf("last line %q should count the failures and say what to try (network, -feed)", last)
	}
}

func TestPreviewAllFeedsFailed(t *testing.T) {
	t.Parallel()
	down := refusedURL(t)
	cfg := writeConfig(t, fmt.Sprintf("[fetch]\nallow_private = true\n[[feeds]]\nname = \"Down\"\nurl = %q\n", down))
	_, stderr, err := runCmd(t, "preview", "-config", cfg)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("preview with every feed down = %v, want a failure", err)
	}
	for _, want := range []string{"1 of 1 feeds failed", "network", "-feed testdata/sample.xml", cfg} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := strings.Count(stderr, "\n"); n != 1 {
		t.Errorf("stderr has %d lines, want one for the feed:\n%s", n, stderr)
	}
}

func TestFeedFailureLine(t *testing.T) {
	t.Parallel()
	const u = "https://news.example/rss"
	dns := &net.DNSError{Err: "no such host", Name: "news.example", IsNotFound: true}
	tests := []struct {
		name string
		src  feeds.Source
		err  error
		want string
	}{
		{"dns", feeds.Source{Name: "Wire", URL: u},
			&feeds.FetchError{URL: u, Class: feeds.ClassDNS, Err: &url.Error{Op: "Get", URL: u, Err: &net.OpError{Op: "dial", Net: "tcp", Err: dns}}},
			`feed "Wire" (https://news.example/rss): dns: dial tcp: lookup news.example: no such host`},
		{"http", feeds.Source{Name: "Wire", URL: u},
			&feeds.FetchError{URL: u, Class: feeds.ClassHTTP5xx, Status: 503, RetryAfter: 120e9, Err: errors.New("503 Service Unavailable")},
			`feed "Wire" (https://news.example/rss): http_5xx: 503 Service Unavailable (retry after 2m0s)`},
		{"file given with -feed", feeds.Source{Name: "missing.xml", URL: "missing.xml"},
			&feeds.FetchError{URL: "missing.xml", Class: feeds.ClassOther, Err: &fs.PathError{Op: "open", Path: "missing.xml", Err: syscall.ENOENT}},
			`feed missing.xml: other: no such file or directory`},
	}
	for _, tt := range tests {
		if got := feedFailure(feeds.Poll{Source: tt.src, Err: tt.err}); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
