package feeds

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestSetSourcesAddsRemovesAndRetimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(0, okResult)
		a := Source{Name: "a", URL: "https://a.example/rss", Interval: 10 * time.Minute}
		b := Source{Name: "b", URL: "https://b.example/rss", Interval: 10 * time.Minute}
		s := newScheduler(reader, []Source{a, b}, nil, &fakeSink{}, nil, SchedulerOptions{Rand: noJitter})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()

		time.Sleep(3 * time.Minute)
		faster := a
		faster.Interval = 5 * time.Minute
		c := Source{Name: "c", URL: "https://c.example/rss", Interval: 10 * time.Minute}
		d := Source{Name: "d", URL: "https://d.example/rss", Interval: 10 * time.Minute}
		states := map[string]State{
			d.URL: {URL: d.URL, ETag: `"d"`, NextPoll: time.Now().Add(2 * time.Minute)},
			b.URL: {URL: b.URL, NextPoll: time.Now()}, // not listed: ignored
		}
		got := s.SetSources([]Source{faster, c, d, c}, states)
		if want := (SourceChanges{Added: 2, Removed: 1, Changed: 1}); got != want {
			t.Errorf("SetSources = %+v, want %+v", got, want)
		}
		time.Sleep(21 * time.Minute)
		cancel()
		<-done

		for _, tc := range []struct {
			url  string
			want []time.Duration
		}{
			{a.URL, minutes(0, 5, 10, 15, 20)}, // next due one new interval after its last poll
			{b.URL, minutes(0)},                // removed: never polled again
			{c.URL, minutes(3, 13, 23)},        // new without a state: due at once
			{d.URL, minutes(5, 15)},            // new with a state: due when it says
		} {
			if got := reader.callTimes(tc.url); !slices.Equal(got, tc.want) {
				t.Errorf("%s polled at %v, want %v", tc.url, got, tc.want)
			}
		}
		reader.mu.Lock()
		defer reader.mu.Unlock()
		for _, call := range reader.calls {
			if call.url == d.URL && call.at == 5*time.Minute && call.validators.ETag != `"d"` {
				t.Errorf("d's first poll sent ETag %q, want the state's \"d\"", call.validators.ETag)
			}
		}
		if st := s.Stats(); st.Feeds != 3 || st.InFlight != 0 {
			t.Errorf("Stats = %+v, want 3 feeds and none in flight", st)
		}
	})
}

func TestSetSourcesLetsAPollInFlightFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(time.Minute, okResult)
		slow := Source{Name: "slow", URL: "https://slow.example/rss", Interval: 10 * time.Minute}
		other := Source{Name: "other", URL: "https://other.example/rss", Interval: 10 * time.Minute}
		sink := &fakeSink{}
		s := newScheduler(reader, []Source{slow}, nil, sink, nil, SchedulerOptions{Rand: noJitter})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()

		time.Sleep(10 * time.Second) // slow's first poll is in flight
		s.SetSources([]Source{other}, nil)
		time.Sleep(10 * time.Second)
		s.SetSources([]Source{slow, other}, nil) // back while still in flight
		time.Sleep(10 * time.Second)
		s.SetSources([]Source{other}, nil) // and gone again
		time.Sleep(29 * time.Minute)
		cancel()
		<-done

		if got := reader.callTimes(slow.URL); !slices.Equal(got, minutes(0)) {
			t.Errorf("slow polled at %v, want only the poll in flight when it was removed", got)
		}
		stored := 0
		for _, p := range sink.all() {
			if p.Source.URL == slow.URL {
				stored++
			}
		}
		if stored != 1 {
			t.Errorf("%d polls of slow stored, want the one in flight", stored)
		}
		if got := len(reader.callTimes(other.URL)); got != 3 {
			t.Errorf("other polled %d times in 30 minutes, want 3 (at 10s, 10m10s and 20m10s)", got)
		}
	})
}

// TestSetSourcesConcurrently replaces the sources from several goroutines
// while Run polls; run with -race. Whatever the interleaving, the last
// list is what is polled afterwards.
func TestSetSourcesConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := newFakeReader(time.Second, okResult)
		var all []Source
		for i := range 40 {
			all = append(all, Source{Name: fmt.Sprint(i), URL: fmt.Sprintf("https://h%d.example/%d", i%5, i), Interval: time.Minute})
		}
		s := newScheduler(reader, all[:20], nil, &fakeSink{}, nil, SchedulerOptions{Rand: noJitter})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for round := range 30 {
					from := (g*7 + round*3) % 30
					s.SetSources(all[from:from+10], nil)
					_ = s.Stats()
					time.Sleep(time.Duration(1+g) * 700 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		final := all[25:35]
		s.SetSources(final, nil)
		time.Sleep(2 * time.Second) // polls of removed feeds still in flight end
		reader.mu.Lock()
		mark := len(reader.calls)
		reader.mu.Unlock()
		time.Sleep(3 * time.Minute)
		cancel()
		<-done

		polled := map[string]int{}
		reader.mu.Lock()
		for _, c := range reader.calls[mark:] {
			polled[c.url]++
		}
		reader.mu.Unlock()
		for _, src := range all {
			want := slices.Contains(final, src)
			if got := polled[src.URL]; (got > 0) != want {
				t.Errorf("%s polled %d times after the last SetSources; listed: %v", src.URL, got, want)
			}
		}
		if st := s.Stats(); st.Feeds != len(final) || st.InFlight != 0 {
			t.Errorf("Stats = %+v, want %d feeds and none in flight", st, len(final))
		}
	})
}
