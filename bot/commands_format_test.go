package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

func TestAgo(t *testing.T) {
	now := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{-30 * time.Second, "just now"},
		{5 * time.Minute, "5m ago"},
		{3*time.Hour + 59*time.Minute, "3h ago"},
		{47 * time.Hour, "47h ago"},
		{50 * time.Hour, "2d ago"},
		{-10 * time.Minute, "in 10m"},
		{-3 * 24 * time.Hour, "in 3d"},
	}
	for _, tc := range tests {
		if got := ago(now, now.Add(-tc.d)); got != tc.want {
			t.Errorf("ago(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestLongDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Minute, "45m"},
		{3*time.Hour + 12*time.Minute, "3h 12m"},
		{52 * time.Hour, "2d 4h"},
	}
	for _, tc := range tests {
		if got := longDuration(tc.d); got != tc.want {
			t.Errorf("longDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestTrend(t *testing.T) {
	tests := []struct {
		current, previous int
		want              string
	}{
		{0, 0, ""},
		{3, 0, "new"},
		{4, 4, "= 0%"},
		{6, 4, "▲ 50%"},
		{1, 4, "▼ 75%"},
		{0, 3, "▼ 100%"},
		{2, 3, "▼ 33%"},
	}
	for _, tc := range tests {
		if got := trend(tc.current, tc.previous); got != tc.want {
			t.Errorf("trend(%d, %d) = %q, want %q", tc.current, tc.previous, got, tc.want)
		}
	}
}

func TestHighlighted(t *testing.T) {
	hs, he := store.HighlightStart, store.HighlightEnd
	tests := []struct {
		name, snippet string
		n             int
		want          string
	}{
		{"terms in bold, spaces kept", "met in " + hs + "Miami" + he + " to talk", 100, "met in **Miami** to talk"},
		{"feed markdown escaped", "*not bold* " + hs + "x_y" + he, 100, `\*not bold\* **x\_y**`},
		{"mentions defused", "@everyone " + hs + "<@1>" + he, 100, "＠everyone **\\<＠1\\>**"},
		{"stray private-use marks dropped", "a\ue000b " + hs + "c" + he, 100, "ab **c**"},
		{"control and zero-width removed", "a\u200bb\x07 " + hs + "c" + he, 100, "ab **c**"},
		{"cut inside a term closes it", "x " + hs + "abcdefghijklmnopqrstuvwxyz" + he, 12, "x **abcd…**"},
		{"cut before a term", "word " + hs + "longterm" + he + " tail", 10, "word…"},
		{"no terms", "plain text", 100, "plain text"},
		{"adjacent terms joined", "the " + hs + "28" + he + "-" + hs + "point" + he + " " + hs + "plan" + he + " " + hs + "x" + he + hs + "y" + he, 100,
			"the **28\\-point plan xy**"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := highlighted(tc.snippet, tc.n)
			if got != tc.want {
				t.Errorf("highlighted(%q) = %q, want %q", tc.snippet, got, tc.want)
			}
			if length(got) > tc.n {
				t.Errorf("%d code points, over %d", length(got), tc.n)
			}
		})
	}
}

func TestQuoteSpan(t *testing.T) {
	hs, he := store.HighlightStart, store.HighlightEnd
	long := strings.Repeat("lorem ipsum ", 10) + "the 28-point plan" + strings.Repeat(" dolor sit", 10)
	at := strings.Index(long, "28-point plan")
	tests := []struct {
		name       string
		text       string
		start, end int
		want       string
		ok         bool
	}{
		{"whole short text", "Witkoff flies", 0, 7, hs + "Witkoff" + he + " flies", true},
		{"context cut at spaces", long, at, at + len("28-point plan"),
			"…ipsum lorem ipsum lorem ipsum lorem ipsum the " + hs + "28-point plan" + he + " dolor sit dolor sit dolor sit dolor sit dolor…", true},
		{"end past the text", "short", 2, 9, "", false},
		{"empty span", "short", 2, 2, "", false},
		{"inside a character", "Зеленский", 1, 4, "", false},
		{"negative", "short", -1, 2, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := quoteSpan(tc.text, tc.start, tc.end)
			if got != tc.want || ok != tc.ok {
				t.Errorf("quoteSpan = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestSpanQuotesSkipOverlaps(t *testing.T) {
	title := "Witkoff brings the 28-point plan"
	r := store.Record{Item: feeds.Item{Title: title, Text: "Putin"}, Match: story.Match{Spans: []story.Span{
		{Field: story.FieldTitle, Start: 0, End: 7, Kind: story.KindActor},
		{Field: story.FieldTitle, Start: 19, End: 32, Kind: story.KindPhrase},
		{Field: story.FieldTitle, Start: 19, End: 27, Kind: story.KindPhrase}, // "28-point" inside "28-point plan"
		{Field: story.FieldTitle, Start: 8, End: 14, Kind: story.KindContext},
		{Field: story.FieldText, Start: 0, End: 5, Kind: story.KindActor},
		{Field: story.FieldText, Start: 3, End: 99, Kind: story.KindActor}, // does not fit the text
	}}}
	want := []string{
		"title: **Witkoff** brings the 28\\-point plan",
		"title: Witkoff brings the **28\\-point plan**",
		"text: **Putin**",
	}
	if got := spanQuotes(r, 4); !slices.Equal(got, want) {
		t.Errorf("spanQuotes = %q, want %q", got, want)
	}
	if got := spanQuotes(r, 1); len(got) != 1 {
		t.Errorf("spanQuotes(1) = %q, want one quote", got)
	}
}

func TestJumpLink(t *testing.T) {
	if got := jumpLink("1", "2", "3"); got != "https://discord.com/channels/1/2/3" {
		t.Errorf("jumpLink = %q", got)
	}
	if got := jumpLink("", "2", "3"); got != "https://discord.com/channels/@me/2/3" {
		t.Errorf("jumpLink without guild = %q", got)
	}
}

func TestFit(t *testing.T) {
	e := fit(&discordgo.MessageEmbed{
		Title:       strings.Repeat("t", maxTitle),
		Description: strings.Repeat("word ", maxDescription/5),
		Fields: []*discordgo.MessageEmbedField{
			{Name: "a", Value: strings.Repeat("v", maxFieldValue)},
			{Name: "b", Value: strings.Repeat("v", maxFieldValue)},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 500)},
	})
	if n := embedSize(e); n > maxEmbedTotal {
		t.Errorf("embed size %d, over %d", n, maxEmbedTotal)
	}
	if !strings.HasSuffix(e.Description, "…") || len(e.Fields[1].Value) != maxFieldValue {
		t.Errorf("only the description should be cut: %q…", e.Description[:20])
	}
}
