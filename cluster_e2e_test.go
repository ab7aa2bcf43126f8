package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// outletServer serves one RSS feed per outlet, at /<outlet index>.
type outletServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	items map[string][]rssItem
}

func newOutletServer(t *testing.T) *outletServer {
	t.Helper()
	o := &outletServer{items: map[string][]rssItem{}}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		body := rss(o.items[r.URL.Path])
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// publish adds items to outlet i's feed at once.
func (o *outletServer) publish(i int, items ...rssItem) {
	o.mu.Lock()
	defer o.mu.Unlock()
	path := fmt.Sprint("/", i)
	o.items[path] = append(o.items[path], items...)
}

// outlets are the feeds of the clustering tests, one outlet each.
var outlets = []string{"Harbour Gazette", "City Wire", "Evening Post", "Coast Radio", "Bay Times", "Quay Daily"}

// newOutletE2E writes a config with one feed per outlet and the default
// clustering settings.
func newOutletE2E(t *testing.T, discord string) (*e2e, *outletServer) {
	t.Helper()
	return newOutletE2EConfig(t, discord, "")
}

// newOutletE2EConfig is newOutletE2E with the [cluster] settings cluster.
func newOutletE2EConfig(t *testing.T, discord, cluster string) (*e2e, *outletServer) {
	t.Helper()
	e := newE2EConfig(t, discord, cluster)
	o := newOutletServer(t)
	var feedsTOML strings.Builder
	for i, name := range outlets {
		fmt.Fprintf(&feedsTOML, "[[feeds]]\nname = %q\nurl = \"%s/%d\"\n\n", name, o.srv.URL, i)
	}
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	// Replace the single test feed by the outlets' feeds.
	text := strings.Replace(string(cfg), fmt.Sprintf("[[feeds]]\nname = \"Test Wire\"\nurl = %q\n", e.feed.srv.URL+"/rss"), feedsTOML.String(), 1)
	e.config = filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(e.config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, o
}

// report is outlet wording of one development, published now.
func report(id, title, lead string) rssItem {
	return rssItem{guid: id, title: title, desc: lead, link: "https://news.example/" + id, published: time.Now()}
}

// The five outlets' wording of one development.
var signing = []rssItem{
	report("s0", "Quill and Otter sign the bridge deal in Lisbon", "Ada Quill and Bram Otter signed the bridge deal in Lisbon on Monday."),
	report("s1", "Bridge deal signed in Lisbon by Quill and Otter", "Quill and Otter put their names to the bridge deal in Lisbon."),
	report("s2", "Lisbon: Otter and Quill sign bridge deal", "The bridge deal was signed in Lisbon by Bram Otter and Ada Quill."),
	report("s3", "Quill, Otter sign bridge deal at Lisbon ceremony", "At a ceremony in Lisbon, Quill and Otter signed the bridge deal."),
	report("s4", "Bridge deal: Quill and Otter sign in Lisbon", "Ada Quill and Bram Otter signed the long-awaited bridge deal in Lisbon."),
	report("s5", "Quill and Otter finally sign Lisbon bridge deal", "Quill and Otter signed the bridge deal in Lisbon after months of talks."),
}

// A different development about the same people.
var tolls = report("t0", "Otter rejects the toll plan after the harbour strike", "Bram Otter said the toll plan is dead after dock workers walked out in the harbour.")

// waitFor waits until cond holds for the fake's state.
func waitFor(t *testing.T, fake *discordfake.Server, what string, cond func(*discordfake.Server) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	if err := fake.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// field returns the value of the named embed field of m, or "".
func field(m discordfake.Message, name string) string {
	for _, f := range m.Embeds[0].Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestRunOneDevelopmentIsOnePostThatGrows(t *testing.T) {
	t.Parallel()
	e, o := newOutletE2E(t, "")
	o.publish(0, signing[0])
	r := e.start()
	e.waitMessages(1)
	for i := 1; i < 5; i++ {
		o.publish(i, signing[i])
	}
	waitFor(t, e.fake, "the post to list the other 4 outlets", func(s *discordfake.Server) bool {
		msgs := s.Messages(discordfake.DefaultChannelID)
		return len(msgs) == 1 && strings.Contains(msgs[0].Embeds[0].Footer.Text, "5 outlets")
	})
	o.publish(0, tolls)
	msgs := e.waitMessages(2)
	r.stop()

	if got := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); got != 2 {
		t.Errorf("%d creates, want one per development (2)", got)
	}
	if len(e.fake.RequestsTo(discordfake.RouteEditMessage)) == 0 {
		t.Error("the first post was never edited")
	}
	also := unescape(field(msgs[0], "Also reported by"))
	for _, outlet := range outlets[1:5] {
		if !strings.Contains(also, outlet) {
			t.Errorf("also reported by %q lacks %s", also, outlet)
		}
	}
	if strings.Contains(also, outlets[0]) {
		t.Errorf("also reported by %q repeats the lead outlet", also)
	}
	if got := unescape(msgs[1].Embeds[0].Title); got != tolls.title {
		t.Errorf("second post %q, want the distinct development %q", got, tolls.title)
	}
}

func TestRunRepostsADeletedDevelopment(t *testing.T) {
	t.Parallel()
	e, o := newOutletE2E(t, "")
	o.publish(0, signing[0])
	r := e.start()
	first := e.waitMessages(1)[0]
	if err := e.fake.DeleteMessage(discordfake.DefaultChannelID, first.ID); err != nil {
		t.Fatal(err)
	}
	o.publish(1, signing[1])
	msgs := e.waitMessages(1)
	r.stop()
	if msgs[0].ID == first.ID {
		t.Fatal("the deleted message is still the only post")
	}
	if also := unescape(field(msgs[0], "Also reported by")); !strings.Contains(also, outlets[1]) {
		t.Errorf("the new post's also reported by %q lacks %s", also, outlets[1])
	}
	if got := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); got != 2 {
		t.Errorf("%d creates, want the first post and its replacement", got)
	}
}

func TestRunThreadsCollectFurtherReports(t *testing.T) {
	t.Parallel()
	e, o := newOutletE2E(t, "threads = true")
	o.publish(0, signing[0])
	r := e.start()
	e.waitMessages(1)
	var thread discordfake.Thread
	waitFor(t, e.fake, "a thread on the post", func(s *discordfake.Server) bool {
		threads := s.Threads(discordfake.DefaultChannelID)
		if len(threads) == 1 {
			thread = threads[0]
		}
		return len(threads) == 1
	})
	o.publish(1, signing[1])
	o.publish(2, signing[2])
	waitFor(t, e.fake, "two replies in the thread", func(s *discordfake.Server) bool {
		return len(s.Messages(thread.ID)) == 2
	})
	r.stop()
	if got := len(e.fake.Messages(discordfake.DefaultChannelID)); got != 1 {
		t.Errorf("%d posts in the channel, want 1 (the rest in the thread)", got)
	}
	replies := e.fake.Messages(thread.ID)
	var titles []string
	for _, m := range replies {
		titles = append(titles, unescape(m.Embeds[0].Title))
	}
	joined := strings.Join(titles, "\n")
	for _, it := range signing[1:3] {
		if !strings.Contains(joined, it.title) {
			t.Errorf("thread replies %q lack %q", titles, it.title)
		}
	}
}

// burstNews are the distinct developments of a burst, each in words no
// other one uses.
var burstNews = []string{
	"Porto ferry crews strike over night shifts",
	"Gdansk shipyard wins steel contract for pylons",
	"Tromso engineers test anchors under winter ice",
	"Valletta court freezes the toll revenue account",
	"Split lenders delay second tranche of loans",
	"Cadiz fishermen block the survey vessel",
	"Riga auditors question concrete supplier invoices",
}

// burstReport is outlet wording number variant (0 or 1) of development i.
func burstReport(i, variant int) rssItem {
	id := fmt.Sprintf("burst-%d-%d", i, variant)
	news := burstNews[i]
	if variant == 0 {
		return report(id, news, "Bridge deal: "+news+".")
	}
	return report(id, news+" again", "Bridge deal news: "+news+".")
}

// TestRunDigestedDevelopmentIsNotPostedAgain: a burst of developments is
// folded into one digest; a later report of one of them joins it without
// a new post, and without the digest being rewritten. The developments
// share only the story's phrase, which the default similarity can take
// for one development, so the test asks for more.
func TestRunDigestedDevelopmentIsNotPostedAgain(t *testing.T) {
	t.Parallel()
	e, o := newOutletE2EConfig(t, "", "similarity = 0.3")
	o.publish(0, signing[0])
	r := e.start()
	e.waitMessages(1)
	var burst []rssItem
	for i := range burstNews {
		burst = append(burst, burstReport(i, 0))
	}
	o.publish(0, burst...)
	e.waitMessages(2)
	// Another outlet's wording of the fourth development, and after it a
	// new development: without the join, the report would be posted
	// first.
	o.publish(1, burstReport(3, 1), report("t1", tolls.title, tolls.desc))
	msgs := e.waitMessages(3)
	r.stop()
	if d := msgs[1].Embeds[0].Description; strings.Count(d, "\n")+1 != len(burstNews) {
		t.Errorf("digest lists:\n%s\nwant %d developments", d, len(burstNews))
	}
	if got := unescape(msgs[2].Embeds[0].Title); got != tolls.title {
		t.Errorf("third message %q, want the new development %q", got, tolls.title)
	}
	if got := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); got != 3 {
		t.Errorf("%d creates, want the post, the digest and the new development", got)
	}
	if got := len(e.fake.RequestsTo(discordfake.RouteEditMessage)); got != 0 {
		t.Errorf("%d edits, want the digest left as it was", got)
	}
}
