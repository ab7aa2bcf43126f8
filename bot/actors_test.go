package bot

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"storyline/story"
)

// bergRoster has one actor for each rank of the text "berg".
var bergRoster = []story.Actor{
	{Name: "Isberg"},                                 // substring
	{Name: "Ingrid Bergström"},                       // word prefix
	{Name: "Bergman"},                                // prefix
	{Name: "Anna Berg", Aliases: []string{"Berg"}},   // exact alias
	{Name: "Kushner", Exclude: []string{"Bergkamp"}}, // exclusions are not names
}

// hitNames lists the canonical names of hits.
func hitNames(x *actorIndex, hits []actorHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, x.actors[h.actor].Name)
	}
	return out
}

func TestActorIndexSearchRanks(t *testing.T) {
	x := newActorIndex(bergRoster)
	tests := []struct {
		typed string
		want  []string
	}{
		{"berg", []string{"Anna Berg", "Bergman", "Ingrid Bergström", "Isberg"}},
		{"  BERG! ", []string{"Anna Berg", "Bergman", "Ingrid Bergström", "Isberg"}},
		{"bergstrom", []string{"Ingrid Bergström"}},
		{"ingrid-bergström", []string{"Ingrid Bergström"}},
		{"bergkamp", nil},
		{"", nil},
		{"...", nil},
	}
	for _, tc := range tests {
		if got := hitNames(x, x.search(tc.typed)); !slices.Equal(got, tc.want) {
			t.Errorf("search(%q) = %v, want %v", tc.typed, got, tc.want)
		}
	}
	hits := x.search("berg")
	var ranks []matchRank
	for _, h := range hits {
		ranks = append(ranks, h.rank)
	}
	if want := []matchRank{rankExact, rankPrefix, rankWordPrefix, rankSubstring}; !slices.Equal(ranks, want) {
		t.Errorf("ranks %v, want %v", ranks, want)
	}
	if hits[0].name != "Berg" {
		t.Errorf("best name of Anna Berg = %q, want the alias Berg", hits[0].name)
	}
}

func TestActorIndexExampleRoster(t *testing.T) {
	x := newActorIndex(exampleDefinition(t).Actors)
	tests := []struct{ typed, want string }{
		{"wit", "Steve Witkoff"},
		{"зел", "Volodymyr Zelensky"},
		{"Zelenskyy", "Volodymyr Zelensky"},
		{"vitkov", "Steve Witkoff"},
		{"путин", "Vladimir Putin"},
		{"Уиткофф", "Steve Witkoff"},
		{"jean noel", "Jean-Noel Barrot"},
		{"ERDOĞAN", "Recep Tayyip Erdogan"},
	}
	for _, tc := range tests {
		hits := x.search(tc.typed)
		if len(hits) == 0 || x.actors[hits[0].actor].Name != tc.want {
			t.Errorf("search(%q) = %v, want %s first", tc.typed, hitNames(x, hits), tc.want)
		}
	}
}

func TestActorIndexResolve(t *testing.T) {
	x := newActorIndex([]story.Actor{
		{Name: "Kirill Dmitriev", Aliases: []string{"Dmitriev", "Кирилл Дмитриев"}},
		{Name: "Dmitriev"},
		{Name: "Marco Rubio", Aliases: []string{"Rubio"}},
	})
	tests := []struct {
		typed, want string
		ok          bool
	}{
		{"Kirill Dmitriev", "Kirill Dmitriev", true},
		{"кирилл дмитриев", "Kirill Dmitriev", true},
		{"DMITRIEV", "Dmitriev", true}, // a canonical name beats another's alias
		{"rubio", "Marco Rubio", true},
		{"rub", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		a, ok := x.resolve(tc.typed)
		if ok != tc.ok || a.Name != tc.want {
			t.Errorf("resolve(%q) = %q, %v; want %q, %v", tc.typed, a.Name, ok, tc.want, tc.ok)
		}
	}
}

func TestActorIndexClosest(t *testing.T) {
	x := newActorIndex(exampleDefinition(t).Actors)
	tests := []struct{ typed, want string }{
		{"Wtikoff", "Steve Witkoff"},
		{"zelenksy", "Volodymyr Zelensky"},
		{"Stev Witkof", "Steve Witkoff"},
		{"Лавраов", "Sergey Lavrov"},
	}
	for _, tc := range tests {
		hits := x.closest(tc.typed, 3)
		if len(hits) != 3 || x.actors[hits[0].actor].Name != tc.want {
			t.Errorf("closest(%q) = %v, want %s first", tc.typed, hitNames(x, hits), tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"witkoff", "witkoff", 0},
		{"wtikoff", "witkoff", 2},
		{"kitten", "sitting", 3},
		{"зеленский", "зеленськии", 2},
	}
	for _, tc := range tests {
		if got := editDistance([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestChoiceName(t *testing.T) {
	a := story.Actor{Name: "Volodymyr Zelensky"}
	tests := []struct{ matched, want string }{
		{"Зеленский", "Volodymyr Zelensky (Зеленский)"},
		{"volodymyr ZELENSKY", "Volodymyr Zelensky"},
		{"", "Volodymyr Zelensky"},
		{strings.Repeat("Зеленский ", 20), "Volodymyr Zelensky (" + strings.Repeat("Зеленский ", 6) + "Зеленский…"},
	}
	for _, tc := range tests {
		got := choiceName(a, tc.matched)
		if got != tc.want || length(got) > maxChoiceName {
			t.Errorf("choiceName(%q) = %q (%d), want %q", tc.matched, got, length(got), tc.want)
		}
	}
}

// FuzzActorIndex checks that whatever is typed, every actor found has a
// name containing the typed text, and a resolved name is the actor's.
func FuzzActorIndex(f *testing.F) {
	for _, s := range []string{"wit", "зел", "ZELÉNSKY", "jean-noel", "", " ", "\x00\xff", "ß", "İ"} {
		f.Add(s)
	}
	x := newActorIndex(exampleDefinition(f).Actors)
	f.Fuzz(func(t *testing.T, typed string) {
		q := searchKey(typed)
		for _, h := range x.search(typed) {
			if !strings.Contains(searchKey(h.name), q) {
				t.Errorf("search(%q) found %q by name %q", typed, x.actors[h.actor].Name, h.name)
			}
		}
		if a, ok := x.resolve(typed); ok && !slices.ContainsFunc(x.names, func(n actorName) bool {
			return x.actors[n.actor].Name == a.Name && n.key == q
		}) {
			t.Errorf("resolve(%q) = %q, which has no such name", typed, a.Name)
		}
		if hits := x.closest(typed, 3); len(hits) != 3 {
			t.Errorf("closest(%q) returned %d actors", typed, len(hits))
		}
	})
}

func TestChoicesKeepClosestFirst(t *testing.T) {
	// instantTrends counts longer names as busier: the closest name must
	// still come first.
	c := NewCommands(instantTrends{}, exampleDefinition(t).Actors, slog.New(slog.DiscardHandler), CommandOptions{})
	tests := []struct{ typed, want string }{
		{"Rubioo", "Marco Rubio"},
		{"Kalas", "Kaja Kallas"},
		{"...", "Ursula von der Leyen"}, // no letters: everyone, busiest (longest) first
	}
	for _, tc := range tests {
		choices := c.choices(t.Context(), tc.typed)
		if len(choices) == 0 || choices[0].Value != tc.want {
			var got []any
			for _, ch := range choices {
				got = append(got, ch.Value)
			}
			t.Errorf("choices(%q) = %v, want %s first", tc.typed, got, tc.want)
		}
	}
}
