package story_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"storyline/story"
)

// clusterItem is one labelled report: development names the event it
// reports, so two items with the same development belong together.
type clusterItem struct {
	ID          string    `json:"id"`
	Development string    `json:"development"`
	Source      string    `json:"source"`
	Title       string    `json:"title"`
	Lead        string    `json:"lead"`
	Published   time.Time `json:"published"`
	Actors      []string  `json:"actors"`
}

// loadClusterSet reads a JSON-lines labelled set.
func loadClusterSet(t *testing.T, path string) []clusterItem {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var items []clusterItem
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var it clusterItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return items
}

// memIndex is a stand-in for the pipeline's clustering window: it finds
// candidates the way ingest's window does, by band keys
// within the window, then every report of each development hit.
type memIndex struct {
	byBand    map[int64][]int
	byCluster map[int64][]int
	reports   []story.Candidate
}

// candidates returns the reports of every development that has a report
// published since since sharing one of bands.
func (m *memIndex) candidates(bands []int64, since time.Time) []story.Candidate {
	var clusters []int64
	for _, b := range bands {
		for _, i := range m.byBand[b] {
			c := m.reports[i]
			if !c.Published.Before(since) && !slices.Contains(clusters, c.ClusterID) {
				clusters = append(clusters, c.ClusterID)
			}
		}
	}
	var out []story.Candidate
	for _, id := range clusters {
		for _, i := range m.byCluster[id] {
			if !m.reports[i].Published.Before(since) {
				out = append(out, m.reports[i])
			}
		}
	}
	return out
}

// add records a report of a development.
func (m *memIndex) add(c story.Candidate) {
	i := len(m.reports)
	m.reports = append(m.reports, c)
	for _, b := range c.Sig.Bands() {
		m.byBand[b] = append(m.byBand[b], i)
	}
	m.byCluster[c.ClusterID] = append(m.byCluster[c.ClusterID], i)
}

// clusterAll runs the clusterer over items in publication order, as ingest
// does, and returns each item's cluster.
func clusterAll(items []clusterItem, opts story.ClusterOptions) map[string]int64 {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b clusterItem) int { return a.Published.Compare(b.Published) })
	c := story.NewClusterer(opts)
	idx := &memIndex{byBand: make(map[int64][]int), byCluster: make(map[int64][]int)}
	assigned := make(map[string]int64, len(items))
	next := int64(1)
	for _, it := range sorted {
		r := story.Report{ID: it.ID, Published: it.Published, Sig: story.Signature(it.Title, it.Lead), Actors: it.Actors}
		join, ok := c.Decide(r, idx.candidates(r.Sig.Bands(), it.Published.Add(-opts.Window)))
		if !ok {
			join.ClusterID = next
			next++
		}
		assigned[it.ID] = join.ClusterID
		idx.add(story.Candidate{ClusterID: join.ClusterID, Report: r})
	}
	return assigned
}

// pairFigures are pairwise clustering counts: a pair of items is positive
// when both are in one development. crossFound and crossPairs count the
// positive pairs whose titles are in different scripts (Latin and
// Cyrillic): how many were put together, of how many.
type pairFigures struct{ truePos, falsePos, falseNeg, crossFound, crossPairs int }

// pairwise compares the clusters assigned to items with their labels.
func pairwise(items []clusterItem, assigned map[string]int64) pairFigures {
	var f pairFigures
	for i, a := range items {
		for _, b := range items[i+1:] {
			same := a.Development == b.Development
			together := assigned[a.ID] == assigned[b.ID]
			switch {
			case same && together:
				f.truePos++
			case together:
				f.falsePos++
			case same:
				f.falseNeg++
			}
			if same && cyrillic(a.Title) != cyrillic(b.Title) {
				f.crossPairs++
				if together {
					f.crossFound++
				}
			}
		}
	}
	return f
}

// cyrillic reports whether s has a Cyrillic letter.
func cyrillic(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
}

func (f pairFigures) precision() float64 { return ratio(f.truePos, f.truePos+f.falsePos) }
func (f pairFigures) recall() float64    { return ratio(f.truePos, f.truePos+f.falseNeg) }

// TestClusterLabelled clusters each labelled set under testdata in time
// order with the default options and checks pairwise precision and
// recall.
func TestClusterLabelled(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "clusters*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no labelled cluster sets: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			items := loadClusterSet(t, path)
			assigned := clusterAll(items, story.DefaultClusterOptions())
			f := pairwise(items, assigned)
			t.Logf("%d items: pairwise precision %.3f, recall %.3f (tp %d, fp %d, fn %d); recall across scripts %.3f (%d of %d)",
				len(items), f.precision(), f.recall(), f.truePos, f.falsePos, f.falseNeg,
				ratio(f.crossFound, f.crossPairs), f.crossFound, f.crossPairs)
			if f.precision() < 0.90 || f.recall() < 0.80 {
				t.Errorf("precision %.3f, recall %.3f; want at least 0.90 and 0.80", f.precision(), f.recall())
			}
		})
	}
}

// TestBandsFindWhatAScanFinds checks that looking candidates up by band
// keys loses (almost) nothing: on the labelled sets, the decision made on
// band candidates equals the decision made on every report in the window.
func TestBandsFindWhatAScanFinds(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "clusters*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no labelled cluster sets: %v", err)
	}
	opts := story.DefaultClusterOptions()
	c := story.NewClusterer(opts)
	for _, path := range paths {
		items := loadClusterSet(t, path)
		slices.SortStableFunc(items, func(a, b clusterItem) int { return a.Published.Compare(b.Published) })
		idx := &memIndex{byBand: make(map[int64][]int), byCluster: make(map[int64][]int)}
		differ := 0
		for i, it := range items {
			r := story.Report{ID: it.ID, Published: it.Published, Sig: story.Signature(it.Title, it.Lead), Actors: it.Actors}
			byBand, okBand := c.Decide(r, idx.candidates(r.Sig.Bands(), it.Published.Add(-opts.Window)))
			byScan, okScan := c.Decide(r, idx.reports)
			if okBand != okScan || byBand.ClusterID != byScan.ClusterID {
				differ++
				t.Logf("%s: bands give %v %v, a scan %v %v", it.ID, byBand, okBand, byScan, okScan)
			}
			if !okScan {
				byScan.ClusterID = int64(i + 1)
			}
			idx.add(story.Candidate{ClusterID: byScan.ClusterID, Report: r})
		}
		if differ > len(items)/50 {
			t.Errorf("%s: %d of %d decisions differ between band lookup and a scan", path, differ, len(items))
		}
	}
}

func TestSignatureSimilarity(t *testing.T) {
	sig := story.Signature
	tests := []struct {
		name string
		a, b story.Sig
		want float64
	}{
		{"same text", sig("Talks in Geneva", "Delegations met on Sunday."), sig("Talks in Geneva", "Delegations met on Sunday."), 1},
		{"case, punctuation and stop words do not count", sig("Talks in Geneva", ""), sig("TALKS — the Geneva!", ""), 1},
		{"Cyrillic and Latin names meet", sig("Geneva Kremlin", ""), sig("Женева Кремль", ""), 1},
		{"nothing in common", sig("Talks in Geneva", ""), sig("Budget vote delayed", ""), 0},
		// Title keys weigh 2, lead keys 1: {tlk:2, Jnv:2} against
		// {tlk:2, Jnv:1} is 3/4.
		{"a key only in the other's lead counts once", sig("Talks in Geneva", ""), sig("Talks", "Geneva"), 0.75},
		{"empty", sig("", ""), sig("", ""), 0},
		{"empty against text", sig("", ""), sig("Talks in Geneva", ""), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Similarity(tc.b); got != tc.want {
				t.Errorf("Similarity = %v, want %v", got, tc.want)
			}
			if got := tc.b.Similarity(tc.a); got != tc.want {
				t.Errorf("reversed Similarity = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSignatureReadsOnlyTheLead(t *testing.T) {
	filler := strings.Repeat("x", story.LeadRunes-2) // a word without a key
	inside := story.Signature("", filler+" Geneva")
	beyond := story.Signature("", filler+"x Geneva")
	if inside.Len() != 1 || beyond.Len() != 0 {
		t.Errorf("keys: %d for a word starting inside the lead, %d for one after it; want 1 and 0", inside.Len(), beyond.Len())
	}
}

func TestMerge(t *testing.T) {
	a := story.Signature("Talks in Geneva", "")
	b := story.Signature("Talks", "Geneva Kremlin")
	m := story.Merge(a, b)
	if m.Len() != 3 {
		t.Errorf("merged keys = %d, want 3", m.Len())
	}
	if got := a.Similarity(m); got != 4.0/5 {
		t.Errorf("similarity to the merge = %v, want 4/5 (Kremlin weighs 1)", got)
	}
	if got := story.Merge(a, a).Similarity(a); got != 1 {
		t.Errorf("merge with itself changes the signature: similarity %v", got)
	}
	if got := story.Merge().Len(); got != 0 {
		t.Errorf("empty merge has %d keys", got)
	}
}

// TestBandsStable pins the band keys and the binary form of one signature:
// both are stored, so changing the hashing, the seeds or the word keys
// would silently stop old reports from being found.
func TestBandsStable(t *testing.T) {
	s := story.Signature("Talks in Geneva", "")
	want := []int64{3211576668, 4645207445, 8896449775, 13625666056, 17182700412, 23168002481,
		27161756434, 32697553935, 36816342404, 40243534776, 43627311623, 48156441466,
		54363564656, 57629504013, 61397152855, 64468549623}
	if got := s.Bands(); !slices.Equal(got, want) {
		t.Errorf("Bands = %v, want %v", got, want)
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x1, 0x2, 0xed, 0xfe, 0xdc, 0x40, 0x2, 0x82, 0xc2, 0x17, 0xc2, 0x2}; !slices.Equal(b, want) {
		t.Errorf("MarshalBinary = %#v, want %#v", b, want)
	}
	if got := story.Signature("", "").Bands(); got != nil {
		t.Errorf("empty signature has bands %v", got)
	}
}

func TestSigBinaryRoundTrip(t *testing.T) {
	for _, s := range []story.Sig{
		{},
		story.Signature("Зеленський отримав план", "Дрісколл передав 28 пунктів у Києві."),
		story.Signature("Talks in Geneva", "Delegations met on Sunday."),
	} {
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back story.Sig
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("UnmarshalBinary: %v", err)
		}
		if back.Len() != s.Len() || (s.Len() > 0 && back.Similarity(s) != 1) {
			t.Errorf("round trip changed the signature: %d keys, similarity %v", back.Len(), back.Similarity(s))
		}
	}
}

func TestSigUnmarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"unknown version", []byte{2, 0}},
		{"no count", []byte{1}},
		{"count not in its shortest form", []byte{1, 0x80, 0}},
		{"short", []byte{1, 1, 0, 0, 0, 0}},
		{"long", []byte{1, 0, 0}},
		{"zero weight", []byte{1, 1, 5, 0, 0, 0, 0}},
		{"out of order", []byte{1, 2, 5, 0, 0, 0, 1, 4, 0, 0, 0, 1}},
		{"repeated", []byte{1, 2, 5, 0, 0, 0, 1, 5, 0, 0, 0, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s story.Sig
			if err := s.UnmarshalBinary(tc.data); !errors.Is(err, story.ErrBadSignature) {
				t.Errorf("UnmarshalBinary(%v) = %v, want ErrBadSignature", tc.data, err)
			}
		})
	}
}

func FuzzSigUnmarshal(f *testing.F) {
	good, _ := story.Signature("Talks in Geneva", "Женева").MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, 5, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s story.Sig
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(again, data) {
			t.Errorf("accepted %v but writes it back as %v", data, again)
		}
	})
}

func FuzzSignature(f *testing.F) {
	f.Add("Зеленський отримав план", "Дрісколл передав 28 пунктів")
	f.Add("Talks in Geneva", "")
	f.Fuzz(func(t *testing.T, title, lead string) {
		s := story.Signature(title, lead)
		if s.Len() > 0 && s.Similarity(s) != 1 {
			t.Errorf("similarity to itself = %v", s.Similarity(s))
		}
		if got := len(s.Bands()); s.Len() > 0 && got != story.SigBands {
			t.Errorf("%d bands, want %d", got, story.SigBands)
		}
	})
}

func TestDecide(t *testing.T) {
	at := time.Date(2025, 11, 20, 14, 0, 0, 0, time.UTC)
	geneva := story.Signature("Rubio and Yermak open talks in Geneva", "Delegations met on Sunday.")
	genevaRu := story.Signature("Рубио и Ермак начали переговоры в Женеве", "Делегации встретились в воскресенье.")
	other := story.Signature("Budget vote delayed in parliament", "")
	report := func(id string, sig story.Sig, hours float64, actors ...string) story.Report {
		return story.Report{ID: id, Link: "https://news.example/" + id, Published: at.Add(time.Duration(hours * float64(time.Hour))), Sig: sig, Actors: actors}
	}
	cand := func(cluster int64, r story.Report) story.Candidate {
		return story.Candidate{ClusterID: cluster, Report: r}
	}
	newR := report("new", geneva, 0, "Marco Rubio", "Andriy Yermak")
	tests := []struct {
		name  string
		r     story.Report
		cands []story.Candidate
		want  int64 // 0: a new development
	}{
		{"no candidates", newR, nil, 0},
		{"near duplicate", newR, []story.Candidate{cand(4, report("a", geneva, -1, "Marco Rubio"))}, 4},
		{"across scripts", newR, []story.Candidate{cand(4, report("a", genevaRu, -1, "Marco Rubio", "Andriy Yermak"))}, 4},
		{"unrelated words", newR, []story.Candidate{cand(4, report("a", other, -1, "Marco Rubio"))}, 0},
		{"outside the window", newR, []story.Candidate{cand(4, report("a", geneva, -40))}, 0},
		{"much the same words 30 hours earlier lose to the decay", newR,
			[]story.Candidate{cand(4, report("a", story.Signature("Rubio and Yermak hold talks", "Delegations met in Geneva again."), -30, "Marco Rubio"))}, 0},
		{"other actors rule a development out", newR, []story.Candidate{cand(4, report("a", geneva, -1, "Dan Driscoll"))}, 0},
		{"a development naming no actors is judged on words", newR, []story.Candidate{cand(4, report("a", geneva, -1))}, 4},
		{"a report naming no actors is judged on words", report("new", geneva, 0), []story.Candidate{cand(4, report("a", geneva, -1, "Dan Driscoll"))}, 4},
		{"same link joins whatever the words", report("new", other, 0),
			[]story.Candidate{cand(7, story.Report{ID: "a", Link: "https://news.example/new", Published: at, Sig: geneva})}, 7},
		{"the report itself is no candidate", newR, []story.Candidate{cand(4, newR)}, 0},
		{"best development wins", newR, []story.Candidate{
			cand(3, report("a", story.Signature("Talks in Geneva", ""), -1, "Marco Rubio")),
			cand(9, report("b", geneva, -1, "Marco Rubio")),
		}, 9},
		{"ties go to the lower cluster", newR, []story.Candidate{cand(9, report("b", geneva, -1)), cand(3, report("a", geneva, -1))}, 3},
	}
	c := story.NewClusterer(story.DefaultClusterOptions())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			join, ok := c.Decide(tc.r, tc.cands)
			if got := map[bool]int64{true: join.ClusterID}[ok]; got != tc.want {
				t.Errorf("Decide = %+v, %v; want cluster %d", join, ok, tc.want)
			}
		})
	}
}

func TestDecideMinSharedActors(t *testing.T) {
	at := time.Date(2025, 11, 20, 14, 0, 0, 0, time.UTC)
	sig := story.Signature("Rubio and Yermak open talks in Geneva", "")
	r := story.Report{ID: "new", Published: at, Sig: sig, Actors: []string{"Marco Rubio", "Andriy Yermak"}}
	cands := []story.Candidate{
		{ClusterID: 1, Report: story.Report{ID: "a", Published: at, Sig: sig, Actors: []string{"Marco Rubio"}}},
		{ClusterID: 1, Report: story.Report{ID: "b", Published: at, Sig: sig, Actors: []string{"Dan Driscoll"}}},
	}
	for _, tc := range []struct {
		min  int
		want bool
	}{{0, true}, {1, true}, {2, false}} {
		opts := story.DefaultClusterOptions()
		opts.MinSharedActors = tc.min
		if _, ok := story.NewClusterer(opts).Decide(r, cands); ok != tc.want {
			t.Errorf("MinSharedActors %d: joined %v, want %v", tc.min, ok, tc.want)
		}
	}
}
