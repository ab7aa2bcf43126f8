package discordfake

import (
	"net/http"
	"slices"
	"strconv"
)

// Channel types, as Discord numbers them.
const (
	ChannelText               = 0
	ChannelVoice              = 2
	ChannelCategory           = 4
	ChannelAnnouncement       = 5
	ChannelAnnouncementThread = 10
	ChannelPublicThread       = 11
	ChannelPrivateThread      = 12
	ChannelForum              = 15
)

// Permission bits the fake checks, as Discord numbers them.
const (
	PermAdministrator         uint64 = 1 << 3
	PermViewChannel           uint64 = 1 << 10
	PermSendMessages          uint64 = 1 << 11
	PermManageMessages        uint64 = 1 << 13
	PermEmbedLinks            uint64 = 1 << 14
	PermAttachFiles           uint64 = 1 << 15
	PermReadMessageHistory    uint64 = 1 << 16
	PermCreatePublicThreads   uint64 = 1 << 35
	PermSendMessagesInThreads uint64 = 1 << 38
)

// DefaultEveryonePermissions is what the guild's @everyone role allows
// unless SetRoles says otherwise: every permission the bot may need in a
// channel (view, send, embed links, attach files, read history, create
// public threads, send in threads), so a test only takes away.
const DefaultEveryonePermissions = PermViewChannel | PermSendMessages | PermEmbedLinks | PermAttachFiles |
	PermReadMessageHistory | PermCreatePublicThreads | PermSendMessagesInThreads

// Overwrite types.
const (
	OverwriteRole   = 0
	OverwriteMember = 1
)

// Overwrite is a channel's permission overwrite for a role (the guild's
// id for @everyone) or a member.
type Overwrite struct {
	ID          string
	Type        int
	Allow, Deny uint64
}

// Channel is a channel of the fake's guild.
type Channel struct {
	ID   string
	Type int
	Name string
	// ParentID is a thread's channel (whose overwrites it follows), or a
	// channel's category.
	ParentID   string
	Overwrites []Overwrite
}

// Role is a role of the fake's guild; the role whose id is the guild's is
// @everyone.
type Role struct {
	ID, Name    string
	Permissions uint64
}

// guildState is the one guild the bot is in: its roles, the bot's roles
// and the channels known. s.mu guards it.
type guildState struct {
	roles    []Role
	botRoles []string
	channels map[string]*Channel
	deleted  map[string]bool
	strict   bool
}

// newGuildState is a guild whose @everyone allows
// DefaultEveryonePermissions, with opts.ChannelID as a text channel.
func newGuildState(opts Options) guildState {
	g := guildState{
		roles:    []Role{{ID: opts.GuildID, Name: "@everyone", Permissions: DefaultEveryonePermissions}},
		channels: map[string]*Channel{},
		deleted:  map[string]bool{},
		strict:   opts.StrictChannels,
	}
	g.channels[opts.ChannelID] = &Channel{ID: opts.ChannelID, Type: ChannelText, Name: "general"}
	return g
}

// AddChannel adds or replaces a channel of the guild.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Name == "" {
		c.Name = "channel-" + c.ID
	}
	c.Overwrites = slices.Clone(c.Overwrites)
	s.guild.channels[c.ID] = &c
	delete(s.guild.deleted, c.ID)
	s.notifyLocked()
}

// SetOverwrites replaces the permission overwrites of a channel (made a
// text channel if unknown), as a server admin editing the channel would.
func (s *Server) SetOverwrites(channelID string, overwrites ...Overwrite) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.guild.channel(channelID)
	if ch == nil {
		ch = &Channel{ID: channelID, Type: ChannelText, Name: "channel-" + channelID}
		s.guild.channels[channelID] = ch
	}
	ch.Overwrites = slices.Clone(overwrites)
	s.notifyLocked()
}

// DeleteChannel deletes a channel: every later request naming it gets 404
// Unknown Channel (10003).
func (s *Server) DeleteChannel(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.guild.channels, channelID)
	s.guild.deleted[channelID] = true
	s.notifyLocked()
}

// SetRoles replaces the guild's roles; include one with the guild's id for
// @everyone.
func (s *Server) SetRoles(roles ...Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.roles = slices.Clone(roles)
	s.notifyLocked()
}

// SetBotRoles gives the bot's member exactly the roles ids.
func (s *Server) SetBotRoles(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guild.botRoles = slices.Clone(ids)
	s.notifyLocked()
}

// BotPermissions returns the bot's permissions in a channel as the fake
// computes them; 0 for an unknown channel.
func (s *Server) BotPermissions(channelID string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.guild.channel(channelID)
	if ch == nil {
		return 0
	}
	return s.permsLocked(ch)
}

// channel returns a known channel, or nil.
func (g *guildState) channel(id string) *Channel {
	return g.channels[id]
}

// channelLocked returns the channel id, made a text channel on first use
// unless the fake is strict or it was deleted; otherwise the 404 to send.
// s.mu held.
func (s *Server) channelLocked(id string) (*Channel, *reply) {
	if ch := s.guild.channel(id); ch != nil {
		return ch, nil
	}
	if s.guild.strict || s.guild.deleted[id] {
		r := discordError(http.StatusNotFound, 10003, "Unknown Channel")
		return nil, &r
	}
	ch := &Channel{ID: id, Type: ChannelText, Name: "channel-" + id}
	s.guild.channels[id] = ch
	return ch, nil
}

// isThread reports whether a channel type is a thread.
func isThread(kind int) bool {
	return kind == ChannelAnnouncementThread || kind == ChannelPublicThread || kind == ChannelPrivateThread
}

// permsLocked computes the bot's permissions in ch as Discord does: the
// permissions of @everyone and the bot's roles (all of them with
// Administrator), then the channel's overwrites for @everyone, for the
// bot's roles and for the bot, a thread following its parent's. Without
// View Channel nothing else counts. s.mu held.
func (s *Server) permsLocked(ch *Channel) uint64 {
	var base uint64
	for _, r := range s.guild.roles {
		if r.ID == s.opts.GuildID || slices.Contains(s.guild.botRoles, r.ID) {
			base |= r.Permissions
		}
	}
	if base&PermAdministrator != 0 {
		return ^uint64(0)
	}
	overwrites := ch.Overwrites
	if isThread(ch.Type) {
		if parent := s.guild.channel(ch.ParentID); parent != nil {
			overwrites = parent.Overwrites
		}
	}
	perms := base
	var allow, deny uint64
	for _, o := range overwrites {
		switch {
		case o.Type == OverwriteRole && o.ID == s.opts.GuildID:
			perms = perms&^o.Deny | o.Allow
		case o.Type == OverwriteRole && slices.Contains(s.guild.botRoles, o.ID):
			allow |= o.Allow
			deny |= o.Deny
		}
	}
	perms = perms&^deny | allow
	for _, o := range overwrites {
		if o.Type == OverwriteMember && o.ID == s.opts.BotUserID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	if perms&PermViewChannel == 0 {
		return 0
	}
	return perms
}

// accessLocked checks that the bot can see channel id and has need there,
// returning the channel and its permissions or the answer Discord gives:
// 404 Unknown Channel, 403 Missing Access (50001) without View Channel,
// 403 Missing Permissions (50013) without need. s.mu held.
func (s *Server) accessLocked(id string, need uint64) (*Channel, uint64, *reply) {
	ch, rep := s.channelLocked(id)
	if rep != nil {
		return nil, 0, rep
	}
	perms := s.permsLocked(ch)
	if perms&PermViewChannel == 0 {
		r := discordError(http.StatusForbidden, 50001, "Missing Access")
		return nil, 0, &r
	}
	if perms&need != need {
		r := discordError(http.StatusForbidden, 50013, "Missing Permissions")
		return nil, 0, &r
	}
	return ch, perms, nil
}

// canHoldMessages reports whether messages can be posted straight into a
// channel of type kind (not a forum, a category or a voice channel).
func canHoldMessages(kind int) bool {
	return kind == ChannelText || kind == ChannelAnnouncement || isThread(kind)
}

// channelObject renders ch as Discord's channel object.
func (s *Server) channelObject(ch *Channel) map[string]any {
	overwrites := make([]any, 0, len(ch.Overwrites))
	for _, o := range ch.Overwrites {
		overwrites = append(overwrites, map[string]any{
			"id": o.ID, "type": o.Type,
			"allow": strconv.FormatUint(o.Allow, 10), "deny": strconv.FormatUint(o.Deny, 10),
		})
	}
	obj := map[string]any{
		"id": ch.ID, "type": ch.Type, "guild_id": s.opts.GuildID, "name": ch.Name, "position": 0,
		"permission_overwrites": overwrites, "nsfw": false, "rate_limit_per_user": 0,
		"parent_id": nil, "last_message_id": nil, "flags": 0,
	}
	if ch.ParentID != "" {
		obj["parent_id"] = ch.ParentID
	}
	if ch.Type == ChannelText || ch.Type == ChannelAnnouncement || ch.Type == ChannelForum {
		obj["topic"] = nil
	}
	return obj
}

// handleGetChannel answers GET /channels/{channel_id}: a channel the bot
// can see.
func (s *Server) handleGetChannel(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, _, rep := s.accessLocked(c.params["channel_id"], 0)
	if rep != nil {
		return *rep
	}
	return jsonReply(http.StatusOK, s.channelObject(ch))
}

// handleGetGuild answers GET /guilds/{guild_id} with the guild and its
// roles.
func (s *Server) handleGetGuild(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.params["guild_id"] != s.opts.GuildID {
		return discordError(http.StatusNotFound, 10004, "Unknown Guild")
	}
	roles := make([]any, 0, len(s.guild.roles))
	for i, r := range s.guild.roles {
		roles = append(roles, map[string]any{
			"id": r.ID, "name": r.Name, "permissions": strconv.FormatUint(r.Permissions, 10), "position": i,
			"color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0, "icon": nil, "unicode_emoji": nil,
		})
	}
	return jsonReply(http.StatusOK, map[string]any{
		"id": s.opts.GuildID, "name": "Test guild", "owner_id": "1100000000000000099", "roles": roles,
		"features": []any{}, "emojis": []any{}, "stickers": []any{}, "icon": nil, "splash": nil,
		"discovery_splash": nil, "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
		"system_channel_id": nil, "system_channel_flags": 0, "rules_channel_id": nil,
		"vanity_url_code": nil, "description": nil, "banner": nil, "premium_tier": 0,
		"preferred_locale": "en-US", "public_updates_channel_id": nil, "nsfw_level": 0,
		"premium_progress_bar_enabled": false, "application_id": nil,
	})
}

// handleGetMember answers GET /guilds/{guild_id}/members/{user_id} for the
// bot's own member.
func (s *Server) handleGetMember(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.params["guild_id"] != s.opts.GuildID:
		return discordError(http.StatusNotFound, 10004, "Unknown Guild")
	case c.params["user_id"] != s.opts.BotUserID:
		return discordError(http.StatusNotFound, 10007, "Unknown Member")
	}
	roles := make([]any, 0, len(s.guild.botRoles))
	for _, r := range s.guild.botRoles {
		roles = append(roles, r)
	}
	return jsonReply(http.StatusOK, map[string]any{
		"user": s.botUser(), "roles": roles, "joined_at": "2024-01-01T00:00:00.000000+00:00",
		"nick": nil, "avatar": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
		"premium_since": nil, "communication_disabled_until": nil,
	})
}
