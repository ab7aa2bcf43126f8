package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// TestRunAnswersSlashCommands checks the wiring of `run`: the commands are
// registered in the configured guild on READY, and an /actor interaction
// is answered from what the bot has stored, with the chart attached.
func TestRunAnswersSlashCommands(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "guild_id = \""+discordfake.DefaultGuildID+"\"",
		item("q1", "Quill signs the bridge deal", time.Minute))
	r := e.start()
	e.waitMessages(1)
	waitFor(t, e.fake, "the commands to be registered in the guild", func(s *discordfake.Server) bool {
		return len(s.Commands(discordfake.DefaultGuildID)) > 0
	})
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	if err := e.fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	in := e.fake.SlashCommand("actor", map[string]any{"name": "Ada Quill"}, discordfake.Member{UserID: "1100000000000000042", Username: "reader", Permissions: "0"})
	if err := e.fake.DispatchInteraction(in); err != nil {
		t.Fatal(err)
	}
	id := in["id"].(string)
	var answer discordfake.Message
	waitFor(t, e.fake, "the /actor answer", func(s *discordfake.Server) bool {
		for _, m := range s.Responses(id) {
			if len(m.Embeds) > 0 && len(m.Files) > 0 {
				answer = m
				return true
			}
		}
		return false
	})
	r.stop()
	embed := answer.Embeds[0]
	text := unescape(embed.Title + "\n" + embed.Description)
	for _, f := range embed.Fields {
		text += "\n" + unescape(f.Name+"\n"+f.Value)
	}
	for _, want := range []string{"Ada Quill", "Quill signs the bridge deal"} {
		if !strings.Contains(text, want) {
			t.Errorf("/actor answer lacks %q:\n%s", want, text)
		}
	}
	if _, err := png.Decode(bytes.NewReader(answer.Files[0].Data)); err != nil {
		t.Errorf("the chart is not a PNG: %v", err)
	}
	for _, req := range e.fake.Callbacks(id) {
		if am, ok := req.AllowedMentions(); !ok || len(am["parse"].([]any)) != 0 {
			t.Errorf("callback allowed_mentions = %v, want parse []", am)
		}
	}
}

// TestRunAnswersSuggest checks the wiring of /suggest in `run`: a manager
// asking for suggestions gets, privately, the name that recurs in the
// stored reports about the story and that the config does not list.
func TestRunAnswersSuggest(t *testing.T) {
	t.Parallel()
	var items []rssItem
	for i, title := range []string{
		"Quill and Mira Holt sign the bridge deal", "Mira Holt backs the bridge deal", "Bridge deal: Quill thanks Mira Holt",
	} {
		items = append(items, item(fmt.Sprintf("s%d", i), title, time.Duration(i+1)*time.Minute))
	}
	e := newE2E(t, "guild_id = \""+discordfake.DefaultGuildID+"\"", items...)
	r := e.start()
	e.waitMessages(1)
	waitFor(t, e.fake, "the commands to be registered in the guild", func(s *discordfake.Server) bool {
		return len(s.Commands(discordfake.DefaultGuildID)) > 0
	})
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	if err := e.fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	in := e.fake.SlashCommand("suggest", nil, discordfake.Member{UserID: "1100000000000000042", Username: "editor", Permissions: "32"})
	if err := e.fake.DispatchInteraction(in); err != nil {
		t.Fatal(err)
	}
	id := in["id"].(string)
	var answer discordfake.Message
	waitFor(t, e.fake, "the /suggest answer", func(s *discordfake.Server) bool {
		for _, m := range s.Responses(id) {
			if len(m.Embeds) > 0 {
				answer = m
				return true
			}
		}
		return false
	})
	r.stop()
	if answer.Flags&64 == 0 {
		t.Errorf("/suggest answer is not private: flags %d", answer.Flags)
	}
	var text string
	for _, f := range answer.Embeds[0].Fields {
		text += "\n" + unescape(f.Name+"\n"+f.Value)
	}
	if !strings.Contains(text, "**Mira Holt** — 3 relevant, 0 rejected") {
		t.Errorf("/suggest answer lacks Mira Holt with her counts:\n%s", text)
	}
}
