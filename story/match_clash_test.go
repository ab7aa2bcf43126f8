package story

import (
	"reflect"
	"slices"
	"testing"
)

func TestClashes(t *testing.T) {
	actors := []Actor{
		{Name: "Ada", Aliases: []string{"O'Neil", "Harbour Board", "Quarry"}, Stems: []string{"Кворр"}},
		{Name: "Ben", Aliases: []string{"O’Neil", "Okafor", "Quarry", "quarry"}, Stems: []string{"кворр"}},
		{Name: "Cy", Aliases: []string{"harbour-board", "QUARRY", "Ｏｋａｆｏｒ"}},
	}
	want := []Clash{
		{Spelling{Actor: 1, Index: 0}, Spelling{Actor: 0, Index: 0}},
		{Spelling{Actor: 1, Index: 2}, Spelling{Actor: 0, Index: 2}},
		{Spelling{Actor: 1, Index: 3}, Spelling{Actor: 0, Index: 2}},
		{Spelling{Actor: 1, Stem: true, Index: 0}, Spelling{Actor: 0, Stem: true, Index: 0}},
		{Spelling{Actor: 2, Index: 0}, Spelling{Actor: 0, Index: 1}},
		{Spelling{Actor: 2, Index: 1}, Spelling{Actor: 0, Index: 2}},
		{Spelling{Actor: 2, Index: 2}, Spelling{Actor: 1, Index: 1}},
	}
	if got := Clashes(actors); !reflect.DeepEqual(got, want) {
		t.Errorf("Clashes =\n%v\nwant\n%v", got, want)
	}
}

// TestClashesAgreeWithMatcher checks Clashes against what the matcher does:
// two actors' spellings clash exactly when a text written as one of them is
// credited to both actors.
func TestClashesAgreeWithMatcher(t *testing.T) {
	pairs := [][2]string{
		{"O'Neil", "O’Neil"},
		{"O'Neil", "O Neil"},
		{"Trump", "trump"},
		{"Trump", "TRUMP"},
		{"Zelenskyy", "Ｚｅｌｅｎｓｋｙｙ"},
		{"Zélensky", "Zelensky"},
		{"Зеленский", "ЗЕЛЕНСКИИ"},
		{"Їжак", "Ижак"},
		{"Ёлкин", "Елкин"},
		{"U.S. envoy", "US envoy"},
		{"Witkoff's", "Witkoff"},
		{"Harbour Board", "harbour-board"},
		{"Tusk", "Tusks"},
		{"Kim Jong Un", "Kim Jong-un"},
		{"al-Sisi", "Al Sisi"},
		{"Straße", "Strasse"},
	}
	for _, p := range pairs {
		actors := []Actor{{Name: "A", Aliases: []string{p[0]}}, {Name: "B", Aliases: []string{p[1]}}}
		m, err := NewMatcher(Definition{Actors: actors, Threshold: 1})
		if err != nil {
			t.Fatal(err)
		}
		both := false
		for _, text := range p {
			both = both || slices.Equal(m.Match(text, "").Actors, []string{"A", "B"})
		}
		if clash := len(Clashes(actors)) > 0; clash != both {
			t.Errorf("%q and %q: Clashes says %t, the matcher credits both: %t", p[0], p[1], clash, both)
		}
	}
}
