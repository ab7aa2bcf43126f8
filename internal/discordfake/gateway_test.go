package discordfake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"storyline/internal/discordfake"
)

// openSession connects a discordgo session to srv's gateway and returns the
// session and the interactions it receives. It waits for READY.
func openSession(t *testing.T, srv *discordfake.Server, compress bool) (*discordgo.Session, <-chan *discordgo.InteractionCreate) {
	t.Helper()
	s := newSession(t, srv)
	s.Compress = compress
	s.Identify.Compress = compress
	ready := make(chan *discordgo.Ready, 1)
	s.AddHandlerOnce(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	got := make(chan *discordgo.InteractionCreate, 8)
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	select {
	case r := <-ready:
		if r.User == nil || r.User.ID != discordfake.DefaultApplicationID || !r.User.Bot || r.SessionID == "" ||
			r.Application == nil || r.Application.ID != discordfake.DefaultApplicationID || r.Version != 9 {
			t.Errorf("READY %+v", r)
		}
	case <-testContext(t).Done():
		t.Fatal("no READY")
	}
	return s, got
}

// receive waits for the next interaction.
func receive(t *testing.T, got <-chan *discordgo.InteractionCreate) *discordgo.InteractionCreate {
	t.Helper()
	select {
	case i := <-got:
		return i
	case <-testContext(t).Done():
		t.Fatal("no INTERACTION_CREATE")
		return nil
	}
}

func TestGatewayReadyAndInteraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		compress bool
	}{{"plain text", false}, {"zlib payloads", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := discordfake.New(t, discordfake.Options{})
			_, got := openSession(t, srv, tc.compress)
			if srv.Connected() != 1 {
				t.Errorf("Connected = %d", srv.Connected())
			}
			i := srv.SlashCommand("actor", map[string]any{"name": "Witkoff", "days": 30}, discordfake.Member{Permissions: "32"})
			if err := srv.DispatchInteraction(i); err != nil {
				t.Fatal(err)
			}
			in := receive(t, got)
			data := in.ApplicationCommandData()
			if in.ID != i["id"] || in.Token == "" || data.Name != "actor" || data.GetOption("name").StringValue() != "Witkoff" ||
				data.GetOption("days").IntValue() != 30 {
				t.Errorf("interaction %+v data %+v", in.Interaction, data)
			}
			if in.Member == nil || in.Member.Permissions&discordgo.PermissionManageGuild == 0 || in.AppPermissions&discordgo.PermissionSendMessages == 0 {
				t.Errorf("member %+v app permissions %d", in.Member, in.AppPermissions)
			}
			if in.GuildID != discordfake.DefaultGuildID || in.ChannelID != discordfake.DefaultChannelID {
				t.Errorf("guild %s channel %s", in.GuildID, in.ChannelID)
			}
		})
	}
}

func TestGatewayRejectsBadToken(t *testing.T) {
	t.Parallel()
	srv := discordfake.New(t, discordfake.Options{Token: "right"})
	s := newSession(t, srv)
	s.Token = "Bot wrong"
	s.Identify.Token = "Bot wrong"
	err := s.Open()
	if err == nil {
		_ = s.Close()
		t.Fatal("Open succeeded with a wrong token")
	}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4004 {
		t.Errorf("Open error %v (%T), want close 4004", err, err)
	}
	if srv.Connected() != 0 {
		t.Errorf("Connected = %d", srv.Connected())
	}
}

func TestDispatchWithoutConnection(t *testing.T) {
	srv := discordfake.New(t, discordfake.Options{})
	err := srv.DispatchInteraction(srv.SlashCommand("status", nil, discordfake.Member{}))
	if !errors.Is(err, discordfake.ErrNotConnected) {
		t.Errorf("error %v, want ErrNotConnected", err)
	}
}

func TestReconnectResumes(t *testing.T) {
	t.Parallel()
	srv := discordfake.New(t, discordfake.Options{})
	s, got := openSession(t, srv, true)
	ctx := testContext(t)
	srv.DropConnections()
	if srv.Connected() != 0 {
		t.Fatalf("Connected = %d after drop", srv.Connected())
	}
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	resumed := false
	for _, f := range srv.Frames() {
		resumed = resumed || f.Op == 6
	}
	if !resumed {
		t.Errorf("no RESUME among frames %+v", srv.Frames())
	}
	i := srv.SlashCommand("status", nil, discordfake.Member{})
	if err := srv.DispatchInteraction(i); err != nil {
		t.Fatal(err)
	}
	if in := receive(t, got); in.ID != i["id"] {
		t.Errorf("after resume got %s, want %s", in.ID, i["id"])
	}
	if s.State.User == nil || s.State.User.ID != discordfake.DefaultApplicationID {
		t.Errorf("state user %+v", s.State.User)
	}
}

func TestInteractionResponses(t *testing.T) {
	t.Parallel()
	srv := discordfake.New(t, discordfake.Options{})
	s, got := openSession(t, srv, false)
	i := srv.SlashCommand("actor", map[string]any{"name": "Driscoll"}, discordfake.Member{})
	if err := srv.DispatchInteraction(i); err != nil {
		t.Fatal(err)
	}
	in := receive(t, got).Interaction
	id := in.ID

	_, err := s.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "too early"})
	restError(t, err, http.StatusNotFound, 10015)

	chart := []byte("\x89PNG chart")
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Embeds:          []*discordgo.MessageEmbed{{Title: "Dan Driscoll"}},
			AllowedMentions: noMentions(),
			Files:           []*discordgo.File{{Name: "chart.png", ContentType: "image/png", Reader: bytes.NewReader(chart)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cbs := srv.Callbacks(id)
	if len(cbs) != 1 || len(cbs[0].Files) != 1 || !bytes.Equal(cbs[0].Files[0].Data, chart) {
		t.Fatalf("callbacks %+v", cbs)
	}
	if am, ok := cbs[0].AllowedMentions(); !ok || am["parse"] == nil {
		t.Errorf("callback allowed_mentions %v, %v", am, ok)
	}
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "twice"}})
	restError(t, err, http.StatusBadRequest, 40060)

	orig, err := s.InteractionResponse(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(orig.Embeds) != 1 || orig.Embeds[0].Title != "Dan Driscoll" || len(orig.Attachments) != 1 {
		t.Errorf("original %+v", orig)
	}
	if _, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: new("edited")}); err != nil {
		t.Fatal(err)
	}
	follow, err := s.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "more", AllowedMentions: noMentions()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FollowupMessageEdit(in, follow.ID, &discordgo.WebhookEdit{Content: new("more, edited")}); err != nil {
		t.Fatal(err)
	}
	resp := srv.Responses(id)
	if len(resp) != 2 || resp[0].Content != "edited" || resp[0].EditCount != 1 || resp[1].Content != "more, edited" {
		t.Errorf("Responses = %+v", resp)
	}
	if err := s.FollowupMessageDelete(in, follow.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.WebhookMessage(in.AppID, in.Token, follow.ID)
	restError(t, err, http.StatusNotFound, 10008)
	if len(srv.Messages(in.ChannelID)) != 0 {
		t.Errorf("interaction responses listed as channel messages")
	}
	if errs := srv.ValidationErrors(); len(errs) != 0 {
		t.Errorf("validation errors %v", errs)
	}
}

func TestDeferredResponse(t *testing.T) {
	t.Parallel()
	srv := discordfake.New(t, discordfake.Options{})
	s, got := openSession(t, srv, false)
	if err := srv.DispatchInteraction(srv.SlashCommand("actor", map[string]any{"name": "x"}, discordfake.Member{})); err != nil {
		t.Fatal(err)
	}
	in := receive(t, got).Interaction
	err := s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}})
	if err != nil {
		t.Fatal(err)
	}
	if r := srv.Responses(in.ID); len(r) != 1 || r[0].Flags != 1<<7|1<<6 {
		t.Fatalf("deferred original %+v, want loading and ephemeral flags", r)
	}
	if _, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: new("done")}); err != nil {
		t.Fatal(err)
	}
	if r := srv.Responses(in.ID); r[0].Content != "done" || r[0].Flags != 1<<6 {
		t.Errorf("after edit %+v, want content and only the ephemeral flag", r)
	}
}

func TestCallbackValidation(t *testing.T) {
	t.Parallel()
	srv := discordfake.New(t, discordfake.Options{})
	s, got := openSession(t, srv, false)
	if err := srv.DispatchInteraction(srv.Autocomplete("actor", map[string]any{"name": "wit"}, "name", discordfake.Member{})); err != nil {
		t.Fatal(err)
	}
	in := receive(t, got).Interaction
	data := in.ApplicationCommandData()
	if in.Type != discordgo.InteractionApplicationCommandAutocomplete || !data.Options[0].Focused || data.Options[0].StringValue() != "wit" {
		t.Errorf("autocomplete %+v", in)
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	for i := range 26 {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: "n" + string(rune('a'+i)), Value: "v"})
	}
	err := s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}})
	restError(t, err, http.StatusBadRequest, 50035)
	if errs := srv.ValidationErrors(); len(errs) != 1 || !errors.Is(errs[0], discordfake.ErrSchema) {
		t.Errorf("validation errors %v", errs)
	}
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices[:25]}})
	if err != nil {
		t.Errorf("25 choices refused: %v", err)
	}
}

func TestMessageCommand(t *testing.T) {
	t.Parallel()
	srv := discordfake.New(t, discordfake.Options{})
	s, got := openSession(t, srv, false)
	posted, err := s.ChannelMessageSend(channel, "Witkoff met Dmitriev")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		target  discordfake.Message
		content string
		bot     bool
	}{
		{"message the fake holds", srv.Messages(channel)[0], posted.Content, true},
		{"someone else's message", discordfake.Message{ID: "1300000000000000001", ChannelID: channel, Content: "user text"}, "user text", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := srv.DispatchInteraction(srv.MessageCommand("Find actors", tc.target, discordfake.Member{})); err != nil {
				t.Fatal(err)
			}
			in := receive(t, got)
			data := in.ApplicationCommandData()
			msg := data.Resolved.Messages[data.TargetID]
			if in.ChannelID != channel {
				t.Errorf("invoked in %s, want the target's channel %s", in.ChannelID, channel)
			}
			if data.CommandType != discordgo.MessageApplicationCommand || data.TargetID != tc.target.ID || msg == nil ||
				msg.Content != tc.content || msg.Author == nil || msg.Author.Bot != tc.bot {
				t.Errorf("data %+v, resolved %+v", data, msg)
			}
		})
	}
}

// gatewayFrame is a payload read by the raw protocol test.
type gatewayFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int            `json:"s"`
	T  *string         `json:"t"`
}

func TestGatewayProtocol(t *testing.T) {
	identify := `{"op":2,"d":{"token":"Bot test-token","compress":false,"properties":{},"intents":0}}`
	tests := []struct {
		name      string
		send      []string
		wantOps   []int // ops of the frames answered after HELLO
		wantClose int   // close code expected after them; 0 for none
	}{
		{"heartbeat is acknowledged", []string{`{"op":1,"d":null}`}, []int{11}, 0},
		{"identify gets READY", []string{identify}, []int{0}, 0},
		{"resume of an unknown session is invalid", []string{`{"op":6,"d":{"token":"test-token","session_id":"nope","seq":3}}`}, []int{9}, 0},
		{"identify twice", []string{identify, identify}, []int{0}, 4005},
		{"wrong token", []string{`{"op":2,"d":{"token":"Bot nope"}}`}, nil, 4004},
		{"unknown opcode", []string{`{"op":42,"d":null}`}, nil, 4001},
		{"undecodable payload", []string{`{"op":`}, nil, 4002},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := discordfake.New(t, discordfake.Options{HeartbeatInterval: 5 * time.Second})
			ws, _, err := websocket.DefaultDialer.DialContext(testContext(t), srv.GatewayURL()+"?v=10&encoding=json", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			var hello gatewayFrame
			if err := ws.ReadJSON(&hello); err != nil {
				t.Fatal(err)
			}
			if hello.Op != 10 || string(hello.D) != `{"heartbeat_interval":5000}` {
				t.Errorf("HELLO %+v %s", hello, hello.D)
			}
			for _, m := range tc.send {
				if err := ws.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
					t.Fatal(err)
				}
			}
			for _, op := range tc.wantOps {
				var f gatewayFrame
				if err := ws.ReadJSON(&f); err != nil {
					t.Fatalf("reading op %d: %v", op, err)
				}
				if f.Op != op {
					t.Errorf("op %d (%s), want %d", f.Op, f.D, op)
				}
				if op == 0 && (f.S == nil || *f.S != 1 || f.T == nil || *f.T != "READY") {
					t.Errorf("READY frame %+v", f)
				}
			}
			if tc.wantClose == 0 {
				return
			}
			_, _, err = ws.ReadMessage()
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != tc.wantClose {
				t.Errorf("read error %v, want close %d", err, tc.wantClose)
			}
		})
	}
}
