package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/feeds"
	"storyline/store"
)

// Texts and limits of /status.
const (
	refusedText = "Only members with the Manage Server permission can see the bot's status."
	// maxErrorText shortens a feed's or a delivery's last error.
	maxErrorText = 160
)

// status answers /status, privately and to members with Manage Server (or
// Administrator) only: each feed's state, the outbox, the last post, the
// store's size, uptime and version.
func (c *Commands) status(x *exchange) error {
	if !canManage(x.in) {
		return x.respond(answer{content: refusedText, ephemeral: true})
	}
	if err := x.deferAnswer(true); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	states, err := c.q.FeedStates(ctx)
	if err != nil {
		return err
	}
	stats, err := c.q.OutboxStats(ctx)
	if err != nil {
		return err
	}
	size, err := c.q.Size(ctx)
	if err != nil {
		return err
	}
	now := c.opts.Now()
	var instances []string
	if c.opts.Instances != nil {
		list, err := c.opts.Instances(ctx)
		if err != nil {
			return err
		}
		instances = instanceLines(now, list)
	}
	healthy, failing := c.feedLines(now, states)
	e := fit(&discordgo.MessageEmbed{
		Title:       "Status",
		Description: c.summary(now, stats, len(healthy), len(failing)) + "\n" + sizeText(size),
		Color:       commandColor,
		Fields: nonEmptyFields(
			&discordgo.MessageEmbedField{Name: "Delivery", Value: c.deliveryText(now)},
			&discordgo.MessageEmbedField{Name: "Outbox", Value: outboxText(now, stats)},
			&discordgo.MessageEmbedField{Name: fmt.Sprintf("Instances (%d)", len(instances)), Value: fitLines(instances, maxFieldValue)},
			&discordgo.MessageEmbedField{Name: fmt.Sprintf("Failing feeds (%d)", len(failing)), Value: fitLines(failing, maxFieldValue)},
			&discordgo.MessageEmbedField{Name: fmt.Sprintf("Healthy feeds (%d)", len(healthy)), Value: fitLines(healthy, maxFieldValue)},
		),
		Footer: c.footer(""),
	})
	return x.respond(answer{embeds: []*discordgo.MessageEmbed{e}, ephemeral: true})
}

// instanceLines describes each instance sharing the store: its host and
// process, whether it leads, its last heartbeat, version and uptime. The
// leader posts and answers the commands; the others poll feeds.
func instanceLines(now time.Time, list []store.Instance) []string {
	lines := make([]string, 0, len(list))
	for _, in := range list {
		role := "polls feeds"
		if in.Leader {
			role = "**leader**: posts and answers commands"
		}
		beat := "heartbeat " + ago(now, in.Heartbeat)
		if d := now.Sub(in.Heartbeat); d >= 0 && d < time.Minute {
			beat = fmt.Sprintf("heartbeat %ds ago", int(d/time.Second))
		}
		lines = append(lines, fmt.Sprintf("%s pid %d — %s · %s · %s · up %s",
			markdown(cmp.Or(in.Host, in.ID), false), in.PID, role, beat,
			cmp.Or(markdown(in.Version, false), "unknown version"), longDuration(now.Sub(in.Started))))
	}
	return lines
}

// canManage reports whether the member who invoked in has Manage Server or
// Administrator. Outside a guild there is no member, and no permission.
func canManage(in *discordgo.Interaction) bool {
	return in.Member != nil &&
		in.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0
}

// summary is the status headline: version, uptime, last post, feed counts.
func (c *Commands) summary(now time.Time, stats store.OutboxStats, healthy, failing int) string {
	lines := []string{
		"Version **" + cmp.Or(markdown(c.opts.Version, false), "unknown") + "**",
		"Up **" + longDuration(now.Sub(c.opts.Started)) + "** (since " + c.opts.Started.UTC().Format(dateTimeFormat) + ")",
	}
	if stats.LastSentAt.IsZero() {
		lines = append(lines, "Last post: never")
	} else {
		lines = append(lines, "Last post: "+when(now, stats.LastSentAt))
	}
	return strings.Join(append(lines, fmt.Sprintf("Feeds: %d ok, %d failing", healthy, failing)), "\n")
}

// feedLines describes each configured feed, healthy and failing apart,
// the failing ones longest-failing first.
func (c *Commands) feedLines(now time.Time, states map[string]feeds.State) (healthy, failing []string) {
	byAge := slices.Clone(c.opts.Feeds)
	slices.SortStableFunc(byAge, func(a, b feeds.Source) int {
		return states[a.URL].FailingSince.Compare(states[b.URL].FailingSince)
	})
	for _, f := range byAge {
		st, ok := states[f.URL]
		name := "**" + cut(markdown(cmp.Or(f.Name, f.URL), false), maxSourceName) + "**"
		switch {
		case !ok:
			healthy = append(healthy, name+" — not polled yet")
		case st.Failures == 0:
			healthy = append(healthy, name+" — ok, "+polled(now, st, f))
		default:
			failing = append(failing, name+" — "+failure(now, st))
		}
	}
	return healthy, failing
}

// polled says when a healthy feed was last fetched, how often it is
// polled (the interval its pace and server gave it at its last poll, else
// its configured one) and when it is due again.
func polled(now time.Time, st feeds.State, f feeds.Source) string {
	parts := []string{}
	if !st.LastSuccess.IsZero() {
		parts = append(parts, "fetched "+ago(now, st.LastSuccess))
	}
	if every := cmp.Or(st.Interval, f.Interval); every > 0 {
		parts = append(parts, "every "+intervalText(every))
	}
	if !st.NextPoll.IsZero() {
		parts = append(parts, "next "+ago(now, st.NextPoll))
	}
	return strings.Join(parts, ", ")
}

// failure describes a failing feed: the error class, since when, how many
// tries, the next one and the last error.
func failure(now time.Time, st feeds.State) string {
	text := fmt.Sprintf("`%s` since %s, %d tries", cmp.Or(string(st.ErrorClass), "error"), ago(now, st.FailingSince), st.Failures)
	if !st.NextPoll.IsZero() {
		text += ", next try " + ago(now, st.NextPoll)
	}
	if st.LastError != "" {
		text += ": " + cut(markdown(st.LastError, false), maxErrorText)
	}
	return text
}

// outboxText describes the outbox: pending and failed entries and the
// latest refusal.
func outboxText(now time.Time, stats store.OutboxStats) string {
	text := fmt.Sprintf("%d pending · %d failed", stats.Pending, stats.Failed)
	if stats.Failed > 0 && stats.LastFailure != "" {
		text += fmt.Sprintf("\nLast refusal (%d) %s: %s", stats.LastFailureCode, ago(now, stats.LastFailureAt),
			cut(markdown(stats.LastFailure, false), maxErrorText))
	}
	return text
}

// deliveryText describes how delivery goes: a rejected token, paused
// channels, deferred edits and the invalid-request budget; "" without a
// poster to ask.
func (c *Commands) deliveryText(now time.Time) string {
	if c.opts.Delivery == nil {
		return ""
	}
	d := c.opts.Delivery.Status()
	var lines []string
	if d.TokenRejected {
		lines = append(lines, fmt.Sprintf("**Sending stopped**: Discord rejected the bot token in `%s` %s; "+
			"posts wait in the outbox. Put the current token in `%s` and restart (next check %s).",
			markdown(d.TokenEnv, false), ago(now, d.Since), markdown(d.TokenEnv, false), ago(now, d.NextCheck)))
	}
	for _, p := range d.Paused {
		lines = append(lines, fmt.Sprintf("**Channel <#%s> paused** %s: %s (%d) — %s (next try %s).",
			p.ChannelID, ago(now, p.Since), cut(markdown(p.Reason, false), maxErrorText), p.Code,
			cut(markdown(p.Fix, false), maxErrorText*2), ago(now, p.Until)))
	}
	b := d.Budget
	switch {
	case b.Stopped:
		lines = append(lines, fmt.Sprintf("**Sending stopped**: %d invalid requests (401, 403, 429) in 10 min; the bot stops at %d, long before Discord's ban at 10,000 (resumes %s).",
			b.Invalid, b.StopAt, ago(now, b.Until)))
	case b.Slowed:
		lines = append(lines, fmt.Sprintf("**Sending slowed**: %d invalid requests (401, 403, 429) in 10 min (stops at %d).", b.Invalid, b.StopAt))
	}
	if d.OldEditsHeldTil.After(now) {
		lines = append(lines, "Edits of posts older than an hour deferred (Discord's limit, 30046) until "+ago(now, d.OldEditsHeldTil)+"; new posts are not held.")
	}
	if len(lines) == 0 {
		return fmt.Sprintf("ok · %d invalid requests in 10 min", b.Invalid)
	}
	return fitLines(lines, maxFieldValue)
}

// intervalText writes a poll interval: "30s", "12m", "1h", "1h 30m".
func intervalText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d%time.Hour < time.Minute:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return longDuration(d)
}

// sizeText says how much space the store takes, and how much of it is
// free (reused for new reports, or given back as retention runs).
func sizeText(sz store.Size) string {
	text := "Store: " + byteSize(sz.Bytes)
	if sz.Free > 0 {
		text += " (" + byteSize(sz.Free) + " free)"
	}
	return text
}

// byteSize writes n bytes in binary units with three significant digits at
// most: 512 B, 1.5 KiB, 12.3 MiB, 1.07 GiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	prec := 2
	if v >= 100 {
		prec = 0
	} else if v >= 10 {
		prec = 1
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + [...]string{"KiB", "MiB", "GiB", "TiB", "PiB"}[i]
}
