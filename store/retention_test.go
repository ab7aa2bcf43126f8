package store

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakePruner drops reports from a backlog, or fails.
type fakePruner struct {
	mu      sync.Mutex
	backlog int
	fail    error
	// calls records each call's horizon and the time it was made.
	calls  []time.Time
	callAt []time.Time
}

func (f *fakePruner) Prune(_ context.Context, before time.Time, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, before)
	f.callAt = append(f.callAt, time.Now())
	if f.fail != nil {
		return 0, f.fail
	}
	n := min(limit, f.backlog)
	f.backlog -= n
	return n, nil
}

func TestRetentionPassDropsTheBacklogInBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &fakePruner{backlog: 5}
		start := time.Now()
		r := NewRetention(p, slog.New(slog.DiscardHandler), RetentionOptions{
			Keep: 30 * 24 * time.Hour, Batch: 2, Pause: time.Second,
		})
		n, err := r.Pass(t.Context())
		if err != nil || n != 5 {
			t.Fatalf("Pass = %d, %v; want 5", n, err)
		}
		horizon := start.Add(-30 * 24 * time.Hour)
		if want := []time.Time{horizon, horizon, horizon}; !slices.EqualFunc(p.calls, want, time.Time.Equal) {
			t.Errorf("horizons = %v, want %v", p.calls, want)
		}
		// Batches of 2, 2 and 1, a pause after each full one.
		for i, at := range p.callAt {
			if want := start.Add(time.Duration(i) * time.Second); !at.Equal(want) {
				t.Errorf("call %d at %v, want %v", i, at.Sub(start), want.Sub(start))
			}
		}
	})
}

func TestRetentionRunsEveryIntervalAndSurvivesErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &fakePruner{fail: errors.New("disk I/O error")}
		r := NewRetention(p, slog.New(slog.DiscardHandler), RetentionOptions{
			Keep: 24 * time.Hour, Interval: time.Hour,
		})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		time.Sleep(90 * time.Minute) // fake time: passes at 0 and 1h
		synctest.Wait()
		p.mu.Lock()
		calls := len(p.calls)
		p.fail = nil
		p.backlog = 3
		p.mu.Unlock()
		if calls != 2 {
			t.Errorf("%d passes in 90 minutes, want 2", calls)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		p.mu.Lock()
		if p.backlog != 0 {
			t.Errorf("backlog %d after a pass that works, want 0", p.backlog)
		}
		p.mu.Unlock()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil at shutdown", err)
		}
	})
}

func TestRetentionKeepingForEverDoesNothing(t *testing.T) {
	p := &fakePruner{backlog: 5}
	if err := NewRetention(p, slog.New(slog.DiscardHandler), RetentionOptions{}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(p.calls) != 0 {
		t.Errorf("Prune called %d times with Keep zero", len(p.calls))
	}
	if h := UnrelatedHorizon(time.Now(), 0); !h.IsZero() {
		t.Errorf("UnrelatedHorizon with keep 0 = %v, want zero", h)
	}
}
