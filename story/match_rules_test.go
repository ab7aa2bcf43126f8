package story

import (
	"slices"
	"testing"
)

// rulesMatcher compiles def with the tolerant rules a configuration uses
// by default.
func rulesMatcher(t *testing.T, def Definition) *Matcher {
	t.Helper()
	def.Rules = tolerantRules()
	if def.Threshold == 0 {
		def.Threshold = 1
	}
	m, err := NewMatcher(def)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestInflectedForms checks which words count as forms of a pattern word:
// case endings of names and places, plurals and agreement of common
// words, and none of the look-alikes that a loose stem would catch.
func TestInflectedForms(t *testing.T) {
	m := rulesMatcher(t, Definition{
		Weak: []Term{{Text: "мирный план", Weight: 1}, {Text: "béketerv", Weight: 1}, {Text: "barış planı", Weight: 1}},
		Context: []Term{
			{Text: "Україна", Weight: 1}, {Text: "Москва", Weight: 1}, {Text: "Кремль", Weight: 1},
			{Text: "US", Weight: 1}, {Text: "Ουκρανία", Weight: 1},
		},
		Actors: []Actor{
			{Name: "W", Aliases: []string{"Witkoff"}},
			{Name: "R", Aliases: []string{"Rubio"}},
			{Name: "Z", Aliases: []string{"Zelensky", "Зеленский"}},
			{Name: "T", Aliases: []string{"Trump"}},
			{Name: "Y", Aliases: []string{"Ермак"}},
			{Name: "D", Aliases: []string{"Дмитриев"}},
			{Name: "Za", Aliases: []string{"Захарова"}},
			{Name: "M", Aliases: []string{"Modi"}},
			{Name: "P", Aliases: []string{"Putin"}},
			{Name: "S", Aliases: []string{"Sikorski"}},
		},
	})
	tests := []struct {
		text string
		want string // the actor or term found, "" for none
	}{
		{"Witkoffa", "W"}, {"Witkoffem", "W"}, {"Witkoffowi", "W"}, {"Witkoffal", "W"}, {"Witkoffnak", "W"},
		{"Rubiem", "R"}, {"Rubia", "R"}, {"Rubióval", "R"}, {"Rubin", ""},
		{"Zelenského", "Z"}, {"Zelenským", "Z"}, {"Zełenskiego", "Z"}, {"Zelenska", ""},
		{"Зеленского", "Z"}, {"Зеленским", "Z"}, {"Зеленской", ""}, {"Зеленская", ""},
		{"Trumppal", "T"}, {"Trumpot", "T"}, {"Trumpovi", "T"}, {"Trumpův", "T"}, {"Trumpet", ""},
		{"Ермака", "Y"}, {"Ермаком", "Y"}, {"Ермаков", ""},
		{"Дмитриева", "D"}, {"Дмитриевым", "D"}, {"Дмитриевич", ""},
		{"Захаровой", "Za"}, {"Захаровою", "Za"},
		{"Modis", "M"}, {"Model", ""}, {"Modern", ""},
		{"Putina", "P"}, {"Putinem", "P"}, {"Putyin", ""},
		{"Sikorskiego", "S"}, {"Sikorskim", "S"}, {"Sikorsky", ""}, {"Sikorska", ""},
		{"України", "Україна"}, {"Україною", "Україна"}, {"Москвы", "Москва"}, {"Кремля", "Кремль"},
		{"USA", ""}, {"Ουκρανίας", "Ουκρανία"},
		{"мирного плана", "мирный план"}, {"мирным планом", "мирный план"}, {"мирные планы", "мирный план"},
		{"мирного планета", ""},
		{"béketervről", "béketerv"}, {"béketervvel", "béketerv"}, {"béketervet", "béketerv"},
		{"barış planını", "barış planı"}, {"barış planının", "barış planı"},
	}
	for _, tt := range tests {
		got := m.Match(tt.text, "")
		found := slices.Concat(got.Actors, got.Phrases, got.Context)
		if (tt.want == "" && len(found) > 0) || (tt.want != "" && !slices.Equal(found, []string{tt.want})) {
			t.Errorf("%q found %q, want %q", tt.text, found, tt.want)
		}
	}
}

// TestInflectionOff checks that without Rules.Inflect only the listed
// forms match.
func TestInflectionOff(t *testing.T) {
	m, err := NewMatcher(Definition{Actors: []Actor{{Name: "W", Aliases: []string{"Witkoff"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Match("Witkoffa", "").Actors; got != nil {
		t.Errorf("Witkoffa matched %q without inflection", got)
	}
}

// TestEvidenceRule checks that an item needs story evidence besides its
// score: a phrase, or core actors in the story's context.
func TestEvidenceRule(t *testing.T) {
	m := rulesMatcher(t, Definition{
		Phrases: []Term{{Text: "bridge plan", Weight: 1}},
		Weak:    []Term{{Text: "toll", Weight: 0.4}, {Text: "ferry talks", Weight: 0.4}},
		Generic: []Term{{Text: "talks", Weight: 0.2}, {Text: "deal", Weight: 0.2}, {Text: "agreement", Weight: 0.2}},
		Context: []Term{{Text: "harbour", Weight: 0.15}, {Text: "council", Weight: 0.15}, {Text: "city", Weight: 0.15}},
		Actors: []Actor{
			{Name: "Ada", Aliases: []string{"Ada"}, Weight: 0.5},
			{Name: "Ben", Aliases: []string{"Ben"}, Weight: 0.5},
			{Name: "Flo", Aliases: []string{"Flo"}, Weight: 0.5},
			{Name: "Cy", Aliases: []string{"Cy"}, Weight: 0.15},
			{Name: "Di", Aliases: []string{"Di"}, Weight: 0.15},
			{Name: "Ed", Aliases: []string{"Ed"}, Weight: 0.15},
		},
	})
	tests := []struct {
		text     string
		score    float64
		relevant bool
	}{
		{"the bridge plan", 1, true},
		{"Ada on the toll in the harbour city", 0.4 + 0.5 + 0.3, true},
		{"Ada and Ben in the harbour", 1.15, true},
		{"Ada and Ben tour a resort", 1, false},
		{"Ada, Ben and Flo tour a resort", 1, true},
		{"Ada at the harbour council in the city", 0.5 + 0.3, false},
		{"Ada: talks on a deal for the harbour council", 0.5 + 0.4 + 0.3, false},
		{"Ada: talks on a deal", 0.5 + 0.4, false},
		{"Ada and Ben: talks on a deal", 1 + 0.4, true},
		{"Cy, Di and Ed: talks, a deal and an agreement for the harbour council city", 0.45 + 0.4 + 0.3, false},
		{"Cy, Di and Ed in the harbour council city", 0.45 + 0.3, false},
	}
	for _, tt := range tests {
		got := m.Match(tt.text, "")
		if !near(got.Score, tt.score) || got.Relevant != tt.relevant {
			t.Errorf("%q = score %v relevant %v, want %v %v", tt.text, got.Score, got.Relevant, tt.score, tt.relevant)
		}
	}
}

// near reports whether two scores agree to rounding.
func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestContextConcepts checks that the forms of one word count once, and
// the context total stops at its cap.
func TestContextConcepts(t *testing.T) {
	m := rulesMatcher(t, Definition{
		Context: []Term{
			{Text: "Україна", Weight: 0.15}, {Text: "України", Weight: 0.15}, {Text: "Україні", Weight: 0.15},
			{Text: "Росія", Weight: 0.15}, {Text: "Київ", Weight: 0.15}, {Text: "Москва", Weight: 0.15},
		},
	})
	got := m.Match("Україна, України, Україні, Україною", "")
	if !near(got.Score, 0.15) || !slices.Equal(got.Context, []string{"Україна"}) {
		t.Errorf("one word's forms: score %v context %q, want 0.15 [Україна]", got.Score, got.Context)
	}
	got = m.Match("Україна, Росія, Київ і Москва", "")
	if !near(got.Score, 0.3) || len(got.Context) != 4 || got.Relevant {
		t.Errorf("four places: score %v context %q relevant %v, want the cap 0.3, four terms, not relevant", got.Score, got.Context, got.Relevant)
	}
}

// TestPhrasesInAnyOrder checks the word order slack: the words of a
// phrase in any order within the slack, in one field, short words left
// out only from long phrases.
func TestPhrasesInAnyOrder(t *testing.T) {
	m := rulesMatcher(t, Definition{
		Phrases: []Term{
			{Text: "plan pokojowy", Weight: 1}, {Text: "piano di pace in 28 punti", Weight: 1},
			{Text: "из 28 пунктов", Weight: 1}, {Text: "Alaska summit", Weight: 1},
		},
	})
	tests := []struct {
		text string
		want []string
	}{
		{"pokojowy plan", []string{"plan pokojowy"}},
		{"planu pokojowego", []string{"plan pokojowy"}},
		{"plan, jak mówią, pokojowy", []string{"plan pokojowy"}},
		{"plan, jak wszyscy dziś mówią, pokojowy", nil},
		{"i 28 punti del piano di pace", []string{"piano di pace in 28 punti"}},
		{"28 пунктов плана", nil},
		{"план из 28 пунктов", []string{"из 28 пунктов"}},
		{"the summit in Alaska", []string{"Alaska summit"}},
		{"the summit in alaska", nil},
	}
	for _, tt := range tests {
		if got := m.Match(tt.text, "").Phrases; !slices.Equal(got, tt.want) {
			t.Errorf("%q found %q, want %q", tt.text, got, tt.want)
		}
	}
	if got := m.Match("the plan", "pokojowy").Phrases; got != nil {
		t.Errorf("a phrase across title and text found %q", got)
	}
}

// TestMisspelledAliases checks the one-edit tolerance: long aliases only,
// capitalised words only, never at the first or last letter, never when
// two actors are as close.
func TestMisspelledAliases(t *testing.T) {
	m := rulesMatcher(t, Definition{Actors: []Actor{
		{Name: "Z", Aliases: []string{"Zelensky"}},
		{Name: "D", Aliases: []string{"Dmitriev", "Dmitriyev"}},
		{Name: "K", Aliases: []string{"Kushner"}},
		{Name: "A", Aliases: []string{"Abcdefgh"}},
		{Name: "B", Aliases: []string{"Abcxefgh"}},
	}})
	tests := []struct {
		text string
		want []string
	}{
		{"Zelenksy", []string{"Z"}}, {"Zelenskky", []string{"Z"}}, {"Zelnsky", []string{"Z"}}, {"Zelenzky", []string{"Z"}},
		{"zelenksy", nil}, {"Pelensky", nil}, {"Zelenska", nil}, {"Zelenkys", nil},
		{"Dimitriev", []string{"D"}}, {"Dmitrijev", []string{"D"}},
		{"Kushnir", nil},
		{"Abcyefgh", nil},
	}
	for _, tt := range tests {
		if got := m.Match(tt.text, "").Actors; !slices.Equal(got, tt.want) {
			t.Errorf("%q named %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestEditorialLowerCase checks that capitalised names in other scripts
// than Latin match in lower case when long enough, and Latin ones never.
func TestEditorialLowerCase(t *testing.T) {
	m := rulesMatcher(t, Definition{
		Context: []Term{{Text: "Росія", Weight: 0.15}},
		Actors: []Actor{
			{Name: "P", Aliases: []string{"Путін"}},
			{Name: "Pe", Aliases: []string{"Пєсков"}},
			{Name: "T", Aliases: []string{"Туск", "Tusk"}},
			{Name: "Tr", Aliases: []string{"Trump"}},
		},
	})
	tests := []struct {
		text    string
		actors  []string
		context []string
	}{
		{"путін і пєсков", []string{"P", "Pe"}, nil},
		{"путіна", []string{"P"}, nil},
		{"росія", nil, []string{"Росія"}},
		{"туск", nil, nil},
		{"Туск", []string{"T"}, nil},
		{"a tusk and a trump card", nil, nil},
	}
	for _, tt := range tests {
		got := m.Match(tt.text, "")
		if !slices.Equal(got.Actors, tt.actors) || !slices.Equal(got.Context, tt.context) {
			t.Errorf("%q = actors %q context %q, want %q %q", tt.text, got.Actors, got.Context, tt.actors, tt.context)
		}
	}
}

// TestLookalikePersons checks that naming a look-alike person keeps the
// shared surname from crediting the actor anywhere in the item, unless an
// alias of the actor that no look-alike contains is there too; exclusions
// that are not people hide only their own words.
func TestLookalikePersons(t *testing.T) {
	m := rulesMatcher(t, Definition{Actors: []Actor{
		{Name: "Dmitry Medvedev", Aliases: []string{"Dmitry Medvedev", "Medvedev", "Медведев"}, Exclude: []string{"Daniil Medvedev", "Даниил Медведев"}},
		{Name: "Jared Kushner", Aliases: []string{"Jared Kushner", "Kushner"}, Exclude: []string{"ambassador Kushner", "Kushner Companies"}},
		{Name: "Donald Trump", Aliases: []string{"Donald Trump", "Trump"}, Exclude: []string{"Trump Tower"}},
	}})
	tests := []struct {
		title, text string
		want        []string
	}{
		{"Daniil Medvedev wins", "Medvedev served well.", nil},
		{"Medvedev wins", "Daniil Medvedev served well.", nil},
		{"Даниил Медведев выиграл", "Медведева поздравили.", nil},
		{"Dmitry Medvedev mocks Daniil Medvedev", "Medvedev wrote on Telegram.", []string{"Dmitry Medvedev"}},
		{"US ambassador Kushner summoned", "Kushner refused to apologise.", nil},
		{"Kushner Companies buys a tower", "Kushner said the deal was done.", []string{"Jared Kushner"}},
		{"Protest at Trump Tower", "Trump was not there.", []string{"Donald Trump"}},
		{"Medvedev threatens Europe", "", []string{"Dmitry Medvedev"}},
	}
	for _, tt := range tests {
		if got := m.Match(tt.title, tt.text).Actors; !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q, %q) named %q, want %q", tt.title, tt.text, got, tt.want)
		}
	}
}

// FuzzMatchTolerant checks the tolerant rules on any text: spans are
// ranges of runes, actors appear once, and an item judged relevant has
// reached the threshold.
func FuzzMatchTolerant(f *testing.F) {
	f.Add("Witkoffal és Zelenszkijjel", "путіна; Zelenksy; i 28 punti del piano di pace")
	f.Add("Daniil Medvedev", "Medvedev, Медведева, Зеленской, Witkoffowi")
	f.Add("", "\xff Trumppal plan pokojowy \u0301 barış planını")
	def := testDefinition()
	def.Rules = tolerantRules()
	def.Generic = []Term{{Text: "peace talks", Weight: 0.2}}
	def.Weak = []Term{{Text: "plan pokojowy", Weight: 0.4}, {Text: "piano di pace in 28 punti", Weight: 0.4}}
	m, err := NewMatcher(def)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, text string) {
		got := m.Match(title, text)
		bounds := map[Field]map[int]bool{FieldTitle: runeStarts(title), FieldText: runeStarts(text)}
		for _, s := range got.Spans {
			if s.Start >= s.End || !bounds[s.Field][s.Start] || !bounds[s.Field][s.End] {
				t.Fatalf("span %+v is not a range of runes in %q / %q", s, title, text)
			}
		}
		if got.Relevant && got.Score < def.Threshold {
			t.Fatalf("relevant with score %v", got.Score)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got.Actors)))) != len(got.Actors) {
			t.Fatalf("actors repeat: %q", got.Actors)
		}
	})
}
