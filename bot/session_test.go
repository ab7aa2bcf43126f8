package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/internal/discordfake"
)

// syncBuffer is a log destination safe for the gateway's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunGatewayOpensWithBackoffAndCloses(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	fake.Fail(discordfake.RouteGateway, discordfake.Fault{Status: 502, Times: 2})
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunGateway(ctx, s, logger, GatewayOptions{Backoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	}()
	wait, stop := context.WithTimeout(t.Context(), 10*time.Second)
	defer stop()
	if err := fake.WaitConnected(wait); err != nil {
		t.Fatalf("gateway never connected: %v", err)
	}
	if n := len(fake.RequestsTo(discordfake.RouteGateway)); n != 3 {
		t.Errorf("%d gateway lookups, want 3 (two failed)", n)
	}
	if got := strings.Count(logs.String(), "gateway open failed"); got != 2 {
		t.Errorf("logged %d failed opens, want 2:\n%s", got, logs.String())
	}
	if strings.Contains(logs.String(), discordfake.DefaultToken) {
		t.Errorf("the log shows the token:\n%s", logs.String())
	}
	checkIdentify(t, fake.Frames())
	cancel()
	select {
	case <-done:
	case <-wait.Done():
		t.Fatal("RunGateway did not return after its context ended")
	}
	if err := fake.WaitFor(wait, func(s *discordfake.Server) bool { return s.Connected() == 0 }); err != nil {
		t.Errorf("gateway still connected after RunGateway returned: %v", err)
	}
}

// checkIdentify checks that the bot identified with the Guilds intent only.
func checkIdentify(t *testing.T, frames []discordfake.Frame) {
	t.Helper()
	for _, f := range frames {
		if f.Op != 2 {
			continue
		}
		var id struct {
			Intents discordgo.Intent `json:"intents"`
		}
		if err := json.Unmarshal(f.Data, &id); err != nil {
			t.Fatal(err)
		}
		if id.Intents != discordgo.IntentsGuilds {
			t.Errorf("identified with intents %d, want Guilds (%d) only", id.Intents, discordgo.IntentsGuilds)
		}
		return
	}
	t.Error("no IDENTIFY frame")
}

func TestRunGatewayGivesUpWhenCancelled(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	fake.Fail(discordfake.RouteGateway, discordfake.Fault{Status: 502})
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunGateway(ctx, s, slog.New(slog.DiscardHandler), GatewayOptions{Backoff: time.Hour})
	}()
	wait, stop := context.WithTimeout(t.Context(), 10*time.Second)
	defer stop()
	if _, err := fake.WaitRequests(wait, discordfake.RouteGateway, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-done:
	case <-wait.Done():
		t.Fatal("RunGateway kept waiting out its backoff after its context ended")
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		r        float64
		want     time.Duration
	}{
		{0, 0, 500 * time.Millisecond},
		{0, 0.5, 750 * time.Millisecond},
		{1, 0, time.Second},
		{3, 0.999999, 7999996 * time.Microsecond},
		{10, 0, 30 * time.Second},
		{100, 1, time.Minute},
	}
	for _, tt := range tests {
		if got := backoff(time.Second, time.Minute, tt.failures, tt.r); got != tt.want {
			t.Errorf("backoff(1s, 1m, %d, %v) = %v, want %v", tt.failures, tt.r, got, tt.want)
		}
	}
}
