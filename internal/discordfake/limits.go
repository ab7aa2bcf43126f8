package discordfake

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Discord's limits on abuse, as the fake enforces them.
const (
	// invalidWindow and invalidBan: more than invalidBan invalid requests
	// (401, 403, 429 other than shared) in invalidWindow get the client
	// banned for banFor.
	invalidWindow = 10 * time.Minute
	invalidBan    = 10000
	banFor        = time.Hour
	// globalLimit requests a second, interactions excepted, with
	// RateLimits on.
	globalLimit = 50
	// oldMessage is the age past which edits have their own limit (30046).
	oldMessage = time.Hour
)

// routeLimit is a per-route bucket: limit requests per window, counted per
// major parameter.
type routeLimit struct {
	limit  int
	window time.Duration
}

// routeLimits are the buckets enforced with RateLimits on, in the spirit of
// Discord's (which it does not promise: clients must read the headers).
func routeLimits() map[string]routeLimit {
	five := routeLimit{limit: 5, window: 5 * time.Second}
	fast := routeLimit{limit: 5, window: time.Second}
	return map[string]routeLimit{
		RouteCreateMessage:  five,
		RouteEditMessage:    five,
		RouteDeleteMessage:  fast,
		RouteGetMessage:     fast,
		RouteGetMessages:    fast,
		RouteStartThread:    five,
		RouteCurrentUser:    five,
		RouteGetChannel:     fast,
		RouteGetGuild:       fast,
		RouteGetMember:      fast,
		RouteFollowup:       five,
		RouteEditOriginal:   five,
		RouteGlobalCommands: five,
		RouteGuildCommands:  five,
	}
}

// bucketState is one bucket's current window.
type bucketState struct {
	remaining int
	reset     time.Time
}

// limitState is the fake's rate-limit bookkeeping; s.mu guards it.
type limitState struct {
	routes       map[string]routeLimit
	buckets      map[string]*bucketState // by bucket id and major parameter
	globalCount  int
	globalReset  time.Time
	invalid      []time.Time
	bannedUntil  time.Time
	oldEdits     map[string][]time.Time // by channel
	limitedTotal int
}

func newLimitState() limitState {
	return limitState{routes: routeLimits(), buckets: map[string]*bucketState{}, oldEdits: map[string][]time.Time{}}
}

// InvalidRequests returns when each invalid request so far was answered:
// every 401, 403 and 429 but those of scope "shared", which Discord does
// not count against the 10,000 per ten minutes that get a client banned.
func (s *Server) InvalidRequests() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.limits.invalid)
}

// MaxInvalidIn returns the largest number of invalid requests within any
// window of length d so far.
func (s *Server) MaxInvalidIn(d time.Duration) int {
	times := s.InvalidRequests()
	best, from := 0, 0
	for to := range times {
		for times[to].Sub(times[from]) >= d {
			from++
		}
		best = max(best, to-from+1)
	}
	return best
}

// Banned reports whether the fake bans the client now, as Cloudflare does
// after too many invalid requests.
func (s *Server) Banned() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Now().Before(s.limits.bannedUntil)
}

// countInvalid records an answer that counts as invalid and starts a ban
// past the limit.
func (s *Server) countInvalid(rep reply) {
	switch rep.status {
	case http.StatusUnauthorized, http.StatusForbidden:
	case http.StatusTooManyRequests:
		if rep.header.Get("X-RateLimit-Scope") == "shared" {
			return
		}
	default:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.limits.invalid = append(s.limits.invalid, now)
	first := sort.Search(len(s.limits.invalid), func(i int) bool { return now.Sub(s.limits.invalid[i]) < invalidWindow })
	if len(s.limits.invalid)-first > invalidBan {
		s.limits.bannedUntil = now.Add(banFor)
	}
}

// bannedReply is the answer to every request while the client is banned.
func (s *Server) bannedReply() *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if !now.Before(s.limits.bannedUntil) {
		return nil
	}
	wait := s.limits.bannedUntil.Sub(now).Seconds()
	r := jsonReply(http.StatusTooManyRequests, map[string]any{
		"message": "You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently.",
		"code":    0, "global": true, "retry_after": wait,
	})
	r.header = http.Header{}
	r.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
	r.header.Set("X-RateLimit-Global", "true")
	r.header.Set("X-RateLimit-Scope", "global")
	return &r
}

// limit takes one request from c's bucket and the global limit when
// RateLimits is on, returning the headers of the answer, or the 429 to send
// instead.
func (s *Server) limit(c *call) (http.Header, *reply) {
	if !s.opts.RateLimits {
		return s.rateLimitHeaders(c), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	interaction := c.rt.name == RouteCallback
	if !interaction {
		if !now.Before(s.limits.globalReset) {
			s.limits.globalCount, s.limits.globalReset = 0, now.Add(time.Second)
		}
		if s.limits.globalCount >= globalLimit {
			r := limited(s.limits.globalReset.Sub(now), "global", http.Header{})
			s.limits.limitedTotal++
			return nil, &r
		}
	}
	rl, ok := s.limits.routes[c.rt.name]
	if !ok {
		s.limits.globalCount++
		return http.Header{}, nil
	}
	key := bucket(c)
	b := s.limits.buckets[key]
	if b == nil || !now.Before(b.reset) {
		b = &bucketState{remaining: rl.limit, reset: now.Add(rl.window)}
		s.limits.buckets[key] = b
	}
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rl.limit))
	h.Set("X-RateLimit-Bucket", key[:16])
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(b.reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(b.reset.Sub(now).Seconds(), 'f', 3, 64))
	if b.remaining == 0 {
		h.Set("X-RateLimit-Remaining", "0")
		r := limited(b.reset.Sub(now), "user", h)
		s.limits.limitedTotal++
		return nil, &r
	}
	b.remaining--
	if !interaction {
		s.limits.globalCount++
	}
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	return h, nil
}

// limited is a 429 of scope "user" or "global" asking to wait.
func limited(wait time.Duration, scope string, h http.Header) reply {
	secs := math.Max(wait.Seconds(), 0)
	body := map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": scope == "global"}
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Scope", scope)
	if scope == "global" {
		h.Set("X-RateLimit-Global", "true")
	}
	r := jsonReply(http.StatusTooManyRequests, body)
	r.header = h
	return r
}

// RateLimited returns how many requests the fake's own limits (RateLimits)
// answered with 429, injected faults not counted.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.limitedTotal
}

// oldEditLimitedLocked applies the limit on edits of messages older than
// an hour to an edit of m, returning the 429 with code 30046 past it.
// s.mu held.
func (s *Server) oldEditLimitedLocked(m *storedMessage) *reply {
	now := s.opts.Now()
	if !s.opts.RateLimits || now.Sub(m.created) < oldMessage {
		return nil
	}
	recent := slices.DeleteFunc(s.limits.oldEdits[m.channelID], func(t time.Time) bool {
		return now.Sub(t) >= s.opts.OldEditWindow
	})
	if len(recent) >= s.opts.OldEditLimit {
		s.limits.oldEdits[m.channelID] = recent
		wait := recent[0].Add(s.opts.OldEditWindow).Sub(now)
		h := http.Header{}
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		h.Set("X-RateLimit-Scope", "user")
		r := jsonReply(http.StatusTooManyRequests, map[string]any{
			"message":     "Maximum number of edits to messages older than 1 hour reached. Try again later.",
			"code":        30046,
			"retry_after": wait.Seconds(), "global": false,
		})
		r.header = h
		s.limits.limitedTotal++
		return &r
	}
	s.limits.oldEdits[m.channelID] = append(recent, now)
	return nil
}
