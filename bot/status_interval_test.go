package bot

import (
	"testing"
	"time"

	"storyline/feeds"
)

func TestPolledShowsTheEffectiveInterval(t *testing.T) {
	now := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	src := feeds.Source{Name: "Wire", URL: "https://wire.example/feed", Interval: 15 * time.Minute}
	tests := []struct {
		name string
		st   feeds.State
		src  feeds.Source
		want string
	}{
		{"the interval the last poll gave", feeds.State{LastSuccess: now.Add(-time.Minute), NextPoll: now.Add(90 * time.Minute), Interval: 90 * time.Minute},
			src, "fetched 1m ago, every 1h 30m, next in 1h"},
		{"the configured one before", feeds.State{NextPoll: now.Add(5 * time.Minute)}, src, "every 15m, next in 5m"},
		{"seconds", feeds.State{Interval: 30 * time.Second}, src, "every 30s"},
		{"whole hours", feeds.State{Interval: time.Hour}, src, "every 1h"},
		{"nothing known", feeds.State{}, feeds.Source{URL: "u"}, ""},
	}
	for _, tt := range tests {
		if got := polled(now, tt.st, tt.src); got != tt.want {
			t.Errorf("%s: polled = %q, want %q", tt.name, got, tt.want)
		}
	}
}
