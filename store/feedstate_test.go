package store

import (
	"reflect"
	"testing"
	"time"

	"storyline/feeds"
)

// feedState is a healthy feed's state polled at t0.
func feedState(url string) feeds.State {
	return feeds.State{
		URL:          url,
		ETag:         `"v1"`,
		LastModified: "Thu, 20 Nov 2025 14:00:00 GMT",
		NextPoll:     t0.Add(5 * time.Minute),
		LastPoll:     t0,
		LastSuccess:  t0,
	}
}

func TestFeedStatesRoundTrip(t *testing.T) {
	failing := feeds.State{
		URL:          "https://down.example/feed",
		NextPoll:     t0.Add(30 * time.Minute),
		LastPoll:     t0,
		Failures:     3,
		ErrorClass:   feeds.ClassHTTP5xx,
		LastError:    "503 Service Unavailable",
		FailingSince: t0.Add(-2 * time.Hour),
	}
	tests := []struct {
		name  string
		saves []feeds.State
		want  map[string]feeds.State
	}{
		{"none", nil, map[string]feeds.State{}},
		{"healthy and failing", []feeds.State{feedState("https://wire.example/feed"), failing},
			map[string]feeds.State{"https://wire.example/feed": feedState("https://wire.example/feed"), failing.URL: failing}},
		{"a later save replaces", []feeds.State{failing, feedState(failing.URL)},
			map[string]feeds.State{failing.URL: feedState(failing.URL)}},
		{"never polled", []feeds.State{{URL: "https://new.example/feed"}},
			map[string]feeds.State{"https://new.example/feed": {URL: "https://new.example/feed"}}},
		{"times kept to the millisecond", []feeds.State{{URL: "u", NextPoll: t0.Add(1234567 * time.Nanosecond)}},
			map[string]feeds.State{"u": {URL: "u", NextPoll: t0.Add(time.Millisecond)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			for _, st := range tc.saves {
				commit(t, s, Batch{State: st})
			}
			got, err := s.FeedStates(t.Context())
			if err != nil {
				t.Fatalf("FeedStates: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FeedStates = %+v, want %+v", got, tc.want)
			}
		})
	}
}
