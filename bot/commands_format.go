package bot

import (
	"fmt"
	"math"
	"strings"
	"time"

	"storyline/store"
)

// Formats of times in command answers.
const (
	dayFormat      = "02 Jan 2006"
	dateTimeFormat = "02 Jan 2006 15:04 UTC"
)

// The private-use characters that stand for the store's highlight markers
// while the text around them is cleaned and escaped; clean keeps them.
const (
	markOpen  = '\ue000'
	markClose = '\ue001'
)

// ago says how long before now t was ("just now", "5m ago", "3h ago",
// "2d ago") or, for a time after now, how long until it ("in 5m").
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0 && -d >= time.Minute:
		return "in " + shortDuration(-d)
	case d < time.Minute:
		return "just now"
	}
	return shortDuration(d) + " ago"
}

// shortDuration writes d in its largest unit: "5m", "3h", "2d".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// longDuration writes d in its two largest units: "45m", "3h 12m",
// "2d 4h".
func longDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// when writes t as a UTC date and time with how long ago it was.
func when(now, t time.Time) string {
	return t.UTC().Format(dateTimeFormat) + " (" + ago(now, t) + ")"
}

// trend compares a count with the one of the window before: "▲ 50%",
// "▼ 20%", "= 0%", "new" when there was none before, "" when both are zero.
func trend(current, previous int) string {
	switch {
	case previous == 0 && current == 0:
		return ""
	case previous == 0:
		return "new"
	case current == previous:
		return "= 0%"
	}
	pct := int(math.Round(100 * math.Abs(float64(current-previous)) / float64(previous)))
	if current > previous {
		return fmt.Sprintf("▲ %d%%", pct)
	}
	return fmt.Sprintf("▼ %d%%", pct)
}

// highlighted renders a store snippet, whose matched terms are between
// store.HighlightStart and store.HighlightEnd, as escaped markdown with
// the terms in bold, at most n code points long.
func highlighted(snippet string, n int) string {
	s := strings.NewReplacer(string(markOpen), "", string(markClose), "").Replace(snippet)
	// Terms highlighted one by one ("**28**-**point** **plan**") read
	// better as one ("**28-point plan**").
	he, hs := store.HighlightEnd, store.HighlightStart
	s = strings.NewReplacer(he+hs, "", he+" "+hs, " ", he+"-"+hs, "-").Replace(s)
	s = strings.NewReplacer(hs, string(markOpen), he, string(markClose)).Replace(s)
	// Each mark becomes two asterisks: leave room for them.
	s = cut(markdown(s, false), n-strings.Count(s, string(markOpen))*4)
	if strings.Count(s, string(markOpen)) > strings.Count(s, string(markClose)) {
		s += string(markClose)
	}
	return strings.NewReplacer(string(markOpen), "**", string(markClose), "**").Replace(s)
}

// jumpLink is the address of a message in a guild's channel ("@me" when
// guildID is empty).
func jumpLink(guildID, channelID, messageID string) string {
	if guildID == "" {
		guildID = "@me"
	}
	return "https://discord.com/channels/" + guildID + "/" + channelID + "/" + messageID
}

// itemLine renders an item as its linked title, source and age.
func itemLine(now time.Time, it store.ItemRef, titleMax int) string {
	title := cut(markdown(it.Title, false), titleMax)
	return maskedLink(title, it.Link) + " — " + cut(markdown(it.FeedName, false), maxSourceName) + " · " + ago(now, it.Published)
}
