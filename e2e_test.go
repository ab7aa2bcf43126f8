package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// The end-to-end tests run `storyline run` in-process against the fake
// Discord and a feed served on loopback, and wait on conditions, never on
// fixed sleeps.

// testTokenEnv is the variable the test configs read the token from.
const testTokenEnv = "STORYLINE_TEST_TOKEN"

// e2eWait bounds every wait of an end-to-end test.
const e2eWait = 30 * time.Second

// feedServer serves an RSS feed whose items a test changes, and counts
// polls.
type feedServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	items   []rssItem
	polls   int
	changed chan struct{} // closed and replaced on every poll
}

func newFeedServer(t *testing.T, items ...rssItem) *feedServer {
	t.Helper()
	f := &feedServer{items: items, changed: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		body := rss(f.items)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(body))
		f.mu.Lock()
		f.polls++
		close(f.changed)
		f.changed = make(chan struct{})
		f.mu.Unlock()
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// add publishes more items.
func (f *feedServer) add(items ...rssItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, items...)
}

// pollCount returns how many times the feed was served.
func (f *feedServer) pollCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.polls
}

// waitPolls waits until the feed has been served n more times than now,
// so that whatever those polls queued has had a full cycle to arrive.
func (f *feedServer) waitPolls(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	f.mu.Lock()
	target := f.polls + n
	f.mu.Unlock()
	for {
		f.mu.Lock()
		polls, ch := f.polls, f.changed
		f.mu.Unlock()
		if polls >= target {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("feed polled %d times, waited for %d", polls, target)
		}
	}
}

// item is a feed item published ago before now.
func item(guid, title string, ago time.Duration) rssItem {
	return rssItem{guid: guid, title: title, desc: "Report on " + title + ".",
		link: "https://news.example/" + guid, published: time.Now().Add(-ago)}
}

// lockedBuffer collects a command's output safely and lets a test wait for
// a line to appear.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{changed: make(chan struct{})} }

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitCount waits until s occurs n times in the buffer.
func (l *lockedBuffer) waitCount(t *testing.T, s string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	for {
		l.mu.Lock()
		got, ch := strings.Count(l.b.String(), s), l.changed
		l.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("output has %q %d times, waited for %d:\n%s", s, got, n, l.String())
		}
	}
}

// e2e is one end-to-end setup: a fake Discord, a feed and a config.
type e2e struct {
	t      *testing.T
	fake   *discordfake.Server
	feed   *feedServer
	config string
	store  string
}

// newE2E starts the fake Discord and the feed and writes a config for them,
// with extra TOML sections appended.
//
// Clustering is off (similarity 1): these tests are about delivery, and
// their items are look-alike on purpose. newClusterE2E keeps the defaults.
func newE2E(t *testing.T, extra string, items ...rssItem) *e2e {
	t.Helper()
	return newE2EConfig(t, extra, "similarity = 1.0", items...)
}

// newClusterE2E is newE2E with the default clustering settings.
func newClusterE2E(t *testing.T, extra string, items ...rssItem) *e2e {
	t.Helper()
	return newE2EConfig(t, extra, "", items...)
}

func newE2EConfig(t *testing.T, extra, cluster string, items ...rssItem) *e2e {
	t.Helper()
	e := &e2e{t: t, fake: discordfake.New(t, discordfake.Options{}), feed: newFeedServer(t, items...)}
	e.store = filepath.Join(t.TempDir(), "storyline.db")
	cfg := fmt.Sprintf(`
[[feeds]]
name = "Test Wire"
url = %q

[discord]
token_env = %q
channel_id = %q
api_url = %q
edit_spacing = "1s"
%s

[store]
path = %q

[poll]
interval = "1s"
max_interval = "1s" # every second, whatever the test feed's pace

[fetch]
allow_private = true

[cluster]
%s
`, e.feed.srv.URL+"/rss", testTokenEnv, discordfake.DefaultChannelID, e.fake.APIURL(), extra, e.store, cluster)
	e.config = filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(e.config, []byte(testStory+cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, err := range e.fake.ValidationErrors() {
			t.Errorf("invalid request body: %v", err)
		}
	})
	return e
}

// env is the bots' environment: the token and nothing else.
func (e *e2e) env(name string) string {
	if name == testTokenEnv {
		return discordfake.DefaultToken
	}
	return ""
}

// running is a `storyline run` in progress.
type running struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
	stderr *lockedBuffer
}

// start runs `storyline run` with extra flags until stop.
func (e *e2e) start(flags ...string) *running {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.t.Context())
	r := &running{t: e.t, cancel: cancel, done: make(chan error, 1), stderr: newLockedBuffer()}
	go func() {
		r.done <- run(ctx, append([]string{"run", "-config", e.config}, flags...), e.env, r.stderr, r.stderr)
	}()
	e.t.Cleanup(cancel)
	return r
}

// stop cancels the run and checks that it ends cleanly within 10 s.
func (r *running) stop() {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("run = %v\n%s", err, r.stderr.String())
		}
	case <-time.After(10 * time.Second):
		r.t.Fatalf("run did not stop within 10s of its context ending\n%s", r.stderr.String())
	}
}

// command runs another storyline command on the config and returns its
// standard output.
func (e *e2e) command(args ...string) string {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(e.t.Context(), append(args, "-config", e.config), e.env, &stdout, &stderr); err != nil {
		e.t.Fatalf("storyline %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// waitMessages waits until the channel holds n messages and returns them.
func (e *e2e) waitMessages(n int) []discordfake.Message {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), e2eWait)
	defer cancel()
	var msgs []discordfake.Message
	err := e.fake.WaitFor(ctx, func(s *discordfake.Server) bool {
		msgs = s.Messages(discordfake.DefaultChannelID)
		return len(msgs) >= n
	})
	if err != nil {
		e.t.Fatalf("%d messages, waited for %d: %v", len(msgs), n, err)
	}
	return msgs
}

// settle waits two more polls and then checks that the channel holds
// exactly the posts titled want, once each, in any order.
func (e *e2e) settle(want ...string) []discordfake.Message {
	e.t.Helper()
	e.feed.waitPolls(e.t, 2)
	msgs := e.fake.Messages(discordfake.DefaultChannelID)
	var got []string
	for _, m := range msgs {
		got = append(got, unescape(m.Embeds[0].Title))
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		e.t.Errorf("posted titles:\n%s\nwant each once:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return msgs
}

// unescape removes markdown escapes.
func unescape(s string) string {
	return regexp.MustCompile(`\\(.)`).ReplaceAllString(s, "$1")
}

func TestRunPostsRelevantItemsOnce(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "",
		item("a1", "Bridge deal signed at dawn", time.Minute),
		item("x1", "Football results", time.Minute),
		item("a2", "Quill defends the bridge deal", 2*time.Minute))
	r := e.start()
	e.waitMessages(2)
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	if err := e.fake.WaitConnected(ctx); err != nil {
		t.Errorf("the gateway never connected: %v", err)
	}
	e.feed.add(item("b1", "Otter signs the bridge deal too", 0), item("x2", "More football", 0))
	e.waitMessages(3)
	e.settle("Bridge deal signed at dawn", "Quill defends the bridge deal", "Otter signs the bridge deal too")
	r.stop()
	nonce := regexp.MustCompile(`^[0-9a-f]{10}-([0-9a-z]+)$`)
	var store string
	for i, req := range e.fake.RequestsTo(discordfake.RouteCreateMessage) {
		body := req.Object()
		n, _ := body["nonce"].(string)
		m := nonce.FindStringSubmatch(n)
		if m == nil || m[1] != strconv.FormatInt(int64(i+1), 36) || (store != "" && n[:10] != store) || body["enforce_nonce"] != true {
			t.Errorf("create %d: nonce %v, enforce_nonce %v; want <store id>-%d enforced", i, body["nonce"], body["enforce_nonce"], i+1)
		}
		if len(n) >= 10 {
			store = n[:10]
		}
	}
}

func TestRunStopMidCycleAndRestart(t *testing.T) {
	t.Parallel()
	var items []rssItem
	var titles []string
	for i := range 5 {
		title := fmt.Sprint("Bridge deal update ", 100+i)
		items = append(items, item(fmt.Sprint("u", i), title, time.Duration(i)*time.Minute))
		titles = append(titles, title)
	}
	e := newE2E(t, "max_posts_per_cycle = 10\n\n[backlog]\nmax_posts = 10", items...)
	// The first create hangs: the bot is stopped with it in flight.
	e.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Hang: true, Times: 1})
	first := e.start()
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	if err := e.fake.WaitFor(ctx, func(s *discordfake.Server) bool {
		return len(s.RequestsTo(discordfake.RouteCreateMessage)) > 0
	}); err != nil {
		t.Fatal(err)
	}
	first.stop()
	e.feed.add(item("n1", "Bridge deal: new round", 0), item("n2", "Bridge deal: Quill speaks", 0))
	titles = append(titles, "Bridge deal: new round", "Bridge deal: Quill speaks")
	second := e.start()
	e.waitMessages(len(titles))
	msgs := e.settle(titles...)
	second.stop()
	creates := e.fake.RequestsTo(discordfake.RouteCreateMessage)
	if cut, resent := creates[0].Object()["nonce"], creates[1].Object()["nonce"]; cut != resent {
		t.Errorf("the restart sent nonce %v first, want the cut request's %v again", resent, cut)
	}
	nonces := map[string]bool{}
	for _, m := range msgs {
		if nonces[m.Nonce] {
			t.Errorf("nonce %s carried by two messages", m.Nonce)
		}
		nonces[m.Nonce] = true
	}
}

func TestRunRecoversFromBadGateway(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "",
		item("a", "Bridge deal one", time.Minute),
		item("b", "Bridge deal two", 2*time.Minute),
		item("c", "Bridge deal three", 3*time.Minute))
	e.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: http.StatusBadGateway, Times: 3})
	r := e.start()
	e.waitMessages(3)
	e.settle("Bridge deal one", "Bridge deal two", "Bridge deal three")
	r.stop()
	reqs := e.fake.RequestsTo(discordfake.RouteCreateMessage)
	var statuses []int
	for _, req := range reqs {
		statuses = append(statuses, req.Status)
	}
	if want := []int{502, 502, 502, 200, 200, 200}; !slices.Equal(statuses, want) {
		t.Errorf("create statuses = %v, want %v", statuses, want)
	}
	for i := 1; i < 4; i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < postBackoff/2 {
			t.Errorf("retry %d came %v after the failure, want a backoff of at least %v", i, gap, postBackoff/2)
		}
	}
}

func TestRunWaitsOutRateLimit(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "",
		item("a", "Bridge deal one", time.Minute),
		item("b", "Bridge deal two", 2*time.Minute))
	e.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1.5, Global: true, Times: 1})
	r := e.start()
	e.waitMessages(2)
	e.settle("Bridge deal one", "Bridge deal two")
	r.stop()
	var limitedAt time.Time
	for _, req := range e.fake.Requests() {
		if req.Route != discordfake.RouteCreateMessage && req.Route != discordfake.RouteEditMessage {
			continue
		}
		switch {
		case req.Status == http.StatusTooManyRequests:
			limitedAt = req.At
		case !limitedAt.IsZero() && req.At.Sub(limitedAt) < 1500*time.Millisecond:
			t.Errorf("%s %s sent %v after the 429, before retry_after (1.5s) ended", req.Method, req.Path, req.At.Sub(limitedAt))
		}
	}
	if limitedAt.IsZero() {
		t.Error("no request was rate limited")
	}
}

func TestRunKeepsRefusalsForOutboxRetry(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "",
		item("a", "Bridge deal one", time.Minute),
		item("b", "Bridge deal two", 2*time.Minute))
	e.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: http.StatusBadRequest})
	r := e.start()
	r.stderr.waitCount(t, "outbox entry refused", 2)
	status := e.command("outbox", "status")
	if !strings.Contains(status, "pending 0, failed 2") || !strings.Contains(status, "code 50035") ||
		!strings.Contains(status, "Invalid Form Body") {
		t.Errorf("outbox status:\n%s\nwant 2 failed with 50035 Invalid Form Body", status)
	}
	e.fake.ClearFaults()
	if out := e.command("outbox", "retry"); out != "2 failed or waiting entries queued to be sent now\n" {
		t.Errorf("outbox retry printed %q", out)
	}
	e.waitMessages(2)
	e.settle("Bridge deal one", "Bridge deal two")
	r.stop()
	if got := strings.Count(r.stderr.String(), "outbox entry refused"); got != 2 {
		t.Errorf("refusals logged %d times, want once per entry", got)
	}
	if status := e.command("outbox", "status"); !strings.HasPrefix(status, "pending 0, failed 0\n") {
		t.Errorf("outbox status after the retry:\n%s", status)
	}
}

// TestRunPausesTheChannelUntilOutboxRetry: the bot may not post in its
// channel. One post is refused, the channel paused and reported once, the
// posts wait (nothing failed); outbox status says why; once the permission
// is back, outbox retry sends them within seconds, in order.
func TestRunPausesTheChannelUntilOutboxRetry(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "",
		item("a", "Bridge deal one", 2*time.Minute),
		item("b", "Bridge deal two", time.Minute))
	e.fake.SetOverwrites(discordfake.DefaultChannelID, discordfake.Overwrite{ID: discordfake.DefaultGuildID, Deny: discordfake.PermSendMessages})
	r := e.start()
	r.stderr.waitCount(t, "channel paused", 1)
	status := e.command("outbox", "status")
	if !strings.HasPrefix(status, "pending 2, failed 0\n") || !strings.Contains(status, "Missing Permissions (code 50013)") {
		t.Errorf("outbox status:\n%s\nwant 2 pending, the first waiting after Missing Permissions", status)
	}
	e.fake.SetOverwrites(discordfake.DefaultChannelID)
	if out := e.command("outbox", "retry"); out != "1 failed or waiting entry queued to be sent now\n" {
		t.Errorf("outbox retry printed %q", out)
	}
	e.waitMessages(2)
	e.settle("Bridge deal one", "Bridge deal two")
	r.stop()
	log := r.stderr.String()
	if got := strings.Count(log, "channel paused"); got != 1 || strings.Contains(log, "outbox entry refused") {
		t.Errorf("want one pause and no refusal in the log:\n%s", log)
	}
	if n := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); n != 3 {
		t.Errorf("%d creates, want the refused one and the two posts", n)
	}
}

// links finds masked links and their targets.
var links = regexp.MustCompile(`(?:^|[^\\])\]\(([^)]*)\)`)

func TestRunPostsHostileItemSafely(t *testing.T) {
	t.Parallel()
	hostile := rssItem{
		guid:      "hostile",
		title:     "@everyone **Bridge deal** <@&123> [click](javascript:alert(1))",
		desc:      "@here <@456> <#789> `code` ~~gone~~ || spoiler || [x](javascript:alert(document.cookie)) bridge deal\u200b\u202e",
		link:      "javascript:alert(1)",
		published: time.Now().Add(-time.Minute),
	}
	e := newE2E(t, "", hostile)
	r := e.start()
	msgs := e.waitMessages(1)
	// Mentions are defused with a fullwidth ＠; the rest shows as sent.
	e.settle("＠everyone **Bridge deal** <＠&123> [click](javascript:alert(1))")
	r.stop()
	title := msgs[0].Embeds[0].Title
	if !strings.Contains(title, `\*\*Bridge deal\*\*`) || !strings.Contains(title, `\[click\]\(javascript:alert\(1\)\)`) {
		t.Errorf("title %q is not escaped", title)
	}
	for _, req := range e.fake.Requests() {
		if req.Method == http.MethodGet {
			continue
		}
		checkSafeBody(t, req)
	}
}

// checkSafeBody checks a request sent to Discord: no mention can be
// parsed, no mention survives in its text, and every link is http(s).
func checkSafeBody(t *testing.T, req discordfake.Request) {
	t.Helper()
	if req.Route == discordfake.RouteCreateMessage || req.Route == discordfake.RouteEditMessage {
		am, ok := req.AllowedMentions()
		parse, isList := am["parse"].([]any)
		if !ok || !isList || len(parse) != 0 {
			t.Errorf("%s: allowed_mentions = %v, want {\"parse\": []}", req.Route, am)
		}
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			lower := strings.ToLower(v)
			if strings.Contains(lower, "@everyone") || strings.Contains(lower, "@here") || strings.Contains(v, "<@") || strings.Contains(v, "<#") {
				t.Errorf("%s: %s = %q keeps a mention", req.Route, key, v)
			}
			if strings.Contains(v, "\u200b") || strings.Contains(v, "\u202e") {
				t.Errorf("%s: %s = %q keeps invisible characters", req.Route, key, v)
			}
			if strings.HasSuffix(key, "url") && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
				t.Errorf("%s: %s = %q is not an http(s) link", req.Route, key, v)
			}
			for _, m := range links.FindAllStringSubmatch(v, -1) {
				if !strings.HasPrefix(m[1], "http://") && !strings.HasPrefix(m[1], "https://") {
					t.Errorf("%s: %s links to %q", req.Route, key, m[1])
				}
			}
		}
	}
	walk("", req.JSON)
}

func TestRunFirstRunPostsOnlyTheRecentBacklog(t *testing.T) {
	t.Parallel()
	var items []rssItem
	for i := range 40 {
		items = append(items, item(fmt.Sprint("old", i), fmt.Sprint("Old bridge deal story ", i), 48*time.Hour+time.Duration(i)*time.Minute))
	}
	items = append(items, item("new1", "Fresh bridge deal news", time.Hour), item("new2", "Bridge deal latest", 30*time.Minute))
	e := newE2E(t, "", items...)
	r := e.start()
	e.waitMessages(2)
	e.settle("Fresh bridge deal news", "Bridge deal latest")
	r.stop()
	if status := e.command("outbox", "status"); !strings.HasPrefix(status, "pending 0, failed 0\n") {
		t.Errorf("outbox status:\n%s\nwant nothing else queued", status)
	}
}

func TestRunFoldsABurstIntoADigest(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "", item("first", "Bridge deal opens", time.Minute))
	r := e.start()
	e.waitMessages(1)
	var burst []rssItem
	for i := range 12 {
		burst = append(burst, item(fmt.Sprint("burst", i), fmt.Sprint("Bridge deal burst ", 100+i), 0))
	}
	e.feed.add(burst...)
	msgs := e.waitMessages(2)
	e.settle("Bridge deal opens", "12 new reports on Harbour bridge deal")
	r.stop()
	digest := msgs[1].Embeds[0]
	if lines := strings.Count(digest.Description, "\n") + 1; lines != 12 {
		t.Errorf("digest lists %d items, want 12:\n%s", lines, digest.Description)
	}
	if got := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); got != 2 {
		t.Errorf("%d creates, want the post and one digest", got)
	}
}
