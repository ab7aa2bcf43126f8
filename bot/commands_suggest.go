package bot

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"storyline/story"
)

// Texts and limits of /suggest.
const (
	suggestRefusedText = "Only members with the Manage Server permission can see suggestions for the story's definition."
	suggestOffText     = "Suggestions are not available in this bot."
	// maxSuggestTitle shortens an example title.
	maxSuggestTitle = 80
	// maxSuggested is how many entries each section lists.
	maxSuggested = 6
)

// suggest answers /suggest, privately and to members with Manage Server (or
// Administrator) only: the names and phrases that recur in the reports
// the story keeps but are not in its definition, and the aliases matched
// mostly in the reports it rejects, each with counts and examples. It
// changes nothing.
func (c *Commands) suggest(x *exchange) error {
	if !canManage(x.in) {
		return x.respond(answer{content: suggestRefusedText, ephemeral: true})
	}
	if c.opts.Suggest == nil {
		return x.respond(answer{content: suggestOffText, ephemeral: true})
	}
	if err := x.deferAnswer(true); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	s, err := c.opts.Suggest(ctx)
	if err != nil {
		return err
	}
	e := fit(&discordgo.MessageEmbed{
		Title: "Suggestions for the story's definition",
		Description: fmt.Sprintf("From the last %s of stored reports, judged with the configuration as it is now: "+
			"%d relevant, %d rejected. Nothing is changed: add what fits to the config file and restart the bot.",
			longDuration(c.opts.SuggestSince), s.Relevant, s.Rejected),
		Color: commandColor,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Names not in the definition (actors, context)", Value: additionLines(s.Names)},
			{Name: "Phrases not in the definition (phrases, weak phrases)", Value: additionLines(s.Phrases)},
			{Name: "Aliases matched mostly in rejected reports", Value: ambiguousLines(s.Ambiguous)},
		},
		Footer: c.footer("candidates recur in relevant reports and are rare in rejected ones"),
	})
	return x.respond(answer{embeds: []*discordgo.MessageEmbed{e}, ephemeral: true})
}

// additionLines lists candidate names or phrases with their counts and an
// example title each, or says there are none.
func additionLines(as []story.Addition) string {
	lines := make([]string, 0, len(as))
	for _, a := range as[:min(len(as), maxSuggested)] {
		line := fmt.Sprintf("**%s** — %d relevant, %d rejected", cut(markdown(a.Text, false), maxListTitle), a.Relevant, a.Rejected)
		lines = append(lines, line+examplesLine(a.Examples))
	}
	if len(lines) == 0 {
		return "None found."
	}
	return fitLines(lines, maxFieldValue)
}

// ambiguousLines lists aliases that look ambiguous, with their counts, the
// word before them when it suggests another person, and an example title.
func ambiguousLines(as []story.AmbiguousAlias) string {
	lines := make([]string, 0, len(as))
	for _, a := range as[:min(len(as), maxSuggested)] {
		line := fmt.Sprintf("**%s** (%s) — %d rejected, %d relevant", cut(markdown(a.Alias, false), maxListTitle),
			markdown(a.Actor, false), a.Rejected, a.Relevant)
		if a.Before != "" {
			line += fmt.Sprintf("; after “%s” in %d: another person? exclude “%s”",
				markdown(a.Before, false), a.BeforeCount, markdown(a.Before+" "+a.Alias, false))
		}
		lines = append(lines, line+examplesLine(a.Examples))
	}
	if len(lines) == 0 {
		return "None found."
	}
	return fitLines(lines, maxFieldValue)
}

// examplesLine is a second line quoting up to two example titles.
func examplesLine(titles []string) string {
	quoted := make([]string, 0, len(titles))
	for _, t := range titles {
		quoted = append(quoted, "“"+cut(markdown(t, false), maxSuggestTitle)+"”")
	}
	if len(quoted) == 0 {
		return ""
	}
	return "\n  e.g. " + strings.Join(quoted, " · ")
}
