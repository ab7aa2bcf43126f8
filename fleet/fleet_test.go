package fleet

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"storyline/feeds"
	"storyline/store"
)

// memFleet is a store.Fleet in memory whose lease runs on the (fake)
// clock of the test's bubble; down makes an instance's calls fail, as a
// lost database connection would.
type memFleet struct {
	mu      sync.Mutex
	holder  string
	expires time.Time
	down    map[string]bool
}

func (f *memFleet) Heartbeat(context.Context, store.Instance) error { return nil }
func (f *memFleet) Instances(context.Context) ([]store.Instance, error) {
	return nil, nil
}

func (f *memFleet) Lead(_ context.Context, id string, ttl time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down[id] {
		return false, errors.New("connection refused")
	}
	if f.holder != id && time.Now().Before(f.expires) {
		return false, nil
	}
	f.holder, f.expires = id, time.Now().Add(ttl)
	return true, nil
}

func (f *memFleet) Resign(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holder == id {
		f.expires = time.Time{}
	}
	return nil
}

func (f *memFleet) ClaimFeed(context.Context, string, string, time.Time, time.Duration) (feeds.State, bool, error) {
	return feeds.State{}, true, nil
}
func (f *memFleet) ReleaseFeed(context.Context, string, string) error { return nil }
func (f *memFleet) LockClustering(context.Context) (func(), error) {
	return func() {}, nil
}
func (f *memFleet) SignaturesSince(context.Context, int64, time.Time) ([]store.Candidate, int64, error) {
	return nil, 0, nil
}

// term is one period during which an instance ran the leader's work; end
// is zero while it runs.
type term struct {
	id         string
	start, end time.Time
}

// terms records the leader's work of several members.
type terms struct {
	mu   sync.Mutex
	list []term
}

// lead returns the leader's work of instance id: it records its term.
func (ts *terms) lead(id string) func(context.Context) {
	return func(ctx context.Context) {
		ts.mu.Lock()
		i := len(ts.list)
		ts.list = append(ts.list, term{id: id, start: time.Now()})
		ts.mu.Unlock()
		<-ctx.Done()
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.list[i].end = time.Now()
	}
}

func (ts *terms) all() []term {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]term(nil), ts.list...)
}

// startMember runs a member of f with id until the returned function is
// called, which waits for Run to return.
func startMember(f store.Fleet, id string, ts *terms) (*Member, func()) {
	m := New(f, store.Instance{ID: id}, slog.New(slog.DiscardHandler), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.Run(ctx, ts.lead(id))
	}()
	return m, func() { cancel(); <-done }
}

func TestAloneLeadsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := &terms{}
		m, stop := startMember(nil, "solo", ts)
		synctest.Wait()
		if !m.Leading() || m.Shared() {
			t.Fatalf("alone: leading %v, shared %v; want leading, not shared", m.Leading(), m.Shared())
		}
		list, err := m.Instances(t.Context())
		if err != nil || len(list) != 1 || !list[0].Leader || list[0].ID != "solo" {
			t.Errorf("Instances = %+v, %v; want itself, leading", list, err)
		}
		stop()
		if list := ts.all(); m.Leading() || len(list) != 1 || list[0].end.IsZero() {
			t.Errorf("after stop: leading %v, terms %v", m.Leading(), ts.all())
		}
	})
}

func TestStoppedLeaderHandsOverAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, ts := &memFleet{}, &terms{}
		a, stopA := startMember(f, "a", ts)
		synctest.Wait()
		b, stopB := startMember(f, "b", ts)
		defer stopB()
		time.Sleep(time.Minute)
		if !a.Leading() || b.Leading() {
			t.Fatalf("leading a %v, b %v; want a only", a.Leading(), b.Leading())
		}
		stopA()
		time.Sleep(DefaultHeartbeat)
		synctest.Wait()
		if !b.Leading() {
			t.Errorf("b does not lead a heartbeat (%v) after a stopped", DefaultHeartbeat)
		}
	})
}

func TestLeaderThatCannotRenewStepsDownBeforeTheTakeover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, ts := &memFleet{down: map[string]bool{}}, &terms{}
		a, stopA := startMember(f, "a", ts)
		defer stopA()
		synctest.Wait()
		_, stopB := startMember(f, "b", ts)
		defer stopB()
		time.Sleep(30 * time.Second)
		f.mu.Lock()
		lastRenewal := f.expires.Add(-DefaultLeaseTTL)
		f.down["a"] = true
		f.mu.Unlock()
		time.Sleep(time.Minute)
		if a.Leading() {
			t.Fatal("a still leads without its lease")
		}
		list := ts.all()
		if len(list) != 2 || list[0].id != "a" || list[1].id != "b" {
			t.Fatalf("terms %+v, want a's then b's", list)
		}
		if !list[0].end.Before(list[1].start) {
			t.Errorf("a led until %v, b from %v: they overlap", list[0].end, list[1].start)
		}
		if got, want := list[0].end.Sub(lastRenewal), DefaultLeaseTTL-DefaultStepDown; got > want {
			t.Errorf("a stepped down %v after its last renewal, want by %v", got, want)
		}
		if takeover := list[1].start.Sub(lastRenewal); takeover < DefaultLeaseTTL || takeover > DefaultLeaseTTL+DefaultHeartbeat {
			t.Errorf("b took over %v after a's last renewal, want between %v and %v", takeover, DefaultLeaseTTL, DefaultLeaseTTL+DefaultHeartbeat)
		}
	})
}
