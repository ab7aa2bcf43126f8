package discordfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Interaction, command and callback types and message flags, as Discord
// numbers them.
const (
	interactionCommand      = 2
	interactionAutocomplete = 4

	commandChatInput = 1
	commandMessage   = 3

	callbackMessage         = 4
	callbackDeferredMessage = 5

	flagLoading = 1 << 7
)

// DefaultAppPermissions is the bot's channel permissions sent with built
// interactions: view channel, send messages, embed links, attach files, read
// history, create public threads and send messages in threads.
const DefaultAppPermissions = "309237763072" // 1<<10 | 1<<11 | 1<<14 | 1<<15 | 1<<16 | 1<<35 | 1<<38

// Member is the guild member who invokes a built interaction.
type Member struct {
	UserID   string // default "1100000000000000010"
	Username string // default "tester"
	// Permissions is the member's permission bit set in the channel, in
	// decimal as Discord sends it: "32" is MANAGE_GUILD (1<<5). Default "0".
	Permissions string
	Roles       []string
	// AppPermissions is the bot's permission bit set in the channel, sent as
	// the interaction's app_permissions; default DefaultAppPermissions.
	AppPermissions string
}

// interaction is an interaction the fake dispatched.
type interaction struct {
	id, token, appID, channelID string
	// created is when the fake dispatched or registered it: the callback
	// must come within Options.InteractionDeadline, the webhook routes
	// answer for fifteen minutes.
	created time.Time
	acked   bool
	// deferred is set by a deferred callback until the original is edited
	// (or the first follow-up, which Discord makes that edit, is sent).
	deferred  bool
	original  *storedMessage
	followups []*storedMessage
}

// SlashCommand builds a chat-input APPLICATION_COMMAND interaction (type 2)
// for the command name with the given option values (string, int, float64
// or bool; options are sorted by name). Dispatch it with DispatchInteraction.
func (s *Server) SlashCommand(name string, opts map[string]any, m Member) map[string]any {
	data := map[string]any{"id": s.commandID(name), "name": name, "type": commandChatInput, "options": options(opts, "")}
	return s.interactionObject(interactionCommand, data, m, "")
}

// Autocomplete builds an APPLICATION_COMMAND_AUTOCOMPLETE interaction
// (type 4) in which the option named focused is being typed.
func (s *Server) Autocomplete(name string, opts map[string]any, focused string, m Member) map[string]any {
	data := map[string]any{"id": s.commandID(name), "name": name, "type": commandChatInput, "options": options(opts, focused)}
	return s.interactionObject(interactionAutocomplete, data, m, "")
}

// MessageCommand builds a MESSAGE context-menu command (type 2, data.type 3)
// run on target, in target's channel (Options.ChannelID if it has none);
// target is also sent in data.resolved.messages.
func (s *Server) MessageCommand(name string, target Message, m Member) map[string]any {
	data := map[string]any{
		"id": s.commandID(name), "name": name, "type": commandMessage, "target_id": target.ID,
		"resolved": map[string]any{"messages": map[string]any{target.ID: s.targetObject(target)}},
	}
	return s.interactionObject(interactionCommand, data, m, target.ChannelID)
}

// targetObject renders a context-menu target: the stored message if the
// fake holds it, else target's fields with a non-bot author.
func (s *Server) targetObject(target Message) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.store.live(target.ChannelID, target.ID); m != nil {
		return s.messageObject(m)
	}
	m := &storedMessage{id: target.ID, channelID: target.ChannelID, content: target.Content, created: s.opts.Now()}
	obj := s.messageObject(m)
	obj["author"] = map[string]any{"id": "1100000000000000011", "username": "author", "discriminator": "0", "global_name": "Author", "avatar": nil}
	if raw, err := json.Marshal(target.Embeds); err == nil {
		var embeds []any
		_ = json.Unmarshal(raw, &embeds)
		obj["embeds"] = orEmpty(embeds)
	}
	return obj
}

// commandID returns the id the command name was registered with, or a new
// snowflake.
func (s *Server) commandID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cmds := range s.commands {
		for _, c := range cmds {
			if obj, _ := c.(map[string]any); obj["name"] == name {
				id, _ := obj["id"].(string)
				return id
			}
		}
	}
	return s.ids.next(s.opts.Now())
}

// options renders option values as command options; focused marks one.
func options(opts map[string]any, focused string) []any {
	names := make([]string, 0, len(opts))
	for n := range opts {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, 0, len(names))
	for _, n := range names {
		o := map[string]any{"name": n, "type": optionType(opts[n]), "value": opts[n]}
		if n == focused {
			o["focused"] = true
		}
		out = append(out, o)
	}
	return out
}

// optionType is the application command option type of a Go value.
func optionType(v any) int {
	switch v.(type) {
	case int, int64:
		return 4 // INTEGER
	case bool:
		return 5 // BOOLEAN
	case float64:
		return 10 // NUMBER
	}
	return 3 // STRING
}

// interactionObject builds an interaction with a fresh id and token, invoked
// by m in channel (default Options.ChannelID) of Options.GuildID.
func (s *Server) interactionObject(kind int, data map[string]any, m Member, channel string) map[string]any {
	s.mu.Lock()
	id := s.ids.next(s.opts.Now())
	s.mu.Unlock()
	if m.UserID == "" {
		m.UserID = "1100000000000000010"
	}
	if m.Username == "" {
		m.Username = "tester"
	}
	if m.Permissions == "" {
		m.Permissions = "0"
	}
	if m.AppPermissions == "" {
		m.AppPermissions = DefaultAppPermissions
	}
	if channel == "" {
		channel = s.opts.ChannelID
	}
	guild := s.opts.GuildID
	return map[string]any{
		"id": id, "application_id": s.opts.ApplicationID, "type": kind, "data": data,
		"guild_id": guild, "channel_id": channel, "token": "interaction-token-" + id, "version": 1,
		"channel":         map[string]any{"id": channel, "type": 0, "guild_id": guild, "name": "general"},
		"member":          memberObject(m),
		"app_permissions": m.AppPermissions, "locale": "en-US", "guild_locale": "en-US",
		"entitlements": []any{}, "authorizing_integration_owners": map[string]any{"0": guild}, "context": 0,
	}
}

func memberObject(m Member) map[string]any {
	roles := make([]any, 0, len(m.Roles))
	for _, r := range m.Roles {
		roles = append(roles, r)
	}
	return map[string]any{
		"user": map[string]any{
			"id": m.UserID, "username": m.Username, "discriminator": "0", "global_name": m.Username, "avatar": nil,
		},
		"roles": roles, "permissions": m.Permissions, "joined_at": "2024-01-01T00:00:00.000000+00:00",
		"nick": nil, "avatar": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
		"premium_since": nil, "communication_disabled_until": nil,
	}
}

// DispatchInteraction sends an interaction (a built map, a
// discordgo.Interaction, or anything marshalling to one) as an
// INTERACTION_CREATE event to every identified connection, and registers it
// so its callback and follow-up routes answer. It returns ErrNotConnected if
// no connection is identified.
func (s *Server) DispatchInteraction(i any) error {
	raw, err := s.register(i)
	if err != nil {
		return fmt.Errorf("dispatch interaction: %w", err)
	}
	return s.Dispatch("INTERACTION_CREATE", json.RawMessage(raw))
}

// RegisterInteraction registers an interaction as DispatchInteraction does
// (its deadline starts now) without sending it over the gateway, and
// returns it decoded, for a test that hands it to the bot's handler
// itself.
func (s *Server) RegisterInteraction(i any) (*discordgo.InteractionCreate, error) {
	raw, err := s.register(i)
	if err != nil {
		return nil, fmt.Errorf("register interaction: %w", err)
	}
	ic := &discordgo.InteractionCreate{}
	if err := json.Unmarshal(raw, ic); err != nil {
		return nil, fmt.Errorf("register interaction: %w", err)
	}
	return ic, nil
}

// register keeps an interaction so its callback and webhook routes answer,
// and returns it as JSON.
func (s *Server) register(i any) ([]byte, error) {
	raw, err := json.Marshal(i)
	if err != nil {
		return nil, err
	}
	var head struct {
		ID        string `json:"id"`
		Token     string `json:"token"`
		AppID     string `json:"application_id"`
		ChannelID string `json:"channel_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inter[head.Token] == nil {
		s.inter[head.Token] = &interaction{id: head.ID, token: head.Token, appID: head.AppID,
			channelID: head.ChannelID, created: s.opts.Now()}
	}
	return raw, nil
}

// Callbacks returns the callback requests made for an interaction.
func (s *Server) Callbacks(interactionID string) []Request {
	var out []Request
	for _, r := range s.RequestsTo(RouteCallback) {
		if r.Params["interaction_id"] == interactionID {
			out = append(out, r)
		}
	}
	return out
}

// Responses returns an interaction's live response messages: the original
// (if a message callback or a deferral created one) then the follow-ups.
func (s *Server) Responses(interactionID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, in := range s.inter {
		if in.id != interactionID {
			continue
		}
		for _, m := range append([]*storedMessage{in.original}, in.followups...) {
			if m != nil && !m.deleted {
				out = append(out, m.export())
			}
		}
	}
	return out
}

// handleCallback acknowledges an interaction once. A message callback (4)
// creates the original response; a deferral (5) creates a loading one.
func (s *Server) handleCallback(c *call) reply {
	body := cloneObject(c.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.inter[c.params["interaction_token"]]
	if in == nil || in.id != c.params["interaction_id"] {
		return discordError(http.StatusNotFound, 10062, "Unknown interaction")
	}
	if in.acked {
		return discordError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	}
	if s.opts.Now().Sub(in.created) > s.opts.InteractionDeadline {
		return discordError(http.StatusNotFound, 10062, "Unknown interaction")
	}
	in.acked = true
	data := cloneObject(body["data"])
	switch callbackType(body) {
	case callbackMessage:
		in.original = s.newMessageLocked(in.channelID, data, c.files, nil)
	case callbackDeferredMessage:
		in.original = s.newMessageLocked(in.channelID, map[string]any{}, nil, nil)
		in.original.flags = flagLoading | intOf(data["flags"])
		in.deferred = true
	}
	if in.original != nil {
		in.original.webhookID = in.appID
	}
	s.notifyLocked()
	return reply{status: http.StatusNoContent}
}

func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// webhookInteraction finds the acknowledged interaction behind an
// interaction webhook route; Discord knows no webhook before the callback.
func (s *Server) webhookInteraction(c *call) (*interaction, *reply) {
	in := s.inter[c.params["interaction_token"]]
	if in == nil || in.appID != c.params["application_id"] || !in.acked {
		r := discordError(http.StatusNotFound, 10015, "Unknown Webhook")
		return nil, &r
	}
	if s.opts.Now().Sub(in.created) > interactionTokenLife {
		r := discordError(http.StatusUnauthorized, 50027, "Invalid Webhook Token")
		return nil, &r
	}
	return in, nil
}

// message finds the live message an interaction webhook route names: the
// original for @original (id ""), else a follow-up or the original by id.
func (in *interaction) message(id string) *storedMessage {
	if id == "" {
		return liveOrNil(in.original)
	}
	for _, m := range in.followups {
		if m.id == id {
			return liveOrNil(m)
		}
	}
	if in.original != nil && in.original.id == id {
		return liveOrNil(in.original)
	}
	return nil
}

func liveOrNil(m *storedMessage) *storedMessage {
	if m == nil || m.deleted {
		return nil
	}
	return m
}

// handleFollowup creates a follow-up message; Discord always waits. The
// first follow-up after a deferral is not a new message: Discord makes it
// the edit of the deferred original, whose visibility the deferral fixed
// (the follow-up's ephemeral flag is ignored), and answers Unknown Message
// when that original was deleted.
func (s *Server) handleFollowup(c *call) reply {
	body := cloneObject(c.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	in, rep := s.webhookInteraction(c)
	if rep != nil {
		return *rep
	}
	if in.deferred {
		in.deferred = false
		m := liveOrNil(in.original)
		if m == nil {
			return unknownMessage()
		}
		delete(body, "flags")
		m.flags &^= flagLoading
		s.editLocked(m, body, c.files, false)
		s.notifyLocked()
		return jsonReply(http.StatusOK, s.messageObject(m))
	}
	m := s.newMessageLocked(in.channelID, body, c.files, c.raw)
	m.webhookID = in.appID
	in.followups = append(in.followups, m)
	s.notifyLocked()
	return jsonReply(http.StatusOK, s.messageObject(m))
}

// webhookMessage finds the original response or follow-up a webhook
// message route names, or the error reply to send.
func (s *Server) webhookMessage(c *call) (*interaction, *storedMessage, *reply) {
	in, rep := s.webhookInteraction(c)
	if rep != nil {
		return nil, nil, rep
	}
	m := in.message(c.params["message_id"])
	if m == nil {
		r := unknownMessage()
		return nil, nil, &r
	}
	return in, m, nil
}

// handleGetWebhookMessage returns the original response or a follow-up.
func (s *Server) handleGetWebhookMessage(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, rep := s.webhookMessage(c)
	if rep != nil {
		return *rep
	}
	return jsonReply(http.StatusOK, s.messageObject(m))
}

// handleEditWebhookMessage edits the original response or a follow-up;
// editing a deferred original ends its loading state.
func (s *Server) handleEditWebhookMessage(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, m, rep := s.webhookMessage(c)
	if rep != nil {
		return *rep
	}
	if m == in.original {
		in.deferred = false
	}
	m.flags &^= flagLoading
	s.editLocked(m, cloneObject(c.body), c.files, c.v10)
	s.notifyLocked()
	return jsonReply(http.StatusOK, s.messageObject(m))
}

// handleDeleteWebhookMessage deletes the original response or a follow-up.
func (s *Server) handleDeleteWebhookMessage(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, rep := s.webhookMessage(c)
	if rep != nil {
		return *rep
	}
	m.deleted = true
	s.notifyLocked()
	return reply{status: http.StatusNoContent}
}
