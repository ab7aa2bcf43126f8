package bot

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"storyline/internal/discordfake"
)

// accessClient is a Client on an in-process fake.
func accessClient(t *testing.T, opts discordfake.Options) (*discordfake.Server, *Client) {
	t.Helper()
	opts.InProcess = true
	fake := discordfake.New(t, opts)
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	useFake(s, fake)
	return fake, NewClient(s, LimitOptions{})
}

// TestAccessAgreesWithDiscord computes the bot's permissions from the
// guild's roles and the channel's overwrites and compares them, scenario
// by scenario, with the fake's own computation.
func TestAccessAgreesWithDiscord(t *testing.T) {
	const role, ch, thread = "1400000000000000001", "1400000000000000002", "1400000000000000003"
	guild := discordfake.DefaultGuildID
	bot := discordfake.DefaultApplicationID
	send, history := discordfake.PermSendMessages, discordfake.PermReadMessageHistory
	tests := []struct {
		name       string
		roles      []discordfake.Role
		overwrites []discordfake.Overwrite
		lacks      string
	}{
		{"defaults", nil, nil, ""},
		{"everyone denied sending", nil, []discordfake.Overwrite{{ID: guild, Deny: send}}, "Send Messages"},
		{"the bot's role allowed back", nil, []discordfake.Overwrite{{ID: guild, Deny: send}, {ID: role, Allow: send}}, ""},
		{"the bot denied history over its role", nil, []discordfake.Overwrite{
			{ID: role, Allow: history}, {ID: bot, Type: discordfake.OverwriteMember, Deny: history}}, "Read Message History"},
		{"no base permissions", []discordfake.Role{{ID: guild, Permissions: discordfake.PermViewChannel}, {ID: role}}, nil,
			"Send Messages, Embed Links, Attach Files and Read Message History"},
		{"administrator", []discordfake.Role{{ID: guild}, {ID: role, Permissions: discordfake.PermAdministrator}},
			[]discordfake.Overwrite{{ID: guild, Deny: send}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := accessClient(t, discordfake.Options{})
			if tc.roles != nil {
				fake.SetRoles(tc.roles...)
			} else {
				fake.SetRoles(discordfake.Role{ID: guild, Permissions: discordfake.DefaultEveryonePermissions}, discordfake.Role{ID: role})
			}
			fake.SetBotRoles(role)
			fake.AddChannel(discordfake.Channel{ID: ch, Name: "news", Overwrites: tc.overwrites})
			fake.AddChannel(discordfake.Channel{ID: thread, Type: discordfake.ChannelPublicThread, ParentID: ch})
			need := RequiredPermissions(Features{Threads: true})
			mask := PermissionInteger(need)
			for _, id := range []string{ch, thread} {
				a, err := c.Access(t.Context(), id)
				if err != nil {
					t.Fatalf("Access(%s): %v", id, err)
				}
				if got, want := a.Permissions&mask, int64(fake.BotPermissions(id))&mask; got != want {
					t.Errorf("Access(%s) = %b, the fake computes %b", id, got, want)
				}
			}
			a, _ := c.Access(t.Context(), ch)
			if got := names(a.Missing(RequiredPermissions(Features{}))); got != tc.lacks {
				t.Errorf("missing %q, want %q", got, tc.lacks)
			}
		})
	}
}

func TestCheckChannelNamesTheProblem(t *testing.T) {
	const voice, forum, hidden, bare = "1400000000000000011", "1400000000000000012", "1400000000000000013", "1400000000000000014"
	guild := discordfake.DefaultGuildID
	fake, c := accessClient(t, discordfake.Options{StrictChannels: true})
	fake.AddChannel(discordfake.Channel{ID: voice, Type: discordfake.ChannelVoice, Name: "radio"})
	fake.AddChannel(discordfake.Channel{ID: forum, Type: discordfake.ChannelForum, Name: "desk"})
	fake.AddChannel(discordfake.Channel{ID: hidden, Overwrites: []discordfake.Overwrite{{ID: guild, Deny: discordfake.PermViewChannel}}})
	fake.AddChannel(discordfake.Channel{ID: bare, Name: "news", Overwrites: []discordfake.Overwrite{
		{ID: guild, Deny: discordfake.PermReadMessageHistory | discordfake.PermCreatePublicThreads}}})
	tests := []struct {
		channel string
		threads bool
		want    []string
	}{
		{discordfake.DefaultChannelID, true, nil},
		{forum, false, nil},
		{"1400000000000000099", false, []string{"does not exist", "[discord] channel_id"}},
		{voice, false, []string{"#radio", "is a voice channel", "text, announcement or forum channel"}},
		{hidden, false, []string{"cannot see channel", "View Channel"}},
		{bare, false, []string{"lacks in #news: Read Message History (after a crash", "permissions=117760"}},
		{bare, true, []string{"Read Message History", "Create Public Threads", "permissions=309237763072"}},
	}
	for _, tc := range tests {
		check, err := c.CheckChannel(t.Context(), tc.channel, Features{Threads: tc.threads})
		if err != nil {
			t.Fatalf("CheckChannel(%s): %v", tc.channel, err)
		}
		got := strings.Join(check.Problems, "\n")
		if len(tc.want) == 0 && got != "" {
			t.Errorf("CheckChannel(%s) found problems:\n%s", tc.channel, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("CheckChannel(%s, threads %v) = %q, want it to say %q", tc.channel, tc.threads, got, w)
			}
		}
	}
	fake.SetToken("another")
	if _, err := c.CheckChannel(t.Context(), bare, Features{}); !errors.Is(err, ErrTokenRejected) {
		t.Errorf("CheckChannel with a reset token = %v, want ErrTokenRejected", err)
	}
}

func TestPermissionIntegersOfTheREADME(t *testing.T) {
	if got := PermissionInteger(RequiredPermissions(Features{})); got != 117760 {
		t.Errorf("without threads = %d, want 117760", got)
	}
	if got := PermissionInteger(RequiredPermissions(Features{Threads: true})); got != 309237763072 {
		t.Errorf("with threads = %d, want 309237763072", got)
	}
}
