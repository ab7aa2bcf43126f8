package bot

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// limiterAt is a limiter on a clock the test moves.
func limiterAt(opts LimitOptions) (*limiter, *time.Time) {
	now := t0
	opts.Now = func() time.Time { return now }
	return newLimiter(opts), &now
}

// answer429 is a 429 header and its error as the Client reads them.
func answer429(scope string, retry float64, bucket string) (http.Header, error) {
	h := http.Header{}
	h.Set("X-RateLimit-Scope", scope)
	if bucket != "" {
		h.Set("X-RateLimit-Bucket", bucket)
	}
	return h, rateLimited(h, &retry, scope == scopeGlobal, 0, "You are being rate limited.")
}

func TestLimiterFloorGrowsWithEvery429(t *testing.T) {
	l, now := limiterAt(LimitOptions{Floor: time.Second, MaxFloor: 8 * time.Second})
	const key = RouteCreateMessage + " 1"
	var waits []time.Duration
	for range 6 {
		h, err := answer429(scopeUser, 0, "")
		l.observe(key, 429, h, err)
		d := l.delay(key)
		waits = append(waits, d)
		*now = now.Add(d)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits after 429s asking for 0s = %v, want %v", waits, want)
		}
	}
	l.observe(key, 200, http.Header{}, nil)
	h, err := answer429(scopeUser, 0, "")
	l.observe(key, 429, h, err)
	if d := l.delay(key); d != time.Second {
		t.Errorf("after a success the floor is %v, want it back at 1s", d)
	}
	h, err = answer429(scopeUser, 30, "")
	*now = now.Add(time.Second)
	l.observe(key, 429, h, err)
	if d := l.delay(key); d != 30*time.Second {
		t.Errorf("a 429 asking for 30s holds %v", d)
	}
	if d := l.delay(RouteCreateMessage + " 2"); d != 0 {
		t.Errorf("another channel waits %v, want nothing", d)
	}
}

func TestLimiterReadsBucketsAndScopes(t *testing.T) {
	l, _ := limiterAt(LimitOptions{})
	create, edit, other := RouteCreateMessage+" 1", RouteEditMessage+" 1", RouteCreateMessage+" 2"
	spent := http.Header{}
	spent.Set("X-RateLimit-Remaining", "0")
	spent.Set("X-RateLimit-Reset-After", "2.5")
	l.observe(create, 200, spent, nil)
	if d := l.delay(create); d != 2500*time.Millisecond {
		t.Errorf("a spent bucket holds %v, want its 2.5s reset", d)
	}
	if d := l.delay(edit); d != 0 {
		t.Errorf("the edit route waits %v for the create bucket", d)
	}
	// Discord names one bucket for edits and deletes: a 429 on one holds
	// the other.
	shared := http.Header{}
	shared.Set("X-RateLimit-Bucket", "abcd")
	l.observe(edit, 200, shared, nil)
	l.observe(RouteGetMessages+" 1", 200, shared, nil)
	h, err := answer429(scopeUser, 4, "abcd")
	l.observe(edit, 429, h, err)
	if d := l.delay(RouteGetMessages + " 1"); d != 4*time.Second {
		t.Errorf("a route of the same bucket waits %v, want 4s", d)
	}
	h, err = answer429(scopeGlobal, 3, "")
	l.observe(other, 429, h, err)
	if d := l.delay(RouteCurrentUser + " "); d != 3*time.Second {
		t.Errorf("after a global 429 another route waits %v, want 3s", d)
	}
	h, err = answer429(scopeShared, 120, "")
	l.observe(other, 429, h, err)
	if b := l.budget(); b.Invalid != 2 {
		t.Errorf("budget counts %d invalid requests, want 2 (a shared 429 does not count)", b.Invalid)
	}
	if d := l.delay(other); d != 120*time.Second {
		t.Errorf("a shared 429 holds its bucket %v, want 120s", d)
	}
}

func TestLimiterBudgetSlowsThenStops(t *testing.T) {
	l, now := limiterAt(LimitOptions{SlowAt: 4, StopAt: 8})
	const key = RouteCreateMessage + " 1"
	var sent []time.Duration
	start := *now
	for len(sent) < 12 && now.Sub(start) < time.Hour {
		if d := l.delay(key); d > 0 {
			*now = now.Add(d)
			continue
		}
		l.sent()
		sent = append(sent, now.Sub(start))
		l.observe(key, 403, http.Header{}, &RefusedError{Status: 403, Code: 50013})
	}
	// Four at once, then one every 10 min / 8 = 75 s until the eighth;
	// then nothing until the count is under four again.
	want := []time.Duration{0, 0, 0, 0, 75 * time.Second, 150 * time.Second, 225 * time.Second, 300 * time.Second}
	for i, w := range want {
		if sent[i] != w {
			t.Fatalf("requests at %v, want the first eight at %v", sent, want)
		}
	}
	if sent[8] < 10*time.Minute {
		t.Errorf("the ninth request went at %v, want it held until invalid requests age out", sent[8])
	}
	for i := range sent {
		count := 0
		for j := range sent {
			if sent[j] <= sent[i] && sent[i]-sent[j] < 10*time.Minute {
				count++
			}
		}
		if count > 8 {
			t.Errorf("%d invalid requests in the ten minutes before %v, want at most 8", count, sent[i])
		}
	}
}

func TestRateLimitedReadsHeaderWhenBodyIsSilent(t *testing.T) {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(7))
	h.Set("X-RateLimit-Global", "true")
	e := rateLimited(h, nil, false, 0, "")
	if e.RetryAfter != 7*time.Second || e.Scope != scopeGlobal {
		t.Errorf("429 = %+v, want 7s global from the headers", e)
	}
}

// TestLimiterEditsDoNotRaiseThePostsFloor: global 429s met by edits hold
// every request for what Discord asks, but the growing floor they earn
// holds only edits, so edits probing a global limit never delay posts.
func TestLimiterEditsDoNotRaiseThePostsFloor(t *testing.T) {
	l, now := limiterAt(LimitOptions{Floor: time.Second, MaxFloor: time.Minute})
	edit, create := RouteEditMessage+" 1", RouteCreateMessage+" 1"
	for range 4 {
		h, err := answer429(scopeGlobal, 0.5, "")
		l.observe(edit, 429, h, err)
		*now = now.Add(l.delay(edit))
	}
	h, err := answer429(scopeGlobal, 0.5, "")
	l.observe(edit, 429, h, err)
	if d := l.delay(edit); d != 16*time.Second {
		t.Errorf("the fifth global 429 of an edit holds edits %v, want the 16s floor", d)
	}
	if d := l.delay(create); d != 500*time.Millisecond {
		t.Errorf("posts wait %v, want only Discord's 0.5s", d)
	}
}
