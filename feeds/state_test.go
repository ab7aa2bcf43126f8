package feeds

import (
	"errors"
	"testing"
	"time"
)

func TestBackoffAfter(t *testing.T) {
	p := policy{backoff: time.Minute, maxBackoff: 6 * time.Hour}
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Minute},
		{2, 2 * time.Minute},
		{3, 4 * time.Minute},
		{9, 256 * time.Minute},
		{10, 6 * time.Hour},
		{1000, 6 * time.Hour},
	}
	for _, tt := range tests {
		if got := p.backoffAfter(tt.failures); got != tt.want {
			t.Errorf("backoffAfter(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestJittered(t *testing.T) {
	p := policy{jitter: 0.1}
	tests := []struct {
		r    float64
		want time.Duration
	}{
		{0, 10 * time.Minute},
		{0.5, 9*time.Minute + 30*time.Second},
		{0.9, 9*time.Minute + 6*time.Second},
	}
	for _, tt := range tests {
		if got := p.jittered(10*time.Minute, tt.r); got != tt.want {
			t.Errorf("jittered(10m, %v) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestNextState(t *testing.T) {
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	src := Source{Name: "f", URL: "https://example.com/rss", Interval: 10 * time.Minute}
	p := policy{jitter: 0.1, backoff: time.Minute, maxBackoff: 6 * time.Hour}
	failing := State{URL: src.URL, ETag: `"old"`, Failures: 2, ErrorClass: ClassHTTP5xx, LastError: "x", FailingSince: earlier, LastSuccess: earlier.Add(-time.Hour)}
	tests := []struct {
		name string
		prev State
		v    Validators
		err  error
		r    float64
		want State
	}{
		{
			name: "first success stores validators and waits one interval",
			v:    Validators{ETag: `"v1"`, LastModified: "Fri, 21 Nov 2025 11:00:00 GMT"},
			r:    0,
			want: State{URL: src.URL, ETag: `"v1"`, LastModified: "Fri, 21 Nov 2025 11:00:00 GMT", NextPoll: now.Add(10 * time.Minute), LastPoll: now, LastSuccess: now, Interval: 10 * time.Minute},
		},
		{
			name: "success after failures clears the failure record",
			prev: failing,
			v:    Validators{ETag: `"v2"`},
			r:    0.5,
			want: State{URL: src.URL, ETag: `"v2"`, NextPoll: now.Add(9*time.Minute + 30*time.Second), LastPoll: now, LastSuccess: now, Interval: 10 * time.Minute},
		},
		{
			name: "first failure backs off by the base and starts the failing run",
			prev: State{URL: src.URL, ETag: `"v1"`, LastSuccess: earlier},
			err:  &FetchError{URL: src.URL, Class: ClassTimeout, Err: errors.New("deadline")},
			r:    0,
			want: State{URL: src.URL, ETag: `"v1"`, LastSuccess: earlier, LastPoll: now, NextPoll: now.Add(time.Minute),
				Failures: 1, ErrorClass: ClassTimeout, LastError: "fetch: deadline", FailingSince: now},
		},
		{
			name: "third failure doubles twice and keeps when the run began",
			prev: failing,
			err:  &FetchError{URL: src.URL, Class: ClassDNS, Err: errors.New("no such host")},
			r:    0,
			want: State{URL: src.URL, ETag: `"old"`, LastSuccess: failing.LastSuccess, LastPoll: now, NextPoll: now.Add(4 * time.Minute),
				Failures: 3, ErrorClass: ClassDNS, LastError: "fetch: no such host", FailingSince: earlier},
		},
		{
			name: "long failure runs cap at the maximum backoff",
			prev: State{URL: src.URL, Failures: 40, FailingSince: earlier},
			err:  errors.New("boom"),
			r:    0,
			want: State{URL: src.URL, LastPoll: now, NextPoll: now.Add(6 * time.Hour), Failures: 41, ErrorClass: ClassOther, LastError: "boom", FailingSince: earlier},
		},
		{
			name: "429 with Retry-After waits at least that long",
			err:  &FetchError{URL: src.URL, Class: ClassHTTP4xx, Status: 429, RetryAfter: 45 * time.Minute, Err: errors.New("429 Too Many Requests")},
			r:    0,
			want: State{URL: src.URL, LastPoll: now, NextPoll: now.Add(45 * time.Minute), Failures: 1, ErrorClass: ClassHTTP4xx,
				LastError: "fetch: 429 Too Many Requests (retry after 45m0s)", FailingSince: now},
		},
		{
			name: "503 without Retry-After waits at least one interval",
			err:  &FetchError{URL: src.URL, Class: ClassHTTP5xx, Status: 503, Err: errors.New("503 Service Unavailable")},
			r:    0,
			want: State{URL: src.URL, LastPoll: now, NextPoll: now.Add(10 * time.Minute), Failures: 1, ErrorClass: ClassHTTP5xx,
				LastError: "fetch: 503 Service Unavailable", FailingSince: now},
		},
		{
			name: "a huge Retry-After is capped at the maximum backoff",
			err:  &FetchError{URL: src.URL, Class: ClassHTTP4xx, Status: 429, RetryAfter: 7 * 24 * time.Hour, Err: errors.New("429")},
			r:    0,
			want: State{URL: src.URL, LastPoll: now, NextPoll: now.Add(6 * time.Hour), Failures: 1, ErrorClass: ClassHTTP4xx,
				LastError: "fetch: 429 (retry after 168h0m0s)", FailingSince: now},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextState(tt.prev, src, readResult{validators: tt.v}, tt.err, now, p, tt.r); got != tt.want {
				t.Fatalf("nextState =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestNextStateDefaultInterval(t *testing.T) {
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	got := nextState(State{}, Source{URL: "u"}, readResult{}, nil, now, policy{}, 0)
	if !got.NextPoll.Equal(now.Add(DefaultInterval)) {
		t.Fatalf("NextPoll = %v, want now + %v", got.NextPoll, DefaultInterval)
	}
}

func TestRetryStateAdvancesOnlyTheNextPoll(t *testing.T) {
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	prev := State{URL: "u", ETag: `"old"`, NextPoll: now.Add(-time.Minute), LastSuccess: now.Add(-time.Hour)}
	p := policy{backoff: time.Minute, maxBackoff: time.Hour}
	got := retryState(prev, 3, now, p, 0)
	want := prev
	want.NextPoll = now.Add(4 * time.Minute)
	if got != want {
		t.Fatalf("retryState = %+v, want %+v", got, want)
	}
}
