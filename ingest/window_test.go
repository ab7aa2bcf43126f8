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
// title and lead are text.
func stored(t *testing.T, cluster int64, id string, at time.Time, text string) store.Candidate {
	t.Helper()
	blob, err := story.Signature(text, "").MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return store.Candidate{ClusterID: cluster, ItemID: id, Published: at, Sig: blob, Link: "https://x.example/" + id}
}

// ids lists the report ids of cs.
func ids(cs []story.Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestWindowCandidates(t *testing.T) {
	const kyiv, geneva = "Zelensky receives the peace plan in Kyiv", "Rubio opens the Geneva round"
	f := &fakeSignatures{stored: []store.Candidate{
		stored(t, 1, "k-old", wt0.Add(-40*time.Hour), kyiv),
		stored(t, 1, "k-b", wt0.Add(time.Hour), "Driscoll meets officials"),
		stored(t, 1, "k-a", wt0, kyiv),
		stored(t, 2, "g", wt0.Add(2*time.Hour), geneva),
	}}
	w := newWindow(f, nil)
	since := wt0.Add(-36 * time.Hour)
	if err := w.cover(t.Context(), since); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		text  string
		since time.Time
		want  []string
	}{
		{"a shared band finds the whole development in the window, oldest first", kyiv, since, []string{"k-a", "k-b"}},
		{"another development", geneva, since, []string{"g"}},
		{"reports before since are left out", kyiv, wt0.Add(30 * time.Minute), nil},
		{"nothing shared", "Central bank holds rates", since, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(w.candidates(story.Signature(tc.text, "").Bands(), tc.since))
			if !slices.Equal(got, tc.want) {
				t.Errorf("candidates = %v, want %v", got, tc.want)
			}
		})
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
	const text = "Zelensky receives the peace plan in Kyiv"
	w := newWindow(&fakeSignatures{}, nil)
	if err := w.cover(t.Context(), wt0); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		w.add(1, story.Report{ID: id, Published: wt0.Add(time.Duration(i) * time.Hour), Sig: story.Signature(text, "")})
	}
	bands := story.Signature(text, "").Bands()
	if got := ids(w.candidates(bands, wt0)); !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("candidates after add = %v", got)
	}
	// One stale report of five is kept: forgetting is batched.
	w.forget(wt0.Add(time.Hour))
	if got := ids(w.candidates(bands, wt0)); len(got) != 5 || !w.from.Equal(wt0) {
		t.Errorf("after forgetting one of five: candidates %v, from %v", got, w.from)
	}
	w.forget(wt0.Add(2 * time.Hour))
	if got := ids(w.candidates(bands, wt0)); !slices.Equal(got, []string{"c", "d", "e"}) || !w.from.Equal(wt0.Add(2*time.Hour)) {
		t.Errorf("after forgetting two of five: candidates %v, from %v", got, w.from)
	}
}

func TestWindowLoadErrors(t *testing.T) {
	broken := stored(t, 1, "bad", wt0, "x")
	broken.Sig = []byte{0xff}
	for _, f := range []*fakeSignatures{{err: errors.New("disk I/O error")}, {stored: []store.Candidate{broken}}} {
		w := newWindow(f, nil)
		if err := w.cover(t.Context(), wt0.Add(-time.Hour)); err == nil {
			t.Errorf("cover over %+v: no error", f)
		}
		if w.loaded {
			t.Errorf("window marked loaded after a failed load")
		}
	}
}
