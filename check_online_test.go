package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// checkOnline runs check -online on e's config with token in the
// environment.
func checkOnlineWith(t *testing.T, e *e2e, token string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), []string{"check", "-online", "-config", e.config}, func(name string) string {
		if name == testTokenEnv {
			return token
		}
		return ""
	}, &out, &out)
	return out.String(), err
}

func TestCheckOnline(t *testing.T) {
	t.Parallel()
	const secret = "not-the-bot-token-at-all"
	guild := discordfake.DefaultGuildID
	tests := []struct {
		name    string
		extra   string
		token   string
		setup   func(*discordfake.Server)
		ok      bool
		want    []string
		notWant string
	}{
		{"all good", "", discordfake.DefaultToken, nil, true,
			[]string{"token: ok: the bot is fakebot", "channel: ok: #general (text channel)", "Read Message History"}, ""},
		{"rejected token", "", secret, nil, false, []string{testTokenEnv, "rejected"}, secret},
		{"missing permissions", "threads = true", discordfake.DefaultToken, func(f *discordfake.Server) {
			f.SetOverwrites(discordfake.DefaultChannelID, discordfake.Overwrite{ID: guild,
				Deny: discordfake.PermEmbedLinks | discordfake.PermSendMessagesInThreads})
		}, false, []string{"the bot lacks in #general: Embed Links (every post is an embed", "Send Messages in Threads", "permissions=309237763072"}, ""},
		{"voice channel", "", discordfake.DefaultToken, func(f *discordfake.Server) {
			f.AddChannel(discordfake.Channel{ID: discordfake.DefaultChannelID, Type: discordfake.ChannelVoice, Name: "radio"})
		}, false, []string{"#radio", "is a voice channel"}, ""},
		{"announcement channel", "", discordfake.DefaultToken, func(f *discordfake.Server) {
			f.AddChannel(discordfake.Channel{ID: discordfake.DefaultChannelID, Type: discordfake.ChannelAnnouncement, Name: "news"})
		}, true, []string{"channel: ok: #news (announcement channel)"}, ""},
		{"gone", "", discordfake.DefaultToken, func(f *discordfake.Server) { f.DeleteChannel(discordfake.DefaultChannelID) },
			false, []string{"does not exist", "[discord] channel_id"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, tc.extra, item("a", "Bridge deal one", time.Minute))
			if tc.setup != nil {
				tc.setup(e.fake)
			}
			out, err := checkOnlineWith(t, e, tc.token)
			if (err == nil) != tc.ok {
				t.Fatalf("check -online = %v, want ok %v\n%s", err, tc.ok, out)
			}
			all := out
			if err != nil {
				all += err.Error()
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("check -online does not say %q:\n%s", w, all)
				}
			}
			if tc.notWant != "" && strings.Contains(all, tc.notWant) {
				t.Errorf("check -online shows %q:\n%s", tc.notWant, all)
			}
			if n := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); n != 0 {
				t.Errorf("check -online posted %d messages", n)
			}
		})
	}
}

// TestRunChecksTheChannelAtStart: run logs what the bot lacks, once, and
// keeps running.
func TestRunChecksTheChannelAtStart(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "", item("a", "Bridge deal one", time.Minute))
	e.fake.SetOverwrites(discordfake.DefaultChannelID, discordfake.Overwrite{ID: discordfake.DefaultGuildID, Deny: discordfake.PermReadMessageHistory})
	r := e.start()
	e.waitMessages(1)
	r.stop()
	if log := r.stderr.String(); strings.Count(log, "discord channel problem") != 1 || !strings.Contains(log, "Read Message History") {
		t.Errorf("run's log does not name the missing permission once:\n%s", log)
	}
}
