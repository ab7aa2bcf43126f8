package ingest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"storyline/store"
	"storyline/story"
)

// fakeSignatures serves stored reports and records the ranges asked for.
type fakeSignatures struct {
	stored []store.Candidate
	asked  [][2]time.Time
	err    error
}

func (f *fakeSignatures) Signatures(_ context.Context, from, to time.Time) ([]store.Candidate, error) {
	f.asked = append(f.asked, [2]time.Time{from, to})
	if f.err != nil {
		return nil, f.err
	}
	var out []store.Candidate
	for _, c := range f.stored {
		if !c.Published.Before(from) && c.Published.Before(to) {
			out = append(out, c)
		}
	}
	return out, nil
}

// wt0 is the time the window tests are set around.
var wt0 = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

// stored is a stored report of development cluster published at at, whose
// title is text.
func stored(t *testing.T, cluster int64, id string, at time.Time, text string) store.Candidate {
	t.Helper()
	blob, err := story.Signature(text, "", story.Match{}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return store.Candidate{ClusterID: cluster, ItemID: id, Published: at, Sig: blob, Link: "https://x.example/" + id}
}

// members lists the ids of development cluster's reports in the window.
func members(w *window, cluster int64) []string {
	var out []string
	for _, c := range w.index.Members(cluster) {
		out = append(out, c.ID)
	}
	return out
}

func TestWindowLoadsStoredReports(t *testing.T) {
	f := &fakeSignatures{stored: []store.Candidate{
		stored(t, 1, "k-old", wt0.Add(-40*time.Hour), "Zelensky receives the peace plan in Kyiv"),
		stored(t, 1, "k-b", wt0.Add(time.Hour), "Driscoll meets officials"),
		stored(t, 1, "k-a", wt0, "Zelensky receives the peace plan in Kyiv"),
		stored(t, 2, "g", wt0.Add(2*time.Hour), "Rubio opens the Geneva round"),
	}}
	w := newWindow(f, nil)
	if err := w.cover(t.Context(), wt0.Add(-36*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := members(w, 1); !slices.Equal(got, []string{"k-a", "k-b"}) {
		t.Errorf("development 1 holds %v, want the reports since the start of the range, oldest first", got)
	}
	if got := members(w, 2); !slices.Equal(got, []string{"g"}) {
		t.Errorf("development 2 holds %v", got)
	}
}

func TestWindowLoadsEachRangeOnce(t *testing.T) {
	f := &fakeSignatures{}
	w := newWindow(f, nil)
	for _, since := range []time.Time{wt0, wt0.Add(time.Hour), wt0.Add(-time.Hour), wt0} {
		if err := w.cover(t.Context(), since); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.asked) != 2 || !f.asked[0][0].Equal(wt0) || !f.asked[1][0].Equal(wt0.Add(-time.Hour)) || !f.asked[1][1].Equal(wt0) {
		t.Errorf("loaded ranges %v; want everything since wt0, then the hour before it", f.asked)
	}
}

func TestWindowLearnsAndForgets(t *testing.T) {
	w := newWindow(&fakeSignatures{}, nil)
	if err := w.cover(t.Context(), wt0); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		w.add(1, story.Report{ID: id, Published: wt0.Add(time.Duration(i) * time.Hour), Sig: story.Signature("Zelensky receives the plan", "", story.Match{})})
	}
	w.remove("d")
	w.forget(wt0.Add(2 * time.Hour))
	if got := members(w, 1); !slices.Equal(got, []string{"c", "e"}) || !w.from.Equal(wt0.Add(2*time.Hour)) {
		t.Errorf("after removing d and forgetting two hours: %v, from %v", got, w.from)
	}
	// Forgetting less than the window holds changes nothing.
	w.forget(wt0)
	if !w.from.Equal(wt0.Add(2 * time.Hour)) {
		t.Errorf("from moved back to %v", w.from)
	}
}

// TestWindowReadsVersion1Signatures: signatures stored before this
// version (no actors, no marks) load, and the report's stored actors
// stand in for the actors the signature lacks.
func TestWindowReadsVersion1Signatures(t *testing.T) {
	// Signature("Talks in Geneva", "") as version 1 wrote it.
	v1 := []byte{0x1, 0x2, 0xed, 0xfe, 0xdc, 0x40, 0x2, 0x82, 0xc2, 0x17, 0xc2, 0x2}
	f := &fakeSignatures{stored: []store.Candidate{{ClusterID: 5, ItemID: "old", Published: wt0, Sig: v1, Actors: []string{"Marco Rubio"}}}}
	w := newWindow(f, nil)
	if err := w.cover(t.Context(), wt0.Add(-time.Hour)); err != nil {
		t.Fatalf("cover over a version 1 signature: %v", err)
	}
	m, err := story.NewMatcher(story.Definition{Name: "s", Threshold: 1, Actors: []story.Actor{{Name: "Marco Rubio", Aliases: []string{"Rubio"}}}})
	if err != nil {
		t.Fatal(err)
	}
	title := "Rubio: talks in Geneva"
	match := m.Match(title, "")
	r := story.Report{ID: "new", Published: wt0.Add(time.Hour), Sig: story.Signature(title, "", match), Actors: match.Actors}
	if join, ok := story.NewClusterer(story.DefaultClusterOptions()).Decide(r, w.index); !ok || join.ClusterID != 5 {
		t.Errorf("a new report of the old report's event: %+v, %v; want it to join 5", join, ok)
	}
}

func TestWindowLoadErrors(t *testing.T) {
	broken := stored(t, 1, "bad", wt0, "x")
	broken.Sig = []byte{0xff}
	good := stored(t, 1, "good", wt0, "Rubio opens the Geneva round")
	for _, f := range []*fakeSignatures{{err: errors.New("disk I/O error")}, {stored: []store.Candidate{good, broken}}} {
		w := newWindow(f, nil)
		if err := w.cover(t.Context(), wt0.Add(-time.Hour)); err == nil {
			t.Errorf("cover over %+v: no error", f)
		}
		if w.loaded || w.index.Len() != 0 {
			t.Errorf("window loaded %v, holds %d reports after a failed load", w.loaded, w.index.Len())
		}
	}
}
