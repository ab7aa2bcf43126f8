package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Channel types the bot knows, as Discord numbers them.
const (
	channelText               = 0
	channelAnnouncement       = 5
	channelAnnouncementThread = 10
	channelPublicThread       = 11
	channelPrivateThread      = 12
	channelForum              = 15
)

// Permission is one Discord permission the bot may need, with what it is
// needed for.
type Permission struct {
	Bit  int64
	Name string
	Why  string
}

// The permissions storyline uses, in the order server admins see them.
var (
	permViewChannel = Permission{discordgo.PermissionViewChannel, "View Channel",
		"a bot cannot post in a channel it cannot see"}
	permSendMessages = Permission{discordgo.PermissionSendMessages, "Send Messages",
		"the posts and digests"}
	permEmbedLinks = Permission{discordgo.PermissionEmbedLinks, "Embed Links",
		"every post is an embed; without it Discord drops the embed"}
	permAttachFiles = Permission{discordgo.PermissionAttachFiles, "Attach Files",
		"the PNG chart of /actor"}
	permReadHistory = Permission{discordgo.PermissionReadMessageHistory, "Read Message History",
		"after a crash, to check whether a post reached the channel before sending it again"}
	permCreateThreads = Permission{discordgo.PermissionCreatePublicThreads, "Create Public Threads",
		"[discord] threads = true: a thread under each post"}
	permSendInThreads = Permission{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads",
		"[discord] threads = true: later reports go in the thread"}
)

// allPermissions is every permission bit: what an owner or Administrator
// has.
const allPermissions = ^int64(0)

// Features are the configured features that decide which permissions the
// bot needs.
type Features struct {
	// Threads: a thread under each post, later reports in it.
	Threads bool
}

// RequiredPermissions returns every permission the bot needs in its
// channel for features.
func RequiredPermissions(f Features) []Permission {
	need := []Permission{permViewChannel, permSendMessages, permEmbedLinks, permAttachFiles, permReadHistory}
	if f.Threads {
		need = append(need, permCreateThreads, permSendInThreads)
	}
	return need
}

// PermissionInteger is the sum of perms' bits: the permissions parameter
// of the invite URL.
func PermissionInteger(perms []Permission) int64 {
	var n int64
	for _, p := range perms {
		n |= p.Bit
	}
	return n
}

// Access is what the bot may do in a channel: the channel's type and name,
// its guild and the bot's effective permissions there.
type Access struct {
	ChannelID, GuildID, Name string
	Type                     int
	Permissions              int64
}

// Missing returns the permissions of need that the bot lacks in a.
func (a Access) Missing(need []Permission) []Permission {
	var out []Permission
	for _, p := range need {
		if a.Permissions&p.Bit != p.Bit {
			out = append(out, p)
		}
	}
	return out
}

// TypeName names a channel type in the words of Discord's client.
func TypeName(kind int) string {
	switch kind {
	case channelText:
		return "text channel"
	case channelAnnouncement:
		return "announcement channel"
	case channelForum:
		return "forum channel"
	case 2:
		return "voice channel"
	case 4:
		return "category"
	case 13:
		return "stage channel"
	case channelAnnouncementThread, channelPublicThread, channelPrivateThread:
		return "thread"
	}
	return "channel of type " + strconv.Itoa(kind)
}

// PostableType reports whether posts can go to a channel of type kind: a
// text, announcement or forum channel.
func PostableType(kind int) bool {
	return kind == channelText || kind == channelAnnouncement || kind == channelForum
}

// channelObject is what Access reads of a channel.
type channelObject struct {
	ID         string `json:"id"`
	Type       int    `json:"type"`
	GuildID    string `json:"guild_id"`
	Name       string `json:"name"`
	ParentID   string `json:"parent_id"`
	Overwrites []struct {
		ID    string `json:"id"`
		Type  int    `json:"type"`
		Allow string `json:"allow"`
		Deny  string `json:"deny"`
	} `json:"permission_overwrites"`
}

// Access finds out what the bot may do in channelID: the channel (and a
// thread's parent, whose overwrites it follows), the guild's roles and the
// bot's member, combined as Discord combines them (@everyone, the bot's
// roles, Administrator, then the channel's overwrites for @everyone, the
// roles and the bot). A channel the bot cannot see is a *RefusedError
// (Missing Access), as Discord answers.
func (c *Client) Access(ctx context.Context, channelID string) (Access, error) {
	ch, err := c.channel(ctx, channelID)
	if err != nil {
		return Access{}, err
	}
	overwrites := ch
	if ch.Type == channelAnnouncementThread || ch.Type == channelPublicThread || ch.Type == channelPrivateThread {
		if overwrites, err = c.channel(ctx, ch.ParentID); err != nil {
			return Access{}, err
		}
	}
	botID, err := c.BotID(ctx)
	if err != nil {
		return Access{}, err
	}
	var guild struct {
		OwnerID string `json:"owner_id"`
		Roles   []struct {
			ID          string `json:"id"`
			Permissions string `json:"permissions"`
		} `json:"roles"`
	}
	if err := c.get(ctx, RouteGetGuild, ch.GuildID, discordgo.EndpointGuild(ch.GuildID), &guild); err != nil {
		return Access{}, err
	}
	var member struct {
		Roles []string `json:"roles"`
	}
	if err := c.get(ctx, RouteGetMember, ch.GuildID, discordgo.EndpointGuildMember(ch.GuildID, botID), &member); err != nil {
		return Access{}, err
	}
	a := Access{ChannelID: ch.ID, GuildID: ch.GuildID, Name: ch.Name, Type: ch.Type}
	if guild.OwnerID == botID {
		a.Permissions = allPermissions
		return a, nil
	}
	var base int64
	for _, r := range guild.Roles {
		if r.ID == ch.GuildID || slices.Contains(member.Roles, r.ID) {
			base |= bits(r.Permissions)
		}
	}
	if base&discordgo.PermissionAdministrator != 0 {
		a.Permissions = allPermissions
		return a, nil
	}
	a.Permissions = applyOverwrites(base, overwrites, ch.GuildID, botID, member.Roles)
	return a, nil
}

// applyOverwrites applies a channel's overwrites to base: @everyone's,
// then the bot's roles' together, then the bot's own. Without View Channel
// nothing is left.
func applyOverwrites(base int64, ch channelObject, guildID, botID string, roles []string) int64 {
	perms := base
	var allow, deny int64
	for _, o := range ch.Overwrites {
		switch {
		case o.Type == 0 && o.ID == guildID:
			perms = perms&^bits(o.Deny) | bits(o.Allow)
		case o.Type == 0 && slices.Contains(roles, o.ID):
			allow |= bits(o.Allow)
			deny |= bits(o.Deny)
		}
	}
	perms = perms&^deny | allow
	for _, o := range ch.Overwrites {
		if o.Type == 1 && o.ID == botID {
			perms = perms&^bits(o.Deny) | bits(o.Allow)
		}
	}
	if perms&discordgo.PermissionViewChannel == 0 {
		return 0
	}
	return perms
}

// bits reads a permission set sent as a decimal string.
func bits(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// channel reads a channel object.
func (c *Client) channel(ctx context.Context, id string) (channelObject, error) {
	var ch channelObject
	err := c.get(ctx, RouteGetChannel, id, discordgo.EndpointChannel(id), &ch)
	return ch, err
}

// get sends a GET and decodes the answer into v.
func (c *Client) get(ctx context.Context, route, major, url string, v any) error {
	raw, err := c.request(ctx, http.MethodGet, route, major, url, nil)
	if err == nil {
		err = decode(raw, v)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", strings.Replace(route, "{"+paramOf(route)+"}", major, 1), err)
	}
	return nil
}

// paramOf is the first path parameter named in route.
func paramOf(route string) string {
	start := strings.IndexByte(route, '{')
	end := strings.IndexByte(route, '}')
	if start < 0 || end < start {
		return ""
	}
	return route[start+1 : end]
}

// names lists permissions by name: "View Channel, Send Messages and Embed
// Links".
func names(perms []Permission) string {
	out := make([]string, len(perms))
	for i, p := range perms {
		out[i] = p.Name
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

// ChannelCheck is what CheckChannel found: the channel as the bot sees it
// and, in words a server admin can act on, every problem.
type ChannelCheck struct {
	Access   Access
	Problems []string
}

// CheckChannel checks that channelID exists, that the bot can see it, that
// it is a text, announcement or forum channel and that the bot has every
// permission features need there. Problems Discord states are in the
// result; an error is returned only when Discord could not answer
// (network, 5xx, rate limit) or refused the token.
func (c *Client) CheckChannel(ctx context.Context, channelID string, f Features) (ChannelCheck, error) {
	a, err := c.Access(ctx, channelID)
	var refused *RefusedError
	switch {
	case errors.Is(err, ErrTokenRejected):
		return ChannelCheck{}, err
	case errors.As(err, &refused) && refused.Code == codeUnknownChannel:
		return ChannelCheck{Problems: []string{fmt.Sprintf(
			"channel %s does not exist, or is in a server the bot is not in: check [discord] channel_id "+
				"(Developer Mode on, right-click the channel → Copy Channel ID) and invite the bot to that server", channelID)}}, nil
	case errors.As(err, &refused) && (refused.Code == codeMissingAccess || refused.Status == http.StatusForbidden):
		return ChannelCheck{Problems: []string{fmt.Sprintf(
			"the bot cannot see channel %s: give its role View Channel there (channel settings → Permissions), "+
				"or invite it to the channel's server", channelID)}}, nil
	case errors.As(err, &refused):
		return ChannelCheck{Problems: []string{fmt.Sprintf("channel %s: %v", channelID, err)}}, nil
	case err != nil:
		return ChannelCheck{}, err
	}
	check := ChannelCheck{Access: a}
	if !PostableType(a.Type) {
		check.Problems = append(check.Problems, fmt.Sprintf(
			"channel #%s (%s) is a %s: posts need a text, announcement or forum channel; set [discord] channel_id to one",
			a.Name, channelID, TypeName(a.Type)))
	}
	if missing := a.Missing(RequiredPermissions(f)); len(missing) > 0 {
		lines := make([]string, len(missing))
		for i, p := range missing {
			lines[i] = p.Name + " (" + p.Why + ")"
		}
		check.Problems = append(check.Problems, fmt.Sprintf(
			"the bot lacks in #%s: %s. Give them to the bot's role in the channel's settings → Permissions "+
				"(or server settings → Roles), or invite it again with permissions=%d",
			a.Name, strings.Join(lines, "; "), PermissionInteger(RequiredPermissions(f))))
	}
	return check, nil
}
