package bot

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
	"storyline/story"
)

// Limits and choices of the actor commands.
const (
	// maxChoices and maxChoiceName are Discord's limits on autocomplete.
	maxChoices    = 25
	maxChoiceName = 100
	// trendWindow is the window mentions are ranked and compared over.
	trendWindow = 7 * 24 * time.Hour
	// chartDays is how many days the chart covers.
	chartDays = 30
	// latestItems and namedWith are how many items and companions /actor
	// lists.
	latestItems = 5
	namedWith   = 5
	// maxAliasesShown is how many aliases /actor lists before "+N more".
	maxAliasesShown = 12
	// maxSuggestions is how many actors "did you mean" offers.
	maxSuggestions = 3
	// maxListTitle shortens item titles in lists.
	maxListTitle = 150
	// maxProfileText shortens an actor's role and description.
	maxProfileText = 500
)

// autocomplete suggests actors for what the user is typing in /actor's
// name option: every actor having a name that matches (whole name, then
// name start, then word start, then anywhere), busiest in the last 7 days
// first within a rank; when nothing matches, the closest names. An empty
// text lists the busiest actors.
func (c *Commands) autocomplete(x *exchange) error {
	data := x.in.ApplicationCommandData()
	x.name = data.Name + " autocomplete"
	if data.Name != cmdActor {
		return x.suggest(nil)
	}
	typed := ""
	for _, o := range data.Options {
		if o.Focused {
			typed = o.StringValue()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), suggestTimeout)
	defer cancel()
	return x.suggest(c.choices(ctx, typed))
}

// choices returns the autocomplete choices for typed.
func (c *Commands) choices(ctx context.Context, typed string) []*discordgo.ApplicationCommandOptionChoice {
	hits := c.index.search(typed)
	switch {
	case searchKey(typed) == "":
		hits = c.everyone()
	case len(hits) == 0:
		hits = c.index.closest(typed, maxSuggestions)
	}
	c.byMentions(ctx, hits)
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, min(len(hits), maxChoices))
	for _, h := range hits[:min(len(hits), maxChoices)] {
		a := c.index.actors[h.actor]
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: choiceName(a, h.name), Value: a.Name})
	}
	return out
}

// everyone is a hit for every actor, in roster order.
func (c *Commands) everyone() []actorHit {
	hits := make([]actorHit, len(c.index.actors))
	for i := range hits {
		hits[i] = actorHit{actor: i}
	}
	return hits
}

// byMentions orders hits of the same rank (and, for the closest names, the
// same edit distance) by mentions in the last 7 days, busiest first. If the counts cannot be read the order is kept: the
// choices are still useful.
func (c *Commands) byMentions(ctx context.Context, hits []actorHit) {
	names := make([]string, len(hits))
	for i, h := range hits {
		names[i] = c.index.actors[h.actor].Name
	}
	trends, err := c.trendsWithin(ctx, names)
	if err != nil {
		c.logger.Warn("autocomplete without mention counts", "error", err)
		return
	}
	recent := make(map[string]int, len(trends))
	for _, t := range trends {
		recent[t.Actor] = t.Current
	}
	slices.SortStableFunc(hits, func(a, b actorHit) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.distance, b.distance),
			cmp.Compare(recent[c.index.actors[b.actor].Name], recent[c.index.actors[a.actor].Name]))
	})
}

// trendsWithin reads the actors' trends, giving up when ctx ends even if
// the store does not: an autocomplete answer must reach Discord within
// three seconds, with or without counts.
func (c *Commands) trendsWithin(ctx context.Context, names []string) ([]store.ActorTrend, error) {
	type result struct {
		trends []store.ActorTrend
		err    error
	}
	done := make(chan result, 1)
	go func() {
		trends, err := c.q.ActorTrends(ctx, names, c.opts.Now(), trendWindow)
		done <- result{trends, err}
	}()
	select {
	case r := <-done:
		return r.trends, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("mention counts: %w", ctx.Err())
	}
}

// choiceName is how a choice shows actor a found by the name matched: the
// canonical name, with the matched alias when it is written differently.
func choiceName(a story.Actor, matched string) string {
	name := clean(a.Name, false)
	if matched != "" && searchKey(matched) != searchKey(a.Name) {
		name += " (" + clean(matched, false) + ")"
	}
	return cut(name, maxChoiceName)
}

// actor answers /actor: the actor's card with a 30-day chart, or the
// closest names when no actor has the name given.
func (c *Commands) actor(x *exchange, data discordgo.ApplicationCommandInteractionData) error {
	name := ""
	if o := data.GetOption("name"); o != nil {
		name = o.StringValue()
	}
	a, ok := c.index.resolve(name)
	if !ok {
		return x.respond(answer{content: c.didYouMean(name), ephemeral: true})
	}
	if err := x.deferAnswer(false); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	now := c.opts.Now()
	r, err := c.q.ActorReport(ctx, store.ActorQuery{
		Actor: a.Name, Now: now, Days: chartDays, Latest: latestItems, With: namedWith,
	})
	if err != nil {
		return err
	}
	png, err := mentionsChart(r.Daily, now)
	if err != nil {
		return err
	}
	return x.respond(answer{
		embeds: []*discordgo.MessageEmbed{c.actorCard(a, r, now)},
		files:  []*discordgo.File{{Name: chartFile, ContentType: "image/png", Reader: bytes.NewReader(png)}},
	})
}

// didYouMean tells that no actor has the name given and offers the
// closest names, those within about a third of the name's length in edits.
func (c *Commands) didYouMean(name string) string {
	near := max(2, length(searchKey(name))/3)
	var names []string
	for _, h := range c.index.closest(name, maxSuggestions) {
		if h.distance <= near {
			names = append(names, "**"+markdown(c.index.actors[h.actor].Name, false)+"**")
		}
	}
	msg := fmt.Sprintf("I don't follow anyone called “%s”.", cut(markdown(name, false), maxChoiceName))
	if len(names) > 0 {
		msg += " Did you mean " + strings.Join(names, ", ") + "?"
	}
	return msg + " `/actors` lists everyone."
}

// actorCard renders the actor's report as one embed.
func (c *Commands) actorCard(a story.Actor, r store.ActorReport, now time.Time) *discordgo.MessageEmbed {
	var desc []string
	if role := cut(markdown(a.Role, false), maxProfileText); role != "" {
		desc = append(desc, "*"+role+"*")
	}
	if d := cut(markdown(a.Description, true), maxProfileText); d != "" {
		desc = append(desc, d)
	}
	if len(r.Latest) > 0 {
		lines := make([]string, 0, len(r.Latest))
		for _, it := range r.Latest {
			lines = append(lines, "• "+itemLine(now, it, maxListTitle))
		}
		const heading = "**Latest reports**\n"
		room := maxDescription - length(strings.Join(desc, "\n\n")) - length(heading) - 2
		desc = append(desc, heading+fitLines(lines, room))
	}
	return fit(&discordgo.MessageEmbed{
		Title:       cut(markdown(a.Name, false), maxTitle),
		Description: cut(strings.Join(desc, "\n\n"), maxDescription),
		Color:       commandColor,
		Fields: nonEmptyFields(
			&discordgo.MessageEmbedField{Name: "Also written", Value: c.aliases(a)},
			&discordgo.MessageEmbedField{Name: "Mentions", Value: mentionCounts(r), Inline: true},
			&discordgo.MessageEmbedField{Name: "Trend (7 days)", Value: trendText(r.Week, r.PrevWeek), Inline: true},
			&discordgo.MessageEmbedField{Name: "Seen", Value: seenText(r, now), Inline: true},
			&discordgo.MessageEmbedField{Name: "Most often named with", Value: companions(r.With)},
		),
		Image:  &discordgo.MessageEmbedImage{URL: "attachment://" + chartFile},
		Footer: c.footer("mentions count every stored report, relevant or not"),
	})
}

// aliases lists the actor's other names, one per spelling, the first of
// each script (Latin, Cyrillic …) ahead of the rest, so that a cut list
// still shows every script.
func (c *Commands) aliases(a story.Actor) string {
	seen := map[string]bool{searchKey(a.Name): true}
	scripts := map[string]bool{}
	var firsts, rest []string
	for _, alias := range a.Aliases {
		key := searchKey(alias)
		if seen[key] {
			continue
		}
		seen[key] = true
		name := cut(markdown(alias, false), maxChoiceName)
		if script := scriptOf(alias); !scripts[script] {
			scripts[script] = true
			firsts = append(firsts, name)
		} else {
			rest = append(rest, name)
		}
	}
	return joinFit(append(firsts, rest...), maxAliasesShown, maxFieldValue)
}

// scriptOf names the script of the first letter of s, "" when it has none.
func scriptOf(s string) string {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		for name, table := range unicode.Scripts {
			if unicode.Is(table, r) {
				return name
			}
		}
		return ""
	}
	return ""
}

// mentionCounts writes the counts over 24 hours, 7 and 30 days.
func mentionCounts(r store.ActorReport) string {
	return fmt.Sprintf("**%d** in 24 h\n**%d** in 7 days\n**%d** in 30 days", r.Day, r.Week, r.Month)
}

// trendText compares the last 7 days with the 7 before.
func trendText(week, prev int) string {
	t := trend(week, prev)
	if t == "" {
		return "no mentions in 14 days"
	}
	return fmt.Sprintf("%s\n%d → %d", t, prev, week)
}

// seenText dates the first and last mentions.
func seenText(r store.ActorReport, now time.Time) string {
	if r.FirstSeen.IsZero() {
		return "not named in any stored report yet"
	}
	return "first " + r.FirstSeen.Format(dayFormat) + "\nlast " + ago(now, r.LastSeen)
}

// companions lists the actors most often named with one, with counts.
func companions(with []store.ActorCount) string {
	parts := make([]string, 0, len(with))
	for _, w := range with {
		parts = append(parts, fmt.Sprintf("%s (%d)", markdown(w.Actor, false), w.Count))
	}
	return joinFit(parts, len(parts), maxFieldValue)
}

// nonEmptyFields keeps the fields that have a value; Discord refuses empty

// footer is the footer of a command answer: the story's name and a note.
func (c *Commands) footer(note string) *discordgo.MessageEmbedFooter {
	text := strings.Join(nonBlank([]string{plain(c.opts.StoryName), note}), " · ")
	if text == "" {
		return nil
	}
	return &discordgo.MessageEmbedFooter{Text: cut(text, maxFooter)}
}

// actors answers /actors: every actor by mentions in the last 7 days, with
// the change against the 7 days before.
func (c *Commands) actors(x *exchange) error {
	if err := x.deferAnswer(false); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	names := make([]string, len(c.index.actors))
	for i, a := range c.index.actors {
		names[i] = a.Name
	}
	trends, err := c.q.ActorTrends(ctx, names, c.opts.Now(), trendWindow)
	if err != nil {
		return err
	}
	var lines, quiet []string
	for _, t := range trends {
		if t.Current == 0 && t.Previous == 0 {
			quiet = append(quiet, markdown(t.Actor, false))
			continue
		}
		line := fmt.Sprintf("%d. **%s** — %d", len(lines)+1, markdown(t.Actor, false), t.Current)
		if tr := trend(t.Current, t.Previous); tr != "" {
			line += " (" + tr + ")"
		}
		lines = append(lines, line)
	}
	desc := fitLines(lines, maxDescription)
	if len(lines) == 0 {
		desc = "No one was named in the last 14 days."
	}
	e := fit(&discordgo.MessageEmbed{
		Title:       "Mentions in the last 7 days",
		Description: desc,
		Color:       commandColor,
		Fields: nonEmptyFields(&discordgo.MessageEmbedField{
			Name: "Not named in 14 days", Value: joinFit(quiet, len(quiet), maxFieldValue),
		}),
		Footer: c.footer("change against the 7 days before"),
	})
	return x.respond(answer{embeds: []*discordgo.MessageEmbed{e}})
}
