package feeds

import (
	"errors"
	"net/http"
	"time"
)

// Scheduling defaults applied by NewScheduler to zero fields.
const (
	DefaultInterval    = 15 * time.Minute
	DefaultMinInterval = 5 * time.Minute
	DefaultMaxInterval = time.Hour
	DefaultPerHost     = 2
	DefaultJitter      = 0.1
	DefaultBackoff     = time.Minute
	DefaultMaxBackoff  = 6 * time.Hour
)

// paceWindow is how far back a parse counts a feed's items to learn its
// pace.
const paceWindow = 7 * 24 * time.Hour

// maxLastErrorBytes caps the error text kept in State.LastError.
const maxLastErrorBytes = 1000

// policy is the timing part of SchedulerOptions that nextState needs.
type policy struct {
	jitter      float64
	backoff     time.Duration
	maxBackoff  time.Duration
	minInterval time.Duration
	maxInterval time.Duration
}

// jittered brings d forward by up to jitter of itself, with r in [0, 1)
// choosing how far: r = 0 leaves d unchanged. Jitter never delays a poll,
// so a feed is polled at most one interval after the last poll.
func (p policy) jittered(d time.Duration, r float64) time.Duration {
	return d - time.Duration(float64(d)*p.jitter*r)
}

// backoffAfter is the delay after the given number of consecutive failures:
// base·2^(failures−1), capped at maxBackoff.
func (p policy) backoffAfter(failures int) time.Duration {
	d := p.backoff
	for i := 1; i < failures && d < p.maxBackoff; i++ {
		d *= 2
	}
	return min(d, p.maxBackoff)
}

// interval is how often a healthy feed is polled when nothing else is
// known: its configured interval.
func interval(src Source) time.Duration {
	if src.Interval <= 0 {
		return DefaultInterval
	}
	return src.Interval
}

// every is the time between polls of a healthy feed in state st after a
// poll at now whose answer allowed caching for maxAge. A feed that adapts
// is polled at its pace (see State.pace), within [minInterval,
// maxInterval], and at its configured interval until a parse has dated
// its items; any other at its configured interval. Either waits at least
// what the server asked for, the response's max-age or the channel's
// ttl, but never longer than maxInterval (or its configured interval,
// when longer): no server can make a feed go unpolled for long.
func (p policy) every(src Source, st State, maxAge time.Duration, now time.Time) time.Duration {
	d := interval(src)
	if src.Adapt {
		if pace, ok := st.pace(now); ok {
			d = pace
		}
		d = min(max(d, p.minInterval), p.maxInterval)
	}
	if asked := max(maxAge, st.TTL); asked > d {
		d = min(asked, max(p.maxInterval, interval(src)))
	}
	return d
}

// pace is the interval a feed's publishing calls for at now: half the
// mean time between its items over the week before its last parse and the
// time since, so that a feed is polled about twice per item it publishes
// and a feed gone quiet slows down by itself. It is false while no parse
// has dated an item; a feed with no item in that week gets the whole week.
func (st State) pace(now time.Time) (time.Duration, bool) {
	switch {
	case st.RecentSince.IsZero():
		return 0, false
	case st.RecentItems <= 0:
		return paceWindow, true
	}
	return max(now.Sub(st.RecentSince), 0) / time.Duration(2*st.RecentItems), true
}

// nextState is the feed's state after a poll at now that read res and
// ended with err (nil on success, including 304). On success the
// validators and what the parse learned of the feed's pace are kept, the
// failure record is cleared and the next poll is one interval away (see
// every). On failure the feed backs off exponentially; a 429 or 503 also
// waits at least one interval and at least its Retry-After (capped at
// maxBackoff, so no server can stop a feed for good). r in [0, 1) places
// the jitter.
func nextState(prev State, src Source, res readResult, err error, now time.Time, p policy, r float64) State {
	st := prev
	st.URL = src.URL
	st.LastPoll = now
	if err == nil {
		st.ETag, st.LastModified = res.validators.ETag, res.validators.LastModified
		st.LastSuccess = now
		st.Failures, st.ErrorClass, st.LastError, st.FailingSince = 0, "", "", time.Time{}
		if res.parsed {
			st.TTL = res.ttl
			if !res.since.IsZero() {
				st.RecentItems, st.RecentSince = res.recent, res.since
			}
		}
		st.Interval = p.every(src, st, res.maxAge, now)
		st.NextPoll = now.Add(p.jittered(st.Interval, r))
		return st
	}
	if st.Failures == 0 || st.FailingSince.IsZero() {
		st.FailingSince = now
	}
	st.Failures++
	st.ErrorClass = ClassOf(err)
	st.LastError = truncate(err.Error(), maxLastErrorBytes)
	delay := p.jittered(p.backoffAfter(st.Failures), r)
	if status, retryAfter := throttled(err); status {
		delay = max(delay, interval(src), min(retryAfter, p.maxBackoff))
	}
	st.NextPoll = now.Add(delay)
	return st
}

// throttled reports whether err is a 429 or 503 answer, and the Retry-After
// it carried.
func throttled(err error) (bool, time.Duration) {
	var fe *FetchError
	if !errors.As(err, &fe) {
		return false, 0
	}
	if fe.Status != http.StatusTooManyRequests && fe.Status != http.StatusServiceUnavailable && fe.RetryAfter == 0 {
		return false, 0
	}
	return true, fe.RetryAfter
}

// retryState is the state of a feed whose poll could not be handed to the
// sink: nothing is advanced (validators, success, failures stay as they
// were, so the items are fetched again), only the next poll moves, backing
// off by the number of consecutive sink failures.
func retryState(prev State, sinkFailures int, now time.Time, p policy, r float64) State {
	st := prev
	st.NextPoll = now.Add(p.jittered(p.backoffAfter(sinkFailures), r))
	return st
}
