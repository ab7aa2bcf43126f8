package discordfake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"storyline/internal/discordfake"
)

// answer is a decoded REST answer.
type answer struct {
	Status int
	Header http.Header
	Body   map[string]any
	List   []map[string]any
}

// code is the JSON error code of the answer, 0 for none.
func (a answer) code() int {
	f, _ := a.Body["code"].(float64)
	return int(f)
}

// call sends method path (under /api/v10) with a JSON body (nil for none)
// to srv through its client and decodes the answer.
func call(t *testing.T, srv *discordfake.Server, method, path string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	return send(t, srv, method, path, "application/json", rd, "")
}

// send sends one request with the bot's token unless token is set.
func send(t *testing.T, srv *discordfake.Server, method, path, contentType string, body io.Reader, token string) answer {
	t.Helper()
	req, err := http.NewRequest(method, "https://discord.com/api/v10"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token == "" {
		token = discordfake.DefaultToken
	}
	req.Header.Set("Authorization", "Bot "+token)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{Status: resp.StatusCode, Header: resp.Header}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return a
	}
	if len(raw) > 0 && raw[0] == '[' {
		err = json.Unmarshal(raw, &a.List)
	} else if len(raw) > 0 {
		err = json.Unmarshal(raw, &a.Body)
	}
	if err != nil {
		t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
	}
	return a
}

// create posts a message with an embed titled title and nonce.
func create(t *testing.T, srv *discordfake.Server, ch, title, nonce string) answer {
	t.Helper()
	return call(t, srv, "POST", "/channels/"+ch+"/messages", map[string]any{
		"embeds": []any{map[string]any{"title": title}}, "nonce": nonce, "enforce_nonce": true,
		"allowed_mentions": map[string]any{"parse": []any{}},
	})
}

func TestInProcessRunsInASynctestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true, Latency: 40 * time.Millisecond})
		start := time.Now()
		if a := create(t, srv, channel, "one", "n1"); a.Status != 200 {
			t.Fatalf("create: %d %v", a.Status, a.Body)
		}
		if took := time.Since(start); took != 40*time.Millisecond {
			t.Errorf("the answer took %v of the bubble's clock, want the 40ms latency", took)
		}
		if got := srv.URL(); got != "http://discordfake.invalid" {
			t.Errorf("URL = %q", got)
		}
	})
}

func TestNonceWindowExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true, NonceWindow: 2 * time.Minute})
		first := create(t, srv, channel, "one", "n1")
		time.Sleep(time.Minute)
		again := create(t, srv, channel, "one again", "n1")
		if again.Body["id"] != first.Body["id"] {
			t.Errorf("a repeat within the window made %v, want the first message %v", again.Body["id"], first.Body["id"])
		}
		time.Sleep(90 * time.Second)
		late := create(t, srv, channel, "one late", "n1")
		if late.Body["id"] == first.Body["id"] {
			t.Error("a repeat after the window gave the first message back; Discord makes a new one")
		}
		if n := len(srv.Messages(channel)); n != 2 {
			t.Errorf("%d messages, want 2", n)
		}
	})
}

func TestRateLimitScopesAndCounting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true})
		route := discordfake.RouteCreateMessage
		srv.Fail(route, discordfake.Fault{Status: 429, RetryAfter: 0, NoResetHeaders: true, Times: 1})
		srv.Fail(route, discordfake.Fault{Status: 429, RetryAfter: 120, Scope: "shared", Times: 1})
		srv.Fail(route, discordfake.Fault{Status: 429, RetryAfter: 0.001, Global: true, Times: 1})
		srv.Fail(route, discordfake.Fault{Status: 429, RetryAfter: 600, Code: 30046, Times: 1})
		want := []struct {
			scope, reset string
			retry        float64
			code         int
		}{{"user", "", 0, 0}, {"shared", "120.000", 120, 0}, {"global", "", 0.001, 0}, {"user", "600.000", 600, 30046}}
		for i, w := range want {
			a := create(t, srv, channel, "x", fmt.Sprint("n", i))
			if a.Status != 429 || a.Header.Get("X-RateLimit-Scope") != w.scope ||
				a.Header.Get("X-RateLimit-Reset-After") != w.reset || a.Body["retry_after"] != w.retry || a.code() != w.code {
				t.Errorf("429 %d: status %d scope %q reset-after %q body %v; want scope %s, reset-after %q, retry_after %v, code %d",
					i, a.Status, a.Header.Get("X-RateLimit-Scope"), a.Header.Get("X-RateLimit-Reset-After"), a.Body, w.scope, w.reset, w.retry, w.code)
			}
		}
		if n := len(srv.InvalidRequests()); n != 3 {
			t.Errorf("%d invalid requests, want 3 (a shared 429 does not count)", n)
		}
	})
}

func TestFaultWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true})
		now := time.Now()
		srv.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 502, From: now.Add(time.Minute), Until: now.Add(2 * time.Minute)})
		var got []int
		for range 4 {
			got = append(got, create(t, srv, channel, "x", "").Status)
			time.Sleep(40 * time.Second)
		}
		if want := []int{200, 200, 502, 200}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("statuses over time %v, want %v", got, want)
		}
	})
}

func TestRouteBucketsAndGlobalLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true, RateLimits: true})
		for i := range 5 {
			a := create(t, srv, channel, "x", "")
			if a.Status != 200 || a.Header.Get("X-RateLimit-Remaining") != fmt.Sprint(4-i) || a.Header.Get("X-RateLimit-Limit") != "5" {
				t.Fatalf("create %d: %d, remaining %q", i, a.Status, a.Header.Get("X-RateLimit-Remaining"))
			}
		}
		limited := create(t, srv, channel, "x", "")
		if limited.Status != 429 || limited.Header.Get("X-RateLimit-Scope") != "user" || limited.Body["retry_after"] != 5.0 {
			t.Errorf("sixth create: %d %v %v, want 429 of scope user for 5s", limited.Status, limited.Header, limited.Body)
		}
		if a := create(t, srv, "1200000000000000777", "x", ""); a.Status != 200 {
			t.Errorf("another channel's bucket is apart: %d", a.Status)
		}
		time.Sleep(5 * time.Second)
		if a := create(t, srv, channel, "x", ""); a.Status != 200 {
			t.Errorf("after the reset: %d", a.Status)
		}
		global := 0
		for i := range 60 {
			if a := call(t, srv, "GET", "/channels/"+fmt.Sprint(1300000000000000000+i), nil); a.Status == 429 {
				global++
				if a.Header.Get("X-RateLimit-Scope") != "global" || a.Body["global"] != true {
					t.Errorf("global 429: %v %v", a.Header, a.Body)
				}
			}
		}
		if global == 0 {
			t.Error("60 requests within a second never met the global limit")
		}
	})
}

func TestOldMessageEditLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true, RateLimits: true, OldEditLimit: 2, OldEditWindow: time.Minute})
		old := srv.PostAs(channel, time.Now().Add(-2*time.Hour), "")
		young := create(t, srv, channel, "young", "")
		edit := func(id string) answer {
			return call(t, srv, "PATCH", "/channels/"+channel+"/messages/"+id, map[string]any{"embeds": []any{map[string]any{"title": "e"}}})
		}
		for range 2 {
			if a := edit(old.ID); a.Status != 200 {
				t.Fatalf("edit of the old message: %d %v", a.Status, a.Body)
			}
			time.Sleep(5 * time.Second)
		}
		a := edit(old.ID)
		if a.Status != 429 || a.code() != 30046 || a.Body["retry_after"] != 50.0 {
			t.Errorf("third edit within a minute: %d %v, want 429 code 30046 retry_after 50", a.Status, a.Body)
		}
		if a := edit(young.Body["id"].(string)); a.Status != 200 {
			t.Errorf("an edit of a young message: %d %v", a.Status, a.Body)
		}
		time.Sleep(50 * time.Second)
		if a := edit(old.ID); a.Status != 200 {
			t.Errorf("after the window: %d %v", a.Status, a.Body)
		}
	})
}

func TestInvalidRequestsGetTheClientBanned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true})
		for range 10001 {
			send(t, srv, "GET", "/users/@me", "", nil, "wrong")
		}
		if !srv.Banned() {
			t.Fatalf("not banned after %d invalid requests", len(srv.InvalidRequests()))
		}
		if got := srv.MaxInvalidIn(10 * time.Minute); got != 10001 {
			t.Errorf("MaxInvalidIn = %d", got)
		}
		if a := call(t, srv, "GET", "/users/@me", nil); a.Status != 429 || a.Header.Get("X-RateLimit-Scope") != "global" {
			t.Errorf("a valid request while banned: %d", a.Status)
		}
		time.Sleep(time.Hour)
		if a := call(t, srv, "GET", "/users/@me", nil); a.Status != 200 {
			t.Errorf("after the ban: %d", a.Status)
		}
	})
}

func TestSetTokenRevokesTheOldOne(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{InProcess: true})
	srv.SetToken("new-token")
	if a := call(t, srv, "GET", "/users/@me", nil); a.Status != 401 {
		t.Errorf("the old token: %d, want 401", a.Status)
	}
	if a := send(t, srv, "GET", "/users/@me", "", nil, "new-token"); a.Status != 200 {
		t.Errorf("the new token: %d", a.Status)
	}
}

func TestPermissionsAndChannelTypes(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{InProcess: true, StrictChannels: true})
	const (
		forum  = "1300000000000000015"
		hidden = "1300000000000000016"
		mute   = "1300000000000000017"
		admin  = "1300000000000000018"
	)
	guild := discordfake.DefaultGuildID
	srv.AddChannel(discordfake.Channel{ID: forum, Type: discordfake.ChannelForum})
	srv.AddChannel(discordfake.Channel{ID: hidden, Overwrites: []discordfake.Overwrite{{ID: guild, Deny: discordfake.PermViewChannel}}})
	srv.AddChannel(discordfake.Channel{ID: mute, Overwrites: []discordfake.Overwrite{
		{ID: guild, Deny: discordfake.PermSendMessages | discordfake.PermReadMessageHistory}}})
	srv.AddChannel(discordfake.Channel{ID: admin, Overwrites: []discordfake.Overwrite{{ID: guild, Deny: discordfake.PermViewChannel}}})
	tests := []struct {
		channel      string
		status, code int
	}{
		{discordfake.DefaultChannelID, 200, 0},
		{"1300000000000000099", 404, 10003},
		{forum, 400, 50008},
		{hidden, 403, 50001},
		{mute, 403, 50013},
	}
	for _, tc := range tests {
		if a := create(t, srv, tc.channel, "x", ""); a.Status != tc.status || a.code() != tc.code {
			t.Errorf("create in %s: %d code %d, want %d code %d", tc.channel, a.Status, a.code(), tc.status, tc.code)
		}
	}
	if a := call(t, srv, "GET", "/channels/"+mute+"/messages", nil); a.Status != 200 || len(a.List) != 0 {
		t.Errorf("history without Read Message History: %d %v, want 200 and nothing", a.Status, a.List)
	}
	ch := call(t, srv, "GET", "/channels/"+mute, nil)
	if ch.Status != 200 || ch.Body["type"] != 0.0 || ch.Body["guild_id"] != guild {
		t.Errorf("GET channel: %d %v", ch.Status, ch.Body)
	}
	ows, _ := ch.Body["permission_overwrites"].([]any)
	if len(ows) != 1 || ows[0].(map[string]any)["deny"] != fmt.Sprint(discordfake.PermSendMessages|discordfake.PermReadMessageHistory) {
		t.Errorf("overwrites %v", ows)
	}
	if a := call(t, srv, "GET", "/channels/"+hidden, nil); a.Status != 403 || a.code() != 50001 {
		t.Errorf("GET a hidden channel: %d %v", a.Status, a.Body)
	}
	// A role with Administrator overrides every overwrite.
	srv.SetRoles(discordfake.Role{ID: guild, Name: "@everyone"}, discordfake.Role{ID: "77", Name: "Boss", Permissions: discordfake.PermAdministrator})
	srv.SetBotRoles("77")
	if a := create(t, srv, admin, "x", ""); a.Status != 200 {
		t.Errorf("create as administrator: %d %v", a.Status, a.Body)
	}
	g := call(t, srv, "GET", "/guilds/"+guild, nil)
	m := call(t, srv, "GET", "/guilds/"+guild+"/members/"+discordfake.DefaultApplicationID, nil)
	if roles, _ := g.Body["roles"].([]any); len(roles) != 2 || fmt.Sprint(m.Body["roles"]) != "[77]" {
		t.Errorf("guild roles %v, member roles %v", g.Body["roles"], m.Body["roles"])
	}
	srv.DeleteChannel(discordfake.DefaultChannelID)
	if a := create(t, srv, discordfake.DefaultChannelID, "x", ""); a.Status != 404 || a.code() != 10003 {
		t.Errorf("create in a deleted channel: %d %v", a.Status, a.Body)
	}
}

func TestGetMessagesPages(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{InProcess: true})
	var ids []string
	for i := range 5 {
		ids = append(ids, create(t, srv, channel, fmt.Sprint("m", i), fmt.Sprint("n", i)).Body["id"].(string))
	}
	titles := func(a answer) string {
		var out []string
		for _, m := range a.List {
			if _, ok := m["nonce"]; ok {
				t.Errorf("listed message %v carries its nonce; Discord lists none", m["id"])
			}
			out = append(out, m["embeds"].([]any)[0].(map[string]any)["title"].(string))
		}
		return strings.Join(out, " ")
	}
	for query, want := range map[string]string{
		"":                              "m4 m3 m2 m1 m0",
		"?limit=2":                      "m4 m3",
		"?after=" + ids[1]:              "m4 m3 m2",
		"?after=" + ids[1] + "&limit=2": "m3 m2",
		"?before=" + ids[2]:             "m1 m0",
	} {
		if got := titles(call(t, srv, "GET", "/channels/"+channel+"/messages"+query, nil)); got != want {
			t.Errorf("messages%s = %s, want %s", query, got, want)
		}
	}
	if a := call(t, srv, "GET", "/channels/"+channel+"/messages?limit=101", nil); a.Status != 400 {
		t.Errorf("limit 101: %d", a.Status)
	}
}

// interactionPath is the callback path of interaction i.
func interactionPath(i map[string]any) string {
	return fmt.Sprintf("/interactions/%s/%s/callback", i["id"], i["token"])
}

// webhookPath is the webhook path of interaction i, plus rest.
func webhookPath(i map[string]any, rest string) string {
	return fmt.Sprintf("/webhooks/%s/%s%s", i["application_id"], i["token"], rest)
}

func TestInteractionDeadlineAndFollowupRules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := discordfake.New(t, discordfake.Options{InProcess: true})
		late := srv.SlashCommand("latest", nil, discordfake.Member{})
		if _, err := srv.RegisterInteraction(late); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3100 * time.Millisecond)
		if a := call(t, srv, "POST", interactionPath(late), map[string]any{"type": 5}); a.Status != 404 || a.code() != 10062 {
			t.Errorf("a callback after three seconds: %d %v, want 404 Unknown interaction", a.Status, a.Body)
		}

		i := srv.SlashCommand("latest", nil, discordfake.Member{})
		if _, err := srv.RegisterInteraction(i); err != nil {
			t.Fatal(err)
		}
		if a := call(t, srv, "POST", interactionPath(i), map[string]any{"type": 5}); a.Status != 204 {
			t.Fatalf("deferral: %d %v", a.Status, a.Body)
		}
		f := call(t, srv, "POST", webhookPath(i, ""), map[string]any{"content": "sorry", "flags": 64})
		resp := srv.Responses(i["id"].(string))
		if f.Status != 200 || len(resp) != 1 || resp[0].Content != "sorry" || resp[0].Flags != 0 {
			t.Errorf("the first follow-up after a deferral: %d, responses %+v; want the public original edited", f.Status, resp)
		}
		call(t, srv, "POST", webhookPath(i, ""), map[string]any{"content": "second", "flags": 64})
		if resp := srv.Responses(i["id"].(string)); len(resp) != 2 || resp[1].Flags != 64 {
			t.Errorf("a second follow-up: responses %+v, want a new ephemeral message", resp)
		}
		time.Sleep(16 * time.Minute)
		if a := call(t, srv, "PATCH", webhookPath(i, "/messages/@original"), map[string]any{"content": "x"}); a.Status != 401 || a.code() != 50027 {
			t.Errorf("an edit after fifteen minutes: %d %v, want 401 Invalid Webhook Token", a.Status, a.Body)
		}

		gone := srv.SlashCommand("latest", nil, discordfake.Member{})
		if _, err := srv.RegisterInteraction(gone); err != nil {
			t.Fatal(err)
		}
		call(t, srv, "POST", interactionPath(gone), map[string]any{"type": 5})
		call(t, srv, "DELETE", webhookPath(gone, "/messages/@original"), nil)
		if a := call(t, srv, "POST", webhookPath(gone, ""), map[string]any{"content": "sorry", "flags": 64}); a.Status != 404 || a.code() != 10008 {
			t.Errorf("a follow-up after the deferred original was deleted: %d %v, want 404 Unknown Message", a.Status, a.Body)
		}
	})
}

// multipartEdit is an edit body with payload as payload_json and one PNG.
func multipartEdit(t *testing.T, payload map[string]any) (string, io.Reader) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteField("payload_json", string(raw)); err != nil {
		t.Fatal(err)
	}
	part, err := w.CreateFormFile("files[0]", "chart.png")
	if err != nil {
		t.Fatal(err)
	}
	part.Write([]byte("\x89PNG"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

func TestV10EditsListEveryAttachment(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{InProcess: true})
	for _, tc := range []struct {
		name    string
		payload map[string]any
		files   int
	}{
		{"unlisted", map[string]any{"content": "chart"}, 0},
		{"listed", map[string]any{"content": "chart", "attachments": []any{map[string]any{"id": "0", "filename": "chart.png"}}}, 1},
	} {
		i := srv.SlashCommand("actor", nil, discordfake.Member{})
		if _, err := srv.RegisterInteraction(i); err != nil {
			t.Fatal(err)
		}
		call(t, srv, "POST", interactionPath(i), map[string]any{"type": 5})
		ct, body := multipartEdit(t, tc.payload)
		if a := send(t, srv, "PATCH", webhookPath(i, "/messages/@original"), ct, body, ""); a.Status != 200 {
			t.Fatalf("%s: edit %d %v", tc.name, a.Status, a.Body)
		}
		if got := srv.Responses(i["id"].(string))[0].Files; len(got) != tc.files {
			t.Errorf("%s: %d files attached, want %d", tc.name, len(got), tc.files)
		}
	}
	if errs := srv.ValidationErrors(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "attachments array does not list") {
		t.Errorf("validation errors %v, want the unlisted upload", errs)
	}
}
