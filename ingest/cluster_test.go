package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/ingest"
	"storyline/store"
	"storyline/store/sqlite"
	"storyline/story"
)

// t0 is when the test polls start.
var t0 = time.Date(2025, 11, 20, 14, 0, 0, 0, time.UTC)

// report is one outlet's item: the outlet names the feed, id the item.
type report struct {
	outlet, id, title, text string
	// age is how long before its poll the item was published.
	age time.Duration
}

// The reports the tests feed: five outlets on one development, in three
// languages, and two other developments.
var (
	kyiv = []report{
		{"Wire", "kyiv-wire", "US Army Secretary Driscoll hands Zelensky the peace plan in Kyiv",
			"Dan Driscoll met Volodymyr Zelensky in Kyiv on Thursday and delivered the draft peace plan.", 5 * time.Minute},
		{"Independent", "kyiv-ind", "Zelensky receives the draft peace plan from Driscoll in Kyiv",
			"Volodymyr Zelensky met Army Secretary Dan Driscoll in Kyiv, who delivered the draft peace plan.", 5 * time.Minute},
		{"Meduza", "kyiv-meduza", "Дрисколл передал Зеленскому мирный план в Киеве",
			"Министр армии США Дэн Дрисколл встретился в Киеве с Зеленским и передал мирный план.", 5 * time.Minute},
		{"Pravda", "kyiv-pravda", "Зеленський отримав від Дрісколла мирний план у Києві",
			"Президент Зеленський зустрівся в Києві з Деном Дрісколлом, який передав мирний план.", 5 * time.Minute},
		{"Herald", "kyiv-herald", "Driscoll delivers the peace plan to Zelensky during Kyiv visit",
			"The Army Secretary, Dan Driscoll, handed Volodymyr Zelensky the draft peace plan in Kyiv.", 5 * time.Minute},
	}
	resigns = report{"Wire", "yermak-wire", "Yermak resigns after anti-corruption raid, peace plan talks in doubt",
		"Andriy Yermak stepped down hours after investigators searched his home.", 5 * time.Minute}
	geneva = report{"Wire", "geneva-wire", "Rubio opens Geneva round on the peace plan",
		"Marco Rubio met the Ukrainian delegation in Switzerland on Sunday.", 5 * time.Minute}
)

// testMatcher finds the peace plan in three languages and five actors.
func testMatcher(t *testing.T) *story.Matcher {
	t.Helper()
	m, err := story.NewMatcher(story.Definition{
		Name:      "peace plan",
		Threshold: 1,
		Phrases: []story.Term{
			{Text: "peace plan", Weight: 1}, {Text: "мирный план", Weight: 1}, {Text: "мирний план", Weight: 1},
		},
		Actors: []story.Actor{
			{Name: "Volodymyr Zelensky", Aliases: []string{"Volodymyr Zelensky", "Zelensky"}, Stems: []string{"Зеленск", "Зеленськ"}},
			{Name: "Dan Driscoll", Aliases: []string{"Dan Driscoll", "Driscoll", "Дэн Дрисколл"}, Stems: []string{"Дрискол", "Дріскол"}},
			{Name: "Andriy Yermak", Aliases: []string{"Yermak"}},
			{Name: "Marco Rubio", Aliases: []string{"Rubio"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fixture is a pipeline on a real store with a clock the test moves.
type fixture struct {
	t    *testing.T
	st   store.Store
	pipe *ingest.Pipeline
	opts ingest.Options
	now  time.Time
}

// newFixture opens a store in a temporary directory and a pipeline on it;
// change adjusts the options.
func newFixture(t *testing.T, change func(*ingest.Options)) *fixture {
	f := &fixture{t: t, now: t0}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), slog.New(slog.DiscardHandler),
		sqlite.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	opts := ingest.Options{BacklogWindow: 12 * time.Hour, BacklogMax: 3, MaxPerCycle: 5, Now: func() time.Time { return f.now }}
	if change != nil {
		change(&opts)
	}
	f.st, f.opts = st, opts
	f.restart()
	return f
}

// restart replaces the pipeline with a new one on the same store, as a
// restart of the bot does.
func (f *fixture) restart() {
	f.pipe = ingest.New(f.st, testMatcher(f.t), slog.New(slog.DiscardHandler), f.opts)
}

// poll processes one poll of feed outlet carrying reports, 20 minutes after
// the previous one; the feed was polled successfully before.
func (f *fixture) poll(outlet string, reports ...report) ingest.Result {
	f.t.Helper()
	f.now = f.now.Add(20 * time.Minute)
	url := "https://" + outlet + ".example/rss"
	p := feeds.Poll{
		Source: feeds.Source{Name: outlet, URL: url},
		State:  feeds.State{URL: url, LastSuccess: f.now},
		Prev:   feeds.State{URL: url, LastSuccess: f.now.Add(-20 * time.Minute)},
	}
	for _, r := range reports {
		p.Items = append(p.Items, feeds.Item{
			FeedName: outlet, FeedURL: url, ID: r.id, GUID: r.id, Link: "https://" + outlet + ".example/" + r.id,
			Title: r.title, Text: r.text, Published: f.now.Add(-r.age),
		})
	}
	res, err := f.pipe.Process(f.t.Context(), p)
	if err != nil {
		f.t.Fatalf("Process: %v", err)
	}
	return res
}

// queued is an outbox entry as the tests compare it: kind, items and the
// index of its cluster in order of appearance (0 for none).
type queued struct {
	kind    store.OutboxKind
	items   []string
	cluster int
}

// drain delivers every pending outbox entry, edits included, in the order
// they were queued, and returns them.
func (f *fixture) drain() []queued {
	f.t.Helper()
	var out []queued
	clusters := map[int64]int{}
	for n := 1; ; n++ {
		e, err := f.oldest()
		if errors.Is(err, store.ErrNoWork) {
			return out
		}
		if err != nil {
			f.t.Fatalf("outbox: %v", err)
		}
		if e.ClusterID != 0 && clusters[e.ClusterID] == 0 {
			clusters[e.ClusterID] = len(clusters) + 1
		}
		out = append(out, queued{e.Kind, e.ItemIDs, clusters[e.ClusterID]})
		if err := f.st.MarkSent(f.t.Context(), e.ID, "chan", fmt.Sprintf("msg-%d", n), f.now); err != nil {
			f.t.Fatalf("MarkSent: %v", err)
		}
	}
}

// oldest returns the oldest pending entry: the head (the oldest that is
// not an edit) or the oldest edit, whichever was queued first.
func (f *fixture) oldest() (store.OutboxEntry, error) {
	head, err := f.st.OutboxHead(f.t.Context())
	if err != nil && !errors.Is(err, store.ErrNoWork) {
		return store.OutboxEntry{}, err
	}
	edits, eerr := f.st.OutboxEdits(f.t.Context())
	switch {
	case eerr != nil:
		return store.OutboxEntry{}, eerr
	case len(edits) > 0 && (err != nil || edits[0].ID < head.ID):
		return edits[0], nil
	}
	return head, err
}

// check compares the queued entries with want.
func (f *fixture) check(got, want []queued) {
	f.t.Helper()
	if !slices.EqualFunc(got, want, func(a, b queued) bool {
		return a.kind == b.kind && a.cluster == b.cluster && slices.Equal(a.items, b.items)
	}) {
		f.t.Errorf("queued:\n%v\nwant:\n%v", got, want)
	}
}

// TestOneDevelopmentAcrossOutlets feeds five outlets' reports of one
// development in successive polls: the first is posted, the other four
// each edit its message. Another development is posted on its own.
func TestOneDevelopmentAcrossOutlets(t *testing.T) {
	f := newFixture(t, nil)
	var joined []string
	for _, r := range kyiv {
		res := f.poll(r.outlet, r)
		joined = append(joined, res.Joined...)
	}
	f.poll(resigns.outlet, resigns)
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"kyiv-wire"}, 1},
		{store.KindEdit, []string{"kyiv-ind"}, 1},
		{store.KindEdit, []string{"kyiv-meduza"}, 1},
		{store.KindEdit, []string{"kyiv-pravda"}, 1},
		{store.KindEdit, []string{"kyiv-herald"}, 1},
		{store.KindPost, []string{"yermak-wire"}, 2},
	})
	if want := []string{"kyiv-ind", "kyiv-meduza", "kyiv-pravda", "kyiv-herald"}; !slices.Equal(joined, want) {
		t.Errorf("Result.Joined = %v, want %v", joined, want)
	}
}

func TestNearDuplicatesInOnePollMakeOnePost(t *testing.T) {
	f := newFixture(t, nil)
	res := f.poll("Aggregator", kyiv[0], resigns, kyiv[2], kyiv[3])
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"kyiv-wire", "kyiv-meduza", "kyiv-pravda"}, 1},
		{store.KindPost, []string{"yermak-wire"}, 2},
	})
	if len(res.Posted) != 4 || len(res.Joined) != 0 {
		t.Errorf("Posted %v, Joined %v", res.Posted, res.Joined)
	}
}

func TestJoinsToOneDevelopmentMakeOneEdit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		threads bool
		kind    store.OutboxKind
	}{{"edit", false, store.KindEdit}, {"threads", true, store.KindReply}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *ingest.Options) { o.Threads = tc.threads })
			f.poll("Wire", kyiv[0])
			f.poll("Aggregator", kyiv[1], kyiv[2], kyiv[4])
			f.check(f.drain(), []queued{
				{store.KindPost, []string{"kyiv-wire"}, 1},
				{tc.kind, []string{"kyiv-ind", "kyiv-meduza", "kyiv-herald"}, 1},
			})
		})
	}
}

// TestOldReportsOnlyJoin: a report older than the backlog window is never
// posted, but it still joins a development posted before, so its outlet
// is listed.
func TestOldReportsOnlyJoin(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.BacklogWindow = time.Hour })
	f.poll("Wire", kyiv[0])
	old := kyiv[1]
	old.age = 90 * time.Minute
	oldOther := geneva
	oldOther.age = 2 * time.Hour
	res := f.poll("Archive", old, oldOther)
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"kyiv-wire"}, 1},
		{store.KindEdit, []string{"kyiv-ind"}, 1},
	})
	if len(res.Records) != 2 || len(res.Posted) != 0 {
		t.Errorf("stored %d records and posted %v; want 2 stored, none posted", len(res.Records), res.Posted)
	}
}

// TestRestartJoinsStoredDevelopment: a development posted before a restart
// is found by the new pipeline, which loads the recent reports from the
// store.
func TestRestartJoinsStoredDevelopment(t *testing.T) {
	f := newFixture(t, nil)
	f.poll("Wire", kyiv[0])
	f.restart()
	f.poll("Independent", kyiv[1])
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"kyiv-wire"}, 1},
		{store.KindEdit, []string{"kyiv-ind"}, 1},
	})
}

// TestLateReportFindsOlderDevelopment: days after a development was
// posted, and after the pipeline has loaded (on restart) or trimmed its
// window to the recent days, a late report of it still joins it: the
// window loads the older range from the store.
func TestLateReportFindsOlderDevelopment(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) {
			f := newFixture(t, func(o *ingest.Options) { o.BacklogWindow = time.Hour })
			f.poll("Wire", kyiv[0])
			if restart {
				f.restart()
			}
			other := geneva
			for range 4 {
				f.now = f.now.Add(48 * time.Hour)
				f.poll("Wire", other)
				other.id += "+"
			}
			late := kyiv[1]
			late.age = f.now.Sub(t0)
			f.poll("Archive", late)
			got := f.drain()
			if n := len(got); n != 6 || got[0].kind != store.KindPost || got[5].kind != store.KindEdit || got[5].cluster != 1 {
				t.Errorf("queued %v; want the Kyiv post, four Geneva posts and an edit of the Kyiv post", got)
			}
		})
	}
}

// TestDigestCountsDevelopments: the per-cycle limit counts new
// developments, not reports, and edits of earlier ones do not count.
func TestDigestCountsDevelopments(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.MaxPerCycle = 2 })
	f.poll("Wire", resigns)
	// Four reports but two developments and a join: no digest.
	later := resigns
	later.id, later.title = "yermak-later", "Yermak resigns after a raid; peace plan talks in doubt"
	f.poll("Aggregator", kyiv[0], kyiv[1], geneva, later)
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"yermak-wire"}, 1},
		{store.KindPost, []string{"kyiv-wire", "kyiv-ind"}, 2},
		{store.KindPost, []string{"geneva-wire"}, 3},
		{store.KindEdit, []string{"yermak-later"}, 1},
	})
}

func TestDigestOfManyDevelopments(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.MaxPerCycle = 1 })
	res := f.poll("Aggregator", kyiv[0], geneva, kyiv[1])
	f.check(f.drain(), []queued{
		{store.KindDigest, []string{"kyiv-wire", "kyiv-ind", "geneva-wire"}, 0},
	})
	if !res.Digest {
		t.Error("Result.Digest is false")
	}
	// A later report of a development in the digest joins it: an edit of
	// a development that has no message of its own, which the poster
	// leaves alone, not a new post.
	f.poll("Herald", kyiv[4])
	f.check(f.drain(), []queued{{store.KindEdit, []string{"kyiv-herald"}, 1}})
}

// TestBacklogCapCountsDevelopments: on a feed's first poll at most
// BacklogMax developments, the newest, are posted, each with its reports.
func TestBacklogCapCountsDevelopments(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.BacklogMax = 1 })
	f.now = f.now.Add(20 * time.Minute)
	url := "https://new.example/rss"
	items := []feeds.Item{}
	for i, r := range []report{geneva, kyiv[0], kyiv[2]} {
		items = append(items, feeds.Item{FeedName: "New", FeedURL: url, ID: r.id, GUID: r.id,
			Title: r.title, Text: r.text, Published: f.now.Add(time.Duration(i-5) * time.Minute)})
	}
	if _, err := f.pipe.Process(t.Context(), feeds.Poll{
		Source: feeds.Source{Name: "New", URL: url}, Items: items, State: feeds.State{URL: url, LastSuccess: f.now},
	}); err != nil {
		t.Fatal(err)
	}
	f.check(f.drain(), []queued{{store.KindPost, []string{"kyiv-wire", "kyiv-meduza"}, 1}})
}

func TestStoreOnlyQueuesNothing(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.StoreOnly = true })
	res := f.poll("Wire", kyiv[0], kyiv[1])
	if got := f.drain(); len(got) != 0 || len(res.Records) != 2 {
		t.Errorf("queued %v, stored %d records; want nothing queued, 2 stored", got, len(res.Records))
	}
}

// relevantIn reports whether the record with id in res was stored as
// relevant.
func relevantIn(res ingest.Result, id string) bool {
	for _, r := range res.Records {
		if r.Item.ID == id {
			return r.Match.Relevant
		}
	}
	return false
}

// TestLowScoreReportJoinsKnownDevelopment: a report that names the
// development's people but not the story's phrases scores below the
// threshold; it still joins the development it plainly reports (an edit,
// stored as relevant with a summary), while a report of the same people
// on another track stays out, and a low-scoring report of no known
// development is never posted.
func TestLowScoreReportJoinsKnownDevelopment(t *testing.T) {
	f := newFixture(t, nil)
	f.poll("Wire", kyiv[0], kyiv[1])
	paraphrase := report{"Meduza", "kyiv-meduza-2", "Дрисколл встретился с Зеленским в Киеве и передал документ",
		"Министр армии США Дэн Дрисколл встретился в Киеве с Зеленским и передал документ.", 5 * time.Minute}
	otherTrack := report{"Meduza", "lviv-hospital", "Zelensky and Driscoll visit wounded soldiers at a Lviv hospital",
		"Volodymyr Zelensky and Dan Driscoll spoke with wounded servicemen and doctors in Lviv.", 5 * time.Minute}
	unknown := report{"Meduza", "rubio-budget", "Rubio defends the State Department budget in Congress",
		"Marco Rubio told senators the cuts would not affect embassies.", 5 * time.Minute}
	res := f.poll("Meduza", paraphrase, otherTrack, unknown)
	f.check(f.drain(), []queued{
		{store.KindPost, []string{"kyiv-wire", "kyiv-ind"}, 1},
		{store.KindEdit, []string{"kyiv-meduza-2"}, 1},
	})
	if !relevantIn(res, "kyiv-meduza-2") || relevantIn(res, "lviv-hospital") || relevantIn(res, "rubio-budget") {
		t.Errorf("relevant: paraphrase %v, other track %v, unknown %v; want only the paraphrase",
			relevantIn(res, "kyiv-meduza-2"), relevantIn(res, "lviv-hospital"), relevantIn(res, "rubio-budget"))
	}
	for _, r := range res.Records {
		if r.Item.ID == "kyiv-meduza-2" && r.Summary == "" {
			t.Error("the joining report has no summary")
		}
	}
}

// TestStoreOnlyGroupsDevelopments: with StoreOnly (preview) nothing is
// queued, but each clustered record is given its development: reports of
// one event share one, other events get others, and a later poll's
// report joins a development of an earlier poll.
func TestStoreOnlyGroupsDevelopments(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.StoreOnly = true })
	first := f.poll("Wire", kyiv[0], resigns, kyiv[2])
	second := f.poll("Pravda", kyiv[3])
	if got := f.drain(); len(got) != 0 {
		t.Errorf("queued %v", got)
	}
	d := first.Developments
	if len(d) != 3 || d["kyiv-wire"] == 0 || d["kyiv-wire"] != d["kyiv-meduza"] || d["yermak-wire"] == d["kyiv-wire"] {
		t.Errorf("developments of the first poll: %v", d)
	}
	if got := second.Developments["kyiv-pravda"]; got != d["kyiv-wire"] {
		t.Errorf("the second poll's report is in development %d, want %d", got, d["kyiv-wire"])
	}
}

// failingStore fails its next Commit when fail is set.
type failingStore struct {
	store.Store
	fail bool
}

func (s *failingStore) Commit(ctx context.Context, b store.Batch) (store.Committed, error) {
	if s.fail {
		s.fail = false
		return store.Committed{}, errors.New("disk I/O error")
	}
	return s.Store.Commit(ctx, b)
}

// TestFailedCommitLeavesNoDevelopment: reports of a poll whose commit
// fails are not remembered as a development: when the feed is polled
// again its report is posted as new, not as a join of a development that
// was never stored.
func TestFailedCommitLeavesNoDevelopment(t *testing.T) {
	f := newFixture(t, nil)
	fs := &failingStore{Store: f.st, fail: true}
	f.pipe = ingest.New(fs, testMatcher(t), slog.New(slog.DiscardHandler), f.opts)
	url := "https://wire.example/rss"
	poll := feeds.Poll{Source: feeds.Source{Name: "Wire", URL: url}, State: feeds.State{URL: url, LastSuccess: f.now},
		Prev: feeds.State{URL: url, LastSuccess: f.now.Add(-time.Minute)},
		Items: []feeds.Item{{FeedName: "Wire", FeedURL: url, ID: "kyiv-wire", GUID: "kyiv-wire", Link: "https://wire.example/kyiv-wire",
			Title: kyiv[0].title, Text: kyiv[0].text, Published: f.now.Add(-5 * time.Minute)}}}
	if _, err := f.pipe.Process(t.Context(), poll); err == nil {
		t.Fatal("Process: no error from a failed commit")
	}
	f.poll("Wire", kyiv[0])
	f.check(f.drain(), []queued{{store.KindPost, []string{"kyiv-wire"}, 1}})
}

// TestRejectedReportsPastRetentionAreNotStored polls a feed carrying, beside
// a fresh report, a rejected one published longer ago than KeepUnrelated and
// an old relevant one: the old rejected report is not stored, so that it is
// not stored and counted again each time retention drops it.
func TestRejectedReportsPastRetentionAreNotStored(t *testing.T) {
	f := newFixture(t, func(o *ingest.Options) { o.KeepUnrelated = 30 * 24 * time.Hour })
	oldSport := report{"Wire", "old-sport", "Zelensky watches the derby", "Football in Kyiv.", 31 * 24 * time.Hour}
	newSport := report{"Wire", "new-sport", "Zelensky watches the cup final", "Football in Kyiv.", time.Hour}
	oldPlan := geneva
	oldPlan.id, oldPlan.age = "old-geneva", 40*24*time.Hour
	f.poll("Wire", oldSport, newSport, oldPlan)
	for id, want := range map[string]bool{"old-sport": false, "new-sport": true, "old-geneva": true} {
		_, err := f.st.Records(t.Context(), []string{id})
		if stored := err == nil; stored != want || (err != nil && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("%s stored = %v (%v), want %v", id, stored, err, want)
		}
	}
	r, err := f.st.ActorReport(t.Context(), store.ActorQuery{Actor: "Volodymyr Zelensky", Now: f.now, Days: 60})
	if err != nil || r.FirstSeen.IsZero() || !r.FirstSeen.Equal(f.now.Add(-time.Hour)) {
		t.Errorf("Zelensky first seen %v, %v; want only the new report counted", r.FirstSeen, err)
	}
}
