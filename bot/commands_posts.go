package bot

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
	"storyline/story"
)

// Limits of /latest, /search and "Why was this posted?".
const (
	defaultLatest = 5
	maxLatest     = 10
	// maxQuery is the longest search query accepted.
	maxQuery = 200
	// searchResults is how many hits /search shows.
	searchResults = 10
	// maxSnippet shortens a search hit's snippet.
	maxSnippet = 220
	// maxExplained is how many of a message's items are explained one by
	// one; maxSpans how many matches are quoted for each.
	maxExplained = 3
	maxSpans     = 4
	// spanContext is how many bytes of text around a match are quoted.
	spanContext = 50
	// maxFieldName is Discord's limit on an embed field's name.
	maxFieldName = 256
)

// Texts of answers without results.
const (
	emptyQueryText = "Type some words to search for: `envoy talks`, an exact phrase in quotes, or `word OR word`."
	notOursText    = "That message isn't one of my story posts, so there is nothing to explain."
	tooLongText    = "That's a lot of words: search for at most %d."
)

// moreMatchesText ends a /search answer when older reports match too: only
// the latest store.SearchRanked matches are ranked.
func moreMatchesText() string {
	return fmt.Sprintf("*Older reports match too: these are the best of the latest %d. "+
		"Add words or \"quote a phrase\" to narrow the search.*", store.SearchRanked)
}

// latest answers /latest: the latest posted developments, newest first.
func (c *Commands) latest(x *exchange, data discordgo.ApplicationCommandInteractionData) error {
	count := defaultLatest
	if o := data.GetOption("count"); o != nil {
		count = min(max(int(o.IntValue()), 1), maxLatest)
	}
	if err := x.deferAnswer(false); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	posted, err := c.q.LatestPosted(ctx, count)
	if err != nil {
		return err
	}
	now := c.opts.Now()
	entries := make([]string, 0, len(posted))
	for _, p := range posted {
		entries = append(entries, postedEntry(now, x.in.GuildID, p))
	}
	desc := fitJoined(entries, len(entries), maxDescription, "\n\n")
	if len(entries) == 0 {
		desc = "Nothing has been posted yet."
	}
	e := fit(&discordgo.MessageEmbed{
		Title: "Latest developments", Description: desc, Color: commandColor, Footer: c.footer(""),
	})
	return x.respond(answer{embeds: []*discordgo.MessageEmbed{e}})
}

// postedEntry renders one posted message: its lead report linked, the
// source, when it was posted, how many outlets reported it and a link to
// the message.
func postedEntry(now time.Time, guildID string, p store.PostedMessage) string {
	title := maskedLink(cut(markdown(p.Lead.Title, false), maxListTitle), p.Lead.Link)
	if p.Kind == store.KindDigest {
		title = fmt.Sprintf("Digest of %d reports, first: %s", p.Items, title)
	}
	meta := []string{cut(markdown(p.Lead.FeedName, false), maxSourceName), "posted " + ago(now, p.PostedAt)}
	if n := len(p.Outlets); n > 1 {
		meta = append(meta, fmt.Sprintf("%d outlets", n))
	}
	if p.ChannelID != "" && p.MessageID != "" {
		meta = append(meta, "[open post]("+jumpLink(guildID, p.ChannelID, p.MessageID)+")")
	}
	return "• " + title + "\n" + strings.Join(meta, " · ")
}

// search answers /search: the best stored reports for the query, each with
// a highlighted snippet, and a hint to narrow the query when older reports
// match too.
func (c *Commands) search(x *exchange, data discordgo.ApplicationCommandInteractionData) error {
	query := ""
	if o := data.GetOption("query"); o != nil {
		query = strings.TrimSpace(o.StringValue())
	}
	if query == "" {
		return x.respond(answer{content: emptyQueryText, ephemeral: true})
	}
	if _, err := store.SearchWords(query); errors.Is(err, store.ErrQueryTooLong) {
		return x.respond(answer{content: fmt.Sprintf(tooLongText, store.MaxSearchWords), ephemeral: true})
	}
	if err := x.deferAnswer(false); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	res, err := c.q.Search(ctx, query, searchResults)
	if err != nil {
		return err
	}
	now := c.opts.Now()
	entries := make([]string, 0, len(res.Hits))
	for i, h := range res.Hits {
		entry := fmt.Sprintf("**%d.** %s", i+1, itemLine(now, h.Item, maxListTitle))
		if s := highlighted(h.Snippet, maxSnippet); s != "" {
			entry += "\n> " + s
		}
		entries = append(entries, entry)
	}
	room := maxDescription
	if res.More {
		room -= length(moreMatchesText()) + 2
	}
	desc := fitJoined(entries, len(entries), room, "\n")
	if len(entries) == 0 {
		desc = "No stored report matches."
	}
	if res.More {
		desc += "\n\n" + moreMatchesText()
	}
	e := fit(&discordgo.MessageEmbed{
		Title:       cut("Search: "+markdown(query, false), maxTitle),
		Description: desc, Color: commandColor,
		Footer: c.footer("every stored report, relevant or not"),
	})
	return x.respond(answer{embeds: []*discordgo.MessageEmbed{e}})
}

// whyPosted answers "Why was this posted?" on a message: privately, the
// score, matches and source of each item it was posted for, and the other
// outlets of the development.
func (c *Commands) whyPosted(x *exchange, data discordgo.ApplicationCommandInteractionData) error {
	if err := x.deferAnswer(true); err != nil {
		return err
	}
	ctx, cancel := work()
	defer cancel()
	p, err := c.q.MessageItems(ctx, data.TargetID)
	if errors.Is(err, store.ErrNotFound) {
		return x.respond(answer{content: notOursText, ephemeral: true})
	}
	if err != nil {
		return err
	}
	now := c.opts.Now()
	fields := make([]*discordgo.MessageEmbedField, 0, maxExplained+1)
	for _, r := range p.Records[:min(len(p.Records), maxExplained)] {
		fields = append(fields, &discordgo.MessageEmbedField{
			Name:  cmp.Or(cut(plain(r.Item.Title), maxFieldName), untitled),
			Value: c.explain(now, r),
		})
	}
	if rest := len(p.Records) - maxExplained; rest > 0 {
		fields = append(fields, &discordgo.MessageEmbedField{Name: "More items", Value: moreText(rest)})
	}
	fields = append(fields, &discordgo.MessageEmbedField{Name: "Reported by", Value: reportedBy(p)})
	e := fit(&discordgo.MessageEmbed{
		Title:  "Why this was posted",
		Color:  commandColor,
		Fields: nonEmptyFields(fields...),
		Footer: c.footer(""),
	})
	return x.respond(answer{embeds: []*discordgo.MessageEmbed{e}, ephemeral: true})
}

// explain says why r was posted: its score against the threshold, the
// phrases and actors matched, where (quoted), and its feed; as many lines
// as fit in a field.
func (c *Commands) explain(now time.Time, r store.Record) string {
	score := fmt.Sprintf("Score **%.2f**", r.Match.Score)
	if c.opts.Threshold > 0 {
		score += fmt.Sprintf(" (threshold %.2f)", c.opts.Threshold)
	}
	lines := []string{score}
	if len(r.Match.Phrases) > 0 {
		lines = append(lines, "Phrases: "+joinFit(escapeAll(r.Match.Phrases), len(r.Match.Phrases), maxFieldValue/4))
	}
	if len(r.Match.Actors) > 0 {
		lines = append(lines, "Actors: "+joinFit(escapeAll(r.Match.Actors), len(r.Match.Actors), maxFieldValue/4))
	}
	for _, q := range spanQuotes(r, maxSpans) {
		lines = append(lines, "> "+q)
	}
	lines = append(lines, "From "+maskedLink(cut(markdown(r.Item.FeedName, false), maxSourceName), r.Item.Link)+
		" · published "+ago(now, r.Item.Published))
	return fitLines(lines, maxFieldValue)
}

// spanQuotes quotes up to n of r's phrase and actor matches with a little
// of the text around them, the matched words in bold: "title: …the
// **28-point plan** from…". A match overlapping one already quoted (a weak
// phrase inside a strong one) is not quoted again.
func spanQuotes(r store.Record, n int) []string {
	var out []string
	var quoted []story.Span
	for _, sp := range r.Match.Spans {
		if len(out) == n {
			break
		}
		if sp.Kind != story.KindPhrase && sp.Kind != story.KindActor || overlaps(quoted, sp) {
			continue
		}
		text := r.Item.Text
		if sp.Field == story.FieldTitle {
			text = r.Item.Title
		}
		if q, ok := quoteSpan(text, sp.Start, sp.End); ok {
			out = append(out, string(sp.Field)+": "+highlighted(q, maxFieldValue/n))
			quoted = append(quoted, sp)
		}
	}
	return out
}

// overlaps reports whether sp shares text with one of spans.
func overlaps(spans []story.Span, sp story.Span) bool {
	return slices.ContainsFunc(spans, func(o story.Span) bool {
		return o.Field == sp.Field && o.Start < sp.End && sp.Start < o.End
	})
}

// quoteSpan returns text[start:end] between the store's highlight markers,
// with about spanContext bytes of text on each side cut at spaces, and an
// ellipsis where the quote cuts the text. It reports false when the span
// does not fit text.
func quoteSpan(text string, start, end int) (string, bool) {
	if start < 0 || end > len(text) || start >= end || !boundary(text, start) || !boundary(text, end) {
		return "", false
	}
	from := start - spanContext
	if from <= 0 {
		from = 0
	} else if i := strings.IndexByte(text[from:start], ' '); i >= 0 {
		from += i + 1
	} else {
		from = start
	}
	to := end + spanContext
	if to >= len(text) {
		to = len(text)
	} else if i := strings.LastIndexByte(text[end:to], ' '); i >= 0 {
		to = end + i
	} else {
		to = end
	}
	q := text[from:start] + store.HighlightStart + text[start:end] + store.HighlightEnd + text[end:to]
	if from > 0 {
		q = ellipsis + q
	}
	if to < len(text) {
		q += ellipsis
	}
	return q, true
}

// boundary reports whether byte offset i of s starts a character (or is
// the end of s).
func boundary(s string, i int) bool {
	return i == len(s) || (s[i]&0xC0) != 0x80
}

// reportedBy lists the outlets of the items and of their development.
func reportedBy(p store.Posting) string {
	var names []string
	seen := map[string]bool{}
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			names = append(names, cut(markdown(name, false), maxSourceName))
		}
	}
	for _, r := range p.Records {
		add(r.Item.FeedName)
	}
	for _, it := range p.Related {
		add(it.FeedName)
	}
	return joinFit(names, maxOthers, maxFieldValue)
}
