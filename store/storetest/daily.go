package storetest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"storyline/store"
)

// dailyAt is the daily digest time on day d of December 2025, UTC.
func dailyAt(d int) time.Time { return time.Date(2025, 12, d, 18, 0, 0, 0, time.UTC) }

func testQueueDailyPeriods(t *testing.T, db NewDB) {
	s := fresh(t, db)
	steps := []struct {
		name      string
		from, end time.Time
		wantStart time.Time
		wantErr   error
	}{
		{"the first digest starts at from", dailyAt(1).Add(-24 * time.Hour), dailyAt(1), dailyAt(1).Add(-24 * time.Hour), nil},
		{"the next starts where the last ended", dailyAt(1), dailyAt(2), dailyAt(1), nil},
		{"the same occurrence again", dailyAt(1), dailyAt(2), time.Time{}, store.ErrDailyExists},
		{"an earlier occurrence", dailyAt(0), dailyAt(1), time.Time{}, store.ErrDailyExists},
		{"after missed days the gap is covered", dailyAt(4), dailyAt(5), dailyAt(2), nil},
	}
	for _, step := range steps {
		d, err := s.QueueDaily(t.Context(), step.from, step.end)
		if !errors.Is(err, step.wantErr) {
			t.Fatalf("%s: QueueDaily err = %v, want %v", step.name, err, step.wantErr)
		}
		if err != nil {
			continue
		}
		if !d.Start.Equal(step.wantStart) || !d.End.Equal(step.end) || d.EntryID == 0 {
			t.Errorf("%s: QueueDaily = %+v, want %v to %v", step.name, d, step.wantStart, step.end)
		}
		got, err := s.DailyOf(t.Context(), d.EntryID)
		if err != nil || got != d {
			t.Errorf("%s: DailyOf = %+v, %v; want %+v", step.name, got, err, d)
		}
	}
	if st := outboxStats(t, s); st.Pending != 3 {
		t.Errorf("%d entries pending, want the 3 digests", st.Pending)
	}
}

func testQueueDailyEntryIsDueAtOnce(t *testing.T, db NewDB) {
	s := fresh(t, db)
	d, err := s.QueueDaily(t.Context(), dailyAt(1).Add(-24*time.Hour), dailyAt(1))
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	if e.ID != d.EntryID || e.Kind != store.KindDaily || len(e.ItemIDs) != 0 || e.ClusterID != 0 {
		t.Errorf("OutboxHead = %+v, want daily entry %d without items", e, d.EntryID)
	}
	if err := s.MarkSent(t.Context(), e.ID, "ch", "m1", T0); err != nil {
		t.Errorf("MarkSent of a daily entry: %v", err)
	}
}

func testQueueDailyRefusesAnEmptyPeriod(t *testing.T, db NewDB) {
	s := fresh(t, db)
	_, err := s.QueueDaily(t.Context(), dailyAt(1), dailyAt(1))
	if err == nil || errors.Is(err, store.ErrDailyExists) {
		t.Errorf("QueueDaily of an empty period: err = %v, want a plain error", err)
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, store.ErrNoWork) {
		t.Errorf("OutboxHead after a refused digest = %v, want ErrNoWork", err)
	}
}

func testDailyOfUnknownEntry(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ids := queueThree(t, s)
	for _, id := range []int64{ids[0], 999} {
		if _, err := s.DailyOf(t.Context(), id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DailyOf(%d) err = %v, want ErrNotFound", id, err)
		}
	}
}

// dayRecord is a record of item id from feed, seen at, naming actors.
func dayRecord(id, feed string, at time.Time, relevant bool, actors ...string) store.Record {
	r := Record(id, "https://news.example/"+id, actors...)
	r.Item.FeedName = feed
	r.Item.FeedURL = "https://" + strings.ToLower(feed) + ".example/rss"
	r.Match.Relevant = relevant
	r.SeenAt = at
	return r
}

// dailyDevelopment commits lead as a new cluster and others as its reports,
// and returns the cluster id.
func dailyDevelopment(t *testing.T, s store.Store, lead store.Record, others ...store.Record) int64 {
	t.Helper()
	Commit(t, s, store.Batch{Records: []store.Record{lead}, Posts: []store.Post{Post(lead.Item.ID)}})
	rs, err := s.Records(t.Context(), []string{lead.Item.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range others {
		others[i].ClusterID = rs[0].ClusterID
	}
	Commit(t, s, store.Batch{Records: others})
	return rs[0].ClusterID
}

func testDailyReport(t *testing.T, db NewDB) {
	s := fresh(t, db)
	start, end := dailyAt(1), dailyAt(2)
	in := func(h time.Duration) time.Time { return start.Add(h * time.Hour) }
	// Three outlets, the lead seen before the period: the lead still titles it.
	wide := dailyDevelopment(t, s, dayRecord("w0", "Alpha", start.Add(-time.Hour), true, "Ann"),
		dayRecord("w1", "Beta", in(1), true, "Ann", "Bob"),
		dayRecord("w2", "Gamma", in(2), true, "Ann"),
		dayRecord("w3", "Delta", in(3), true, "Ann"),
		dayRecord("w4", "Delta", in(4), true))
	// Two outlets, reported later than the next one.
	late := dailyDevelopment(t, s, dayRecord("l0", "Alpha", in(5), true, "Bob"),
		dayRecord("l1", "Beta", in(20), true))
	// Two outlets, earlier.
	early := dailyDevelopment(t, s, dayRecord("e0", "Alpha", in(2), true),
		dayRecord("e1", "Gamma", in(6), true, "Cy"))
	// Reported only outside the period.
	dailyDevelopment(t, s, dayRecord("o0", "Alpha", start.Add(-2*time.Hour), true, "Ann"),
		dayRecord("o1", "Beta", end, true, "Ann"))
	// A relevant report in no cluster, and items off the story.
	Commit(t, s, store.Batch{Records: []store.Record{
		dayRecord("lone", "Epsilon", in(7), true, "Cy"),
		dayRecord("off1", "Alpha", in(8), false, "Ann", "Dee"),
		dayRecord("off2", "Beta", in(9), false, "Dee"),
	}})

	r, err := s.DailyReport(t.Context(), store.DailyQuery{Start: start, End: end, Developments: 3, Actors: 2})
	if err != nil {
		t.Fatalf("DailyReport: %v", err)
	}
	want := []store.Development{
		{ClusterID: wide, Title: "Title w0", Link: "https://news.example/w0", FeedName: "Alpha", Outlets: 3, Reports: 4, Latest: in(4)},
		{ClusterID: late, Title: "Title l0", Link: "https://news.example/l0", FeedName: "Alpha", Outlets: 2, Reports: 2, Latest: in(20)},
		{ClusterID: early, Title: "Title e0", Link: "https://news.example/e0", FeedName: "Alpha", Outlets: 2, Reports: 2, Latest: in(6)},
	}
	if !reflect.DeepEqual(r.Developments, want) {
		t.Errorf("Developments =\n%+v\nwant\n%+v", r.Developments, want)
	}
	if r.AllDevelopments != 4 {
		t.Errorf("AllDevelopments = %d, want 4 (three clusters and a lone report)", r.AllDevelopments)
	}
	wantActors := []store.NamedActor{{Actor: "Ann", Items: 3}, {Actor: "Bob", Items: 2}}
	if !reflect.DeepEqual(r.Actors, wantActors) {
		t.Errorf("Actors = %+v, want %+v", r.Actors, wantActors)
	}
	if r.Items != 11 || r.Relevant != 9 {
		t.Errorf("Items, Relevant = %d, %d; want 11, 9", r.Items, r.Relevant)
	}
	if !r.Start.Equal(start) || !r.End.Equal(end) {
		t.Errorf("period = %v to %v, want %v to %v", r.Start, r.End, start, end)
	}

	all, err := s.DailyReport(t.Context(), store.DailyQuery{Start: start, End: end, Developments: 10, Actors: 10})
	if err != nil {
		t.Fatal(err)
	}
	lone := all.Developments[len(all.Developments)-1]
	if len(all.Developments) != 4 || lone.ClusterID != 0 || lone.Title != "Title lone" || lone.Outlets != 1 {
		t.Errorf("all developments = %+v, want the lone report last, in no cluster", all.Developments)
	}
	if got := len(all.Actors); got != 3 {
		t.Errorf("all actors = %+v, want Ann, Bob, Cy (Dee is named only off the story)", all.Actors)
	}

	none, err := s.DailyReport(t.Context(), store.DailyQuery{Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Developments) != 0 || none.AllDevelopments != 4 || len(none.Actors) != 0 {
		t.Errorf("with no room: %+v, want nothing listed and 4 counted", none)
	}
}

func testDailyReportOfAQuietPeriod(t *testing.T, db NewDB) {
	s := fresh(t, db)
	r, err := s.DailyReport(t.Context(), store.DailyQuery{Start: dailyAt(1), End: dailyAt(2), Developments: 5, Actors: 5})
	if err != nil {
		t.Fatalf("DailyReport: %v", err)
	}
	if r.Items != 0 || r.Relevant != 0 || r.AllDevelopments != 0 || r.Developments != nil || r.Actors != nil {
		t.Errorf("quiet period report = %+v, want zeros", r)
	}
}
