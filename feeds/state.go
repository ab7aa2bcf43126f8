package feeds

import (
	"errors"
	"net/http"
	"time"
)

// Scheduling defaults applied by NewScheduler to zero fields.
const (
	DefaultInterval    = 15 * time.Minute
	DefaultConcurrency = 4
	DefaultPerHost     = 2
	DefaultJitter      = 0.1
	DefaultBackoff     = time.Minute
	DefaultMaxBackoff  = 6 * time.Hour
)

// maxLastErrorBytes caps the error text kept in State.LastError.
const maxLastErrorBytes = 1000

// policy is the timing part of SchedulerOptions that nextState needs.
type policy struct {
	jitter     float64
	backoff    time.Duration
	maxBackoff time.Duration
}

// jittered spreads d by ±jitter, with r in [0, 1) choosing where: r = 0.5
// leaves d unchanged.
func (p policy) jittered(d time.Duration, r float64) time.Duration {
	return d + time.Duration(float64(d)*p.jitter*(2*r-1))
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

// interval is how often a healthy feed is polled.
func interval(src Source) time.Duration {
	if src.Interval <= 0 {
		return DefaultInterval
	}
	return src.Interval
}

// nextState is the feed's state after a poll at now that ended with err
// (nil on success, including 304) and, on success, the validators to send
// next time. On success the failure record is cleared and the next poll is
// one interval away. On failure the feed backs off exponentially; a 429 or
// 503 also waits at least one interval and at least its Retry-After (capped
// at maxBackoff, so no server can stop a feed for good). r in [0, 1) places
// the jitter.
func nextState(prev State, src Source, v Validators, err error, now time.Time, p policy, r float64) State {
	st := prev
	st.URL = src.URL
	st.LastPoll = now
	if err == nil {
		st.ETag, st.LastModified = v.ETag, v.LastModified
		st.LastSuccess = now
		st.Failures, st.ErrorClass, st.LastError, st.FailingSince = 0, "", "", time.Time{}
		st.NextPoll = now.Add(p.jittered(interval(src), r))
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
