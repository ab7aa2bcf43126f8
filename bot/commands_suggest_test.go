package bot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"storyline/internal/discordfake"
	"storyline/story"
)

// suggestions are candidate additions whose texts come from feeds: they
// carry a mention and markdown that must reach Discord defused.
func suggestions(context.Context) (story.Suggestions, error) {
	return story.Suggestions{
		Relevant: 312, Rejected: 1988,
		Names: []story.Addition{{Text: "Igor Kostyukov", Name: true, Relevant: 12, Rejected: 0,
			Examples: []string{"Kostyukov leads Russia's team in Abu Dhabi", "Trilateral talks resume <@everyone>"}}},
		Phrases: []story.Addition{{Text: "trilateral *talks*", Relevant: 9, Rejected: 1, Examples: []string{"Talks resume"}}},
		Ambiguous: []story.AmbiguousAlias{
			{Actor: "Kirill Dmitriev", Alias: "Dmitriev", Relevant: 2, Rejected: 14, Before: "Yuri", BeforeCount: 9,
				Examples: []string{"Historian Yuri Dmitriev's sentence upheld"}},
			{Actor: "Keith Kellogg", Alias: "Kellogg", Rejected: 5},
		},
	}, nil
}

// TestSuggestCommand checks that /suggest answers managers only, privately,
// with each section's candidates, counts and examples, feed text escaped.
func TestSuggestCommand(t *testing.T) {
	env := newCmdEnvWith(t, cmdSetup{suggest: suggestions})
	tests := []struct {
		name    string
		m       discordfake.Member
		want    []string
		refused bool
	}{
		{"member", member, []string{suggestRefusedText}, true},
		{"manager", manager, []string{
			"last 30d 0h of stored reports", "312 relevant, 1988 rejected", "Nothing is changed",
			"**Igor Kostyukov** — 12 relevant, 0 rejected",
			"e.g. “Kostyukov leads Russia's team in Abu Dhabi” · “Trilateral talks resume \\<＠everyone\\>”",
			"**trilateral \\*talks\\*** — 9 relevant, 1 rejected",
			"**Dmitriev** (Kirill Dmitriev) — 14 rejected, 2 relevant; after “Yuri” in 9: another person? exclude “Yuri Dmitriev”",
			"**Kellogg** (Keith Kellogg) — 5 rejected, 0 relevant",
		}, false},
		{"administrator", admin, []string{"Igor Kostyukov"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := env.response(env.dispatch(env.fake.SlashCommand(cmdSuggest, nil, tc.m)))
			got := text(msg)
			if msg.Flags&64 == 0 {
				t.Errorf("suggest answer is not ephemeral: flags %d", msg.Flags)
			}
			if refused := len(msg.Embeds) == 0; refused != tc.refused {
				t.Errorf("refused = %v, want %v:\n%s", refused, tc.refused, got)
			}
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("answer lacks %q:\n%s", want, got)
				}
			}
		})
	}
	env.check()
}

// TestSuggestCommandWithoutSuggestions checks the answers when there are
// none, when the bot offers none and when finding them fails.
func TestSuggestCommandWithoutSuggestions(t *testing.T) {
	env := newCmdEnvWith(t, cmdSetup{suggest: func(context.Context) (story.Suggestions, error) {
		return story.Suggestions{Relevant: 3}, nil
	}})
	if got := text(env.response(env.dispatch(env.fake.SlashCommand(cmdSuggest, nil, manager)))); strings.Count(got, "None found.") != 3 {
		t.Errorf("answer without candidates:\n%s\nwant None found. in each section", got)
	}
	env.check()

	off := newCmdEnv(t, nil)
	if got := text(off.response(off.dispatch(off.fake.SlashCommand(cmdSuggest, nil, manager)))); !strings.Contains(got, suggestOffText) {
		t.Errorf("answer without Suggest:\n%s\nwant %q", got, suggestOffText)
	}
	off.check()

	failing := newCmdEnvWith(t, cmdSetup{suggest: func(context.Context) (story.Suggestions, error) {
		return story.Suggestions{}, errors.New("store: disk I/O error")
	}})
	if got := text(failing.response(failing.dispatch(failing.fake.SlashCommand(cmdSuggest, nil, manager)))); !strings.Contains(got, failedText) {
		t.Errorf("answer when suggestions fail:\n%s\nwant %q", got, failedText)
	}
}
