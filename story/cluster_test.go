package story_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"storyline/story"
)

// sign returns the signature of title and lead as the pipeline makes it,
// with the example story's matcher.
func sign(t testing.TB, m *story.Matcher, title, lead string) story.Sig {
	t.Helper()
	return story.Signature(title, lead, m.Match(title, lead))
}

// clusterOf decides r against x and returns the cluster joined, 0 for a
// new development.
func clusterOf(c *story.Clusterer, r story.Report, x *story.ClusterIndex) int64 {
	join, ok := c.Decide(r, x)
	if !ok {
		return 0
	}
	return join.ClusterID
}

// TestSignatureNamesActorsOnce checks that an actor counts as one
// feature in any spelling: the English and the Russian title of one
// event differ in every word but share their actors, and the words of
// a name are not counted beside the actor.
func TestSignatureNamesActorsOnce(t *testing.T) {
	m := exampleMatcher(t)
	en := sign(t, m, "Witkoff meets Dmitriev", "")
	ru := sign(t, m, "Уиткофф встретился с Дмитриевым", "")
	bare := story.Signature("Witkoff meets Dmitriev", "", story.Match{})
	if en.Len() != 3 || bare.Len() != 3 {
		t.Errorf("keys: %d with the matcher's actors, %d without; want 3 (two actors and meets, or three words)", en.Len(), bare.Len())
	}
	x := story.NewClusterIndex()
	x.Add(1, story.Report{ID: "en", Published: wt0, Sig: en, Actors: []string{"Steve Witkoff", "Kirill Dmitriev"}})
	c := story.NewClusterer(story.DefaultClusterOptions())
	r := story.Report{ID: "ru", Published: wt0, Sig: ru, Actors: []string{"Steve Witkoff", "Kirill Dmitriev"}}
	if got := clusterOf(c, r, x); got != 1 {
		t.Errorf("Russian title of the same meeting joins %d, want 1", got)
	}
}

// wt0 is the time the clustering unit tests are set around.
var wt0 = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

// TestSignatureSkipsResidue checks that a lead's byline, dateline, photo
// credit and pointer to another article leave its signature as its text
// alone gives it.
func TestSignatureSkipsResidue(t *testing.T) {
	m := exampleMatcher(t)
	const title = "Umerov meets Rubio in Florida"
	const text = "Rustem Umerov met Marco Rubio near Miami on Sunday to work on the revised framework."
	clean := sign(t, m, title, text)
	for _, lead := range []string{
		"By Olga Marchenko and Peter Hollis | HALLANDALE BEACH, Florida, Nov 30 (Newswire) - " + text,
		"WASHINGTON (Newswire) — " + text,
		"ВАШИНГТОН, 30 ноября. /Информбюро/. " + text,
		"Photo: Handout via Newswire Images. " + text,
		text + " Read more: Kellogg to leave the administration in January",
		text + " (Photo by Jane Roe / Newswire)",
	} {
		got := sign(t, m, title, lead)
		a, _ := got.MarshalBinary()
		b, _ := clean.MarshalBinary()
		if !slices.Equal(a, b) {
			t.Errorf("lead %q: %d keys, want the %d of the text alone", lead, got.Len(), clean.Len())
		}
	}
}

func TestSigBinaryRoundTrip(t *testing.T) {
	m := exampleMatcher(t)
	for _, s := range []story.Sig{
		{},
		sign(t, m, "Зеленський отримав план", "Дрісколл передав 28 пунктів у Києві."),
		sign(t, m, "Talks in Geneva", "Rubio and Yermak met delegations on Sunday."),
	} {
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back story.Sig
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("UnmarshalBinary: %v", err)
		}
		again, _ := back.MarshalBinary()
		if !slices.Equal(b, again) || back.Len() != s.Len() {
			t.Errorf("round trip changed the signature: %v, then %v", b, again)
		}
	}
}

// TestSigVersion1 reads a signature stored before actors and marks were
// part of one (the bytes of Signature("Talks in Geneva", "") then): it
// decodes, and the report's actors are added to it when it is indexed,
// so a report naming the same actor in a new signature joins it.
func TestSigVersion1(t *testing.T) {
	v1 := []byte{0x1, 0x2, 0xed, 0xfe, 0xdc, 0x40, 0x2, 0x82, 0xc2, 0x17, 0xc2, 0x2}
	var old story.Sig
	if err := old.UnmarshalBinary(v1); err != nil {
		t.Fatalf("version 1 bytes: %v", err)
	}
	if old.Len() != 2 {
		t.Errorf("version 1 signature has %d keys, want 2", old.Len())
	}
	if again, _ := old.MarshalBinary(); !slices.Equal(again, v1) {
		t.Errorf("version 1 signature written back as %v", again)
	}
	m := exampleMatcher(t)
	x := story.NewClusterIndex()
	x.Add(3, story.Report{ID: "old", Published: wt0, Sig: old, Actors: []string{"Marco Rubio"}})
	r := story.Report{ID: "new", Published: wt0.Add(time.Hour), Sig: sign(t, m, "Rubio: talks in Geneva", ""), Actors: []string{"Marco Rubio"}}
	if got := clusterOf(story.NewClusterer(story.DefaultClusterOptions()), r, x); got != 3 {
		t.Errorf("a report naming the old report's actor and words joins %d, want 3", got)
	}
}

func TestSigUnmarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"unknown version", []byte{3, 0}},
		{"no count", []byte{2}},
		{"count not in its shortest form", []byte{2, 0x80, 0}},
		{"short", []byte{2, 1, 0, 0, 0, 0}},
		{"long", []byte{2, 0, 0}},
		{"zero weight", []byte{2, 1, 5, 0, 0, 0, 0}},
		{"mark without weight", []byte{2, 1, 5, 0, 0, 0, 0x80}},
		{"unknown mark", []byte{2, 1, 5, 0, 0, 0, 0x21}},
		{"mark in version 1", []byte{1, 1, 5, 0, 0, 0, 0x41}},
		{"out of order", []byte{2, 2, 5, 0, 0, 0, 1, 4, 0, 0, 0, 1}},
		{"repeated", []byte{2, 2, 5, 0, 0, 0, 1, 5, 0, 0, 0, 2}},
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
	good, _ := story.Signature("Talks in Geneva", "Женева", story.Match{}).MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0})
	f.Add([]byte{2, 1, 5, 0, 0, 0, 0x42})
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
	m := exampleMatcher(f)
	f.Add("Зеленський отримав план", "By Jane Roe | KYIV (Newswire) - Дрісколл передав 28 пунктів. Фото: ОП")
	f.Add("Talks in Geneva", "")
	f.Fuzz(func(t *testing.T, title, lead string) {
		s := story.Signature(title, lead, m.Match(title, lead))
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back story.Sig
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("a signature does not read back: %v", err)
		}
	})
}

func TestDecide(t *testing.T) {
	m := exampleMatcher(t)
	geneva := "Rubio and Yermak open talks in Geneva"
	genevaLead := "The US and Ukrainian delegations met at the US mission on Sunday."
	report := func(id, title, lead string, hours float64) story.Report {
		match := m.Match(title, lead)
		return story.Report{ID: id, Link: "https://news.example/" + id, Published: wt0.Add(time.Duration(hours * float64(time.Hour))),
			Sig: story.Signature(title, lead, match), Actors: match.Actors}
	}
	newR := report("new", geneva, genevaLead, 0)
	tests := []struct {
		name  string
		r     story.Report
		index map[int64][]story.Report
		want  int64 // 0: a new development
	}{
		{"no developments", newR, nil, 0},
		{"near duplicate", newR, map[int64][]story.Report{4: {report("a", geneva, genevaLead, -1)}}, 4},
		{"across scripts", newR, map[int64][]story.Report{4: {report("a", "Рубио и Ермак начали переговоры в Женеве", "Делегации встретились в воскресенье.", -1)}}, 4},
		{"a day later", newR, map[int64][]story.Report{4: {report("a", "Rubio and Yermak hold talks in Geneva", "The US and Ukrainian delegations met at the US mission.", -26)}}, 4},
		{"outside the window", newR, map[int64][]story.Report{4: {report("a", geneva, genevaLead, -80)}}, 0},
		{"other actors rule a development out", newR, map[int64][]story.Report{4: {report("a", "Driscoll opens talks in Geneva", genevaLead, -1)}}, 0},
		{"unrelated words", newR, map[int64][]story.Report{4: {report("a", "Budget vote delayed in parliament", "Lawmakers will try again on Tuesday.", -1)}}, 0},
		{"same link joins whatever the words", report("a2", "Budget vote delayed", "", 0),
			map[int64][]story.Report{7: {{ID: "a", Link: "https://news.example/a2", Published: wt0}}}, 7},
		{"the report itself is no candidate", newR, map[int64][]story.Report{4: {newR}}, 0},
		{"best development wins", newR, map[int64][]story.Report{
			3: {report("a", "Talks in Geneva resume", "Diplomats met.", -1)},
			9: {report("b", geneva, genevaLead, -1)},
		}, 9},
		{"ties go to the lower cluster", newR, map[int64][]story.Report{9: {report("b", geneva, genevaLead, -1)}, 3: {report("a", geneva, genevaLead, -1)}}, 3},
	}
	c := story.NewClusterer(story.DefaultClusterOptions())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := story.NewClusterIndex()
			for id, rs := range tc.index {
				for _, r := range rs {
					x.Add(id, r)
				}
			}
			if got := clusterOf(c, tc.r, x); got != tc.want {
				t.Errorf("Decide joins %d, want %d", got, tc.want)
			}
		})
	}
}

func TestDecideMinSharedActors(t *testing.T) {
	m := exampleMatcher(t)
	title := "Rubio and Yermak open talks in Geneva"
	sig := sign(t, m, title, "")
	r := story.Report{ID: "new", Published: wt0, Sig: sig, Actors: []string{"Marco Rubio", "Andriy Yermak"}}
	for _, tc := range []struct {
		min  int
		want bool
	}{{0, true}, {1, true}, {2, false}} {
		opts := story.DefaultClusterOptions()
		opts.MinSharedActors = tc.min
		x := story.NewClusterIndex()
		x.Add(1, story.Report{ID: "a", Published: wt0, Sig: sig, Actors: []string{"Marco Rubio"}})
		x.Add(1, story.Report{ID: "b", Published: wt0, Sig: sig, Actors: []string{"Dan Driscoll"}})
		if _, ok := story.NewClusterer(opts).Decide(r, x); ok != tc.want {
			t.Errorf("MinSharedActors %d: joined %v, want %v", tc.min, ok, tc.want)
		}
	}
}

// TestClusterIndexCommonFeaturesCountLittle checks the index's weighting:
// two reports sharing only words that every development of the window
// carries do not join, while two sharing as many words that only their
// development carries do.
func TestClusterIndexCommonFeaturesCountLittle(t *testing.T) {
	x := story.NewClusterIndex()
	topics := []string{"fisheries quotas", "railway tariffs", "vaccine patents", "grain corridors", "steel duties",
		"border crossings", "satellite licences", "pension reform"}
	for i, topic := range topics {
		// Eight developments that all mention the summit and its deadline.
		title := "summit deadline passes without agreement on " + topic
		x.Add(int64(i+1), story.Report{ID: fmt.Sprint(i), Published: wt0, Sig: story.Signature(title, "", story.Match{})})
	}
	c := story.NewClusterer(story.DefaultClusterOptions())
	common := story.Report{ID: "common", Published: wt0, Sig: story.Signature("summit deadline passes, talks on tobacco labels break down", "", story.Match{})}
	if got := clusterOf(c, common, x); got != 0 {
		t.Errorf("a report sharing only the window's common words joins %d", got)
	}
	x.Add(20, story.Report{ID: "rare", Published: wt0, Sig: story.Signature("ferry operators strike over harbour fees in Tallinn", "", story.Match{})})
	rare := story.Report{ID: "rare2", Published: wt0, Sig: story.Signature("harbour fees bring Tallinn ferry strike", "", story.Match{})}
	if got := clusterOf(c, rare, x); got != 20 {
		t.Errorf("a report sharing words only one development has joins %d, want 20", got)
	}
}

// TestClusterIndexRemoveRestores checks that removing every report added
// leaves an index that decides as an empty one, and that Forget removes
// exactly the reports published before its time.
func TestClusterIndexRemoveRestores(t *testing.T) {
	m := exampleMatcher(t)
	x := story.NewClusterIndex()
	titles := []string{"Rubio and Yermak open talks in Geneva", "Рубио и Ермак начали переговоры в Женеве", "Driscoll meets Russians in Abu Dhabi"}
	for i, title := range titles {
		x.Add(int64(i%2+1), story.Report{ID: fmt.Sprint(i), Link: "https://news.example/" + fmt.Sprint(i), Published: wt0.Add(time.Duration(i) * time.Hour), Sig: sign(t, m, title, "")})
	}
	if n := x.Forget(wt0.Add(time.Hour)); n != 1 || x.Len() != 2 {
		t.Errorf("Forget removed %d, left %d; want 1 and 2", n, x.Len())
	}
	if got := x.Members(1); len(got) != 1 || got[0].ID != "2" {
		t.Errorf("development 1 holds %v after Forget, want report 2", got)
	}
	x.Remove("1")
	x.Remove("2")
	x.Remove("2")
	if x.Len() != 0 || x.Members(1) != nil || x.Members(2) != nil {
		t.Errorf("index holds %d reports after removing all", x.Len())
	}
	r := story.Report{ID: "new", Link: "https://news.example/1", Published: wt0, Sig: sign(t, m, titles[0], "")}
	if _, ok := story.NewClusterer(story.DefaultClusterOptions()).Decide(r, x); ok {
		t.Error("an emptied index still has a development to join")
	}
}
