package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Sink receives the outcome of every poll. An error means the outcome was
// not stored; the scheduler then polls the feed again later from its old
// state, so no item is lost.
type Sink interface {
	HandlePoll(ctx context.Context, p Poll) error
}

// Poll is the outcome of polling one feed.
type Poll struct {
	// Source is the feed polled.
	Source Source
	// Items are the parsed items; empty on failure or NotModified.
	Items []Item
	// NotModified reports a 304 answer.
	NotModified bool
	// State is the feed's new state after this poll.
	State State
	// Prev is the feed's state before this poll.
	Prev State
	// Err is the failure, nil on success.
	Err error
	// At is when the poll started.
	At time.Time
}

// SchedulerOptions configures a Scheduler. Zero fields take the Default
// values; a negative Jitter disables jitter.
type SchedulerOptions struct {
	// Concurrency bounds the polls in flight.
	Concurrency int
	// PerHost bounds the polls in flight to one host.
	PerHost int
	// Jitter spreads each delay by ±Jitter of itself.
	Jitter float64
	// Backoff is the delay after the first failure; it doubles per failure.
	Backoff time.Duration
	// MaxBackoff caps the delay after failures.
	MaxBackoff time.Duration
	// Now is the clock.
	Now func() time.Time
	// Rand returns numbers in [0, 1) that place the jitter.
	Rand func() float64
	// Lease, when set, shares the feeds with other schedulers: a due feed
	// is polled only once claimed, and released once its outcome is
	// stored.
	Lease Lease
}

// Lease decides which of several schedulers sharing a store polls a feed.
type Lease interface {
	// Claim leases the feed at url to this scheduler when it is due at now
	// and no other holds it, and returns the feed's stored state (zero
	// when none is stored) and whether the lease is this scheduler's.
	Claim(ctx context.Context, url string, now time.Time) (State, bool, error)
	// Release ends this scheduler's lease on the feed at url.
	Release(ctx context.Context, url string) error
}

// LeaseRecheck is how soon a scheduler looks again at a feed that another
// one was polling when it was due: by then that one has stored the poll
// (and the stored state says when the feed is due next), or died and its
// lease is running out.
const LeaseRecheck = 30 * time.Second

// withDefaults returns o with every zero field set to its default.
func (o SchedulerOptions) withDefaults() SchedulerOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	switch {
	case o.Jitter == 0:
		o.Jitter = DefaultJitter
	case o.Jitter < 0:
		o.Jitter = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

// feedReader fetches and parses one feed. The scheduler's only link to the
// network, so tests can replace it.
type feedReader interface {
	readFeed(ctx context.Context, src Source, v Validators, now time.Time) (readResult, error)
}

// readResult is what a successful read produced.
type readResult struct {
	items       []Item
	notModified bool
	validators  Validators
}

// fetchParser reads feeds with a Fetcher and Parse.
type fetchParser struct {
	fetcher *Fetcher
}

// readFeed fetches src and, unless it is unchanged, parses it in the
// charset the server declared.
func (fp fetchParser) readFeed(ctx context.Context, src Source, v Validators, now time.Time) (readResult, error) {
	resp, err := fp.fetcher.Fetch(ctx, src.URL, v)
	if err != nil {
		return readResult{}, err
	}
	if resp.NotModified {
		return readResult{notModified: true, validators: resp.Validators}, nil
	}
	items, err := Parse(ctx, src, fromDeclaredCharset(resp.Body, resp.ContentType), now)
	if err != nil {
		return readResult{}, err
	}
	return readResult{items: items, validators: resp.Validators}, nil
}

// Scheduler polls feeds when they are due, within concurrency limits, and
// hands every outcome to a Sink.
type Scheduler struct {
	reader feedReader
	sink   Sink
	log    *slog.Logger
	opts   SchedulerOptions
	// randMu serialises calls to opts.Rand, which need not be safe for
	// concurrent use.
	randMu sync.Mutex
	// feeds is owned by the Run goroutine.
	feeds []*feedEntry
}

// feedEntry is one scheduled feed.
type feedEntry struct {
	src          Source
	state        State
	host         string
	busy         bool
	sinkFailures int
}

// NewScheduler returns a Scheduler for sources, starting from states (keyed
// by feed URL; a feed without a state is due at once). A nil logger
// discards.
func NewScheduler(f *Fetcher, sources []Source, states map[string]State, sink Sink, logger *slog.Logger, opts SchedulerOptions) *Scheduler {
	return newScheduler(fetchParser{fetcher: f}, sources, states, sink, logger, opts)
}

// newScheduler is NewScheduler with the reader as a parameter.
func newScheduler(r feedReader, sources []Source, states map[string]State, sink Sink, logger *slog.Logger, opts SchedulerOptions) *Scheduler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{reader: r, sink: sink, log: logger, opts: opts.withDefaults()}
	for _, src := range sources {
		s.feeds = append(s.feeds, &feedEntry{src: src, state: states[src.URL], host: hostKey(src.URL)})
	}
	return s
}

// hostKey is the per-host limit's key: the lowercased host, or "" for a
// local file.
func hostKey(rawURL string) string {
	u := absoluteHTTP(rawURL)
	if u == nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// policy returns the timing policy nextState applies.
func (s *Scheduler) policy() policy {
	return policy{jitter: s.opts.Jitter, backoff: s.opts.Backoff, maxBackoff: s.opts.MaxBackoff}
}

// rand returns the next jitter placement.
func (s *Scheduler) rand() float64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.opts.Rand()
}

// PollNow fetches and parses src once, from its previous state, and returns
// the outcome with the feed's new state. It does not call the Sink. It is
// safe to call concurrently with Run.
func (s *Scheduler) PollNow(ctx context.Context, src Source, prev State) Poll {
	at := s.opts.Now()
	var v Validators
	if prev.URL == "" || prev.URL == src.URL {
		v = Validators{ETag: prev.ETag, LastModified: prev.LastModified}
	}
	res, err := s.reader.readFeed(ctx, src, v, at)
	return Poll{
		Source:      src,
		Items:       res.items,
		NotModified: res.notModified,
		State:       nextState(prev, src, res.validators, err, at, s.policy(), s.rand()),
		Prev:        prev,
		Err:         err,
		At:          at,
	}
}

// pollResult is a finished poll on its way back to the Run goroutine.
type pollResult struct {
	feed *feedEntry
	poll Poll
	// canceled reports a poll cut short by shutdown: nothing was stored.
	canceled bool
	// taken reports a feed another scheduler holds or polled already:
	// stored is the feed's stored state.
	taken  bool
	stored State
	// sinkErr is the failure to store the poll's outcome, or to claim the
	// feed.
	sinkErr error
}

// Run polls due feeds until ctx is cancelled, then waits for the polls in
// flight and returns ctx's error. It must not be called concurrently with
// itself.
func (s *Scheduler) Run(ctx context.Context) error {
	done := make(chan pollResult)
	perHost := make(map[string]int)
	running := 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		running += s.dispatch(ctx, done, perHost, running)
		wake := s.arm(timer)
		select {
		case <-ctx.Done():
			for ; running > 0; running-- {
				s.finish(<-done, perHost)
			}
			return ctx.Err()
		case r := <-done:
			running--
			s.finish(r, perHost)
		case <-wake:
		}
	}
}

// dispatch starts the due feeds, earliest first, that the limits allow, and
// returns how many it started.
func (s *Scheduler) dispatch(ctx context.Context, done chan<- pollResult, perHost map[string]int, running int) int {
	if ctx.Err() != nil {
		return 0
	}
	now := s.opts.Now()
	var due []*feedEntry
	for _, f := range s.feeds {
		if !f.busy && !f.state.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	slices.SortStableFunc(due, func(a, b *feedEntry) int { return a.state.NextPoll.Compare(b.state.NextPoll) })
	started := 0
	for _, f := range due {
		if running+started >= s.opts.Concurrency {
			break
		}
		if perHost[f.host] >= s.opts.PerHost {
			continue
		}
		f.busy = true
		perHost[f.host]++
		started++
		go func(f *feedEntry, src Source, prev State) {
			done <- s.pollAndDeliver(ctx, f, src, prev)
		}(f, f.src, f.state)
	}
	return started
}

// arm sets timer for the earliest future poll of an idle feed and returns
// its channel, or stops it and returns nil when no idle feed waits.
func (s *Scheduler) arm(timer *time.Timer) <-chan time.Time {
	now := s.opts.Now()
	var next *feedEntry
	for _, f := range s.feeds {
		if f.busy || !f.state.NextPoll.After(now) {
			continue
		}
		if next == nil || f.state.NextPoll.Before(next.state.NextPoll) {
			next = f
		}
	}
	if next == nil {
		timer.Stop()
		return nil
	}
	timer.Reset(next.state.NextPoll.Sub(now))
	return timer.C
}

// pollAndDeliver polls one feed and hands the outcome to the sink. A poll
// cut short by shutdown is not delivered, so it is not recorded as a
// failure. The sink runs without ctx's cancellation so that an outcome
// fetched before shutdown is still stored. With a Lease the feed is
// claimed first, polled from the state stored by whoever polled it last,
// and released once its outcome is stored.
func (s *Scheduler) pollAndDeliver(ctx context.Context, f *feedEntry, src Source, prev State) pollResult {
	if s.opts.Lease != nil {
		stored, ok, err := s.opts.Lease.Claim(ctx, src.URL, s.opts.Now())
		switch {
		case err != nil && ctx.Err() != nil:
			return pollResult{feed: f, canceled: true}
		case err != nil:
			return pollResult{feed: f, sinkErr: fmt.Errorf("claim feed: %w", err)}
		case !ok:
			return pollResult{feed: f, taken: true, stored: stored}
		}
		if stored.URL == src.URL {
			prev = stored
		}
		defer func() {
			if err := s.opts.Lease.Release(context.WithoutCancel(ctx), src.URL); err != nil {
				s.log.Warn("feed lease not released; it runs out by itself", "feed", src.Name, "error", err)
			}
		}()
	}
	poll := s.PollNow(ctx, src, prev)
	if poll.Err != nil && ctx.Err() != nil {
		return pollResult{feed: f, poll: poll, canceled: true}
	}
	err := s.sink.HandlePoll(context.WithoutCancel(ctx), poll)
	return pollResult{feed: f, poll: poll, sinkErr: err}
}

// finish records a finished poll on the Run goroutine.
func (s *Scheduler) finish(r pollResult, perHost map[string]int) {
	f := r.feed
	f.busy = false
	perHost[f.host]--
	switch {
	case r.canceled:
	case r.taken:
		// Another scheduler polled the feed, or polls it now: follow the
		// stored state, and look again soon if it says the feed is due.
		f.state = r.stored
		if now := s.opts.Now(); !f.state.NextPoll.After(now) {
			f.state.NextPoll = now.Add(LeaseRecheck)
		}
	case r.sinkErr != nil:
		f.sinkFailures++
		f.state = retryState(f.state, f.sinkFailures, s.opts.Now(), s.policy(), s.rand())
		s.log.Error("feed poll not stored", "feed", f.src.Name, "url", f.src.URL,
			"error", r.sinkErr, "next_poll", f.state.NextPoll)
	default:
		f.sinkFailures = 0
		f.state = r.poll.State
		s.logPoll(r.poll)
	}
}

// logPoll logs a stored poll: failures as warnings, successes at debug.
func (s *Scheduler) logPoll(p Poll) {
	if p.Err != nil {
		s.log.Warn("feed poll failed", "feed", p.Source.Name, "url", p.Source.URL,
			"class", p.State.ErrorClass, "failures", p.State.Failures, "error", p.Err, "next_poll", p.State.NextPoll)
		return
	}
	s.log.Debug("feed polled", "feed", p.Source.Name, "items", len(p.Items),
		"not_modified", p.NotModified, "next_poll", p.State.NextPoll)
}
