package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/bot"
	"storyline/config"
	"storyline/feeds"
	"storyline/ingest"
	"storyline/internal/discordfake"
	"storyline/store/sqlite"
	"storyline/story"
)

// benchFeed serves the newest items of a growing feed and remembers when
// each item was first served.
type benchFeed struct {
	mu     sync.Mutex
	items  []rssItem
	served map[string]time.Time
}

// benchWindow is how many items the feed lists, as a real feed lists its latest.
const benchWindow = 20

func (f *benchFeed) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	items := f.items[max(len(f.items)-benchWindow, 0):]
	body := rss(items)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/rss+xml")
	_, _ = w.Write([]byte(body))
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, it := range items {
		if _, ok := f.served[it.guid]; !ok {
			f.served[it.guid] = now
		}
	}
}

func (f *benchFeed) add(it rssItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, it)
}

func (f *benchFeed) servedAt(guid string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served[guid]
}

// noClustering keeps every item a development of its own: the benchmark's
// items are look-alike, and each must become a create.
func noClustering() story.ClusterOptions {
	o := story.DefaultClusterOptions()
	o.Threshold = 1
	return o
}

// reportLatency reports the median and 99th percentile of latencies.
func reportLatency(b *testing.B, latencies []time.Duration) {
	slices.Sort(latencies)
	at := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkFeedToPost measures, per item, the time from the feed body
// carrying it leaving a local feed server to the create-message request
// for it reaching the fake Discord: fetch, parse, match, summarise, one
// store commit, the poster waking, rendering and the REST call. The
// baseline is the REST call alone. Run it over 1,000 items with
//
//	go test -run '^$' -bench FeedToPost -benchtime 1000x .
func BenchmarkFeedToPost(b *testing.B) {
	b.Run("pipeline", benchPipeline)
	b.Run("baseline-send-only", benchSendOnly)
}

func benchPipeline(b *testing.B) {
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	fake := discordfake.New(b, discordfake.Options{})
	feed := &benchFeed{served: map[string]time.Time{}}
	srv := httptest.NewServer(feed)
	defer srv.Close()
	cfg := benchConfig(b, srv.URL+"/rss", fake.APIURL())
	logger := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), logger)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	matcher, err := newMatcher(cfg)
	if err != nil {
		b.Fatal(err)
	}
	wake := make(chan struct{}, 1)
	pipe := ingest.New(st, matcher, logger, ingest.Options{
		BacklogWindow: time.Hour, BacklogMax: 1 << 20, MaxPerCycle: 1 << 20, Notify: func() { nudge(wake) },
		Cluster: noClustering(),
	})
	src := sources(cfg)[0]
	sched := feeds.NewScheduler(newFetcher(cfg), []feeds.Source{src}, nil, nil, logger, schedulerOptions(cfg))
	session, err := bot.NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
	if err != nil {
		b.Fatal(err)
	}
	poster := bot.NewPoster(st, bot.NewClient(session, bot.LimitOptions{}), logger, bot.PosterOptions{
		ChannelID: discordfake.DefaultChannelID, StoryName: cfg.Story.Name, Wake: wake,
	})
	done := make(chan error, 1)
	go func() { done <- poster.Run(ctx) }()
	defer func() { cancel(); <-done }()

	state := feeds.State{URL: src.URL}
	var latencies []time.Duration
	i := 0
	for b.Loop() {
		guid := fmt.Sprint("item-", i)
		feed.add(item(guid, fmt.Sprint("Bridge deal development ", 1000+i), 0))
		poll := sched.PollNow(ctx, src, state)
		state = poll.State
		if err := pipe.HandlePoll(ctx, poll); err != nil {
			b.Fatal(err)
		}
		reqs, err := fake.WaitRequests(ctx, discordfake.RouteCreateMessage, i+1)
		if err != nil {
			b.Fatal(err)
		}
		latencies = append(latencies, reqs[i].At.Sub(feed.servedAt(guid)))
		i++
	}
	b.StopTimer()
	if n := len(fake.Messages(discordfake.DefaultChannelID)); n != i {
		b.Fatalf("%d messages for %d items", n, i)
	}
	reportLatency(b, latencies)
}

func benchSendOnly(b *testing.B) {
	fake := discordfake.New(b, discordfake.Options{})
	session, err := bot.NewSession(discordfake.DefaultToken, fake.APIURL(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	client := bot.NewClient(session, bot.LimitOptions{})
	var latencies []time.Duration
	i := int64(0)
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := client.Send(b.Context(), discordfake.DefaultChannelID, bot.NewMessage(bot.Nonce("0123456789", i), &discordgo.MessageEmbed{Title: "Bridge deal"})); err != nil {
			b.Fatal(err)
		}
		reqs := fake.RequestsTo(discordfake.RouteCreateMessage)
		latencies = append(latencies, reqs[len(reqs)-1].At.Sub(start))
	}
	b.StopTimer()
	reportLatency(b, latencies)
}

// benchConfig is the test story with one feed and the fake Discord.
func benchConfig(b *testing.B, feedURL, apiURL string) *config.Config {
	b.Helper()
	doc := testStory + fmt.Sprintf(`
[[feeds]]
name = "Bench Wire"
url = %q

[discord]
channel_id = %q
api_url = %q

[store]
path = "unused.db"

[fetch]
allow_private = true
`, feedURL, discordfake.DefaultChannelID, apiURL)
	cfg, err := config.Parse(filepath.Join(b.TempDir(), "config.toml"), []byte(doc), func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}
