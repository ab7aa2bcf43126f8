package bot

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Scopes of a 429 (Discord's X-RateLimit-Scope), and the Client's own for a
// request it held back.
const (
	scopeUser   = "user"
	scopeGlobal = "global"
	scopeShared = "shared"
	scopeLocal  = "local"
)

// invalidWindow is the window Discord counts invalid requests over: more
// than 10,000 401, 403 and 429 answers (429s of scope shared excepted) in
// it get the bot's IP banned for a while.
const invalidWindow = 10 * time.Minute

// LimitOptions tunes the Client's rate limiting. Zero fields take
// defaults.
type LimitOptions struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Floor is the least pause after a 429, whatever its retry_after
	// (default 1 s). It doubles with every further 429 of the same bucket
	// (or of the global limit) before a success, up to MaxFloor (default
	// 2 min). A 429 asking for longer is waited out as asked.
	Floor, MaxFloor time.Duration
	// SlowAt and StopAt count invalid requests in the last ten minutes.
	// From SlowAt (default 50) on, requests are spaced ten minutes /
	// StopAt apart, until the count is back under half of SlowAt; at
	// StopAt (default 150, 1.5 % of what Discord bans at) every request is
	// held until the count is back under SlowAt.
	SlowAt, StopAt int
}

func (o LimitOptions) withDefaults() LimitOptions {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Floor <= 0 {
		o.Floor = time.Second
	}
	if o.MaxFloor <= 0 {
		o.MaxFloor = 2 * time.Minute
	}
	if o.SlowAt <= 0 {
		o.SlowAt = 50
	}
	if o.StopAt <= o.SlowAt {
		o.StopAt = 3 * o.SlowAt
	}
	return o
}

// BudgetState is the invalid-request budget as the Client sees it.
type BudgetState struct {
	// Invalid counts the invalid requests (401, 403, 429 other than
	// shared) answered in the last ten minutes.
	Invalid        int
	SlowAt, StopAt int
	// Slowed: requests are spaced; Stopped: every request is held, until
	// Until at the earliest.
	Slowed, Stopped bool
	Until           time.Time
}

// block is when a bucket (or the global limit) lets requests go again, and
// how many 429s it met in a row.
type block struct {
	until   time.Time
	strikes int
}

// limiter is the Client's rate-limit and invalid-request bookkeeping.
type limiter struct {
	opts LimitOptions

	mu sync.Mutex
	// global is the wait Discord's global 429s asked for, which holds
	// every request; floors holds, per class of request, the floor its own
	// global 429s in a row add to that, so that edits probing the global
	// limit never push back the posts.
	global   block
	floors   map[string]*block
	buckets  map[string]*block
	names    map[string]string // route and major → Discord's bucket id and major
	invalid  []time.Time       // oldest first, within invalidWindow
	stopped  bool
	slowed   bool
	lastSent time.Time
}

func newLimiter(opts LimitOptions) *limiter {
	return &limiter{opts: opts.withDefaults(), buckets: map[string]*block{}, names: map[string]string{}, floors: map[string]*block{}}
}

// bucketLocked returns the block of key, Discord's shared bucket when a
// header named one. l.mu held.
func (l *limiter) bucketLocked(key string) *block {
	if name, ok := l.names[key]; ok {
		key = name
	}
	b := l.buckets[key]
	if b == nil {
		b = &block{}
		l.buckets[key] = b
	}
	return b
}

// delay is how long a request of key must wait.
func (l *limiter) delay(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	until := later(l.global.until, l.bucketLocked(key).until)
	until = later(until, l.floorLocked(key).until)
	until = later(until, l.budgetUntilLocked(now))
	return max(until.Sub(now), 0)
}

// pruneLocked drops invalid requests older than the window. l.mu held.
func (l *limiter) pruneLocked(now time.Time) {
	i := 0
	for i < len(l.invalid) && now.Sub(l.invalid[i]) >= invalidWindow {
		i++
	}
	l.invalid = l.invalid[i:]
}

// budgetUntilLocked is when the budget lets the next request go: at once
// below SlowAt; spaced from SlowAt until the count is under half of it;
// once StopAt was reached, when the count is back under SlowAt. l.mu
// held.
func (l *limiter) budgetUntilLocked(now time.Time) time.Time {
	l.pruneLocked(now)
	n := len(l.invalid)
	if n >= l.opts.StopAt {
		l.stopped = true
	}
	if l.stopped {
		if n >= l.opts.SlowAt {
			// The count falls under SlowAt when the (n-SlowAt+1)th oldest
			// leaves the window.
			return l.invalid[n-l.opts.SlowAt].Add(invalidWindow)
		}
		l.stopped = false
	}
	switch {
	case n >= l.opts.SlowAt:
		l.slowed = true
	case n < l.opts.SlowAt/2:
		l.slowed = false
	}
	if l.slowed {
		return l.lastSent.Add(invalidWindow / time.Duration(l.opts.StopAt))
	}
	return time.Time{}
}

// budget returns the budget's state.
func (l *limiter) budget() BudgetState {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	until := l.budgetUntilLocked(now)
	return BudgetState{
		Invalid: len(l.invalid), SlowAt: l.opts.SlowAt, StopAt: l.opts.StopAt,
		Stopped: l.stopped, Slowed: !l.stopped && l.slowed, Until: until,
	}
}

// held is the error of a request not sent because of its delay.
func (l *limiter) held(wait time.Duration) error {
	reason := "waiting for a rate limit"
	if b := l.budget(); b.Stopped {
		reason = fmt.Sprintf("sending stopped: %d invalid requests in the last 10 minutes (the bot stops at %d, Discord bans at 10,000)", b.Invalid, b.StopAt)
	}
	return &RateLimitedError{RetryAfter: wait, Scope: scopeLocal, Message: reason}
}

// sent notes that a request is going out now.
func (l *limiter) sent() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastSent = l.opts.Now()
}

// observe reads an answer to a request of key: the bucket Discord names,
// a spent bucket's reset, a 429's wait (raised to the floor, which grows
// with every 429 in a row), and whether the answer counts as invalid. A
// 429 it turns into a pause gets that pause as its RetryAfter.
func (l *limiter) observe(key string, status int, h http.Header, failure error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	if id := h.Get("X-RateLimit-Bucket"); id != "" {
		l.names[key] = id + " " + majorOf(key)
	}
	b := l.bucketLocked(key)
	if h.Get("X-RateLimit-Remaining") == "0" {
		if after, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64); err == nil {
			b.until = later(b.until, now.Add(seconds(after)))
		}
	}
	var limited *RateLimitedError
	switch {
	case status >= 200 && status < 300:
		b.strikes, l.floorLocked(key).strikes = 0, 0
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		l.invalid = append(l.invalid, now)
	case errors.As(failure, &limited):
		if limited.Scope != scopeShared {
			l.invalid = append(l.invalid, now)
		}
		if limited.Code == codeOldMessageEdits {
			return // a limit on old messages only; the poster defers those edits
		}
		target := b
		if limited.Scope == scopeGlobal {
			l.global.until = later(l.global.until, now.Add(limited.RetryAfter))
			target = l.floorLocked(key)
		}
		floor := l.opts.Floor
		for i := 0; i < target.strikes && floor < l.opts.MaxFloor; i++ {
			floor *= 2
		}
		limited.RetryAfter = max(limited.RetryAfter, min(floor, l.opts.MaxFloor))
		target.until = later(target.until, now.Add(limited.RetryAfter))
		target.strikes++
	}
}

// floorLocked returns the global floor of key's class: edits apart from
// every other request. l.mu held.
func (l *limiter) floorLocked(key string) *block {
	class := "main"
	if len(key) >= len(RouteEditMessage) && key[:len(RouteEditMessage)] == RouteEditMessage {
		class = "edit"
	}
	b := l.floors[class]
	if b == nil {
		b = &block{}
		l.floors[class] = b
	}
	return b
}

// majorOf returns the major parameter of a bucket key (route, space,
// major).
func majorOf(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == ' ' {
			return key[i+1:]
		}
	}
	return key
}
