package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/store"
)

// rejected is a record the story rejected, naming actors, published at
// the given time.
func rejected(id string, published time.Time, actors ...string) store.Record {
	r := dated(id, "Wire", published, actors...)
	r.Match.Relevant = false
	r.Match.Score = 0.2
	r.Item.Title = "Rejected " + id
	return r
}

// fullReport is every figure of actor's report up to T0.
func fullReport(t *testing.T, s store.Store, actor string) store.ActorReport {
	t.Helper()
	r, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: actor, Now: T0, Days: 60, With: 10})
	if err != nil {
		t.Fatalf("ActorReport %q: %v", actor, err)
	}
	return r
}

// stored reports which of ids are stored.
func stored(t *testing.T, s store.Store, ids ...string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		_, err := s.Records(t.Context(), []string{id})
		switch {
		case err == nil:
			out = append(out, id)
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("Records(%s): %v", id, err)
		}
	}
	return out
}

func testCommitSkipsRejectedReportsPastTheHorizon(t *testing.T, db NewDB) {
	s := fresh(t, db)
	horizon := T0.Add(-30 * day)
	c := Commit(t, s, store.Batch{UnrelatedBefore: horizon, Records: []store.Record{
		rejected("old-rejected", horizon.Add(-time.Millisecond), "Witkoff"),
		rejected("new-rejected", horizon, "Witkoff"),
		dated("old-relevant", "Wire", horizon.Add(-day), "Witkoff"),
	}})
	if want := []string{"new-rejected", "old-relevant"}; !slices.Equal(c.Inserted, want) {
		t.Errorf("Inserted = %v, want %v", c.Inserted, want)
	}
	if got := stored(t, s, "old-rejected", "new-rejected", "old-relevant"); !slices.Equal(got, c.Inserted) {
		t.Errorf("stored %v", got)
	}
	if r := fullReport(t, s, "Witkoff"); !r.FirstSeen.Equal(horizon.Add(-day)) || sum(r.Daily) != 2 {
		t.Errorf("the skipped report is counted: first seen %v, %d mentions in 60 days", r.FirstSeen, sum(r.Daily))
	}
}

// sum adds up counts.
func sum(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// retentionStore holds, around a horizon 30 days before T0, rejected and
// relevant reports on both sides of it, and a rejected report that a
// development holds.
func retentionStore(t *testing.T, db NewDB) (store.Store, time.Time) {
	s := fresh(t, db)
	horizon := T0.Add(-30 * day)
	Commit(t, s, store.Batch{Records: []store.Record{
		rejected("r-40", T0.Add(-40*day), "Witkoff", "Putin"),
		rejected("r-35", T0.Add(-35*day), "Witkoff"),
		rejected("r-31", T0.Add(-31*day), "Putin", "Witkoff"),
		rejected("r-29", T0.Add(-29*day), "Witkoff", "Rubio"),
		rejected("r-1", T0.Add(-day), "Witkoff"),
		dated("k-45", "Wire", T0.Add(-45*day), "Witkoff", "Rubio"),
		dated("k-1", "Wire", T0.Add(-day), "Witkoff", "Putin"),
	}})
	held := rejected("r-held", T0.Add(-50*day), "Witkoff")
	Commit(t, s, store.Batch{Records: []store.Record{held}, Posts: []store.Post{Post("r-held")}})
	return s, horizon
}

// allIDs are the reports of retentionStore.
var allIDs = []string{"r-40", "r-35", "r-31", "r-29", "r-1", "k-45", "k-1", "r-held"}

func testPruneDropsOldRejectedReports(t *testing.T, db NewDB) {
	s, horizon := retentionStore(t, db)
	n, err := s.Prune(t.Context(), horizon, 2)
	if err != nil || n != 2 {
		t.Fatalf("Prune(limit 2) = %d, %v; want 2", n, err)
	}
	if want := []string{"r-31", "r-29", "r-1", "k-45", "k-1", "r-held"}; !slices.Equal(stored(t, s, allIDs...), want) {
		t.Errorf("after a batch of 2, stored %v, want the oldest two gone: %v", stored(t, s, allIDs...), want)
	}
	if n, err = s.Prune(t.Context(), horizon, 10); err != nil || n != 1 {
		t.Fatalf("second Prune = %d, %v; want 1", n, err)
	}
	if n, err = s.Prune(t.Context(), horizon, 10); err != nil || n != 0 {
		t.Fatalf("third Prune = %d, %v; want 0", n, err)
	}
	if want := []string{"r-29", "r-1", "k-45", "k-1", "r-held"}; !slices.Equal(stored(t, s, allIDs...), want) {
		t.Errorf("stored %v, want %v", stored(t, s, allIDs...), want)
	}
	if ids := searchIDs(t, s, "rejected"); !slices.Equal(ids, []string{"r-1", "r-29", "r-held"}) {
		t.Errorf("Search(rejected) = %v: the dropped reports' search rows must go", ids)
	}
	r, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: "Putin", Now: T0, Latest: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Latest) != 1 || r.Latest[0].ID != "k-1" {
		t.Errorf("Putin's latest items = %+v, want only k-1", r.Latest)
	}
}

func testPruneKeepsTheCounts(t *testing.T, db NewDB) {
	s, horizon := retentionStore(t, db)
	before := map[string]store.ActorReport{}
	for _, a := range []string{"Witkoff", "Putin", "Rubio"} {
		before[a] = fullReport(t, s, a)
	}
	trends, err := s.ActorTrends(t.Context(), []string{"Witkoff", "Putin", "Rubio"}, T0, 30*day)
	if err != nil {
		t.Fatal(err)
	}
	for {
		n, err := s.Prune(t.Context(), horizon, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	for a, want := range before {
		got := fullReport(t, s, a)
		got.Latest, want.Latest = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s after Prune:\n%+v\nwant\n%+v", a, got, want)
		}
	}
	after, err := s.ActorTrends(t.Context(), []string{"Witkoff", "Putin", "Rubio"}, T0, 30*day)
	if err != nil || !reflect.DeepEqual(after, trends) {
		t.Errorf("ActorTrends after Prune = %+v, %v; want %+v", after, err, trends)
	}
}

func testPrunedReportIsNotCountedTwice(t *testing.T, db NewDB) {
	s, horizon := retentionStore(t, db)
	want := fullReport(t, s, "Witkoff")
	if _, err := s.Prune(t.Context(), horizon, 100); err != nil {
		t.Fatal(err)
	}
	// The feed still carries r-40: it is unseen again, and the pipeline
	// commits it with the horizon.
	again := rejected("r-40", T0.Add(-40*day), "Witkoff", "Putin")
	fresh, err := s.Unseen(t.Context(), []feeds.Item{again.Item})
	if err != nil || len(fresh) != 1 {
		t.Fatalf("Unseen = %v, %v; want the dropped report", fresh, err)
	}
	c := Commit(t, s, store.Batch{UnrelatedBefore: horizon, Records: []store.Record{again}})
	if len(c.Inserted) != 0 {
		t.Errorf("a rejected report past the horizon was stored again: %v", c.Inserted)
	}
	got := fullReport(t, s, "Witkoff")
	got.Latest, want.Latest = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the report came back:\n%+v\nwant\n%+v", got, want)
	}
}

func testRebuildCounts(t *testing.T, db NewDB) {
	s, horizon := retentionStore(t, db)
	want := fullReport(t, s, "Witkoff")
	if err := s.RebuildCounts(t.Context(), time.Time{}); err != nil {
		t.Fatalf("RebuildCounts: %v", err)
	}
	if got := fullReport(t, s, "Witkoff"); !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt from the start:\n%+v\nwant\n%+v", got, want)
	}
	if _, err := s.Prune(t.Context(), horizon, 100); err != nil {
		t.Fatal(err)
	}
	// From the horizon on every report is still stored: the rebuild keeps
	// the figures, and the counts of the days before stay as they were.
	if err := s.RebuildCounts(t.Context(), horizon); err != nil {
		t.Fatalf("RebuildCounts from the horizon: %v", err)
	}
	got := fullReport(t, s, "Witkoff")
	got.Latest, want.Latest = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt from the horizon:\n%+v\nwant\n%+v", got, want)
	}
	// Rebuilt from the start, the dropped reports are forgotten: r-40, r-35
	// and r-31 named Witkoff.
	if err := s.RebuildCounts(t.Context(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := fullReport(t, s, "Witkoff"); sum(got.Daily) != sum(want.Daily)-3 || !got.FirstSeen.Equal(T0.Add(-50*day)) {
		t.Errorf("rebuilt after Prune: %d mentions in 60 days, first seen %v; want %d and %v",
			sum(got.Daily), got.FirstSeen, sum(want.Daily)-3, T0.Add(-50*day))
	}
}

func testSize(t *testing.T, db NewDB) {
	s := fresh(t, db)
	empty, err := s.Size(t.Context())
	if err != nil {
		t.Fatalf("Size: %v", err)
	}
	if empty.Bytes <= 0 || empty.Free < 0 || empty.Free > empty.Bytes {
		t.Errorf("Size of an empty store = %+v", empty)
	}
	var records []store.Record
	for i := range 500 {
		r := rejected(string(rune('a'+i%26))+string(rune('a'+i/26)), T0.Add(-60*day))
		r.Item.Text = strings.Repeat("A long text that takes room. ", 40)
		records = append(records, r)
	}
	Commit(t, s, store.Batch{Records: records})
	full, err := s.Size(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if full.Bytes-full.Free < empty.Bytes-empty.Free+500*1000 {
		t.Errorf("Size after 500 reports of 1 kB = %+v, empty %+v: want 500 kB more in use", full, empty)
	}
}
