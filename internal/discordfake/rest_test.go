package discordfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/internal/discordfake"
)

const channel = "1200000000000000001"

// newSession returns a discordgo session that talks to srv.
func newSession(t *testing.T, srv *discordfake.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + discordfake.DefaultToken)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = srv.Client()
	s.ShouldRetryOnRateLimit = false
	s.LogLevel = -1
	return s
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// noMentions is what the bot must send with every message.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// restError asserts err is a *discordgo.RESTError with status and code.
func restError(t *testing.T, err error, status, code int) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want *discordgo.RESTError", err, err)
	}
	if re.Response.StatusCode != status {
		t.Errorf("status %d, want %d", re.Response.StatusCode, status)
	}
	if re.Message == nil || re.Message.Code != code {
		t.Errorf("error body %s, want code %d", re.ResponseBody, code)
	}
	return re
}

func TestCreateMessageRecordsAndEchoes(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	embed := &discordgo.MessageEmbed{Title: "Plan delivered", URL: "https://example.com/a", Description: "summary",
		Fields: []*discordgo.MessageEmbedField{{Name: "Actors", Value: "A · B"}}}
	got, err := s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Embeds: []*discordgo.MessageEmbed{embed}, AllowedMentions: noMentions(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.ChannelID != channel || got.Author == nil || !got.Author.Bot || got.Timestamp.IsZero() {
		t.Errorf("echoed message %+v lacks id, channel, bot author or timestamp", got)
	}
	if len(got.Embeds) != 1 || got.Embeds[0].Title != "Plan delivered" || got.Embeds[0].Type != "rich" {
		t.Errorf("echoed embeds %+v", got.Embeds)
	}
	msgs := srv.Messages(channel)
	if len(msgs) != 1 || msgs[0].ID != got.ID || msgs[0].Embeds[0].Fields[0].Value != "A · B" {
		t.Fatalf("Messages = %+v", msgs)
	}
	reqs := srv.RequestsTo(discordfake.RouteCreateMessage)
	if len(reqs) != 1 || reqs[0].Status != http.StatusOK || reqs[0].Path != "/channels/"+channel+"/messages" {
		t.Fatalf("requests = %+v", reqs)
	}
	am, ok := reqs[0].AllowedMentions()
	if parse, isList := am["parse"].([]any); !ok || !isList || len(parse) != 0 {
		t.Errorf("allowed_mentions = %v (present %v), want parse []", am, ok)
	}
	if errs := srv.ValidationErrors(); len(errs) != 0 {
		t.Errorf("validation errors %v", errs)
	}
}

func TestSnowflakesIncrease(t *testing.T) {
	frozen := time.Date(2025, 11, 20, 14, 5, 0, 0, time.UTC)
	srv := discordfake.New(t, discordfake.Options{Now: func() time.Time { return frozen }})
	s := newSession(t, srv)
	var ids []string
	for range 3 {
		m, err := s.ChannelMessageSend(channel, "x")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
		if !m.Timestamp.Equal(frozen) {
			t.Errorf("timestamp %v, want %v", m.Timestamp, frozen)
		}
	}
	for i := 1; i < len(ids); i++ {
		if len(ids[i]) < len(ids[i-1]) || (len(ids[i]) == len(ids[i-1]) && ids[i] <= ids[i-1]) {
			t.Errorf("ids not increasing: %v", ids)
		}
	}
}

func TestEnforceNonce(t *testing.T) {
	tests := []struct {
		name     string
		first    map[string]any
		second   map[string]any
		channel2 string
		want     int
	}{
		{"repeat with enforce_nonce is one message",
			map[string]any{"content": "a", "nonce": "outbox-17", "enforce_nonce": true},
			map[string]any{"content": "a", "nonce": "outbox-17", "enforce_nonce": true}, channel, 1},
		{"integer nonce", map[string]any{"content": "a", "nonce": 17, "enforce_nonce": true},
			map[string]any{"content": "a", "nonce": 17, "enforce_nonce": true}, channel, 1},
		{"without enforce_nonce both are created",
			map[string]any{"content": "a", "nonce": "outbox-17"},
			map[string]any{"content": "a", "nonce": "outbox-17"}, channel, 2},
		{"other nonce", map[string]any{"content": "a", "nonce": "outbox-17", "enforce_nonce": true},
			map[string]any{"content": "a", "nonce": "outbox-18", "enforce_nonce": true}, channel, 2},
		{"other channel", map[string]any{"content": "a", "nonce": "outbox-17", "enforce_nonce": true},
			map[string]any{"content": "a", "nonce": "outbox-17", "enforce_nonce": true}, "1200000000000000999", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := discordfake.New(t, discordfake.Options{})
			s := newSession(t, srv)
			send := func(ch string, body map[string]any) discordgo.Message {
				t.Helper()
				url := discordgo.EndpointChannelMessages(ch)
				raw, err := s.RequestWithBucketID("POST", url, body, url)
				if err != nil {
					t.Fatal(err)
				}
				var m discordgo.Message
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				return m
			}
			a := send(channel, tc.first)
			b := send(tc.channel2, tc.second)
			if got := len(srv.Messages(channel)); got != tc.want {
				t.Errorf("%d messages in channel, want %d", got, tc.want)
			}
			if same := a.ID == b.ID; same != (tc.want == 1 && tc.channel2 == channel) {
				t.Errorf("ids %s and %s: same=%v", a.ID, b.ID, same)
			}
			if got := srv.Messages(channel)[0].Nonce; got != "outbox-17" && got != "17" {
				t.Errorf("stored nonce %q", got)
			}
		})
	}
}

func TestEditDeleteAndUnknownMessage(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	m, err := s.ChannelMessageSend(channel, "first")
	if err != nil {
		t.Fatal(err)
	}
	edited, err := s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: m.ID, Channel: channel, Content: new("second"), AllowedMentions: noMentions(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Content != "second" || edited.EditedTimestamp == nil {
		t.Errorf("edit echoed %+v", edited)
	}
	msgs := srv.Messages(channel)
	if len(msgs) != 1 || msgs[0].Content != "second" || msgs[0].EditCount != 1 {
		t.Fatalf("Messages = %+v", msgs)
	}
	if err := srv.DeleteMessage(channel, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteMessage(channel, m.ID); !errors.Is(err, discordfake.ErrUnknownMessage) {
		t.Errorf("second delete: %v, want ErrUnknownMessage", err)
	}
	_, err = s.ChannelMessageEdit(channel, m.ID, "third")
	restError(t, err, http.StatusNotFound, 10008)
	_, err = s.ChannelMessage(channel, m.ID)
	restError(t, err, http.StatusNotFound, 10008)
	if got := srv.Messages(channel); len(got) != 0 {
		t.Errorf("deleted message still listed: %+v", got)
	}
}

func TestDeleteThroughAPI(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	m, err := s.ChannelMessageSend(channel, "bye")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChannelMessageDelete(channel, m.ID); err != nil {
		t.Fatal(err)
	}
	err = s.ChannelMessageDelete(channel, m.ID)
	restError(t, err, http.StatusNotFound, 10008)
}

func TestThreads(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	parent, err := s.ChannelMessageSend(channel, "story")
	if err != nil {
		t.Fatal(err)
	}
	th, err := s.MessageThreadStartComplex(channel, parent.ID, &discordgo.ThreadStart{Name: "Updates", AutoArchiveDuration: 1440})
	if err != nil {
		t.Fatal(err)
	}
	if th.Type != discordgo.ChannelTypeGuildPublicThread || th.ParentID != channel || th.Name != "Updates" || th.ID == "" {
		t.Errorf("thread %+v", th)
	}
	if _, err := s.ChannelMessageSend(th.ID, "update 1"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(th.ID); len(got) != 1 || got[0].Content != "update 1" {
		t.Errorf("thread messages %+v", got)
	}
	if got := srv.Messages(channel); len(got) != 1 || got[0].ThreadID != th.ID {
		t.Errorf("parent messages %+v, want ThreadID %s", got, th.ID)
	}
	if got := srv.Threads(channel); len(got) != 1 || got[0].Name != "Updates" {
		t.Errorf("Threads = %+v", got)
	}
	_, err = s.MessageThreadStartComplex(channel, parent.ID, &discordgo.ThreadStart{Name: "Again"})
	restError(t, err, http.StatusBadRequest, 160004)
	_, err = s.MessageThreadStartComplex(channel, "1", &discordgo.ThreadStart{Name: "Nowhere"})
	restError(t, err, http.StatusNotFound, 10008)
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		route    string
		fault    discordfake.Fault
		check    func(t *testing.T, err error)
		requests int // requests discordgo makes for one send
		messages int
	}{
		{"route rate limit", discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 0.25},
			func(t *testing.T, err error) {
				var rl *discordgo.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 250*time.Millisecond {
					t.Errorf("error %v, want RateLimitError retry 250ms", err)
				}
			}, 1, 0},
		{"global rate limit on every route", discordfake.AllRoutes, discordfake.Fault{Status: 429, RetryAfter: 1.5, Global: true},
			func(t *testing.T, err error) {
				var rl *discordgo.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 1500*time.Millisecond {
					t.Errorf("error %v, want RateLimitError retry 1.5s", err)
				}
			}, 1, 0},
		{"missing permissions", discordfake.RouteCreateMessage, discordfake.Fault{Status: 403},
			func(t *testing.T, err error) { restError(t, err, 403, 50013) }, 1, 0},
		{"custom refusal", discordfake.RouteCreateMessage, discordfake.Fault{Status: 404, Code: 10003, Message: "Unknown Channel"},
			func(t *testing.T, err error) { restError(t, err, 404, 10003) }, 1, 0},
		{"bad gateway until cleared exhausts discordgo's retries", discordfake.RouteCreateMessage, discordfake.Fault{Status: 502},
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "502") {
					t.Errorf("error %v, want 502", err)
				}
			}, 4, 0},
		{"one bad gateway is retried by discordgo", discordfake.RouteCreateMessage, discordfake.Fault{Status: 502, Times: 1},
			func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("error %v, want success on retry", err)
				}
			}, 2, 1},
		{"fault on another route leaves sends alone", discordfake.RouteEditMessage, discordfake.Fault{Status: 403},
			func(t *testing.T, err error) {
				if err != nil {
					t.Error(err)
				}
			}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := discordfake.New(t, discordfake.Options{})
			s := newSession(t, srv)
			srv.Fail(tc.route, tc.fault)
			_, err := s.ChannelMessageSend(channel, "hello")
			tc.check(t, err)
			if got := len(srv.RequestsTo(discordfake.RouteCreateMessage)); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
			if got := len(srv.Messages(channel)); got != tc.messages {
				t.Errorf("%d messages, want %d", got, tc.messages)
			}
			srv.ClearFaults()
			if _, err := s.ChannelMessageSend(channel, "after clear"); err != nil {
				t.Errorf("after ClearFaults: %v", err)
			}
		})
	}
}

func TestRateLimitHeaders(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	srv.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 2.5, Times: 1})
	post := func() *http.Response {
		t.Helper()
		req, err := http.NewRequest("POST", "https://discord.com/api/v10/channels/"+channel+"/messages", strings.NewReader(`{"content":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bot "+discordfake.DefaultToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	limited := post()
	var body struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
		Message    string  `json:"message"`
	}
	if err := json.NewDecoder(limited.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if limited.StatusCode != 429 || body.RetryAfter != 2.5 || body.Global || body.Message != "You are being rate limited." {
		t.Errorf("429 %d %+v", limited.StatusCode, body)
	}
	for h, want := range map[string]string{"Retry-After": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Scope": "user", "X-RateLimit-Reset-After": "2.500"} {
		if got := limited.Header.Get(h); got != want {
			t.Errorf("429 header %s = %q, want %q", h, got, want)
		}
	}
	ok := post()
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"} {
		if ok.Header.Get(h) == "" {
			t.Errorf("200 lacks %s", h)
		}
	}
	reqs := srv.RequestsTo(discordfake.RouteCreateMessage)
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Errorf("recorded statuses %+v", reqs)
	}
}

func TestHangUntilClientGivesUp(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	srv.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Hang: true})
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	go func() {
		if srv.WaitFor(ctx, func(srv *discordfake.Server) bool {
			return len(srv.RequestsTo(discordfake.RouteCreateMessage)) > 0
		}) == nil {
			cancel()
		}
	}()
	_, err := s.ChannelMessageSend(channel, "stuck", discordgo.WithContext(ctx))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if got := srv.Messages(channel); len(got) != 0 {
		t.Errorf("hung request created %+v", got)
	}
}

func TestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name      string
		body      map[string]any
		status    int
		code      int
		sentinel  error
		errorPath []string // path into "errors" holding _errors
	}{
		{"valid", map[string]any{"content": "ok", "allowed_mentions": map[string]any{"parse": []any{}}}, 200, 0, nil, nil},
		{"embed title of 257", map[string]any{"embeds": []any{map[string]any{"title": long(257)}}},
			400, 50035, discordfake.ErrSchema, []string{"embeds", "0", "title"}},
		{"embed title of 256", map[string]any{"embeds": []any{map[string]any{"title": long(256)}}}, 200, 0, nil, nil},
		{"embeds over 6000 in total", map[string]any{"embeds": []any{
			map[string]any{"title": long(256), "description": long(4096)},
			map[string]any{"description": long(1649)},
		}}, 400, 50035, discordfake.ErrEmbedsTooLarge, []string{"embeds"}},
		{"embeds of exactly 6000", map[string]any{"embeds": []any{
			map[string]any{"title": long(256), "description": long(4096)},
			map[string]any{"description": long(1600), "fields": []any{map[string]any{"name": long(24), "value": long(24)}}},
		}}, 200, 0, nil, nil},
		{"footer and author count", map[string]any{"embeds": []any{
			map[string]any{"description": long(4096), "footer": map[string]any{"text": long(1900)}, "author": map[string]any{"name": long(5)}},
		}}, 400, 50035, discordfake.ErrEmbedsTooLarge, []string{"embeds"}},
		{"content of 2001", map[string]any{"content": long(2001)}, 400, 50035, discordfake.ErrContentTooLong, []string{"content"}},
		{"content of 2000 multibyte", map[string]any{"content": strings.Repeat("ё", 2000)}, 200, 0, nil, nil},
		{"colour out of range", map[string]any{"embeds": []any{map[string]any{"title": "t", "color": 16777216}}},
			400, 50035, discordfake.ErrSchema, []string{"embeds", "0", "color"}},
		{"eleven embeds", map[string]any{"embeds": func() []any {
			var e []any
			for range 11 {
				e = append(e, map[string]any{"title": "t"})
			}
			return e
		}()}, 400, 50035, discordfake.ErrSchema, []string{"embeds"}},
		{"empty message", map[string]any{"allowed_mentions": map[string]any{"parse": []any{}}}, 400, 50006, discordfake.ErrEmptyMessage, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := discordfake.New(t, discordfake.Options{})
			s := newSession(t, srv)
			url := discordgo.EndpointChannelMessages(channel)
			_, err := s.RequestWithBucketID("POST", url, tc.body, url)
			errs := srv.ValidationErrors()
			if tc.status == 200 {
				if err != nil || len(errs) != 0 {
					t.Fatalf("error %v, validation %v", err, errs)
				}
				return
			}
			re := restError(t, err, tc.status, tc.code)
			if len(errs) != 1 || !errors.Is(errs[0], tc.sentinel) {
				t.Fatalf("validation errors %v, want one wrapping %v", errs, tc.sentinel)
			}
			if tc.errorPath != nil {
				var body struct {
					Errors map[string]any `json:"errors"`
				}
				if err := json.Unmarshal(re.ResponseBody, &body); err != nil {
					t.Fatal(err)
				}
				node := body.Errors
				for _, p := range tc.errorPath {
					node, _ = node[p].(map[string]any)
				}
				if list, _ := node["_errors"].([]any); len(list) == 0 {
					t.Errorf("no _errors at %v in %s", tc.errorPath, re.ResponseBody)
				}
			}
			if got := srv.Messages(channel); len(got) != 0 {
				t.Errorf("rejected body created %+v", got)
			}
		})
	}
}

func TestMalformedJSON(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	url := discordgo.EndpointChannelMessages(channel)
	_, err := s.RequestRaw("POST", url, "application/json", []byte(`{"content":`), url, 0)
	restError(t, err, http.StatusBadRequest, 50109)
	if errs := srv.ValidationErrors(); len(errs) != 1 || !errors.Is(errs[0], discordfake.ErrInvalidJSON) {
		t.Errorf("validation errors %v", errs)
	}
}

func TestAuthAndUnknownRoutes(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{Token: "right"})
	tests := []struct {
		name, method, path, auth string
		status, code             int
		message                  string
	}{
		{"wrong token", "GET", "/api/v10/users/@me", "Bot wrong", 401, 0, "401: Unauthorized"},
		{"missing Bot prefix", "GET", "/api/v10/users/@me", "right", 401, 0, "401: Unauthorized"},
		{"right token v10", "GET", "/api/v10/users/@me", "Bot right", 200, 0, ""},
		{"right token v9", "GET", "/api/v9/users/@me", "Bot right", 200, 0, ""},
		{"gateway needs no token", "GET", "/api/v9/gateway", "", 200, 0, ""},
		{"gateway/bot does", "GET", "/api/v9/gateway/bot", "", 401, 0, "401: Unauthorized"},
		{"unknown route", "GET", "/api/v10/guilds/1/bans", "Bot right", 404, 0, "404: Not Found"},
		{"no version prefix", "GET", "/users/@me", "Bot right", 404, 0, "404: Not Found"},
		{"wrong method", "PUT", "/api/v10/channels/1/messages", "Bot right", 405, 0, "405: Method Not Allowed"},
		{"callback authenticated by its path", "POST", "/api/v10/interactions/1/tok/callback", "", 404, 10062, "Unknown interaction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL()+tc.path, strings.NewReader(`{"type":1}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || body.Code != tc.code || (tc.message != "" && body.Message != tc.message) {
				t.Errorf("got %d %+v, want %d code %d %q", resp.StatusCode, body, tc.status, tc.code, tc.message)
			}
		})
	}
}

func TestGatewayDiscovery(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	url, err := s.Gateway()
	if err != nil {
		t.Fatal(err)
	}
	if url != srv.GatewayURL()+"/" || !strings.HasPrefix(url, "ws://") {
		t.Errorf("gateway %q, want %q/", url, srv.GatewayURL())
	}
	bot, err := s.GatewayBot()
	if err != nil {
		t.Fatal(err)
	}
	if bot.Shards != 1 || bot.SessionStartLimit.Remaining == 0 {
		t.Errorf("gateway/bot %+v", bot)
	}
	me, err := s.User("@me")
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != discordfake.DefaultApplicationID || !me.Bot {
		t.Errorf("@me %+v", me)
	}
}

func TestClientRefusesOtherHosts(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	resp, err := srv.Client().Get("https://example.com/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("request to example.com went through")
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("refused request was recorded: %+v", srv.Requests())
	}
}

func TestBulkCommands(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	perm := int64(discordgo.PermissionManageGuild)
	cmds := []*discordgo.ApplicationCommand{
		{Name: "actor", Description: "Look up an actor", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "Who", Required: true, Autocomplete: true},
		}},
		{Name: "status", Description: "Bot status", DefaultMemberPermissions: &perm},
		{Name: "Find actors", Type: discordgo.MessageApplicationCommand},
	}
	tests := []struct{ name, guild string }{{"global", ""}, {"guild", discordfake.DefaultGuildID}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ApplicationCommandBulkOverwrite(discordfake.DefaultApplicationID, tc.guild, cmds)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].ID == "" || got[0].Name != "actor" || got[0].ApplicationID != discordfake.DefaultApplicationID {
				t.Errorf("echo %+v", got)
			}
			if len(srv.Commands(tc.guild)) != 3 {
				t.Errorf("Commands(%q) = %v", tc.guild, srv.Commands(tc.guild))
			}
		})
	}
	if errs := srv.ValidationErrors(); len(errs) != 0 {
		t.Errorf("discordgo's command bodies rejected: %v", errs)
	}
	bad := []*discordgo.ApplicationCommand{{Name: "x", Description: strings.Repeat("d", 101)}}
	_, err := s.ApplicationCommandBulkOverwrite(discordfake.DefaultApplicationID, "", bad)
	restError(t, err, http.StatusBadRequest, 50035)
}

func TestMultipartUpload(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	s := newSession(t, srv)
	png := []byte("\x89PNG fake")
	m, err := s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Content: "chart", AllowedMentions: noMentions(),
		Files: []*discordgo.File{{Name: "chart.png", ContentType: "image/png", Reader: bytes.NewReader(png)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "chart.png" || m.Attachments[0].Size != len(png) {
		t.Errorf("attachments %+v", m.Attachments)
	}
	req := srv.RequestsTo(discordfake.RouteCreateMessage)[0]
	if len(req.Files) != 1 || req.Files[0].Field != "files[0]" || !bytes.Equal(req.Files[0].Data, png) || req.Files[0].ContentType != "image/png" {
		t.Errorf("recorded files %+v", req.Files)
	}
	if req.Object()["content"] != "chart" {
		t.Errorf("payload_json not decoded: %v", req.JSON)
	}
	if got := srv.Messages(channel); len(got) != 1 || len(got[0].Files) != 1 {
		t.Errorf("Messages = %+v", got)
	}
	if !bytes.Contains(req.Body, []byte(`name="payload_json"`)) {
		t.Errorf("raw multipart body not kept: %.200q", req.Body)
	}
}
