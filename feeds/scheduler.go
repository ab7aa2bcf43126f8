package feeds

import (
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
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
	// Concurrency bounds the polls in flight. Zero lets the scheduler
	// choose, from the polls its feeds call for and how long a poll takes
	// (see Stats).
	Concurrency int
	// PerHost bounds the polls in flight to one host.
	PerHost int
	// Jitter brings each poll forward by up to Jitter of its delay, so that
	// feeds started together spread out.
	Jitter float64
	// Backoff is the delay after the first failure; it doubles per failure.
	Backoff time.Duration
	// MaxBackoff caps the delay after failures.
	MaxBackoff time.Duration
	// MinInterval and MaxInterval bound the interval of a feed that adapts
	// to its pace (Source.Adapt); MaxInterval also caps how long a server
	// may ask a feed to wait (max-age, ttl).
	MinInterval time.Duration
	MaxInterval time.Duration
	// ParseBudget bounds the bytes of feed bodies being parsed at once: a
	// parse waits until its body fits, and a body larger than the budget
	// parses alone. Parsing takes many times a body's size in memory, so
	// this bounds the memory of concurrent large feeds.
	ParseBudget int64
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

// DefaultParseBudget is SchedulerOptions.ParseBudget when zero: one body
// of the fetcher's default size limit.
const DefaultParseBudget = DefaultMaxBytes

// withDefaults returns o with every zero field set to its default.
func (o SchedulerOptions) withDefaults() SchedulerOptions {
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
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = max(DefaultMaxInterval, o.MinInterval)
	}
	if o.ParseBudget <= 0 {
		o.ParseBudget = DefaultParseBudget
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
	// maxAge is the answer's Cache-Control max-age.
	maxAge time.Duration
	// parsed reports a body that was parsed; recent, since and ttl are
	// what it told of the feed's pace (see document).
	parsed bool
	recent int
	since  time.Time
	ttl    time.Duration
}

// fetchParser reads feeds with a Fetcher and parses them within a budget
// of bytes.
type fetchParser struct {
	fetcher *Fetcher
	budget  *semaphore.Weighted
	size    int64
}

// readFeed fetches src and, unless it is unchanged, parses it in the
// charset the server declared, once its body fits in the parse budget.
func (fp fetchParser) readFeed(ctx context.Context, src Source, v Validators, now time.Time) (readResult, error) {
	resp, err := fp.fetcher.Fetch(ctx, src.URL, v)
	if err != nil {
		return readResult{}, err
	}
	if resp.NotModified {
		return readResult{notModified: true, validators: resp.Validators, maxAge: resp.MaxAge}, nil
	}
	weight := min(max(int64(len(resp.Body)), 1), fp.size)
	if err := fp.budget.Acquire(ctx, weight); err != nil {
		return readResult{}, &FetchError{URL: src.URL, Class: ClassOf(err), Err: err}
	}
	defer fp.budget.Release(weight)
	doc, err := parseDocument(ctx, src, fromDeclaredCharset(resp.Body, resp.ContentType), now)
	if err != nil {
		return readResult{}, err
	}
	return readResult{
		items: doc.items, validators: resp.Validators, maxAge: resp.MaxAge,
		parsed: true, recent: doc.recent, since: doc.since, ttl: doc.ttl,
	}, nil
}

// Scheduler polls feeds when they are due, within concurrency limits, and
// hands every outcome to a Sink. Its work per poll grows with the
// logarithm of the number of feeds: idle feeds wait in a heap by due time.
type Scheduler struct {
	reader feedReader
	sink   Sink
	log    *slog.Logger
	opts   SchedulerOptions
	// randMu serialises calls to opts.Rand, which need not be safe for
	// concurrent use.
	randMu sync.Mutex
	// wake tells Run that SetSources changed the feeds.
	wake chan struct{}

	// mu guards the feeds and the counts below; Run and SetSources take it.
	mu sync.Mutex
	// feeds are the scheduled feeds by URL, with those SetSources removed
	// while their poll was in flight until it ends.
	feeds map[string]*feedEntry
	// due holds the idle feeds by next poll.
	due feedHeap
	// parked holds, by host, the due feeds that wait for a poll of their
	// host to end.
	parked map[string]*feedHeap
	// perHost and running count the polls in flight.
	perHost map[string]int
	running int
	// seq orders feeds due at the same time: first scheduled, first polled.
	seq uint64
	// load estimates the concurrency the feeds need.
	load load
	// loggedLimit is the concurrency last logged.
	loggedLimit int
}

// feedEntry is one scheduled feed.
type feedEntry struct {
	src          Source
	state        State
	host         string
	busy         bool
	removed      bool
	sinkFailures int
	// heap is the heap the feed waits in (nil while busy), index its
	// place there and seq its order among feeds due at the same time.
	heap  *feedHeap
	index int
	seq   uint64
	// rate is the feed's share of load.rate, in polls per second.
	rate float64
}

// NewScheduler returns a Scheduler for sources, starting from states (keyed
// by feed URL; a feed without a state is due at once). A nil logger
// discards.
func NewScheduler(f *Fetcher, sources []Source, states map[string]State, sink Sink, logger *slog.Logger, opts SchedulerOptions) *Scheduler {
	opts = opts.withDefaults()
	reader := fetchParser{fetcher: f, budget: semaphore.NewWeighted(opts.ParseBudget), size: opts.ParseBudget}
	return newScheduler(reader, sources, states, sink, logger, opts)
}

// newScheduler is NewScheduler with the reader as a parameter.
func newScheduler(r feedReader, sources []Source, states map[string]State, sink Sink, logger *slog.Logger, opts SchedulerOptions) *Scheduler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{
		reader: r, sink: sink, log: logger, opts: opts.withDefaults(),
		wake:   make(chan struct{}, 1),
		feeds:  make(map[string]*feedEntry, len(sources)),
		parked: make(map[string]*feedHeap), perHost: make(map[string]int),
		load: newLoad(),
	}
	for _, src := range sources {
		if _, dup := s.feeds[src.URL]; !dup {
			s.add(src, states[src.URL])
		}
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
	return policy{
		jitter: s.opts.Jitter, backoff: s.opts.Backoff, maxBackoff: s.opts.MaxBackoff,
		minInterval: s.opts.MinInterval, maxInterval: s.opts.MaxInterval,
	}
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
		State:       nextState(prev, src, res, err, at, s.policy(), s.rand()),
		Prev:        prev,
		Err:         err,
		At:          at,
	}
}

// pollResult is a finished poll on its way back to the Run goroutine.
type pollResult struct {
	feed *feedEntry
	poll Poll
	// took is how long the poll held its place among those in flight.
	took time.Duration
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
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait, timed := s.dispatch(ctx, done)
		var tick <-chan time.Time
		if timed {
			timer.Reset(wait)
			tick = timer.C
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			for s.inFlight() > 0 {
				s.finish(<-done)
			}
			return ctx.Err()
		case r := <-done:
			s.finish(r)
		case <-tick:
		case <-s.wake:
		}
	}
}

// inFlight returns the number of polls in flight.
func (s *Scheduler) inFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}

// dispatch starts the due feeds, earliest first, that the limits allow. It
// returns how long until the next idle feed is due, and false when no
// timer is needed: no feed waits, or every place is taken and a poll's end
// will call again.
func (s *Scheduler) dispatch(ctx context.Context, done chan<- pollResult) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	limit := s.limit()
	s.logLimit(limit)
	for s.running < limit {
		f := s.nextDue(now)
		if f == nil {
			break
		}
		s.start(ctx, f, done)
	}
	f := s.due.peek()
	if f == nil || s.running >= limit {
		return 0, false
	}
	return f.state.NextPoll.Sub(now), true
}

// nextDue takes the earliest feed due at now whose host has room out of
// the due heap, parking on the way those whose host has none; nil when no
// such feed is due.
func (s *Scheduler) nextDue(now time.Time) *feedEntry {
	for {
		f := s.due.peek()
		if f == nil || f.state.NextPoll.After(now) {
			return nil
		}
		s.due.remove(f)
		if s.perHost[f.host] < s.opts.PerHost {
			return f
		}
		s.park(f)
	}
}

// start polls f in a goroutine of its own.
func (s *Scheduler) start(ctx context.Context, f *feedEntry, done chan<- pollResult) {
	f.busy = true
	s.perHost[f.host]++
	s.running++
	go func(src Source, prev State) {
		done <- s.pollAndDeliver(ctx, f, src, prev)
	}(f.src, f.state)
}

// park sets aside a due feed whose host is at its limit, until a poll of
// that host ends.
func (s *Scheduler) park(f *feedEntry) {
	h := s.parked[f.host]
	if h == nil {
		h = &feedHeap{}
		s.parked[f.host] = h
	}
	h.push(f)
}

// unpark returns the earliest parked feed of host, if any, to the due
// heap: a place on its host has come free.
func (s *Scheduler) unpark(host string) {
	h := s.parked[host]
	if h == nil {
		return
	}
	if f := h.peek(); f != nil {
		h.remove(f)
		s.due.push(f)
	}
	if h.Len() == 0 {
		delete(s.parked, host)
	}
}

// pollAndDeliver polls one feed and hands the outcome to the sink. With a
// Lease the feed is claimed first, polled from the state stored by
// whoever polled it last, and released once its outcome is stored. A poll
// cut short by shutdown, while fetched or while stored, is not delivered
// and not recorded as a failure: the sink stores a poll whole or not at
// all, so the feed is simply polled again from its stored state on the
// next start.
func (s *Scheduler) pollAndDeliver(ctx context.Context, f *feedEntry, src Source, prev State) pollResult {
	start := s.opts.Now()
	r := s.claimPollDeliver(ctx, f, src, prev)
	r.took = s.opts.Now().Sub(start)
	return r
}

// claimPollDeliver is pollAndDeliver without the timing.
func (s *Scheduler) claimPollDeliver(ctx context.Context, f *feedEntry, src Source, prev State) pollResult {
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
	err := s.sink.HandlePoll(ctx, poll)
	if err != nil && ctx.Err() != nil {
		return pollResult{feed: f, poll: poll, canceled: true}
	}
	return pollResult{feed: f, poll: poll, sinkErr: err}
}

// finish records a finished poll and schedules the feed's next one.
func (s *Scheduler) finish(r pollResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.feed
	f.busy = false
	s.running--
	s.perHost[f.host]--
	if s.perHost[f.host] == 0 {
		delete(s.perHost, f.host)
	}
	s.unpark(f.host)
	if !r.canceled {
		s.load.observe(r.took)
	}
	if f.removed {
		delete(s.feeds, f.src.URL)
		return
	}
	now := s.opts.Now()
	switch {
	case r.canceled:
	case r.taken:
		// Another scheduler polled the feed, or polls it now: follow the
		// stored state, and look again soon if it says the feed is due.
		f.state = r.stored
		if !f.state.NextPoll.After(now) {
			f.state.NextPoll = now.Add(LeaseRecheck)
		}
	case r.sinkErr != nil:
		f.sinkFailures++
		f.state = retryState(f.state, f.sinkFailures, now, s.policy(), s.rand())
		s.log.Error("feed poll not stored", "feed", f.src.Name, "url", f.src.URL,
			"error", r.sinkErr, "next_poll", f.state.NextPoll)
	default:
		f.sinkFailures = 0
		f.state = r.poll.State
		if r.poll.Source != f.src {
			// SetSources changed the feed while it was polled.
			s.retime(f, now)
		}
		s.logPoll(r.poll)
	}
	s.schedule(f)
}

// schedule puts an idle feed in the due heap at its next poll and counts
// its share of the polls per second.
func (s *Scheduler) schedule(f *feedEntry) {
	s.seq++
	f.seq = s.seq
	s.due.push(f)
	rate := 1 / max(f.period(), time.Second).Seconds()
	s.load.rate += rate - f.rate
	f.rate = rate
}

// period is the time between two polls of f as now scheduled: from its
// last poll to its next, or its interval before its first poll.
func (f *feedEntry) period() time.Duration {
	if st := f.state; !st.LastPoll.IsZero() && st.NextPoll.After(st.LastPoll) {
		return st.NextPoll.Sub(st.LastPoll)
	}
	if f.state.Interval > 0 {
		return f.state.Interval
	}
	return interval(f.src)
}

// retime moves a healthy feed's next poll to one interval of its source
// (as SetSources last gave it) after its last poll, without jitter.
func (s *Scheduler) retime(f *feedEntry, now time.Time) {
	st := &f.state
	if st.Failures > 0 || st.LastSuccess.IsZero() {
		return
	}
	st.Interval = s.policy().every(f.src, *st, 0, now)
	st.NextPoll = st.LastPoll.Add(st.Interval)
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

// SourceChanges counts what SetSources changed.
type SourceChanges struct {
	Added, Removed, Changed int
}

// SetSources replaces the feeds the scheduler polls with sources, keyed by
// URL; it is safe to call at any time, before, during or after Run. A feed
// new to the scheduler starts from its entry in states (keyed by URL) or,
// without one, is due at once. A feed no longer listed is not polled
// again; a poll of it in flight ends and is stored as usual. A feed whose
// name, interval or Adapt changed keeps its state, and a healthy one is
// next due one new interval after its last poll. The other feeds are left
// as they are.
func (s *Scheduler) SetSources(sources []Source, states map[string]State) SourceChanges {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c SourceChanges
	now := s.opts.Now()
	listed := make(map[string]bool, len(sources))
	for _, src := range sources {
		if listed[src.URL] {
			continue
		}
		listed[src.URL] = true
		f, ok := s.feeds[src.URL]
		switch {
		case !ok:
			s.add(src, states[src.URL])
			c.Added++
		case f.removed:
			f.removed = false
			f.src = src
			c.Added++
		case f.src != src:
			f.src = src
			if !f.busy {
				s.retime(f, now)
				f.heap.fix(f)
			}
			c.Changed++
		}
	}
	for url, f := range s.feeds {
		if !listed[url] && !f.removed {
			s.remove(f)
			c.Removed++
		}
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return c
}

// add schedules a new feed from state.
func (s *Scheduler) add(src Source, state State) {
	f := &feedEntry{src: src, state: state, host: hostKey(src.URL)}
	s.feeds[src.URL] = f
	s.schedule(f)
}

// remove stops scheduling f; a poll of it in flight ends first.
func (s *Scheduler) remove(f *feedEntry) {
	s.load.rate -= f.rate
	f.rate = 0
	if f.busy {
		f.removed = true
		return
	}
	h := f.heap
	h.remove(f)
	if h != &s.due && h.Len() == 0 {
		delete(s.parked, f.host)
	}
	delete(s.feeds, f.src.URL)
}

// Concurrency limits applied when SchedulerOptions.Concurrency is zero.
const (
	// MinAutoConcurrency and MaxAutoConcurrency bound the limit chosen.
	MinAutoConcurrency = 4
	MaxAutoConcurrency = 128
	// autoHeadroom is how many times the polls in flight on average the
	// limit allows, so that bursts and slow feeds do not hold others up.
	autoHeadroom = 2
	// firstPollGuess is the time a poll is assumed to take before any
	// has ended.
	firstPollGuess = time.Second
	// pollAverageWeight is the weight of each finished poll in the moving
	// average of poll times.
	pollAverageWeight = 1.0 / 32
)

// load estimates, by Little's law, how many polls are in flight on average
// when every feed is polled on time: the polls per second the schedule
// calls for times the seconds a poll holds its place.
type load struct {
	// rate is the polls per second the schedule calls for, the sum of the
	// feeds' rates.
	rate float64
	// pollSeconds is the moving average of a poll's time in flight.
	pollSeconds float64
}

// newLoad returns a load with no feeds and the guessed poll time.
func newLoad() load {
	return load{pollSeconds: firstPollGuess.Seconds()}
}

// observe adds a finished poll's time to the average.
func (l *load) observe(took time.Duration) {
	l.pollSeconds += pollAverageWeight * (max(took, 0).Seconds() - l.pollSeconds)
}

// limit is the concurrency: the configured one, else autoHeadroom times
// the average polls in flight, between the automatic bounds.
func (s *Scheduler) limit() int {
	if s.opts.Concurrency > 0 {
		return s.opts.Concurrency
	}
	// The sum of the feeds' rates drifts by rounding; a millionth of a
	// poll in flight is not worth another place.
	need := math.Ceil(autoHeadroom*max(s.load.rate, 0)*s.load.pollSeconds - 1e-6)
	return int(min(max(need, MinAutoConcurrency), MaxAutoConcurrency))
}

// logLimit logs the concurrency when it is chosen automatically and has
// moved by a quarter or more since it was last logged.
func (s *Scheduler) logLimit(limit int) {
	if s.opts.Concurrency > 0 || (s.loggedLimit > 0 && 4*abs(limit-s.loggedLimit) < s.loggedLimit) {
		return
	}
	s.loggedLimit = limit
	s.log.Info("poll concurrency", "limit", limit, "feeds", len(s.feeds),
		"polls_per_second", fmt.Sprintf("%.2f", max(s.load.rate, 0)),
		"poll_time", time.Duration(s.load.pollSeconds*float64(time.Second)).Round(time.Millisecond))
}

// abs returns the absolute value of n.
func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Stats describes the scheduler's load.
type Stats struct {
	// Feeds is the number of feeds scheduled.
	Feeds int
	// InFlight is the number of polls in flight.
	InFlight int
	// Concurrency is the limit on polls in flight now.
	Concurrency int
	// PollsPerSecond is the rate of polls the feeds' schedules call for.
	PollsPerSecond float64
	// PollTime is the moving average of a poll's time in flight, store
	// included.
	PollTime time.Duration
}

// Stats returns the scheduler's load now. It is safe to call at any time.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.feeds {
		if !f.removed {
			n++
		}
	}
	return Stats{
		Feeds: n, InFlight: s.running, Concurrency: s.limit(),
		PollsPerSecond: max(s.load.rate, 0), PollTime: time.Duration(s.load.pollSeconds * float64(time.Second)),
	}
}

// feedHeap is a min-heap of idle feeds by next poll, then by the order
// they were scheduled in, kept with container/heap. Each feed knows its
// heap and place, so that it can be removed or moved in O(log n).
type feedHeap []*feedEntry

// Len, Less, Swap, Push and Pop implement heap.Interface.
func (h feedHeap) Len() int { return len(h) }

func (h feedHeap) Less(i, j int) bool {
	if c := h[i].state.NextPoll.Compare(h[j].state.NextPoll); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}

func (h feedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *feedHeap) Push(x any) {
	f := x.(*feedEntry)
	f.heap, f.index = h, len(*h)
	*h = append(*h, f)
}

func (h *feedHeap) Pop() any {
	old := *h
	f := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	f.heap, f.index = nil, -1
	return f
}

// peek returns the earliest feed, or nil.
func (h *feedHeap) peek() *feedEntry {
	if len(*h) == 0 {
		return nil
	}
	return (*h)[0]
}

// push adds f.
func (h *feedHeap) push(f *feedEntry) { heap.Push(h, f) }

// remove takes f out of h.
func (h *feedHeap) remove(f *feedEntry) { heap.Remove(h, f.index) }

// fix restores the order after f's next poll changed; f may be in no heap.
func (h *feedHeap) fix(f *feedEntry) {
	if h != nil && f.heap == h {
		heap.Fix(h, f.index)
	}
}
