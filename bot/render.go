package bot

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
)

// Discord's limits on what a message carries, in code points. A post has
// at most three fields, well under the limit of 25.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxThreadName  = 100
)

// Rendering choices.
const (
	// maxOthers is how many other reports "Also reported by" links.
	maxOthers = 10
	// maxSourceName and maxDigestTitle shorten names and titles in lists.
	maxSourceName  = 100
	maxDigestTitle = 200
	// separator joins list entries.
	separator = " · "
	// footerTime is the publication time in footers.
	footerTime = "02 Jan 2006 15:04 UTC"
	// untitled stands in for an item without a title.
	untitled = "Untitled report"
	// threadArchiveMinutes is how long a quiet thread stays open: a day.
	threadArchiveMinutes = 1440
	// digestColor is the colour of digests, which mix sources.
	digestColor = 0x5865f2
)

// sourceColors is the palette sources are hashed into: distinct, readable
// on dark and light themes.
var sourceColors = [...]int{
	0xe74c3c, 0xe67e22, 0xf1c40f, 0x2ecc71, 0x1abc9c, 0x3498db,
	0x9b59b6, 0xe91e63, 0x95a5a6, 0x16a085, 0xd35400, 0x2980b9,
}

// NoMentions is the allowed_mentions object of every message: it always
// encodes as {"parse": []}, so no message can ever ping anyone.
type NoMentions struct{}

// MarshalJSON encodes the empty parse list.
func (NoMentions) MarshalJSON() ([]byte, error) { return []byte(`{"parse":[]}`), nil }

// MessageBody is the body of a create-message request. Nonce with
// EnforceNonce makes Discord return the first message again when a create
// is repeated (after a crash or a lost answer) instead of posting twice.
type MessageBody struct {
	Embeds          []*discordgo.MessageEmbed `json:"embeds"`
	AllowedMentions NoMentions                `json:"allowed_mentions"`
	Nonce           string                    `json:"nonce,omitempty"`
	EnforceNonce    bool                      `json:"enforce_nonce,omitempty"`
}

// EditBody is the body of an edit-message request.
type EditBody struct {
	Embeds          []*discordgo.MessageEmbed `json:"embeds"`
	AllowedMentions NoMentions                `json:"allowed_mentions"`
}

// Nonce is the message nonce of outbox entry id in the store whose
// identity is storeID (store.Store.StoreID, ten hex digits): the identity,
// a dash and the id in base 36. No other store, and no other entry, makes
// the same one, and it is at most 24 characters (Discord allows 25).
func Nonce(storeID string, entryID int64) string {
	return storeID + "-" + strconv.FormatInt(entryID, 36)
}

// NewMessage is the create body carrying e with nonce (see Nonce).
func NewMessage(nonce string, e *discordgo.MessageEmbed) MessageBody {
	return MessageBody{Embeds: []*discordgo.MessageEmbed{e}, Nonce: nonce, EnforceNonce: true}
}

// NewEdit is the edit body that replaces a message's embed with e.
func NewEdit(e *discordgo.MessageEmbed) EditBody {
	return EditBody{Embeds: []*discordgo.MessageEmbed{e}}
}

// ThreadName is the name of the thread started under r's post: its title
// as plain text, at most 100 code points, never empty.
func ThreadName(r store.Record) string {
	return cmp.Or(cut(plain(r.Item.Title), maxThreadName), untitled)
}

// RenderPost renders the post of lead: its title linked to the article, the
// summary, the actors named, the story phrases matched, the other reports of
// its development (cluster holds every record of the cluster; lead may be
// among them) and a footer with the source, the publication time and the
// number of outlets.
func RenderPost(lead store.Record, cluster []store.Record) *discordgo.MessageEmbed {
	others := othersOf(lead, cluster)
	e := &discordgo.MessageEmbed{
		Title:       cmp.Or(cut(markdown(lead.Item.Title, false), maxTitle), untitled),
		Description: cut(markdown(lead.Summary, true), maxDescription),
		Color:       sourceColor(lead.Item.FeedName),
		Timestamp:   timestamp(lead.Item.Published),
		Footer:      &discordgo.MessageEmbedFooter{Text: postFooter(lead, others)},
	}
	e.URL, _ = webLink(lead.Item.Link)
	e.Fields = nonEmptyFields(
		&discordgo.MessageEmbedField{Name: "Actors", Value: joinFit(escapeAll(lead.Match.Actors), len(lead.Match.Actors), maxFieldValue)},
		&discordgo.MessageEmbedField{Name: "Matched", Value: joinFit(escapeAll(lead.Match.Phrases), len(lead.Match.Phrases), maxFieldValue)},
		&discordgo.MessageEmbedField{Name: "Also reported by", Value: joinFit(sourceLinks(others), maxOthers, maxFieldValue)},
	)
	return fit(e)
}

// othersOf returns the records of cluster other than lead, oldest first.
func othersOf(lead store.Record, cluster []store.Record) []store.Record {
	var others []store.Record
	for _, r := range cluster {
		if r.Item.ID != lead.Item.ID {
			others = append(others, r)
		}
	}
	slices.SortStableFunc(others, byPublished)
	return others
}

// byPublished orders records by publication, then by when they were seen.
func byPublished(a, b store.Record) int {
	return cmp.Or(a.Item.Published.Compare(b.Item.Published), a.SeenAt.Compare(b.SeenAt))
}

// postFooter is "<source> · <time> · N outlets".
func postFooter(lead store.Record, others []store.Record) string {
	parts := []string{cut(plain(lead.Item.FeedName), maxSourceName)}
	if !lead.Item.Published.IsZero() {
		parts = append(parts, lead.Item.Published.UTC().Format(footerTime))
	}
	parts = append(parts, outlets(append([]store.Record{lead}, others...)))
	return cut(strings.Join(nonBlank(parts), separator), maxFooter)
}

// outlets counts the distinct sources of records: "1 outlet", "7 outlets".
func outlets(records []store.Record) string {
	seen := make(map[string]bool)
	for _, r := range records {
		seen[r.Item.FeedName] = true
	}
	if len(seen) == 1 {
		return "1 outlet"
	}
	return fmt.Sprintf("%d outlets", len(seen))
}

// sourceLinks renders each record's source, linked to its article when the
// link is http(s).
func sourceLinks(records []store.Record) []string {
	out := make([]string, 0, len(records))
	for _, r := range records {
		out = append(out, maskedLink(cut(markdown(r.Item.FeedName, false), maxSourceName), r.Item.Link))
	}
	return out
}

// maskedLink is [text](link) when link is http(s), else text alone. text
// must be escaped already.
func maskedLink(text, link string) string {
	text = cmp.Or(text, untitled)
	if u, ok := webLink(link); ok {
		return "[" + text + "](" + u + ")"
	}
	return text
}

// RenderDigest renders one message listing records (newest last) as linked
// titles with their sources, under "N new reports on <story>". What does
// not fit in the description is counted as "+N more".
func RenderDigest(storyName string, records []store.Record) *discordgo.MessageEmbed {
	sorted := slices.Clone(records)
	slices.SortStableFunc(sorted, byPublished)
	title := fmt.Sprintf("%d new reports", len(records))
	if storyName != "" {
		title += " on " + storyName
	}
	lines := make([]string, 0, len(sorted))
	for _, r := range sorted {
		text := cmp.Or(cut(markdown(r.Item.Title, false), maxDigestTitle), untitled)
		lines = append(lines, "• "+maskedLink(text, r.Item.Link)+" — "+cut(markdown(r.Item.FeedName, false), maxSourceName))
	}
	e := &discordgo.MessageEmbed{
		Title:       cut(markdown(title, false), maxTitle),
		Description: fitLines(lines, maxDescription),
		Color:       digestColor,
		Footer:      &discordgo.MessageEmbedFooter{Text: outlets(sorted)},
	}
	if len(sorted) > 0 {
		e.Timestamp = timestamp(sorted[len(sorted)-1].Item.Published)
	}
	return fit(e)
}

// joinFit joins at most maxItems of items with " · ", as many as fit in
// limit, and counts the rest as "+N more".
func joinFit(items []string, maxItems, limit int) string {
	return fitJoined(items, maxItems, limit, separator)
}

// fitLines joins lines with newlines, as many as fit in limit, and counts
// the rest as "+N more".
func fitLines(lines []string, limit int) string {
	return fitJoined(lines, len(lines), limit, "\n")
}

// fitJoined joins items with sep, keeping at most maxItems and as many as
// fit in limit together with a final "+N more" for the rest.
func fitJoined(items []string, maxItems, limit int, sep string) string {
	var b strings.Builder
	n := 0
	for _, it := range items {
		if n == maxItems {
			break
		}
		more := ""
		if rest := len(items) - n - 1; rest > 0 {
			more = sep + moreText(rest)
		}
		size := length(b.String()) + length(it) + length(more)
		if n > 0 {
			size += length(sep)
		}
		if size > limit {
			break
		}
		if n > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it)
		n++
	}
	if rest := len(items) - n; rest > 0 {
		if n > 0 {
			b.WriteString(sep)
		}
		b.WriteString(moreText(rest))
	}
	return b.String()
}

// moreText counts what a list leaves out.
func moreText(n int) string { return fmt.Sprintf("+%d more", n) }

// escapeAll escapes each of texts for markdown, on one line.
func escapeAll(texts []string) []string {
	out := make([]string, 0, len(texts))
	for _, t := range texts {
		if s := cut(markdown(t, false), maxFieldValue); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// nonEmptyFields keeps the fields that have a value (Discord refuses
// empty ones).
func nonEmptyFields(fields ...*discordgo.MessageEmbedField) []*discordgo.MessageEmbedField {
	return slices.DeleteFunc(fields, func(f *discordgo.MessageEmbedField) bool { return f.Value == "" })
}

// nonBlank drops empty strings.
func nonBlank(parts []string) []string {
	return slices.DeleteFunc(parts, func(s string) bool { return s == "" })
}

// sourceColor hashes a source name into the palette, so a source keeps its
// colour across posts and restarts.
func sourceColor(source string) int {
	h := fnv.New32a()
	h.Write([]byte(source))
	return sourceColors[h.Sum32()%uint32(len(sourceColors))]
}

// timestamp is t in the ISO 8601 form embeds take, or "" for the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// embedSize is what Discord counts of e towards the 6,000-character
// total of a message's embeds: title, description, field names and
// values, footer text and author name.
func embedSize(e *discordgo.MessageEmbed) int {
	n := length(e.Title) + length(e.Description)
	if e.Footer != nil {
		n += length(e.Footer.Text)
	}
	if e.Author != nil {
		n += length(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += length(f.Name) + length(f.Value)
	}
	return n
}

// fit shortens e's description so that e keeps within Discord's
// 6,000-character total, and returns e. Nothing else needs cutting: every
// other part is cut to its own limit already, and no embed has more than a
// few fields.
func fit(e *discordgo.MessageEmbed) *discordgo.MessageEmbed {
	if over := embedSize(e) - maxEmbedTotal; over > 0 {
		e.Description = cut(e.Description, max(length(e.Description)-over, 0))
	}
	return e
}
