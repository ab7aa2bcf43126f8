package discordfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// ErrUnknownMessage is returned by DeleteMessage for a message the fake
// does not hold.
var ErrUnknownMessage = errors.New("unknown message")

// discordEpoch is the first millisecond of 2015, where snowflakes start.
const discordEpoch = 1420070400000

// snowflakes hands out increasing Discord ids derived from the clock.
type snowflakes struct{ last uint64 }

// next returns a snowflake for now, greater than every earlier one.
func (g *snowflakes) next(now time.Time) string {
	id := uint64(max(now.UnixMilli()-discordEpoch, 0)) << 22
	if id <= g.last {
		id = g.last + 1
	}
	g.last = id
	return strconv.FormatUint(id, 10)
}

// Message is the current state of a message the bot created, with edits
// applied.
type Message struct {
	ID        string
	ChannelID string
	Content   string
	Embeds    []*discordgo.MessageEmbed
	Flags     int
	// Nonce is the nonce the message was created with, as text.
	Nonce string
	// Files are every file uploaded with the message or its edits.
	Files []File
	// ThreadID is the thread started from this message, if any.
	ThreadID  string
	EditCount int
}

// Thread is a thread the bot started from a message.
type Thread struct {
	ID       string
	ParentID string // the channel of the starting message
	Name     string
}

// storedMessage is the fake's record of a message.
type storedMessage struct {
	id, channelID string
	content       string
	embeds        []any
	components    []any
	attachments   []any
	files         []File
	flags         int
	nonce         any // as sent: a string or a number
	nonceText     string
	created       time.Time
	edited        *time.Time
	editCount     int
	deleted       bool
	thread        map[string]any // the thread channel started from it
	webhookID     string         // the application, for interaction responses
}

// messageStore holds channel messages and threads.
type messageStore struct {
	byChannel map[string][]*storedMessage
	threads   []Thread
}

func newMessageStore() messageStore {
	return messageStore{byChannel: map[string][]*storedMessage{}}
}

// live returns the undeleted message id of channel, or nil.
func (st *messageStore) live(channel, id string) *storedMessage {
	for _, m := range st.byChannel[channel] {
		if m.id == id && !m.deleted {
			return m
		}
	}
	return nil
}

// byNonce returns the live message of channel created with nonce after
// since, or nil.
func (st *messageStore) byNonce(channel, nonce string, since time.Time) *storedMessage {
	for _, m := range st.byChannel[channel] {
		if m.nonceText == nonce && !m.deleted && m.created.After(since) {
			return m
		}
	}
	return nil
}

// Messages returns the live messages of a channel (or thread), oldest
// first, edits applied. Interaction responses are not included; see
// Responses.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.store.byChannel[channelID] {
		if !m.deleted {
			out = append(out, m.export())
		}
	}
	return out
}

// Threads returns the threads started from messages of channelID.
func (s *Server) Threads(channelID string) []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Thread
	for _, th := range s.store.threads {
		if th.ParentID == channelID {
			out = append(out, th)
		}
	}
	return out
}

// DeleteMessage deletes a message as a moderator would; later edits or
// fetches of it get 404 Unknown Message (10008).
func (s *Server) DeleteMessage(channelID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.store.live(channelID, id)
	if m == nil {
		return fmt.Errorf("delete message %s in %s: %w", id, channelID, ErrUnknownMessage)
	}
	m.deleted = true
	s.notifyLocked()
	return nil
}

// export converts the stored message to the exported view.
func (m *storedMessage) export() Message {
	out := Message{
		ID: m.id, ChannelID: m.channelID, Content: m.content, Flags: m.flags,
		Nonce: m.nonceText, Files: slices.Clone(m.files), EditCount: m.editCount,
	}
	if m.thread != nil {
		out.ThreadID, _ = m.thread["id"].(string)
	}
	if raw, err := json.Marshal(m.embeds); err == nil {
		_ = json.Unmarshal(raw, &out.Embeds)
	}
	return out
}

// newMessage creates a message in channel from a create body; s.mu held.
func (s *Server) newMessageLocked(channel string, body map[string]any, files []File, raw []byte) *storedMessage {
	now := s.opts.Now()
	m := &storedMessage{id: s.ids.next(now), channelID: channel, created: now}
	m.nonce, m.nonceText = nonceOf(raw)
	m.apply(body)
	s.attachLocked(m, files)
	return m
}

// PostAs adds a message to a channel as if the bot had posted it at at
// (before the test began, say), with the given nonce and embeds, and
// returns it.
func (s *Server) PostAs(channelID string, at time.Time, nonce string, embeds ...*discordgo.MessageEmbed) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []any
	if raw, err := json.Marshal(embeds); err == nil {
		_ = json.Unmarshal(raw, &list)
	}
	m := &storedMessage{id: s.ids.next(at), channelID: channelID, created: at, nonce: nonce, nonceText: nonce}
	m.embeds = withRichType(list)
	s.store.byChannel[channelID] = append(s.store.byChannel[channelID], m)
	s.notifyLocked()
	return m.export()
}

// apply sets the fields present in a create or edit body.
func (m *storedMessage) apply(body map[string]any) {
	if v, ok := body["content"]; ok {
		m.content, _ = v.(string)
	}
	if v, ok := body["embeds"]; ok {
		m.embeds = withRichType(v)
	}
	if v, ok := body["components"]; ok {
		m.components, _ = v.([]any)
	}
	if v, ok := body["flags"].(float64); ok {
		m.flags = int(v)
	}
	if v, ok := body["attachments"]; ok {
		m.keepAttachments(v)
	}
}

// keepAttachments drops the attachments whose ids an edit did not list.
func (m *storedMessage) keepAttachments(v any) {
	keep := map[string]bool{}
	list, _ := v.([]any)
	for _, a := range list {
		if id, ok := cloneObject(a)["id"].(string); ok {
			keep[id] = true
		}
	}
	var kept []any
	var files []File
	for i, a := range m.attachments {
		if id, _ := cloneObject(a)["id"].(string); keep[id] {
			kept = append(kept, a)
			files = append(files, m.files[i])
		}
	}
	m.attachments, m.files = kept, files
}

// attachLocked adds uploaded files as attachments; s.mu held.
func (s *Server) attachLocked(m *storedMessage, files []File) {
	for _, f := range files {
		id := s.ids.next(s.opts.Now())
		url := "https://cdn.discordapp.com/attachments/" + m.channelID + "/" + id + "/" + f.Name
		m.attachments = append(m.attachments, map[string]any{
			"id": id, "filename": f.Name, "size": len(f.Data), "url": url,
			"proxy_url":    "https://media.discordapp.net/attachments/" + m.channelID + "/" + id + "/" + f.Name,
			"content_type": f.ContentType,
		})
		m.files = append(m.files, f)
	}
}

// withRichType copies embeds, defaulting each type to "rich" as Discord does.
func withRichType(v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, e := range list {
		emb := cloneObject(e)
		if _, ok := emb["type"]; !ok {
			emb["type"] = "rich"
		}
		out = append(out, emb)
	}
	return out
}

// nonceOf returns a body's nonce as sent and as text ("" if none).
func nonceOf(raw []byte) (any, string) {
	var b struct {
		Nonce json.RawMessage `json:"nonce"`
	}
	if json.Unmarshal(raw, &b) != nil || len(b.Nonce) == 0 || string(b.Nonce) == "null" {
		return nil, ""
	}
	var text string
	if json.Unmarshal(b.Nonce, &text) == nil {
		return text, text
	}
	return json.Number(b.Nonce), string(b.Nonce)
}

// editLocked applies an edit body and uploaded files; s.mu held. Under API
// v10 an edit lists in "attachments" every attachment the message keeps,
// new uploads included (files[n] as id "n"): a file it does not list is not
// attached, and recorded as ErrUnlistedAttachment.
func (s *Server) editLocked(m *storedMessage, body map[string]any, files []File, v10 bool) {
	m.apply(body)
	if v10 && len(files) > 0 {
		listed := map[string]bool{}
		list, _ := body["attachments"].([]any)
		for _, a := range list {
			if id, ok := cloneObject(a)["id"].(string); ok {
				listed[id] = true
			}
		}
		var kept []File
		for i, f := range files {
			if listed[strconv.Itoa(i)] {
				kept = append(kept, f)
			} else {
				s.verrs = append(s.verrs, fmt.Errorf("edit of message %s: %s: %w", m.id, f.Name, ErrUnlistedAttachment))
			}
		}
		files = kept
	}
	s.attachLocked(m, files)
	now := s.opts.Now()
	m.edited = &now
	m.editCount++
}

// listedObject renders a message as GET /channels/{id}/messages lists it:
// without the nonce, which Discord only echoes to the create.
func (s *Server) listedObject(m *storedMessage) map[string]any {
	obj := s.messageObject(m)
	delete(obj, "nonce")
	return obj
}

// messageObject renders a message as Discord's message object.
func (s *Server) messageObject(m *storedMessage) map[string]any {
	obj := map[string]any{
		"id": m.id, "type": 0, "channel_id": m.channelID, "content": m.content,
		"author": s.botUser(), "embeds": orEmpty(m.embeds), "components": orEmpty(m.components),
		"attachments": orEmpty(m.attachments), "mentions": []any{}, "mention_roles": []any{},
		"mention_everyone": false, "pinned": false, "tts": false, "flags": m.flags,
		"timestamp": timestamp(m.created), "edited_timestamp": nil,
	}
	if m.edited != nil {
		obj["edited_timestamp"] = timestamp(*m.edited)
	}
	if m.nonce != nil {
		obj["nonce"] = m.nonce
	}
	if m.thread != nil {
		obj["thread"] = m.thread
	}
	if m.webhookID != "" {
		obj["webhook_id"] = m.webhookID
		obj["application_id"] = m.webhookID
	}
	return obj
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// timestamp formats t as Discord does: 2025-11-20T14:05:00.123000+00:00.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000-07:00")
}

// handleCreateMessage creates a message in a channel the bot may post in;
// with enforce_nonce, a repeat of a nonce used in the same channel within
// NonceWindow returns the first message and creates nothing. Without Embed
// Links the embeds are dropped, as Discord does.
func (s *Server) handleCreateMessage(c *call) reply {
	channel := c.params["channel_id"]
	body := cloneObject(c.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, rep := s.channelLocked(channel)
	if rep != nil {
		return *rep
	}
	if !canHoldMessages(ch.Type) {
		return discordError(http.StatusBadRequest, 50008, "Cannot send messages in a non-text channel")
	}
	need := PermSendMessages
	if isThread(ch.Type) {
		need = PermSendMessagesInThreads
	}
	if len(c.files) > 0 {
		need |= PermAttachFiles
	}
	_, perms, rep := s.accessLocked(channel, need)
	if rep != nil {
		return *rep
	}
	if enforce, _ := body["enforce_nonce"].(bool); enforce {
		if _, nonce := nonceOf(c.raw); nonce != "" {
			if m := s.store.byNonce(channel, nonce, s.opts.Now().Add(-s.opts.NonceWindow)); m != nil {
				return jsonReply(http.StatusOK, s.messageObject(m))
			}
		}
	}
	if perms&PermEmbedLinks == 0 {
		delete(body, "embeds")
		if isEmpty(body, len(c.files)) {
			return discordError(http.StatusBadRequest, 50006, "Cannot send an empty message")
		}
	}
	m := s.newMessageLocked(channel, body, c.files, c.raw)
	s.store.byChannel[channel] = append(s.store.byChannel[channel], m)
	s.notifyLocked()
	return jsonReply(http.StatusOK, s.messageObject(m))
}

// handleGetMessage returns a live message of a channel whose history the
// bot may read.
func (s *Server) handleGetMessage(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, rep := s.accessLocked(c.params["channel_id"], 0); rep != nil {
		return *rep
	}
	if _, _, rep := s.accessLocked(c.params["channel_id"], PermReadMessageHistory); rep != nil {
		return discordError(http.StatusForbidden, 50001, "Missing Access")
	}
	m := s.store.live(c.params["channel_id"], c.params["message_id"])
	if m == nil {
		return unknownMessage()
	}
	return jsonReply(http.StatusOK, s.messageObject(m))
}

// handleGetMessages lists a channel's live messages, newest first: limit
// (1 to 100, default 50) of those before, after or around a message id.
// Without Read Message History the list is empty, as Discord's is.
func (s *Server) handleGetMessages(c *call) reply {
	q := c.r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return jsonReply(http.StatusBadRequest, invalidForm([]fieldError{{
				path: []string{"limit"}, code: "NUMBER_TYPE_MAX", message: "int value should be between 1 and 100.",
			}}))
		}
		limit = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	channel := c.params["channel_id"]
	_, perms, rep := s.accessLocked(channel, 0)
	if rep != nil {
		return *rep
	}
	out := []any{}
	if perms&PermReadMessageHistory == 0 {
		return jsonReply(http.StatusOK, out)
	}
	var live []*storedMessage
	for _, m := range s.store.byChannel[channel] {
		if !m.deleted {
			live = append(live, m)
		}
	}
	for _, m := range pageOf(live, q, limit) {
		out = append(out, s.listedObject(m))
	}
	return jsonReply(http.StatusOK, out)
}

// pageOf picks up to limit of msgs (oldest first) by the before, after or
// around query parameters and returns them newest first.
func pageOf(msgs []*storedMessage, q url.Values, limit int) []*storedMessage {
	id := func(m *storedMessage) uint64 { n, _ := strconv.ParseUint(m.id, 10, 64); return n }
	param := func(k string) (uint64, bool) {
		n, err := strconv.ParseUint(q.Get(k), 10, 64)
		return n, err == nil
	}
	var page []*storedMessage
	switch {
	case q.Has("after"):
		after, _ := param("after")
		for _, m := range msgs {
			if id(m) > after && len(page) < limit {
				page = append(page, m)
			}
		}
	case q.Has("around"):
		around, _ := param("around")
		i := slices.IndexFunc(msgs, func(m *storedMessage) bool { return id(m) >= around })
		if i < 0 {
			i = len(msgs)
		}
		from := max(0, i-limit/2)
		page = msgs[from:min(len(msgs), from+limit)]
	default:
		before, ok := param("before")
		var older []*storedMessage
		for _, m := range msgs {
			if !ok || id(m) < before {
				older = append(older, m)
			}
		}
		page = older[max(0, len(older)-limit):]
	}
	page = slices.Clone(page)
	slices.Reverse(page)
	return page
}

// handleEditMessage edits a live message of a channel the bot can see,
// within the limit on edits of messages older than an hour.
func (s *Server) handleEditMessage(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, rep := s.accessLocked(c.params["channel_id"], 0); rep != nil {
		return *rep
	}
	m := s.store.live(c.params["channel_id"], c.params["message_id"])
	if m == nil {
		return unknownMessage()
	}
	if rep := s.oldEditLimitedLocked(m); rep != nil {
		return *rep
	}
	s.editLocked(m, cloneObject(c.body), c.files, c.v10)
	s.notifyLocked()
	return jsonReply(http.StatusOK, s.messageObject(m))
}

// handleDeleteMessage deletes a live message.
func (s *Server) handleDeleteMessage(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.store.live(c.params["channel_id"], c.params["message_id"])
	if m == nil {
		return unknownMessage()
	}
	m.deleted = true
	s.notifyLocked()
	return reply{status: http.StatusNoContent}
}

// handleStartThread starts a public thread from a message; the thread has
// the message's id, and messages can then be posted to it as a channel.
func (s *Server) handleStartThread(c *call) reply {
	body := cloneObject(c.body)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, _, rep := s.accessLocked(c.params["channel_id"], PermCreatePublicThreads)
	if rep != nil {
		return *rep
	}
	if ch.Type != ChannelText && ch.Type != ChannelAnnouncement {
		return discordError(http.StatusBadRequest, 50024, "Cannot execute action on this channel type")
	}
	m := s.store.live(c.params["channel_id"], c.params["message_id"])
	if m == nil {
		return unknownMessage()
	}
	if m.thread != nil {
		return discordError(http.StatusBadRequest, 160004, "A thread has already been created for this message")
	}
	name, _ := body["name"].(string)
	archive := 4320
	if v, ok := body["auto_archive_duration"].(float64); ok {
		archive = int(v)
	}
	m.thread = map[string]any{
		"id": m.id, "type": 11, "guild_id": s.opts.GuildID, "parent_id": m.channelID,
		"owner_id": s.opts.BotUserID, "name": name, "last_message_id": nil,
		"rate_limit_per_user": 0, "message_count": 0, "member_count": 1, "total_message_sent": 0, "flags": 0,
		"thread_metadata": map[string]any{
			"archived": false, "locked": false, "auto_archive_duration": archive,
			"archive_timestamp": timestamp(s.opts.Now()),
		},
	}
	s.store.threads = append(s.store.threads, Thread{ID: m.id, ParentID: m.channelID, Name: name})
	kind := ChannelPublicThread
	if ch.Type == ChannelAnnouncement {
		kind = ChannelAnnouncementThread
	}
	m.thread["type"] = kind
	s.guild.channels[m.id] = &Channel{ID: m.id, Type: kind, Name: name, ParentID: m.channelID}
	s.notifyLocked()
	return jsonReply(http.StatusCreated, m.thread)
}
