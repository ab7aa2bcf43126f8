package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// attached is a bot session whose commands Attach wired, with its gateway
// open on the fake Discord. Its event handlers run one after the other, in
// the order of the events, so that a log line of one event shows that
// every handler of the events before it has returned.
func attached(t *testing.T, fake *discordfake.Server, appID string, logs *logWatch) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(logs, nil))
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	s.SyncEvents = true
	NewCommands(nil, nil, logger, CommandOptions{}).Attach(s, appID, discordfake.DefaultGuildID)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunGateway(ctx, s, logger, GatewayOptions{})
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// ready dispatches a READY of a new gateway session in guilds guilds.
func ready(t *testing.T, fake *discordfake.Server, guilds int) {
	t.Helper()
	list := make([]any, guilds)
	for i := range list {
		list[i] = map[string]any{"id": discordfake.DefaultGuildID, "unavailable": true}
	}
	if err := fake.Dispatch("READY", map[string]any{
		"v": 10, "session_id": "another", "user": map[string]any{"id": "1", "username": "bot"},
		"application": map[string]any{"id": discordfake.DefaultApplicationID}, "guilds": list,
	}); err != nil {
		t.Fatal(err)
	}
}

// waitGuildCommands waits until the guild holds the registered commands.
func waitGuildCommands(t *testing.T, fake *discordfake.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func(s *discordfake.Server) bool { return len(s.Commands(discordfake.DefaultGuildID)) > 0 }); err != nil {
		t.Fatalf("the commands were never registered: %v", err)
	}
}

// TestAttachRegistersOnReady checks that the commands are registered in
// the guild on READY, under the application id READY carries when none is
// configured, and once only.
func TestAttachRegistersOnReady(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t, discordfake.Options{})
	logs := newLogWatch()
	attached(t, fake, "", logs)
	waitGuildCommands(t, fake)
	// The first READY was in one guild: the log line of the third shows
	// that the second has been handled.
	ready(t, fake, 2)
	ready(t, fake, 3)
	logs.wait(t, "guilds=3")
	reqs := fake.RequestsTo(discordfake.RouteGuildCommands)
	if len(reqs) != 1 {
		t.Fatalf("%d registrations, want one for three READYs", len(reqs))
	}
	if want := "/applications/" + discordfake.DefaultApplicationID + "/guilds/" + discordfake.DefaultGuildID + "/commands"; !strings.HasSuffix(reqs[0].Path, want) {
		t.Errorf("registered at %s, want …%s", reqs[0].Path, want)
	}
}

// TestAttachRetriesOnNextReady checks that a failed registration is logged
// and tried again on the next READY.
func TestAttachRetriesOnNextReady(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t, discordfake.Options{})
	fake.Fail(discordfake.RouteGuildCommands, discordfake.Fault{Status: 500, Times: 1})
	logs := newLogWatch()
	attached(t, fake, discordfake.DefaultApplicationID, logs)
	logs.wait(t, `msg="register commands"`)
	if len(fake.Commands(discordfake.DefaultGuildID)) != 0 {
		t.Fatal("commands registered despite the failure")
	}
	ready(t, fake, 2)
	waitGuildCommands(t, fake)
	if n := len(fake.RequestsTo(discordfake.RouteGuildCommands)); n != 2 {
		t.Errorf("%d registration requests, want the failed one and its retry", n)
	}
}
