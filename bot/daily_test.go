package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"storyline/store"
	"storyline/store/sqlite"
)

// errDiskFull is the store failure the daily tests inject.
var errDiskFull = errors.New("disk full")

// queueCall is one QueueDaily call a recordingQueue saw.
type queueCall struct {
	// Called is the clock's reading at the call.
	Called, From, End time.Time
	Daily             store.Daily
	Err               error
}

// recordingQueue passes QueueDaily to a real store, recording each call;
// its first failures calls fail with errDiskFull instead.
type recordingQueue struct {
	mu       sync.Mutex
	store    store.Store
	now      func() time.Time
	failures int
	calls    []queueCall
}

func (q *recordingQueue) QueueDaily(ctx context.Context, from, end time.Time) (store.Daily, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := queueCall{Called: q.now(), From: from, End: end}
	if q.failures > 0 {
		q.failures--
		c.Err = errDiskFull
	} else {
		c.Daily, c.Err = q.store.QueueDaily(ctx, from, end)
	}
	q.calls = append(q.calls, c)
	return c.Daily, c.Err
}

// queued returns the calls that queued a digest.
func (q *recordingQueue) queued() []queueCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []queueCall
	for _, c := range q.calls {
		if c.Err == nil {
			out = append(out, c)
		}
	}
	return out
}

// all returns every call.
func (q *recordingQueue) all() []queueCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]queueCall(nil), q.calls...)
}

// dailyEnv is a store and the clock of a synctest bubble moved to start.
type dailyEnv struct {
	t     *testing.T
	store store.Store
	now   func() time.Time
	logs  *syncBuffer
}

// newDailyEnv opens a store whose clock, like the env's, reads start at
// the bubble's present and advances with it.
func newDailyEnv(t *testing.T, start time.Time) *dailyEnv {
	t.Helper()
	origin := time.Now()
	now := func() time.Time { return start.Add(time.Since(origin)) }
	logs := &syncBuffer{}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), slog.New(slog.NewTextHandler(logs, nil)),
		sqlite.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return &dailyEnv{t: t, store: st, now: now, logs: logs}
}

// queue returns a recordingQueue over the env's store.
func (env *dailyEnv) queue() *recordingQueue {
	return &recordingQueue{store: env.store, now: env.now}
}

// start runs a scheduler on q with opts (Now filled in) and returns a
// function that stops it and checks how Run ended.
func (env *dailyEnv) start(q DailyQueue, opts DailyOptions) func() {
	env.t.Helper()
	opts.Now = env.now
	d, err := NewDailyScheduler(q, slog.New(slog.NewTextHandler(env.logs, nil)), opts)
	if err != nil {
		env.t.Fatalf("NewDailyScheduler: %v", err)
	}
	ctx, cancel := context.WithCancel(env.t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return func() {
		env.t.Helper()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			env.t.Errorf("Run = %v, want context.Canceled", err)
		}
	}
}

// zone loads a time zone.
func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// local formats t in loc as the tests write digest times.
func local(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func TestDailyFiresAtLocalTimeAcrossDST(t *testing.T) {
	tests := []struct {
		name  string
		zone  string
		at    string
		start time.Time
		days  int
		want  []string
	}{
		{"local time", "Europe/Kyiv", "18:00", time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC), 3,
			[]string{"2025-11-20 18:00 EET", "2025-11-21 18:00 EET", "2025-11-22 18:00 EET"}},
		{"spring forward, a 23-hour day", "Europe/Kyiv", "18:00", time.Date(2025, 3, 29, 0, 0, 0, 0, time.UTC), 3,
			[]string{"2025-03-29 18:00 EET", "2025-03-30 18:00 EEST", "2025-03-31 18:00 EEST"}},
		{"fall back, a 25-hour day", "Europe/Kyiv", "18:00", time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC), 3,
			[]string{"2025-10-25 18:00 EEST", "2025-10-26 18:00 EET", "2025-10-27 18:00 EET"}},
		{"a time the clocks skip comes once, after the jump", "Europe/Kyiv", "03:30", time.Date(2025, 3, 29, 12, 0, 0, 0, time.UTC), 3,
			[]string{"2025-03-30 04:30 EEST", "2025-03-31 03:30 EEST", "2025-04-01 03:30 EEST"}},
		{"a time the clocks repeat comes once", "Europe/Kyiv", "03:30", time.Date(2025, 10, 25, 12, 0, 0, 0, time.UTC), 3,
			[]string{"2025-10-26 03:30 EET", "2025-10-27 03:30 EET", "2025-10-28 03:30 EET"}},
		{"New York", "America/New_York", "08:15", time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC), 2,
			[]string{"2025-03-08 08:15 EST", "2025-03-09 08:15 EDT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := zone(t, tc.zone)
			synctest.Test(t, func(t *testing.T) {
				env := newDailyEnv(t, tc.start)
				q := env.queue()
				stop := env.start(q, DailyOptions{At: tc.at, Zone: loc})
				time.Sleep(time.Duration(tc.days)*24*time.Hour + 2*time.Hour)
				synctest.Wait()
				stop()
				var got []string
				for _, c := range q.all() {
					got = append(got, local(c.End, loc))
					if !c.Called.Equal(c.End) || c.Err != nil {
						t.Errorf("digest of %s queued at %s, %v; want at its time", local(c.End, loc), local(c.Called, loc), c.Err)
					}
				}
				if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
					t.Errorf("digests at\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
			})
		})
	}
}

func TestDailyPeriodsChain(t *testing.T) {
	loc := zone(t, "Europe/Kyiv")
	synctest.Test(t, func(t *testing.T) {
		env := newDailyEnv(t, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
		q := env.queue()
		stop := env.start(q, DailyOptions{At: "18:00", Zone: loc})
		time.Sleep(3 * 24 * time.Hour)
		synctest.Wait()
		stop()
		calls := q.queued()
		if len(calls) != 3 {
			t.Fatalf("%d digests, want 3", len(calls))
		}
		if got := local(calls[0].Daily.Start, loc); got != "2025-10-24 18:00 EEST" {
			t.Errorf("first digest starts %s, want the day before at the digest time", got)
		}
		for i := 1; i < len(calls); i++ {
			if !calls[i].Daily.Start.Equal(calls[i-1].Daily.End) {
				t.Errorf("digest %d starts %s, want where the previous ended, %s", i,
					local(calls[i].Daily.Start, loc), local(calls[i-1].Daily.End, loc))
			}
		}
		if got := calls[1].Daily.End.Sub(calls[1].Daily.Start); got != 25*time.Hour {
			t.Errorf("the digest after the clocks fall back covers %v, want 25h", got)
		}
	})
}

func TestDailyRestartDoesNotBurst(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 12, d, 18, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		// last is the digest queued before the restart; the scheduler
		// starts at restart and runs until until.
		last, restart, until time.Time
		// want are the periods queued, as "start to end" days.
		want []string
	}{
		{"down for days, the next digest covers the gap", day(1), day(4).Add(-6 * time.Hour), day(5).Add(-time.Hour),
			[]string{"1 to 4"}},
		{"restarted a second after the digest", day(4), day(4).Add(time.Second), day(5).Add(-time.Minute),
			nil},
		{"restarted a second after the digest, the next day", day(4), day(4).Add(time.Second), day(5).Add(time.Minute),
			[]string{"4 to 5"}},
		{"down at the digest time", day(3), day(4).Add(time.Minute), day(5).Add(time.Minute),
			[]string{"3 to 5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				env := newDailyEnv(t, tc.restart)
				if _, err := env.store.QueueDaily(t.Context(), tc.last.Add(-24*time.Hour), tc.last); err != nil {
					t.Fatal(err)
				}
				q := env.queue()
				stop := env.start(q, DailyOptions{At: "18:00"})
				synctest.Wait()
				if calls := q.all(); len(calls) != 0 {
					t.Errorf("%d digests queued at start, want none: missed digests are not sent late", len(calls))
				}
				time.Sleep(tc.until.Sub(tc.restart))
				synctest.Wait()
				stop()
				var got []string
				for _, c := range q.queued() {
					got = append(got, fmt.Sprintf("%d to %d", c.Daily.Start.Day(), c.Daily.End.Day()))
					if !c.Called.Equal(c.End) {
						t.Errorf("digest of %v queued at %v, want at its time", c.End, c.Called)
					}
				}
				if !slices.Equal(got, tc.want) || len(q.all()) != len(tc.want) {
					t.Errorf("periods queued = %v (%d calls), want %v", got, len(q.all()), tc.want)
				}
			})
		})
	}
}

func TestDailyQueuesOncePerOccurrence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at := time.Date(2025, 12, 1, 18, 0, 0, 0, time.UTC)
		env := newDailyEnv(t, at.Add(-time.Hour))
		q := env.queue()
		// Two schedulers on one store: a restart racing the old process,
		// or two instances.
		stopA := env.start(q, DailyOptions{At: "18:00"})
		stopB := env.start(q, DailyOptions{At: "18:00"})
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		stopA()
		stopB()
		calls := q.all()
		if len(calls) != 2 {
			t.Fatalf("calls = %+v, want one from each scheduler", calls)
		}
		if len(q.queued()) != 1 || !errors.Is(calls[1].Err, store.ErrDailyExists) {
			t.Errorf("calls = %+v, want one digest queued and the other refused as queued already", calls)
		}
		if st, err := env.store.OutboxStats(t.Context()); err != nil || st.Pending != 1 {
			t.Errorf("outbox = %+v, %v; want one pending digest", st, err)
		}
		if !strings.Contains(env.logs.String(), "daily digest already queued") {
			t.Errorf("the second scheduler did not say the digest was queued already:\n%s", env.logs)
		}
	})
}

func TestDailyRetriesStoreFailuresUntilLate(t *testing.T) {
	at := time.Date(2025, 12, 1, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		failures int
		// want are the minutes after at of every call until the next day's
		// digest, and whether the digest was queued.
		want   []int
		queued bool
	}{
		{"two failures", 2, []int{0, 1, 2}, true},
		{"failing past Late", 100, []int{0, 1, 2, 3, 4, 5}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				env := newDailyEnv(t, at.Add(-time.Hour))
				q := env.queue()
				q.failures = tc.failures
				notified := 0
				stop := env.start(q, DailyOptions{At: "18:00", Retry: time.Minute, Late: 5 * time.Minute,
					Notify: func() { notified++ }})
				time.Sleep(12 * time.Hour)
				synctest.Wait()
				stop()
				var got []int
				for _, c := range q.all() {
					got = append(got, int(c.Called.Sub(at)/time.Minute))
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("calls at minutes %v after the digest time, want %v", got, tc.want)
				}
				if wantN := map[bool]int{true: 1}[tc.queued]; notified != wantN || len(q.queued()) != wantN {
					t.Errorf("notified %d times, %d queued; want %d", notified, len(q.queued()), wantN)
				}
			})
		})
	}
}

func TestDailyDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newDailyEnv(t, time.Date(2025, 12, 1, 17, 0, 0, 0, time.UTC))
		q := env.queue()
		d, err := NewDailyScheduler(q, slog.New(slog.NewTextHandler(env.logs, nil)), DailyOptions{Now: env.now})
		if err != nil {
			t.Fatal(err)
		}
		if next := d.Next(env.now()); !next.IsZero() {
			t.Errorf("Next = %v, want the zero time", next)
		}
		if err := d.Run(t.Context()); err != nil {
			t.Errorf("Run = %v, want nil at once", err)
		}
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		if calls := q.all(); len(calls) != 0 {
			t.Errorf("disabled scheduler queued %+v", calls)
		}
	})
}

func TestNewDailySchedulerRejectsBadTimes(t *testing.T) {
	for _, at := range []string{"8:30", "24:00", "18:60", "six", "18:00:00"} {
		if _, err := NewDailyScheduler(nil, slog.New(slog.DiscardHandler), DailyOptions{At: at}); err == nil {
			t.Errorf("NewDailyScheduler(At %q) succeeded, want an error", at)
		}
	}
}
