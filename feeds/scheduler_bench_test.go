package feeds

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// instantReader answers every read at once with a 304.
type instantReader struct{}

func (instantReader) readFeed(context.Context, Source, Validators, time.Time) (readResult, error) {
	return readResult{notModified: true}, nil
}

// nopSink stores nothing.
type nopSink struct{}

func (nopSink) HandlePoll(context.Context, Poll) error { return nil }

// benchSources returns n feeds, each on a host of its own, polled every
// 10 minutes, and states that spread their next polls over the first 10
// minutes after start.
func benchSources(n int, start time.Time) ([]Source, map[string]State) {
	sources := make([]Source, n)
	states := make(map[string]State, n)
	for i := range sources {
		url := fmt.Sprintf("https://h%d.example/feed", i)
		sources[i] = Source{Name: fmt.Sprint(i), URL: url, Interval: 10 * time.Minute}
		states[url] = State{URL: url, NextPoll: start.Add(time.Duration(i) * 10 * time.Minute / time.Duration(n))}
	}
	return sources, states
}

// BenchmarkSchedulerPoll measures the scheduler's own work per poll at
// 5,000 and 50,000 feeds: one iteration takes the next due feed, polls it
// (a 304 read in no time) and schedules it again, on a clock that jumps
// to each due time, as Run does on its timer. The heap makes that
// O(log feeds); the baseline is the scan it replaced (every idle feed
// looked at to find the due ones and again to set the timer), O(feeds).
func BenchmarkSchedulerPoll(b *testing.B) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{5_000, 50_000} {
		b.Run(fmt.Sprintf("heap/feeds=%d", n), func(b *testing.B) {
			now := start
			sources, states := benchSources(n, start)
			s := newScheduler(instantReader{}, sources, states, nopSink{}, nil,
				SchedulerOptions{Concurrency: 8, Jitter: -1, Now: func() time.Time { return now }})
			b.ReportAllocs()
			for b.Loop() {
				now = s.due.peek().state.NextPoll
				f := s.nextDue(now)
				f.busy = true
				s.perHost[f.host]++
				s.running++
				s.finish(pollResult{feed: f, poll: s.PollNow(b.Context(), f.src, f.state)})
			}
		})
		b.Run(fmt.Sprintf("scan-baseline/feeds=%d", n), func(b *testing.B) {
			now := start
			sources, states := benchSources(n, start)
			s := newScheduler(instantReader{}, sources, states, nopSink{}, nil,
				SchedulerOptions{Concurrency: 8, Jitter: -1, Now: func() time.Time { return now }})
			list := make([]*feedEntry, 0, n)
			for _, src := range sources {
				list = append(list, s.feeds[src.URL])
			}
			b.ReportAllocs()
			for b.Loop() {
				now = scanEarliest(list, time.Time{}).state.NextPoll
				f := scanDue(list, now)[0]
				f.state = s.PollNow(b.Context(), f.src, f.state).State
				_ = scanEarliest(list, now)
			}
		})
	}
}

// scanDue is the replaced dispatch's search: every idle feed due at now,
// earliest first.
func scanDue(list []*feedEntry, now time.Time) []*feedEntry {
	var due []*feedEntry
	for _, f := range list {
		if !f.busy && !f.state.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	slices.SortStableFunc(due, func(a, b *feedEntry) int { return a.state.NextPoll.Compare(b.state.NextPoll) })
	return due
}

// scanEarliest is the replaced timer's search: the idle feed due first
// after now.
func scanEarliest(list []*feedEntry, now time.Time) *feedEntry {
	var next *feedEntry
	for _, f := range list {
		if f.busy || (!now.IsZero() && !f.state.NextPoll.After(now)) {
			continue
		}
		if next == nil || f.state.NextPoll.Before(next.state.NextPoll) {
			next = f
		}
	}
	return next
}

// BenchmarkSchedulerRun is one poll through Run at 5,000 and 50,000
// feeds due all the time: dispatch, the poll's goroutine, the sink and
// finish, eight in flight. It adds goroutine and channel handoffs, and
// their noise, to BenchmarkSchedulerPoll's work.
func BenchmarkSchedulerRun(b *testing.B) {
	for _, n := range []int{5_000, 50_000} {
		b.Run(fmt.Sprintf("feeds=%d", n), func(b *testing.B) {
			sources := make([]Source, n)
			for i := range sources {
				sources[i] = Source{Name: fmt.Sprint(i), URL: fmt.Sprintf("https://h%d.example/feed", i), Interval: time.Nanosecond}
			}
			polled := make(signalSink, 64)
			s := newScheduler(instantReader{}, sources, nil, polled, nil, SchedulerOptions{Concurrency: 8, Jitter: -1})
			ctx, cancel := context.WithCancel(b.Context())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			for range 2 * n { // every feed polled twice: the heap is warm
				<-polled
			}
			b.ReportAllocs()
			for b.Loop() {
				<-polled
			}
			b.StopTimer()
			cancel()
			go func() {
				for range polled {
				}
			}()
			<-done
		})
	}
}

// signalSink tells the benchmark of every poll stored.
type signalSink chan struct{}

func (s signalSink) HandlePoll(context.Context, Poll) error {
	s <- struct{}{}
	return nil
}
