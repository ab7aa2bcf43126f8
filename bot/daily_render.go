package bot

import (
	"cmp"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
)

// Daily digest rendering choices.
const (
	// dailyDevelopments and dailyActors are how many developments and
	// actors a daily digest lists at most.
	dailyDevelopments = 25
	dailyActors       = 10
	// maxActorName shortens actor names in the list.
	maxActorName = 100
	// periodTime dates the ends of a digest's period in its time zone.
	periodTime = "02 Jan 2006 15:04 MST"
	// quietDay stands in for the list of a period without developments.
	quietDay = "No new developments in this period."
)

// RenderDaily renders the daily digest of r as one embed: the period's
// developments ranked as r lists them (most outlets first), each a numbered
// line with its lead title linked to the article, its source and its
// number of outlets; the most named actors with counts; the number of
// items seen and how many were about the story; the period, in zone, in
// the footer. What does not fit is counted as "+N more".
func RenderDaily(storyName string, zone *time.Location, r store.DailyReport) *discordgo.MessageEmbed {
	if zone == nil {
		zone = time.UTC
	}
	title := "Daily digest"
	if storyName != "" {
		title += ": " + storyName
	}
	e := &discordgo.MessageEmbed{
		Title:     cut(markdown(title, false), maxTitle),
		Color:     digestColor,
		Timestamp: timestamp(r.End),
		Fields: nonEmptyFields(
			&discordgo.MessageEmbedField{Name: "Most named", Value: joinFit(dailyActorList(r.Actors), len(r.Actors), maxFieldValue)},
			&discordgo.MessageEmbedField{Name: "Items seen", Value: dailyItemCounts(r)},
		),
		Footer: &discordgo.MessageEmbedFooter{Text: r.Start.In(zone).Format(periodTime) + " – " + r.End.In(zone).Format(periodTime)},
	}
	room := min(maxDescription, maxEmbedTotal-embedSize(e))
	e.Description = dailyLines(r, room)
	return fit(e)
}

// dailyLines is r's developments as numbered lines within limit,
// those left out counted as "+N more".
func dailyLines(r store.DailyReport, limit int) string {
	if r.AllDevelopments == 0 {
		return quietDay
	}
	lines := make([]string, 0, len(r.Developments))
	for i, d := range r.Developments {
		text := cmp.Or(cut(markdown(d.Title, false), maxDigestTitle), untitled)
		lines = append(lines, fmt.Sprintf("%d\\. %s — %s · %s", i+1, maskedLink(text, d.Link),
			cut(markdown(d.FeedName, false), maxSourceName), quantity(d.Outlets, "outlet")))
	}
	// The developments the report did not list stand as blanks after the
	// lines: fitJoined writes at most len(lines) items and counts the rest.
	unlisted := max(r.AllDevelopments-len(lines), 0)
	return fitJoined(append(lines, make([]string, unlisted)...), len(lines), limit, "\n")
}

// dailyActorList renders each actor as "Name (N)".
func dailyActorList(actors []store.NamedActor) []string {
	out := make([]string, 0, len(actors))
	for _, a := range actors {
		if name := cut(markdown(a.Actor, false), maxActorName); name != "" {
			out = append(out, fmt.Sprintf("%s (%d)", name, a.Items))
		}
	}
	return out
}

// dailyItemCounts is "N items, M about the story".
func dailyItemCounts(r store.DailyReport) string {
	return fmt.Sprintf("%s, %d about the story", quantity(r.Items, "item"), r.Relevant)
}

// quantity is "1 outlet", "7 outlets".
func quantity(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
