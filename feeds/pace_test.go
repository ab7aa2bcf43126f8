package feeds

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	now := testNow
	p := policy{minInterval: 5 * time.Minute, maxInterval: time.Hour}
	fixed := Source{URL: "u", Interval: 15 * time.Minute}
	adapts := Source{URL: "u", Interval: 15 * time.Minute, Adapt: true}
	// busy: 60 items in the last 5 hours, one every 5 minutes.
	busy := State{RecentItems: 60, RecentSince: now.Add(-5 * time.Hour)}
	// steady: 20 items in the last 20 hours, one an hour.
	steady := State{RecentItems: 20, RecentSince: now.Add(-20 * time.Hour)}
	quiet := State{RecentItems: 0, RecentSince: now.Add(-paceWindow)}
	tests := []struct {
		name   string
		src    Source
		st     State
		maxAge time.Duration
		want   time.Duration
	}{
		{"a fixed feed keeps its interval", fixed, busy, 0, 15 * time.Minute},
		{"an adapting feed starts at its interval", adapts, State{}, 0, 15 * time.Minute},
		{"a busy feed is polled at the minimum", adapts, busy, 0, 5 * time.Minute},
		{"twice per item published", adapts, steady, 0, 30 * time.Minute},
		{"a quiet feed is polled at the maximum", adapts, quiet, 0, time.Hour},
		{"the pace slows as time passes without items", adapts,
			State{RecentItems: 20, RecentSince: now.Add(-30 * time.Hour)}, 0, 45 * time.Minute},
		{"max-age lengthens a fixed feed", fixed, State{}, 20 * time.Minute, 20 * time.Minute},
		{"max-age lengthens a busy feed", adapts, busy, 10 * time.Minute, 10 * time.Minute},
		{"a shorter max-age changes nothing", adapts, steady, 10 * time.Minute, 30 * time.Minute},
		{"ttl lengthens like max-age", fixed, State{TTL: 40 * time.Minute}, 0, 40 * time.Minute},
		{"what a server asks is capped at the maximum", adapts, State{TTL: 24 * time.Hour}, 0, time.Hour},
		{"or at a longer configured interval", Source{URL: "u", Interval: 2 * time.Hour}, State{TTL: 24 * time.Hour}, time.Minute, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.every(tt.src, tt.st, tt.maxAge, now); got != tt.want {
				t.Errorf("every = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextStateLearnsThePace(t *testing.T) {
	now := testNow
	src := Source{URL: "u", Interval: 15 * time.Minute, Adapt: true}
	p := policy{minInterval: 5 * time.Minute, maxInterval: time.Hour}
	parsed := readResult{parsed: true, recent: 20, since: now.Add(-20 * time.Hour), ttl: 10 * time.Minute}
	st := nextState(State{}, src, parsed, nil, now, p, 0)
	if st.RecentItems != 20 || !st.RecentSince.Equal(parsed.since) || st.TTL != 10*time.Minute || st.Interval != 30*time.Minute {
		t.Fatalf("after a parse: %+v, want 20 items since 20h ago, ttl 10m, every 30m", st)
	}
	// A 304 keeps what the last parse learned; the pace slows with time.
	later := now.Add(10 * time.Hour)
	st = nextState(st, src, readResult{notModified: true}, nil, later, p, 0)
	if st.RecentItems != 20 || st.TTL != 10*time.Minute || st.Interval != 45*time.Minute || !st.NextPoll.Equal(later.Add(45*time.Minute)) {
		t.Fatalf("after a 304: %+v, want the pace kept and 30h/20/2 = 45m", st)
	}
	// A failure changes neither the pace nor the interval shown.
	failed := nextState(st, src, readResult{}, fmt.Errorf("boom"), later, p, 0)
	if failed.Interval != st.Interval || failed.RecentItems != 20 {
		t.Fatalf("after a failure: %+v", failed)
	}
	// A parse without dated items keeps the pace; one without a ttl drops it.
	st = nextState(st, src, readResult{parsed: true}, nil, later, p, 0)
	if st.RecentItems != 20 || st.TTL != 0 {
		t.Fatalf("after an undated parse: %+v, want the pace kept and no ttl", st)
	}
}

func TestPaceOf(t *testing.T) {
	date := func(ago time.Duration) string {
		return "<pubDate>" + testNow.Add(-ago).Format(time.RFC1123Z) + "</pubDate>"
	}
	tests := []struct {
		name   string
		items  []string
		recent int
		since  time.Time
	}{
		{"undated", []string{"", ""}, 0, time.Time{}},
		{"recent and old", []string{date(time.Hour), date(3 * time.Hour), date(30 * 24 * time.Hour), ""}, 2, testNow.Add(-3 * time.Hour)},
		{"all older than a week", []string{date(8 * 24 * time.Hour)}, 0, testNow.Add(-paceWindow)},
		{"a future date is no date", []string{date(-48 * time.Hour)}, 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items strings.Builder
			for i, d := range tt.items {
				fmt.Fprintf(&items, "<item><guid>%d</guid><title>t%d</title>%s</item>", i, i, d)
			}
			doc, err := parseDocument(t.Context(), Source{URL: "https://f.example/rss"}, rss("https://f.example/", items.String()), testNow)
			if err != nil {
				t.Fatal(err)
			}
			if doc.recent != tt.recent || !doc.since.Equal(tt.since) {
				t.Errorf("pace = %d since %v, want %d since %v", doc.recent, doc.since, tt.recent, tt.since)
			}
		})
	}
}

func TestChannelTTL(t *testing.T) {
	item := "<item><guid>1</guid><title>t</title><ttl>5</ttl></item>"
	tests := []struct {
		name string
		body []byte
		want time.Duration
	}{
		{"minutes", rss("https://f.example/", "<ttl> 90 </ttl>"+item), 90 * time.Minute},
		{"none", rss("https://f.example/", item), 0},
		{"inside an item is not the channel's", rss("https://f.example/", item+"<ttl>60</ttl>"), 0},
		{"not a number", rss("https://f.example/", "<ttl>soon</ttl>"+item), 0},
		{"huge is capped", rss("https://f.example/", "<ttl>99999999999</ttl>"+item), maxTTL},
		{"atom has none", []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><ttl>60</ttl>` +
			`<entry><id>1</id><title>t</title></entry></feed>`), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseDocument(t.Context(), Source{URL: "https://f.example/rss"}, tt.body, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if doc.ttl != tt.want {
				t.Errorf("ttl = %v, want %v", doc.ttl, tt.want)
			}
		})
	}
}

func TestMaxAge(t *testing.T) {
	tests := []struct {
		values []string
		want   time.Duration
	}{
		{nil, 0},
		{[]string{"max-age=600"}, 10 * time.Minute},
		{[]string{"public, MAX-AGE=\"120\", must-revalidate"}, 2 * time.Minute},
		{[]string{"public", "max-age=60"}, time.Minute},
		{[]string{"max-age=600, no-cache"}, 0},
		{[]string{"no-store", "max-age=600"}, 0},
		{[]string{"max-age=-5"}, 0},
		{[]string{"max-age=99999999999999999"}, maxRetryAfter},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.values {
			h.Add("Cache-Control", v)
		}
		if got := maxAge(h); got != tt.want {
			t.Errorf("maxAge(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
}

// TestPollNowHonoursWhatTheServerAsks polls a feed whose server sets
// max-age on its answers, 200 and 304 alike, and whose channel has a ttl.
func TestPollNowHonoursWhatTheServerAsks(t *testing.T) {
	const body = `<rss version="2.0"><channel><title>t</title><ttl>25</ttl>` +
		`<item><guid>1</guid><title>One</title></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=1200")
		if r.Header.Get("If-None-Match") == `"e1"` {
			w.Header().Set("Cache-Control", "max-age=2400")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"e1"`)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	clock := func() time.Time { return testNow }
	s := NewScheduler(localFetcher(Options{Now: clock}), nil, nil, nil, nil, SchedulerOptions{Now: clock, Rand: noJitter})
	src := Source{Name: "t", URL: srv.URL + "/feed", Interval: 10 * time.Minute}
	first := s.PollNow(t.Context(), src, State{})
	if first.Err != nil || first.State.TTL != 25*time.Minute || first.State.Interval != 25*time.Minute {
		t.Fatalf("first poll: %v, state %+v; want the ttl (25m) over max-age (20m) and the interval (10m)", first.Err, first.State)
	}
	second := s.PollNow(t.Context(), src, first.State)
	if !second.NotModified || second.State.Interval != 40*time.Minute || !second.State.NextPoll.Equal(testNow.Add(40*time.Minute)) {
		t.Fatalf("second poll: %+v; want the 304's max-age (40m)", second.State)
	}
}
