// Package fleet owns one instance's place among the instances of the bot
// that share a store: its heartbeat, the leader lease and the work that only
// the leader does (draining the outbox, holding the Discord gateway), and
// the feed leases through which the instances share the polling. With a
// store that only one process uses, the instance is the whole fleet and
// leads from the start.
//
// It must not know SQL, Discord or how feeds are fetched: the store keeps
// the leases (store.Fleet), the caller says what leading means.
package fleet

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"storyline/feeds"
	"storyline/store"
)

// The defaults of Options. A leader that dies is replaced within LeaseTTL
// plus Heartbeat (25 s).
const (
	DefaultHeartbeat = 5 * time.Second
	DefaultLeaseTTL  = 20 * time.Second
	DefaultStepDown  = 8 * time.Second
	DefaultFeedLease = 2 * time.Minute
)

// Options tunes a Member. Zero fields take the defaults.
type Options struct {
	// Heartbeat is how often the instance says it is alive and takes or
	// renews the leader lease.
	Heartbeat time.Duration
	// LeaseTTL is how long a leader lease runs from its last renewal.
	LeaseTTL time.Duration
	// StepDown is how long before its lease runs out a leader that could
	// not renew it stops leading. It must exceed the time the leader's
	// work takes to stop (the poster's grace for the request in flight),
	// so that the work has stopped before another instance can lead.
	StepDown time.Duration
	// FeedLease is how long an instance may poll and store one feed
	// before another may take the feed over; it must exceed a fetch's
	// timeout.
	FeedLease time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.StepDown <= 0 {
		o.StepDown = DefaultStepDown
	}
	if o.FeedLease <= 0 {
		o.FeedLease = DefaultFeedLease
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Member is this instance in the fleet.
type Member struct {
	fleet  store.Fleet
	self   store.Instance
	logger *slog.Logger
	opts   Options
	mu     sync.Mutex
	// leading is whether the leader's work runs now.
	leading bool
}

// New returns this instance, self, as a member of the fleet sharing f; a
// nil f means no other instance shares the store.
func New(f store.Fleet, self store.Instance, logger *slog.Logger, opts Options) *Member {
	return &Member{fleet: f, self: self, logger: logger.With("instance", self.ID), opts: opts.withDefaults()}
}

// Self describes the running process as an instance of version started
// at started: its host, process id and an id unique to it.
func Self(version string, started time.Time) store.Instance {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	pid := os.Getpid()
	return store.Instance{
		ID:      fmt.Sprintf("%s-%d-%s", host, pid, rand.Text()[:6]),
		Host:    host,
		PID:     pid,
		Version: version,
		Started: started.UTC(),
	}
}

// Shared reports whether other instances may share the store.
func (m *Member) Shared() bool { return m.fleet != nil }

// Leading reports whether the leader's work runs in this instance now.
func (m *Member) Leading() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leading
}

// Instances lists the fleet's instances: this one alone when the store is
// not shared.
func (m *Member) Instances(ctx context.Context) ([]store.Instance, error) {
	if m.fleet == nil {
		self := m.self
		self.Heartbeat, self.Leader = m.opts.Now().UTC(), m.Leading()
		return []store.Instance{self}, nil
	}
	return m.fleet.Instances(ctx)
}

// Run keeps this instance's heartbeat and takes the leader lease whenever
// it is free, until ctx ends. While it leads it runs lead, whose context
// ends when the lease is lost (it could not be renewed StepDown before it
// runs out) or ctx ends; Run waits for lead to return before it lets the
// lease go or tries to lead again. At the end it gives the lease up, so
// that another instance leads at once. Alone, the instance leads for the
// whole of ctx. Store failures are logged, never fatal.
func (m *Member) Run(ctx context.Context, lead func(context.Context)) error {
	if m.fleet == nil {
		m.setLeading(true)
		lead(ctx)
		m.setLeading(false)
		return ctx.Err()
	}
	var w *work
	stepDown := time.NewTimer(time.Hour)
	stepDown.Stop()
	tick := time.NewTicker(m.opts.Heartbeat)
	defer tick.Stop()
	for {
		if renewed, ok := m.beat(ctx); ok {
			if w == nil {
				w = m.start(ctx, lead)
			}
			stepDown.Reset(renewed.Add(m.opts.LeaseTTL - m.opts.StepDown).Sub(m.opts.Now()))
		}
		select {
		case <-ctx.Done():
			stepDown.Stop()
			m.stop(w, "stopping")
			if w != nil {
				m.resign()
			}
			return ctx.Err()
		case <-stepDown.C:
			m.stop(w, "lease not renewed in time")
			w = nil
		case <-tick.C:
		}
	}
}

// beat sends the heartbeat and takes or renews the lease. It returns when
// the renewal was asked (the lease runs LeaseTTL from then at the latest)
// and whether it was granted; a store failure is not a grant.
func (m *Member) beat(ctx context.Context) (time.Time, bool) {
	cctx, cancel := context.WithTimeout(ctx, m.opts.Heartbeat)
	defer cancel()
	if err := m.fleet.Heartbeat(cctx, m.self); err != nil && ctx.Err() == nil {
		m.logger.Warn("heartbeat failed", "error", err)
	}
	asked := m.opts.Now()
	ok, err := m.fleet.Lead(cctx, m.self.ID, m.opts.LeaseTTL)
	if err != nil && ctx.Err() == nil {
		m.logger.Warn("leader lease not renewed", "error", err)
	}
	return asked, ok && err == nil
}

// work is the leader's work running.
type work struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs lead in its own goroutine and context.
func (m *Member) start(ctx context.Context, lead func(context.Context)) *work {
	lctx, cancel := context.WithCancel(ctx)
	w := &work{cancel: cancel, done: make(chan struct{})}
	m.setLeading(true)
	m.logger.Info("leading: this instance posts and holds the gateway")
	go func() {
		defer close(w.done)
		lead(lctx)
	}()
	return w
}

// stop ends w, if any, and waits for it.
func (m *Member) stop(w *work, why string) {
	if w == nil {
		return
	}
	w.cancel()
	<-w.done
	m.setLeading(false)
	m.logger.Info("no longer leading", "reason", why)
}

// resign gives the lease up after the leader's work has stopped.
func (m *Member) resign() {
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.Heartbeat)
	defer cancel()
	if err := m.fleet.Resign(ctx, m.self.ID); err != nil {
		m.logger.Warn("leader lease not given up; another instance takes it when it runs out", "error", err)
	}
}

func (m *Member) setLeading(v bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leading = v
}

// Claim leases the feed at url to this instance for FeedLease when it is
// due at now, and returns its stored state; it makes Member a
// feeds.Lease.
func (m *Member) Claim(ctx context.Context, url string, now time.Time) (feeds.State, bool, error) {
	return m.fleet.ClaimFeed(ctx, url, m.self.ID, now, m.opts.FeedLease)
}

// Release ends this instance's lease on the feed at url.
func (m *Member) Release(ctx context.Context, url string) error {
	return m.fleet.ReleaseFeed(ctx, url, m.self.ID)
}
