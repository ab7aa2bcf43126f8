package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/internal/discordfake"
	"storyline/store"
)

// newFakeClient starts a fake Discord and a Client talking to it through
// NewSession, as run does.
func newFakeClient(t *testing.T) (*discordfake.Server, *Client) {
	t.Helper()
	fake := discordfake.New(t, discordfake.Options{})
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	t.Cleanup(func() { checkValid(t, fake) })
	return fake, NewClient(s, LimitOptions{})
}

// checkValid fails the test for every body the fake found invalid.
func checkValid(t *testing.T, fake *discordfake.Server) {
	t.Helper()
	for _, err := range fake.ValidationErrors() {
		t.Errorf("invalid request body: %v", err)
	}
}

func TestClientSendEditThread(t *testing.T) {
	fake, c := newFakeClient(t)
	ch := discordfake.DefaultChannelID
	body := NewMessage("0123456789-1", RenderPost(rec("a", "City Wire", "https://wire.example/a", t0), nil))
	m, err := c.Send(t.Context(), ch, body)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	id := m.ID
	if m.Nonce != body.Nonce || m.AuthorID != discordfake.DefaultApplicationID || !sameMessage(m, body) {
		t.Errorf("Send answered %+v, want the message with its nonce, by the bot", m)
	}
	again, err := c.Send(t.Context(), ch, body)
	if err != nil || again.ID != id {
		t.Fatalf("Send with the same nonce = %q, %v; want the first message %q", again.ID, err, id)
	}
	if n := len(fake.Messages(ch)); n != 1 {
		t.Fatalf("%d messages after a repeated create, want 1", n)
	}
	req := fake.RequestsTo(discordfake.RouteCreateMessage)[0]
	if got := req.Header.Get("Authorization"); got != "Bot "+discordfake.DefaultToken {
		t.Errorf("Authorization = %q", got)
	}
	if !strings.HasPrefix(req.Path, "/channels/") {
		t.Errorf("path = %q", req.Path)
	}

	edited := RenderPost(rec("a", "City Wire", "https://wire.example/a", t0),
		[]store.Record{rec("b", "Evening Post", "https://post.example/b", t0)})
	if err := c.Edit(t.Context(), ch, id, NewEdit(edited)); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if m := fake.Messages(ch)[0]; m.EditCount != 1 || len(m.Embeds[0].Fields) != 3 {
		t.Errorf("edited message = %+v, want one edit with 3 fields", m)
	}

	thread, err := c.StartThread(t.Context(), ch, id, "Report a")
	if err != nil || thread == "" {
		t.Fatalf("StartThread = %q, %v", thread, err)
	}
	if th := fake.Threads(ch); len(th) != 1 || th[0].Name != "Report a" {
		t.Errorf("threads = %+v", th)
	}
	_, err = c.StartThread(t.Context(), ch, id, "Report a")
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Code != codeThreadExists {
		t.Errorf("second StartThread = %v, want a refusal with code %d", err, codeThreadExists)
	}

	if err := fake.DeleteMessage(ch, id); err != nil {
		t.Fatal(err)
	}
	if err := c.Edit(t.Context(), ch, id, NewEdit(edited)); !errors.Is(err, ErrUnknownMessage) {
		t.Errorf("Edit of a deleted message = %v, want ErrUnknownMessage", err)
	}
}

func TestClientClassifiesFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault discordfake.Fault
		check func(error) error
	}{
		{"429", discordfake.Fault{Status: 429, RetryAfter: 1.5}, func(err error) error {
			var e *RateLimitedError
			if !errors.As(err, &e) || e.RetryAfter != 1500*time.Millisecond || e.Scope != scopeUser {
				return fmt.Errorf("want a user rate limit of 1.5s")
			}
			return nil
		}},
		{"global 429 under the floor", discordfake.Fault{Status: 429, RetryAfter: 0.25, Global: true}, func(err error) error {
			var e *RateLimitedError
			if !errors.As(err, &e) || e.RetryAfter != time.Second || e.Scope != scopeGlobal {
				return fmt.Errorf("want a global rate limit raised to the 1s floor")
			}
			return nil
		}},
		{"30046", discordfake.Fault{Status: 429, RetryAfter: 60, Code: 30046, Message: "Maximum number of edits to messages older than 1 hour reached."}, func(err error) error {
			var e *RateLimitedError
			if !errors.As(err, &e) || e.Code != codeOldMessageEdits || e.RetryAfter != time.Minute {
				return fmt.Errorf("want a rate limit keeping code 30046")
			}
			return nil
		}},
		{"401", discordfake.Fault{Status: 401}, func(err error) error {
			if !errors.Is(err, ErrTokenRejected) {
				return fmt.Errorf("want ErrTokenRejected")
			}
			return nil
		}},
		{"502", discordfake.Fault{Status: 502}, transient(502)},
		{"500", discordfake.Fault{Status: 500}, transient(500)},
		{"503", discordfake.Fault{Status: 503}, transient(503)},
		{"403", discordfake.Fault{Status: 403}, refused(403, 50013, "Missing Permissions")},
		{"unknown channel", discordfake.Fault{Status: 404, Code: 10003, Message: "Unknown Channel"}, refused(404, 10003, "Unknown Channel")},
		{"invalid body", discordfake.Fault{Status: 400}, refused(400, 50035, "Invalid Form Body")},
		{"hang", discordfake.Fault{Status: 200, Hang: true}, transient(0)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFakeClient(t)
			tt.fault.Times = 1
			fake.Fail(discordfake.RouteCreateMessage, tt.fault)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			if tt.fault.Hang {
				ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
			}
			_, err := c.Send(ctx, fmt.Sprint(1000+i), NewMessage("0123456789-1", &discordgo.MessageEmbed{Title: "x"}))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if problem := tt.check(err); problem != nil {
				t.Errorf("Send = %v (%T): %v", err, errors.Unwrap(err), problem)
			}
		})
	}
}

// transient checks for a *TransientError with status.
func transient(status int) func(error) error {
	return func(err error) error {
		var e *TransientError
		if !errors.As(err, &e) || e.Status != status {
			return fmt.Errorf("want a transient error with status %d", status)
		}
		return nil
	}
}

// refused checks for a *RefusedError with Discord's status, code and message.
func refused(status, code int, msg string) func(error) error {
	return func(err error) error {
		var e *RefusedError
		if !errors.As(err, &e) || e.Status != status || e.Code != code || e.Message != msg {
			return fmt.Errorf("want a refusal %d/%d %q", status, code, msg)
		}
		if errors.Is(err, ErrUnknownMessage) {
			return errors.New("matches ErrUnknownMessage")
		}
		return nil
	}
}

func TestCheckToken(t *testing.T) {
	fake, c := newFakeClient(t)
	u, err := c.CheckToken(t.Context())
	if err != nil || u.ID != discordfake.DefaultApplicationID || !u.Bot {
		t.Fatalf("CheckToken = %+v, %v", u, err)
	}
	const wrong = "not-the-token-1234"
	s, err := NewSession(wrong, fake.APIURL(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewClient(s, LimitOptions{}).CheckToken(t.Context())
	if !errors.Is(err, ErrTokenRejected) {
		t.Fatalf("CheckToken with a wrong token = %v, want ErrTokenRejected", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error %q shows the token", err)
	}
}

func TestHugeBodiesAreValid(t *testing.T) {
	fake, c := newFakeClient(t)
	lead := huge("lead", t0)
	cluster := []store.Record{lead}
	for i := range 40 {
		cluster = append(cluster, huge(fmt.Sprint(i), t0))
	}
	ch := discordfake.DefaultChannelID
	m, err := c.Send(t.Context(), ch, NewMessage("0123456789-1", RenderPost(lead, cluster)))
	if err != nil {
		t.Fatalf("Send post: %v", err)
	}
	id := m.ID
	if err := c.Edit(t.Context(), ch, id, NewEdit(RenderPost(lead, cluster))); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if _, err := c.Send(t.Context(), ch, NewMessage("0123456789-2", RenderDigest(strings.Repeat("story ", 100), cluster))); err != nil {
		t.Fatalf("Send digest: %v", err)
	}
	if _, err := c.StartThread(t.Context(), ch, id, ThreadName(lead)); err != nil {
		t.Fatalf("StartThread: %v", err)
	}
	if got := len(fake.RequestsTo(discordfake.RouteCreateMessage)); got != 2 {
		t.Errorf("%d creates, want 2", got)
	}
}

func TestAPITransport(t *testing.T) {
	var got []string
	rt := apiTransport{from: "https://discord.com/api/v9/", to: "http://127.0.0.1:9/api/v10/",
		base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = append(got, r.Host+" "+r.URL.String())
			return nil, errors.New("stop")
		})}
	for _, u := range []string{
		"https://discord.com/api/v9/channels/1/messages?x=1",
		"https://cdn.discordapp.com/attachments/1",
	} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = rt.RoundTrip(req)
	}
	want := []string{
		"127.0.0.1:9 http://127.0.0.1:9/api/v10/channels/1/messages?x=1",
		"cdn.discordapp.com https://cdn.discordapp.com/attachments/1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests went to\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewSessionRejectsBadAPIURL(t *testing.T) {
	for _, u := range []string{"", "discord.com/api", "ftp://discord.com/api/", "http://"} {
		if _, err := NewSession("t", u, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("NewSession(%q) succeeded", u)
		}
	}
}
