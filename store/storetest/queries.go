package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/store"
	"storyline/story"
)

// dated is a record naming actors, published at the given time, from feed.
func dated(id, feed string, published time.Time, actors ...string) store.Record {
	r := Record(id, "", actors...)
	r.Item.FeedName = feed
	r.Item.Published = published
	r.SeenAt = published
	return r
}

func testActorReport(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ago := func(d time.Duration) time.Time { return T0.Add(-d) }
	Commit(t, s, store.Batch{Records: []store.Record{
		dated("h1", "Wire", ago(time.Hour), "Witkoff", "Putin"),
		dated("h20", "Post", ago(20*time.Hour), "Witkoff", "Putin", "Dmitriev"),
		dated("d3", "Wire", ago(3*day), "Witkoff", "Dmitriev"),
		dated("d8", "Wire", ago(8*day), "Witkoff", "Putin"),
		dated("d13", "Wire", ago(13*day), "Witkoff"),
		dated("d20", "Wire", ago(20*day), "Witkoff", "Zelensky"),
		dated("d40", "Wire", ago(40*day), "Witkoff", "Zelensky"),
		dated("other", "Wire", ago(2*time.Hour), "Putin"),
		dated("future", "Wire", T0.Add(time.Hour), "Witkoff"),
	}})

	r, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: "Witkoff", Now: T0, Days: 30, Latest: 3, With: 2})
	if err != nil {
		t.Fatalf("ActorReport: %v", err)
	}
	if r.Day != 2 || r.Week != 3 || r.Month != 6 || r.PrevWeek != 2 {
		t.Errorf("counts day/week/month/prev = %d/%d/%d/%d, want 2/3/6/2", r.Day, r.Week, r.Month, r.PrevWeek)
	}
	if !r.FirstSeen.Equal(ago(40*day)) || !r.LastSeen.Equal(T0.Add(time.Hour)) {
		t.Errorf("first/last seen = %v/%v", r.FirstSeen, r.LastSeen)
	}
	wantWith := []store.ActorCount{{Actor: "Putin", Count: 3}, {Actor: "Dmitriev", Count: 2}}
	if !reflect.DeepEqual(r.With, wantWith) {
		t.Errorf("With = %+v, want %+v", r.With, wantWith)
	}
	var latest []string
	for _, it := range r.Latest {
		latest = append(latest, it.ID+"@"+it.FeedName)
	}
	if want := []string{"future@Wire", "h1@Wire", "h20@Post"}; !slices.Equal(latest, want) {
		t.Errorf("Latest = %v, want %v", latest, want)
	}
	if r.Latest[2].Title != "Title h20" || !r.Latest[2].Published.Equal(ago(20*time.Hour)) {
		t.Errorf("Latest[2] = %+v", r.Latest[2])
	}
	// T0 is 14:05 UTC: today holds the items of an hour ago and of an hour
	// ahead, yesterday the one of 20 hours ago.
	want := make([]int, 30)
	want[29], want[28], want[26], want[21], want[16], want[9] = 2, 1, 1, 1, 1, 1
	if !slices.Equal(r.Daily, want) {
		t.Errorf("Daily = %v, want %v", r.Daily, want)
	}
}

func testActorReportOfUnknownActor(t *testing.T, db NewDB) {
	s := fresh(t, db)
	r, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: "Nobody", Now: T0, Days: 7, Latest: 5, With: 5})
	if err != nil {
		t.Fatalf("ActorReport: %v", err)
	}
	if r.Day+r.Week+r.Month+r.PrevWeek != 0 || !r.FirstSeen.IsZero() || !r.LastSeen.IsZero() ||
		r.With != nil || r.Latest != nil || !slices.Equal(r.Daily, make([]int, 7)) {
		t.Errorf("report = %+v, want zeros", r)
	}
}

func testActorTrends(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ago := func(d time.Duration) time.Time { return T0.Add(-d) }
	Commit(t, s, store.Batch{Records: []store.Record{
		dated("a", "Wire", ago(time.Hour), "Putin", "Witkoff"),
		dated("b", "Wire", ago(2*day), "Putin"),
		dated("c", "Wire", ago(8*day), "Witkoff"),
		dated("d", "Wire", ago(9*day), "Witkoff", "Rubio"),
		dated("e", "Wire", ago(15*day), "Rubio"),
	}})
	got, err := s.ActorTrends(t.Context(), []string{"Rubio", "Witkoff", "Nobody", "Putin"}, T0, 7*day)
	if err != nil {
		t.Fatalf("ActorTrends: %v", err)
	}
	want := []store.ActorTrend{
		{Actor: "Putin", Current: 2}, {Actor: "Witkoff", Current: 1, Previous: 2},
		{Actor: "Rubio", Previous: 1}, {Actor: "Nobody"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ActorTrends = %+v, want %+v", got, want)
	}
}

// markSent marks outbox entry id sent as message msg at at.
func markSent(t *testing.T, s store.Store, id int64, msg string, at time.Time) {
	t.Helper()
	if err := s.MarkSent(t.Context(), id, "ch", msg, at); err != nil {
		t.Fatalf("MarkSent %d: %v", id, err)
	}
}

func testLatestPosted(t *testing.T, db NewDB) {
	s := fresh(t, db)
	first := Commit(t, s, store.Batch{
		Records: []store.Record{dated("lead", "Wire", T0, "Witkoff"), dated("d1", "Post", T0), dated("d2", "Wire", T0),
			dated("gone", "Wire", T0), dated("pending", "Wire", T0)},
		Posts: []store.Post{Post("lead"), {Kind: store.KindDigest, ItemIDs: []string{"d1", "d2"}}, Post("gone"), Post("pending")},
	})
	leadEntry, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	second := Commit(t, s, store.Batch{
		Records: []store.Record{dated("joined", "Agency", T0)},
		Posts:   []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"joined"}, ClusterID: leadEntry.ClusterID}},
	})
	markSent(t, s, first.Queued[0], "m-lead", T0.Add(time.Minute))
	markSent(t, s, first.Queued[1], "m-digest", T0.Add(2*time.Minute))
	markSent(t, s, first.Queued[2], "m-gone", T0.Add(3*time.Minute))
	markSent(t, s, second.Queued[0], "m-lead", T0.Add(4*time.Minute))
	// The message of "gone" was deleted: an edit of it was posted anew.
	goneCluster := clusterOf(t, s, "gone")
	repost := Commit(t, s, store.Batch{Posts: []store.Post{{Kind: store.KindEdit, ClusterID: goneCluster}}})
	if err := s.MarkReposted(t.Context(), repost.Queued[0], goneCluster, "ch", "m-gone-2", T0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}

	devs, err := s.LatestPosted(t.Context(), 10)
	if err != nil {
		t.Fatalf("LatestPosted: %v", err)
	}
	type view struct {
		kind        store.OutboxKind
		lead, msg   string
		items       int
		outlets     string
		postedAfter time.Duration
	}
	var got []view
	for _, d := range devs {
		got = append(got, view{d.Kind, d.Lead.ID, d.ChannelID + "/" + d.MessageID, d.Items,
			strings.Join(d.Outlets, ","), d.PostedAt.Sub(T0)})
	}
	want := []view{
		{store.KindDigest, "d1", "ch/m-digest", 2, "Post,Wire", 2 * time.Minute},
		{store.KindPost, "lead", "ch/m-lead", 1, "Wire,Agency", time.Minute},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LatestPosted =\n%+v\nwant\n%+v", got, want)
	}
	if devs, err := s.LatestPosted(t.Context(), 1); err != nil || len(devs) != 1 || devs[0].Lead.ID != "d1" {
		t.Errorf("LatestPosted(1) = %+v, %v", devs, err)
	}
}

func testMessageItems(t *testing.T, db NewDB) {
	s := fresh(t, db)
	first := Commit(t, s, store.Batch{
		Records: []store.Record{dated("lead", "Wire", T0, "Witkoff"), dated("d1", "Post", T0), dated("d2", "Wire", T0)},
		Posts:   []store.Post{Post("lead"), {Kind: store.KindDigest, ItemIDs: []string{"d1", "d2"}}},
	})
	leadEntry, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	later := T0.Add(time.Minute)
	second := Commit(t, s, store.Batch{
		Records: []store.Record{dated("edit", "Agency", later), dated("reply", "Daily", later.Add(time.Second))},
		Posts: []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"edit"}, ClusterID: leadEntry.ClusterID},
			{Kind: store.KindReply, ItemIDs: []string{"reply"}, ClusterID: leadEntry.ClusterID}},
	})
	markSent(t, s, first.Queued[0], "m-lead", T0)
	markSent(t, s, first.Queued[1], "m-digest", T0)
	markSent(t, s, second.Queued[0], "m-lead", later)
	markSent(t, s, second.Queued[1], "m-reply", later)

	tests := []struct {
		message          string
		records, related []string
	}{
		{"m-lead", []string{"lead", "edit"}, []string{"reply"}},
		{"m-digest", []string{"d1", "d2"}, nil},
		{"m-reply", []string{"reply"}, []string{"lead", "edit"}},
	}
	for _, tc := range tests {
		t.Run(tc.message, func(t *testing.T) {
			p, err := s.MessageItems(t.Context(), tc.message)
			if err != nil {
				t.Fatalf("MessageItems: %v", err)
			}
			var records, related []string
			for _, r := range p.Records {
				records = append(records, r.Item.ID)
			}
			for _, it := range p.Related {
				related = append(related, it.ID)
			}
			if !slices.Equal(records, tc.records) || !slices.Equal(related, tc.related) {
				t.Errorf("records %v related %v, want %v and %v", records, related, tc.records, tc.related)
			}
		})
	}
	if p, err := s.MessageItems(t.Context(), "m-lead"); err == nil && p.Records[0].Match.Score != 3.5 {
		t.Errorf("record match not read: %+v", p.Records[0].Match)
	}
	for _, id := range []string{"unknown", ""} {
		if _, err := s.MessageItems(t.Context(), id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MessageItems(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

func testSearch(t *testing.T, db NewDB) {
	s := fresh(t, db)
	titled := func(id, title, text string, relevant bool) store.Record {
		r := Record(id, "", "Witkoff")
		r.Item.Title, r.Item.Text, r.Match.Relevant = title, text, relevant
		return r
	}
	Commit(t, s, store.Batch{Records: []store.Record{
		titled("text", "Talks resume", "Witkoff met Dmitriev in Miami to discuss the plan.", true),
		titled("title", "Witkoff flies to Moscow", "The envoy arrives on Tuesday.", true),
		titled("sport", "Witkoff watches the football match with his friends", "Not about the story at all.", false),
		titled("plan", "The 28-point plan", "Zelensky reviews the 28-point plan.", true),
		titled("accent", "Zelenskyy in Kyiv", "Ukraine’s president spoke.", true),
		titled("cyrillic", "Зеленский в Женеве", "Встреча с Уиткоффом и Умеровым.", true),
	}})
	tests := []struct {
		name, query string
		want        []string
	}{
		{"title matches first, newest first, irrelevant items included", "witkoff", []string{"sport", "title", "text"}},
		{"phrase", `"28-point plan"`, []string{"plan"}},
		{"boolean", "miami OR moscow", []string{"title", "text"}},
		{"unparsable query searched as words", "AND OR (", nil},
		{"unparsable query with words", `witkoff" moscow (`, []string{"title"}},
		{"no words", "  (( * ", nil},
		{"empty", "", nil},
		{"diacritics folded", "zelénskyy", []string{"accent"}},
		{"prefix", "witk*", []string{"sport", "title", "text"}},
		{"cyrillic, any case", "ЖЕНЕВЕ", []string{"cyrillic"}},
		{"cyrillic prefix and phrase", `уиткофф* "встреча с"`, []string{"cyrillic"}},
		{"grouped OR", "witkoff AND (miami OR женеве)", []string{"text"}},
		{"NOT", "witkoff NOT football", []string{"title", "text"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(t.Context(), tc.query, 10)
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.query, err)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.Item.ID)
			}
			if !slices.Equal(ids, tc.want) || res.More {
				t.Errorf("Search(%q) = %v, more %v; want %v, no more", tc.query, ids, res.More, tc.want)
			}
		})
	}
	res, err := s.Search(t.Context(), "miami", 1)
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("Search(miami) = %v, %v", res, err)
	}
	hits := res.Hits
	if want := "Witkoff met Dmitriev in " + store.HighlightStart + "Miami" + store.HighlightEnd + " to discuss the plan."; hits[0].Snippet != want {
		t.Errorf("snippet = %q, want %q", hits[0].Snippet, want)
	}
	if !hits[0].Relevant || hits[0].Item.Title != "Talks resume" {
		t.Errorf("hit = %+v", hits[0])
	}
}

func testSearchRefusesLongQueries(t *testing.T, db NewDB) {
	s := fresh(t, db)
	twelve := strings.TrimSpace(strings.Repeat("plan ", store.MaxSearchWords))
	if _, err := s.Search(t.Context(), twelve, 10); err != nil {
		t.Errorf("Search of %d words: %v", store.MaxSearchWords, err)
	}
	for _, q := range []string{twelve + " plan", twelve + ` "peace plan"`, strings.Repeat("a-", 40)} {
		if _, err := s.Search(t.Context(), q, 10); !errors.Is(err, store.ErrQueryTooLong) {
			t.Errorf("Search(%q) error = %v, want ErrQueryTooLong", q, err)
		}
	}
}

func testSearchRanksTheLatestMatches(t *testing.T, db NewDB) {
	s := fresh(t, db)
	// The first report stored matches in its title; SearchRanked later
	// ones match in their text, and one more matches nothing.
	records := []store.Record{Record("first", "")}
	records[0].Item.Title = "Common ground"
	for i := range store.SearchRanked {
		r := Record(fmt.Sprintf("r%04d", i), "")
		r.Item.Text = "On common ground, report " + r.Item.ID
		records = append(records, r)
	}
	records = append(records, Record("unrelated", ""))
	Commit(t, s, store.Batch{Records: records})

	res, err := s.Search(t.Context(), "common", 3)
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Item.ID)
	}
	// The title match is older than the latest SearchRanked matches, so it
	// is not ranked; the newest come first.
	last := store.SearchRanked - 1
	want := []string{fmt.Sprintf("r%04d", last), fmt.Sprintf("r%04d", last-1), fmt.Sprintf("r%04d", last-2)}
	if !slices.Equal(ids, want) || !res.More {
		t.Errorf("Search(common) = %v, more %v; want %v and more", ids, res.More, want)
	}
	res, err = s.Search(t.Context(), `"common ground" report`, 2)
	if err != nil || res.More || len(res.Hits) != 2 {
		t.Errorf("Search of %d matches = %d hits, more %v, %v; want 2 hits, no more", store.SearchRanked, len(res.Hits), res.More, err)
	}
	res, err = s.Search(t.Context(), "ground", 1)
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Item.ID != want[0] {
		t.Errorf("Search(ground) = %+v, %v", res, err)
	}
}

func testActorReportCountsWholeHours(t *testing.T, db NewDB) {
	s := fresh(t, db)
	// T0 is 14:05 UTC: the 24 hours to the hour are 15:00 yesterday to
	// 15:00 today.
	Commit(t, s, store.Batch{Records: []store.Record{
		dated("later-this-hour", "Wire", T0.Add(40*time.Minute), "Witkoff"),
		dated("next-hour", "Wire", T0.Add(56*time.Minute), "Witkoff"),
		dated("yesterday-15:10", "Wire", T0.Add(-23*time.Hour+5*time.Minute), "Witkoff"),
		dated("yesterday-14:30", "Wire", T0.Add(-24*time.Hour+25*time.Minute), "Witkoff"),
		dated("week-edge-in", "Wire", T0.Add(-7*day+56*time.Minute), "Witkoff"),
		dated("week-edge-out", "Wire", T0.Add(-7*day+54*time.Minute), "Witkoff"),
	}})
	r := actorReport(t, s, "Witkoff")
	if r.Day != 2 || r.Week != 4 || r.Month != 5 || r.PrevWeek != 1 {
		t.Errorf("day/week/month/prev = %d/%d/%d/%d, want 2/4/5/1", r.Day, r.Week, r.Month, r.PrevWeek)
	}
	if !r.LastSeen.Equal(T0.Add(56*time.Minute)) || !r.FirstSeen.Equal(T0.Add(-7*day+54*time.Minute)) {
		t.Errorf("first/last seen = %v/%v", r.FirstSeen, r.LastSeen)
	}
	trends, err := s.ActorTrends(t.Context(), []string{"Witkoff"}, T0, 24*time.Hour)
	if err != nil || len(trends) != 1 || trends[0].Current != 2 || trends[0].Previous != 1 {
		t.Errorf("ActorTrends over a day = %+v, %v; want 2 now and 1 before", trends, err)
	}
}

func testActorReportNamedWithOverThirtyDays(t *testing.T, db NewDB) {
	s := fresh(t, db)
	// The window is the 30 UTC days ending with the day of T0.
	monthStart := T0.Truncate(day).Add(-(store.NamedWithDays - 1) * day)
	Commit(t, s, store.Batch{Records: []store.Record{
		dated("a", "Wire", T0, "Witkoff", "Putin", "Witkoff"),
		dated("b", "Wire", monthStart, "Witkoff", "Putin"),
		dated("c", "Wire", monthStart.Add(-time.Millisecond), "Witkoff", "Rubio", "Dmitriev"),
		dated("d", "Wire", T0.Add(-day), "Witkoff", "Dmitriev"),
	}})
	r, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: "Witkoff", Now: T0, With: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ActorCount{{Actor: "Putin", Count: 2}, {Actor: "Dmitriev", Count: 1}}
	if !reflect.DeepEqual(r.With, want) {
		t.Errorf("With = %+v, want %+v", r.With, want)
	}
	if r.Month != 4 {
		t.Errorf("Month = %d, want 4 (an actor named twice by a report counts once)", r.Month)
	}
}

// testLatestRecords checks that LatestRecords returns the records of one
// verdict published since a time, newest first (then by id), at most a
// limit, with their texts and matches.
func testLatestRecords(t *testing.T, db NewDB) {
	s := fresh(t, db)
	var b store.Batch
	for i, published := range []time.Time{T0.Add(-3 * day), T0.Add(-2 * time.Hour), T0.Add(-time.Hour), T0.Add(-time.Hour), T0.Add(-30 * time.Minute)} {
		r := dated(fmt.Sprintf("rel-%d", i), "Wire", published, "Steve Witkoff")
		r.Item.Text = "Text of report " + r.Item.ID
		b.Records = append(b.Records, r)
		other := dated(fmt.Sprintf("other-%d", i), "Wire", published)
		other.Match = story.Match{Score: 0.2}
		b.Records = append(b.Records, other)
	}
	Commit(t, s, b)

	ids := func(rs []store.Record) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Item.ID)
		}
		return out
	}
	tests := []struct {
		name     string
		relevant bool
		since    time.Time
		limit    int
		want     []string
	}{
		{"relevant, newest first, ties by id", true, T0.Add(-day), 10, []string{"rel-4", "rel-2", "rel-3", "rel-1"}},
		{"rejected", false, T0.Add(-day), 10, []string{"other-4", "other-2", "other-3", "other-1"}},
		{"limit", true, T0.Add(-day), 2, []string{"rel-4", "rel-2"}},
		{"since is inclusive", true, T0.Add(-time.Hour), 10, []string{"rel-4", "rel-2", "rel-3"}},
		{"everything", true, time.Time{}, 10, []string{"rel-4", "rel-2", "rel-3", "rel-1", "rel-0"}},
		{"nothing", true, T0, 10, nil},
		{"no limit", true, time.Time{}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LatestRecords(t.Context(), tt.relevant, tt.since, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("LatestRecords(%v, %v, %d) = %v, want %v", tt.relevant, tt.since, tt.limit, ids(got), tt.want)
			}
		})
	}
	got, err := s.LatestRecords(t.Context(), true, T0.Add(-day), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("LatestRecords = %v, %v", got, err)
	}
	r := got[0]
	if r.Item.Title != "Title rel-4" || r.Item.Text != "Text of report rel-4" || !r.Match.Relevant ||
		!slices.Equal(r.Match.Actors, []string{"Steve Witkoff"}) || len(r.Match.Spans) == 0 {
		t.Errorf("LatestRecords record = %+v, want the stored item and match", r)
	}
}
