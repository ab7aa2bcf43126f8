package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// readCall records one call to fakeReader.
type readCall struct {
	url        string
	at         time.Duration // since the test started
	validators Validators
}

// fakeReader is a feedReader that answers from a function, optionally
// taking time, and records calls and concurrency.
type fakeReader struct {
	start   time.Time
	delay   time.Duration
	respond func(src Source, n int) (readResult, error)

	mu          sync.Mutex
	calls       []readCall
	perURL      map[string]int
	inFlight    map[string]int
	maxPerHost  map[string]int
	total       int
	maxTotal    int
	inFlightNow int
}

func newFakeReader(delay time.Duration, respond func(src Source, n int) (readResult, error)) *fakeReader {
	return &fakeReader{
		start: time.Now(), delay: delay, respond: respond,
		perURL: map[string]int{}, inFlight: map[string]int{}, maxPerHost: map[string]int{},
	}
}

func (f *fakeReader) readFeed(ctx context.Context, src Source, v Validators, now time.Time) (readResult, error) {
	host := hostKey(src.URL)
	f.mu.Lock()
	f.calls = append(f.calls, readCall{url: src.URL, at: now.Sub(f.start), validators: v})
	n := f.perURL[src.URL]
	f.perURL[src.URL]++
	f.inFlight[host]++
	f.maxPerHost[host] = max(f.maxPerHost[host], f.inFlight[host])
	f.total++
	f.maxTotal = max(f.maxTotal, f.total)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight[host]--
		f.total--
		f.mu.Unlock()
	}()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return readResult{}, ctx.Err()
		}
	}
	return f.respond(src, n)
}

// callTimes returns when url was read, in minutes since the start.
func (f *fakeReader) callTimes(url string) []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for _, c := range f.calls {
		if c.url == url {
			out = append(out, c.at)
		}
	}
	return out
}

// fakeSink records polls and fails the first failFirst calls.
type fakeSink struct {
	mu        sync.Mutex
	polls     []Poll
	failFirst int
}

func (s *fakeSink) HandlePoll(_ context.Context, p Poll) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls = append(s.polls, p)
	if len(s.polls) <= s.failFirst {
		return errors.New("store unavailable")
	}
	return nil
}

func (s *fakeSink) all() []Poll {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.polls)
}

// noJitter places every jitter at zero, leaving delays unchanged.
func noJitter() float64 { return 0 }

// runFor runs s for d of (fake) time, then cancels it and returns Run's
// error.
func runFor(t *testing.T, s *Scheduler, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	time.Sleep(d)
	cancel()
	return <-errc
}

// okResult answers every read with one item and an ETag.
func okResult(src Source, n int) (readResult, error) {
	return readResult{items: []Item{{ID: fmt.Sprintf("%s#%d", src.URL, n)}}, validators: Validators{ETag: `"v1"`}}, nil
}

// minutes converts whole minutes to durations.
func minutes(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Minute
	}
	return out
}

func TestRunPollsEachFeedOnItsInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(0, okResult)
		sources := []Source{
			{Name: "a", URL: "https://a.example/rss", Interval: 10 * time.Minute},
			{Name: "b", URL: "https://b.example/rss", Interval: 15 * time.Minute},
		}
		sink := &fakeSink{}
		s := newScheduler(reader, sources, nil, sink, nil, SchedulerOptions{Rand: noJitter})
		if err := runFor(t, s, 31*time.Minute); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
		if got, want := reader.callTimes(sources[0].URL), minutes(0, 10, 20, 30); !slices.Equal(got, want) {
			t.Errorf("feed a polled at %v, want %v", got, want)
		}
		if got, want := reader.callTimes(sources[1].URL), minutes(0, 15, 30); !slices.Equal(got, want) {
			t.Errorf("feed b polled at %v, want %v", got, want)
		}
		if got := len(sink.all()); got != 7 {
			t.Errorf("sink got %d polls, want 7", got)
		}
	})
}

func TestRunBacksOffExponentiallyOnFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(0, func(src Source, _ int) (readResult, error) {
			return readResult{}, &FetchError{URL: src.URL, Class: ClassTimeout, Err: context.DeadlineExceeded}
		})
		src := Source{Name: "down", URL: "https://down.example/rss", Interval: time.Hour}
		sink := &fakeSink{}
		s := newScheduler(reader, []Source{src}, nil, sink, nil, SchedulerOptions{Rand: noJitter, Backoff: time.Minute, MaxBackoff: 6 * time.Minute})
		_ = runFor(t, s, 22*time.Minute)
		if got, want := reader.callTimes(src.URL), minutes(0, 1, 3, 7, 13, 19); !slices.Equal(got, want) {
			t.Errorf("polled at %v, want %v (1, 2, 4, then capped at 6 minutes apart)", got, want)
		}
		polls := sink.all()
		last := polls[len(polls)-1].State
		if last.Failures != 6 || last.ErrorClass != ClassTimeout || !last.FailingSince.Equal(reader.start) {
			t.Errorf("last state %+v, want 6 timeouts failing since the start", last)
		}
	})
}

func TestRunHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(0, func(src Source, n int) (readResult, error) {
			if n == 0 {
				return readResult{}, &FetchError{URL: src.URL, Class: ClassHTTP4xx, Status: 429, RetryAfter: 30 * time.Minute, Err: errors.New("429 Too Many Requests")}
			}
			return okResult(src, n)
		})
		src := Source{Name: "busy", URL: "https://busy.example/rss", Interval: 5 * time.Minute}
		s := newScheduler(reader, []Source{src}, nil, &fakeSink{}, nil, SchedulerOptions{Rand: noJitter})
		_ = runFor(t, s, 37*time.Minute)
		if got, want := reader.callTimes(src.URL), minutes(0, 30, 35); !slices.Equal(got, want) {
			t.Errorf("polled at %v, want %v", got, want)
		}
	})
}

func TestRunRespectsConcurrencyLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(time.Second, okResult)
		var sources []Source
		for i := range 5 {
			sources = append(sources, Source{Name: fmt.Sprint("a", i), URL: fmt.Sprintf("https://a.example/%d", i), Interval: time.Hour})
		}
		for i := range 2 {
			sources = append(sources, Source{Name: fmt.Sprint("b", i), URL: fmt.Sprintf("https://b.example/%d", i), Interval: time.Hour})
		}
		s := newScheduler(reader, sources, nil, &fakeSink{}, nil, SchedulerOptions{Concurrency: 3, PerHost: 2, Rand: noJitter})
		_ = runFor(t, s, 10*time.Second)
		for _, src := range sources {
			if got := reader.callTimes(src.URL); len(got) != 1 {
				t.Errorf("%s polled %d times, want once", src.URL, len(got))
			}
		}
		reader.mu.Lock()
		defer reader.mu.Unlock()
		if reader.maxTotal != 3 || reader.maxPerHost["a.example"] != 2 {
			t.Errorf("at most %d in flight, %d on a.example; want 3 and 2", reader.maxTotal, reader.maxPerHost["a.example"])
		}
	})
}

func TestRunRetriesWithoutAdvancingWhenTheSinkFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(0, okResult)
		src := Source{Name: "f", URL: "https://f.example/rss", Interval: 10 * time.Minute}
		sink := &fakeSink{failFirst: 1}
		s := newScheduler(reader, []Source{src}, nil, sink, nil, SchedulerOptions{Rand: noJitter, Backoff: time.Minute})
		_ = runFor(t, s, 12*time.Minute)
		reader.mu.Lock()
		calls := slices.Clone(reader.calls)
		reader.mu.Unlock()
		want := []readCall{
			{url: src.URL, at: 0},
			{url: src.URL, at: time.Minute},
			{url: src.URL, at: 11 * time.Minute, validators: Validators{ETag: `"v1"`}},
		}
		if !slices.Equal(calls, want) {
			t.Fatalf("reads %+v, want %+v: the retry after a sink failure must resend the old validators", calls, want)
		}
	})
}

func TestRunStartsFromSavedState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(0, okResult)
		saved := Source{Name: "saved", URL: "https://saved.example/rss", Interval: time.Hour}
		fresh := Source{Name: "fresh", URL: "https://fresh.example/rss", Interval: time.Hour}
		states := map[string]State{saved.URL: {URL: saved.URL, ETag: `"s"`, NextPoll: time.Now().Add(5 * time.Minute)}}
		s := newScheduler(reader, []Source{saved, fresh}, states, &fakeSink{}, nil, SchedulerOptions{Rand: noJitter})
		_ = runFor(t, s, 6*time.Minute)
		reader.mu.Lock()
		defer reader.mu.Unlock()
		want := []readCall{
			{url: fresh.URL, at: 0},
			{url: saved.URL, at: 5 * time.Minute, validators: Validators{ETag: `"s"`}},
		}
		if !slices.Equal(reader.calls, want) {
			t.Fatalf("reads %+v, want %+v", reader.calls, want)
		}
	})
}

func TestRunWaitsForInFlightPollsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(time.Hour, okResult)
		sink := &fakeSink{}
		src := Source{Name: "slow", URL: "https://slow.example/rss"}
		s := newScheduler(reader, []Source{src}, nil, sink, nil, SchedulerOptions{})
		if err := runFor(t, s, time.Second); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
		reader.mu.Lock()
		inFlight := reader.total
		reader.mu.Unlock()
		if inFlight != 0 || len(sink.all()) != 0 {
			t.Fatalf("%d reads still in flight, %d polls stored; want none of either", inFlight, len(sink.all()))
		}
	})
}

func TestPollNowWithFetcher(t *testing.T) {
	const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.com/</link>` +
		`<item><guid>1</guid><title>One</title></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/busy":
			w.Header().Set("Retry-After", "1200")
			w.WriteHeader(http.StatusTooManyRequests)
		case r.Header.Get("If-None-Match") == `"e1"`:
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("ETag", `"e1"`)
			fmt.Fprint(w, feed)
		}
	}))
	defer srv.Close()
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := NewScheduler(localFetcher(Options{Now: clock}), nil, nil, &fakeSink{}, slog.New(slog.DiscardHandler), SchedulerOptions{Now: clock, Rand: noJitter})
	src := Source{Name: "t", URL: srv.URL + "/feed", Interval: 10 * time.Minute}

	first := s.PollNow(t.Context(), src, State{})
	if first.Err != nil || len(first.Items) != 1 || first.State.ETag != `"e1"` || !first.State.NextPoll.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("first poll %+v, want one item, ETag \"e1\" and the next poll in 10m", first)
	}
	second := s.PollNow(t.Context(), src, first.State)
	if second.Err != nil || !second.NotModified || len(second.Items) != 0 || second.State.ETag != `"e1"` {
		t.Fatalf("second poll %+v, want not modified keeping the ETag", second)
	}
	busy := s.PollNow(t.Context(), Source{Name: "b", URL: srv.URL + "/busy", Interval: 10 * time.Minute}, State{})
	if ClassOf(busy.Err) != ClassHTTP4xx || !busy.State.NextPoll.Equal(now.Add(20*time.Minute)) || busy.State.Failures != 1 {
		t.Fatalf("busy poll %+v, want http_4xx with the next poll pushed to Retry-After (20m)", busy)
	}
}

// memLease is a Lease over feed states kept in memory, standing for the
// store several schedulers share; it is also their Sink, storing each
// poll's new state as a commit would.
type memLease struct {
	mu     sync.Mutex
	states map[string]State
	holder map[string]string
	polls  int
}

// member is one scheduler's side of a memLease.
type member struct {
	*memLease
	id string
}

func (m member) Claim(_ context.Context, url string, now time.Time) (State, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.states[url]
	if h := m.holder[url]; (h != "" && h != m.id) || st.NextPoll.After(now) {
		return st, false, nil
	}
	m.holder[url] = m.id
	return st, true, nil
}

func (m member) Release(_ context.Context, url string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder[url] == m.id {
		delete(m.holder, url)
	}
	return nil
}

func (m *memLease) HandlePoll(_ context.Context, p Poll) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.states[p.State.URL] = p.State
	m.polls++
	return nil
}

func TestRunSharesFeedsThroughALease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(5*time.Second, okResult)
		sources := []Source{
			{Name: "a", URL: "https://a.example/rss", Interval: 10 * time.Minute},
			{Name: "b", URL: "https://b.example/rss", Interval: 10 * time.Minute},
		}
		shared := &memLease{states: map[string]State{}, holder: map[string]string{}}
		var schedulers []*Scheduler
		for _, id := range []string{"one", "two"} {
			opts := SchedulerOptions{Rand: noJitter, Lease: member{shared, id}}
			schedulers = append(schedulers, newScheduler(reader, sources, nil, shared, nil, opts))
		}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for _, s := range schedulers {
			wg.Go(func() { _ = s.Run(ctx) })
		}
		time.Sleep(31 * time.Minute)
		cancel()
		wg.Wait()
		// Each feed is polled once per interval in all, never twice at once,
		// and each poll starts from the validators the previous one stored,
		// whichever scheduler made it.
		for _, src := range sources {
			if got, want := reader.callTimes(src.URL), minutes(0, 10, 20, 30); !slices.Equal(got, want) {
				t.Errorf("feed %s polled at %v, want %v", src.Name, got, want)
			}
		}
		if got := reader.maxPerHost["a.example"]; got != 1 {
			t.Errorf("feed a polled %d times at once, want 1", got)
		}
		for _, c := range reader.calls[2:] {
			if c.validators.ETag != `"v1"` {
				t.Errorf("poll of %s at %v sent ETag %q, want the stored one", c.url, c.at, c.validators.ETag)
			}
		}
		if shared.polls != 8 {
			t.Errorf("%d polls stored, want 8", shared.polls)
		}
	})
}
