package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
)

// dailyPeriod is the period of the render tests: one Kyiv day.
var dailyPeriod = [2]time.Time{
	time.Date(2025, 11, 19, 16, 0, 0, 0, time.UTC),
	time.Date(2025, 11, 20, 16, 0, 0, 0, time.UTC),
}

func TestRenderDailyGolden(t *testing.T) {
	r := store.DailyReport{
		Start: dailyPeriod[0], End: dailyPeriod[1],
		Developments: []store.Development{
			{ClusterID: 3, Title: "Council votes to close the **bridge** <@&1> @everyone", Link: "https://gazette.example/closure?id=1",
				FeedName: "Harbour Gazette", Outlets: 7, Reports: 9, Latest: t0},
			{ClusterID: 1, Title: "[Fake](https://evil.example) ferry timetable", Link: "javascript:alert(1)",
				FeedName: "City Wire", Outlets: 2, Reports: 2, Latest: t0.Add(-time.Hour)},
			{Title: "", Link: "https://wire.example/c_(update)", FeedName: "Evening_Post", Outlets: 1, Reports: 1, Latest: t0},
		},
		AllDevelopments: 5,
		Actors:          []store.NamedActor{{Actor: "Mara Quinn", Items: 12}, {Actor: "Tom *Ode*", Items: 1}},
		Items:           310,
		Relevant:        42,
	}
	golden(t, "daily.golden.json", indent(t, NewMessage(Nonce("0123456789", 9), RenderDaily("Harbour bridge", zone(t, "Europe/Kyiv"), r))))
}

func TestRenderDailyQuietPeriod(t *testing.T) {
	e := RenderDaily("", nil, store.DailyReport{Start: dailyPeriod[0], End: dailyPeriod[1], Items: 1})
	want := &discordgo.MessageEmbed{
		Title:       "Daily digest",
		Description: quietDay,
		Color:       digestColor,
		Timestamp:   "2025-11-20T16:00:00Z",
		Fields:      []*discordgo.MessageEmbedField{{Name: "Items seen", Value: "1 item, 0 about the story"}},
		Footer:      &discordgo.MessageEmbedFooter{Text: "19 Nov 2025 16:00 UTC – 20 Nov 2025 16:00 UTC"},
	}
	if got, wantJSON := string(indent(t, e)), string(indent(t, want)); got != wantJSON {
		t.Errorf("quiet digest =\n%s\nwant\n%s", got, wantJSON)
	}
}

func TestRenderDailyFitsDiscordLimits(t *testing.T) {
	r := store.DailyReport{Start: dailyPeriod[0], End: dailyPeriod[1], AllDevelopments: 40, Items: 1e6, Relevant: 1e5}
	for i := range dailyDevelopments {
		r.Developments = append(r.Developments, store.Development{
			Title:    fmt.Sprintf("%02d ", i) + strings.Repeat("headline ", 40),
			Link:     "https://news.example/" + strings.Repeat("p", 1900) + fmt.Sprint(i),
			FeedName: strings.Repeat("Outlet ", 30),
			Outlets:  40 - i,
		})
	}
	for i := range dailyActors {
		r.Actors = append(r.Actors, store.NamedActor{Actor: strings.Repeat("Name ", 30) + fmt.Sprint(i), Items: 100 - i})
	}
	e := RenderDaily(strings.Repeat("Story ", 60), time.UTC, r)
	if n := embedSize(e); n > maxEmbedTotal {
		t.Errorf("embed holds %d characters, over Discord's %d", n, maxEmbedTotal)
	}
	if n := length(e.Description); n > maxDescription {
		t.Errorf("description holds %d characters, over %d", n, maxDescription)
	}
	if n := length(e.Title); n > maxTitle {
		t.Errorf("title holds %d characters, over %d", n, maxTitle)
	}
	for _, f := range e.Fields {
		if n := length(f.Value); n > maxFieldValue {
			t.Errorf("field %q holds %d characters, over %d", f.Name, n, maxFieldValue)
		}
	}
	lines := strings.Split(e.Description, "\n")
	listed := lines[:len(lines)-1]
	if len(listed) == 0 || len(listed) == dailyDevelopments {
		t.Fatalf("%d developments listed, want some but not all to fit", len(listed))
	}
	for i, line := range listed {
		if !strings.HasPrefix(line, fmt.Sprintf("%d\\. [%02d headline", i+1, i)) || !strings.HasSuffix(line, fmt.Sprintf(" %d outlets", 40-i)) {
			t.Errorf("line %d is not a whole development in rank order: %.80q…", i+1, line)
		}
	}
	if want := fmt.Sprintf("+%d more", 40-len(listed)); lines[len(lines)-1] != want {
		t.Errorf("last line = %q, want %q (the listed developments that did not fit and those never listed)", lines[len(lines)-1], want)
	}
}
