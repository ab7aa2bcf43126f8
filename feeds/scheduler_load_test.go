package feeds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"
)

// latestGaps returns, for each feed, the longest time between two of its
// polls after from.
func latestGaps(r *fakeReader, from time.Duration) map[string]time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := map[string]time.Duration{}
	gaps := map[string]time.Duration{}
	for _, c := range r.calls {
		if prev, ok := last[c.url]; ok && c.at > from {
			gaps[c.url] = max(gaps[c.url], c.at-prev)
		}
		last[c.url] = c.at
	}
	return gaps
}

// TestRunConcurrencyKeepsUp polls 600 feeds due every minute whose polls
// take 2 s each: 20 polls in flight on average. A fixed limit of 4 falls
// behind; the automatic one follows the load and keeps every feed on
// time once it has seen how long polls take.
func TestRunConcurrencyKeepsUp(t *testing.T) {
	const feeds, every, pollTime = 600, time.Minute, 2 * time.Second
	var sources []Source
	for i := range feeds {
		sources = append(sources, Source{Name: fmt.Sprint(i), URL: fmt.Sprintf("https://h%d.example/%d", i, i), Interval: every})
	}
	for _, tc := range []struct {
		name        string
		concurrency int
		keepsUp     bool
	}{
		{"fixed at 4", 4, false},
		{"automatic", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				reader := newFakeReader(pollTime, okResult)
				s := newScheduler(reader, sources, nil, &fakeSink{}, nil, SchedulerOptions{Concurrency: tc.concurrency, Rand: noJitter})
				_ = runFor(t, s, 10*time.Minute)
				late := 0
				gaps := latestGaps(reader, 3*time.Minute)
				for _, src := range sources {
					if gap, ok := gaps[src.URL]; !ok || gap > every+every/10 {
						late++
					}
				}
				if keptUp := late == 0; keptUp != tc.keepsUp {
					t.Errorf("%d of %d feeds polled later than their interval + 10%% after 3 minutes (at most %d polls in flight); want keeping up: %v",
						late, feeds, reader.maxTotal, tc.keepsUp)
				}
				if st := s.Stats(); tc.concurrency == 0 && (st.Concurrency != 40 || st.PollTime < 1900*time.Millisecond) {
					t.Errorf("Stats = %+v, want 40 = 2 × 10 polls/s × 2 s", st)
				}
			})
		})
	}
}

func TestAutomaticConcurrencyBounds(t *testing.T) {
	tests := []struct {
		feeds    int
		interval time.Duration
		poll     time.Duration
		want     int
	}{
		{1, time.Hour, time.Second, MinAutoConcurrency},
		{5000, 10 * time.Minute, 500 * time.Millisecond, 9}, // 2 × 8.33/s × 0.5 s = 8.33
		{5000, time.Minute, 350 * time.Millisecond, 59},     // 2 × 83.3/s × 0.35 s = 58.3
		{5000, time.Minute, time.Second, MaxAutoConcurrency},
	}
	for _, tt := range tests {
		var sources []Source
		for i := range tt.feeds {
			sources = append(sources, Source{URL: fmt.Sprintf("https://f%d.example/", i), Interval: tt.interval})
		}
		s := newScheduler(newFakeReader(0, okResult), sources, nil, &fakeSink{}, nil, SchedulerOptions{})
		for range 1000 {
			s.load.observe(tt.poll)
		}
		if got := s.Stats().Concurrency; got != tt.want {
			t.Errorf("%d feeds every %v, polls of %v: concurrency %d, want %d", tt.feeds, tt.interval, tt.poll, got, tt.want)
		}
	}
}

// ctxSink stores nothing: it waits for its context to end, as a store
// transaction cut short by shutdown does, and counts the calls.
type ctxSink struct{ calls chan struct{} }

func (s ctxSink) HandlePoll(ctx context.Context, _ Poll) error {
	s.calls <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// TestRunShutdownStopsTheSink cancels Run while the sink stores a poll:
// the sink sees the cancellation, Run returns, and the poll counts neither
// as stored nor as a failure.
func TestRunShutdownStopsTheSink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := Source{Name: "f", URL: "https://f.example/rss", Interval: time.Minute}
		sink := ctxSink{calls: make(chan struct{}, 1)}
		s := newScheduler(newFakeReader(0, okResult), []Source{src}, nil, sink, nil, SchedulerOptions{Rand: noJitter})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		<-sink.calls
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
		f := s.feeds[src.URL]
		if f.sinkFailures != 0 || !f.state.NextPoll.IsZero() {
			t.Errorf("feed after shutdown: %d sink failures, next poll %v; want the unstored poll forgotten", f.sinkFailures, f.state.NextPoll)
		}
	})
}

// TestParseBudget fills the parse budget and checks that a poll waits for
// room before parsing, and that shutdown ends the wait.
func TestParseBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "feed.xml")
		body := `<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>One</title></item></channel></rss>`
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		src := Source{Name: "f", URL: path}
		s := NewScheduler(NewFetcher(Options{}), nil, nil, nil, nil, SchedulerOptions{ParseBudget: 1000})
		budget := s.reader.(fetchParser).budget
		if err := budget.Acquire(t.Context(), 1000-int64(len(body))+1); err != nil {
			t.Fatal(err)
		}
		polled := make(chan Poll, 1)
		go func() { polled <- s.PollNow(t.Context(), src, State{}) }()
		synctest.Wait()
		select {
		case p := <-polled:
			t.Fatalf("poll finished with the budget full: %+v", p)
		default:
		}
		budget.Release(1)
		if p := <-polled; p.Err != nil || len(p.Items) != 1 {
			t.Fatalf("poll after room was made: %v, %d items; want one item", p.Err, len(p.Items))
		}

		// A body larger than the whole budget parses alone, and a wait
		// for room ends with the poll's context.
		big := NewScheduler(NewFetcher(Options{}), nil, nil, nil, nil, SchedulerOptions{ParseBudget: 10})
		if p := big.PollNow(t.Context(), src, State{}); p.Err != nil {
			t.Fatalf("a body over the budget: %v, want it parsed alone", p.Err)
		}
		held := big.reader.(fetchParser).budget
		if !held.TryAcquire(10) {
			t.Fatal("the budget was not given back")
		}
		ctx, cancel := context.WithCancel(t.Context())
		go func() { polled <- big.PollNow(ctx, src, State{}) }()
		synctest.Wait()
		cancel()
		if p := <-polled; !errors.Is(p.Err, context.Canceled) {
			t.Fatalf("poll waiting for the budget at shutdown: %v, want context.Canceled", p.Err)
		}
	})
}
