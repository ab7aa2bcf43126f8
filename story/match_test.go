package story

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testDefinition is a small made-up story about a peace plan, with actors
// whose names collide with common words and with other people.
func testDefinition() Definition {
	return Definition{
		Name:      "test plan",
		Threshold: 3,
		Phrases: []Term{
			{Text: "28-point plan", Weight: 3},
			{Text: "peace plan", Weight: 1},
			{Text: "план Уиткоффа", Weight: 3},
		},
		Context: []Term{
			{Text: "Kyiv", Weight: 1},
			{Text: "Kremlin", Weight: 1},
			{Text: "Киев", Weight: 1},
		},
		Exclude: []Term{
			{Text: "Gaza peace plan", Weight: 3},
			{Text: "20-point plan", Weight: 3},
		},
		Actors: []Actor{
			{Name: "Donald Trump", Aliases: []string{"Donald Trump", "Trump", "Трамп"}, Stems: []string{"Трамп"}, Exclude: []string{"Trump Tower", "Donald Trump Jr"}, Weight: 1},
			{Name: "Steve Witkoff", Aliases: []string{"Steve Witkoff", "Witkoff"}, Stems: []string{"Уиткофф"}, Weight: 2},
			{Name: "Kirill Dmitriev", Aliases: []string{"Kirill Dmitriev", "Dmitriev"}, Stems: []string{"Дмитриев"}, Exclude: []string{"Yuri Dmitriev", "Юрий Дмитриев"}, Weight: 2},
			{Name: "Jared Kushner", Aliases: []string{"Jared Kushner", "Kushner"}, Exclude: []string{"Charles Kushner"}, Weight: 1},
			{Name: "JD Vance", Aliases: []string{"JD Vance", "Vance"}, Weight: 0.5},
			{Name: "Volodymyr Zelensky", Aliases: []string{"Volodymyr Zelensky", "Zelensky", "Zelenskyy"}, Stems: []string{"Зеленск", "Зеленськ"}, Exclude: []string{"Зеленська", "Зеленської", "Olena Zelenska"}, Weight: 1},
			{Name: "Dmitry Medvedev", Aliases: []string{"Dmitry Medvedev", "Medvedev"}, Exclude: []string{"Daniil Medvedev"}, Weight: 0.5},
		},
	}
}

// newTestMatcher compiles testDefinition.
func newTestMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := NewMatcher(testDefinition())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMatchActors(t *testing.T) {
	m := newTestMatcher(t)
	tests := []struct {
		name, title, text string
		want              []string
	}{
		{"possessives", "Trump's envoy", "Witkoff’s draft and Dmitriev's notes", []string{"Donald Trump", "Steve Witkoff", "Kirill Dmitriev"}},
		{"upper case possessive", "TRUMP'S PLAN", "", []string{"Donald Trump"}},
		{"fullwidth", "ＷＩＴＫＯＦＦ arrives", "", []string{"Steve Witkoff"}},
		{"trumpet is not Trump", "A trumpet solo", "The ace trumps the king; trumped-up charges.", nil},
		{"lower-case trump is a card", "", "He played his trump card.", nil},
		{"advance is not Vance", "Troops advance", "Advanced talks; Vancouver.", nil},
		{"Vance alone", "", "Vance spoke.", []string{"JD Vance"}},
		{"dotted initials", "J.D. Vance visits", "", []string{"JD Vance"}},
		{"cyrillic stems", "Зеленского и Трампа", "Уиткоффу позвонил Дмитриеву.", []string{"Volodymyr Zelensky", "Donald Trump", "Steve Witkoff", "Kirill Dmitriev"}},
		{"ukrainian stem", "", "Зеленським і Трампом", []string{"Volodymyr Zelensky", "Donald Trump"}},
		{"stem needs word start", "", "Антитрамповский митинг", nil},
		{"wife is not the president", "Олена Зеленська", "Olena Zelenska visited Зеленської school.", nil},
		{"wife and president", "Зеленська та Зеленський", "", []string{"Volodymyr Zelensky"}},
		{"Charles Kushner is not Jared", "Charles Kushner named envoy", "", nil},
		{"Jared next to Charles", "", "Jared Kushner met Charles Kushner.", []string{"Jared Kushner"}},
		{"Kushner alone", "", "Kushner said.", []string{"Jared Kushner"}},
		{"Yuri Dmitriev the historian", "Historian Yuri Dmitriev sentenced", "Юрий Дмитриев остается в колонии.", nil},
		{"both Dmitrievs", "", "Kirill Dmitriev and Yuri Dmitriev", []string{"Kirill Dmitriev"}},
		{"tennis Medvedev", "Daniil Medvedev wins", "", nil},
		{"Trump Tower", "Protest at Trump Tower", "Donald Trump Jr. spoke.", nil},
		{"Donald Trump", "", "Donald Trump spoke at Trump Tower.", []string{"Donald Trump"}},
		{"order: title first, then text", "Zelensky meets Witkoff", "Trump called Zelensky.", []string{"Volodymyr Zelensky", "Steve Witkoff", "Donald Trump"}},
		{"each actor once", "Witkoff", "Witkoff, Steve Witkoff and Уиткоффа.", []string{"Steve Witkoff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Match(tt.title, tt.text).Actors
			if !slices.Equal(got, tt.want) {
				t.Errorf("Match(%q, %q).Actors = %q, want %q", tt.title, tt.text, got, tt.want)
			}
		})
	}
}

// TestMatchCapitals checks that a pattern word written with a capital
// matches only capitalised words, and one in lower case matches any.
func TestMatchCapitals(t *testing.T) {
	m, err := NewMatcher(Definition{
		Threshold: 1,
		Phrases:   []Term{{Text: "US peace plan", Weight: 1}},
		Actors: []Actor{
			{Name: "Donald Tusk", Aliases: []string{"Tusk"}},
			{Name: "Vladimir Putin", Stems: []string{"Путин"}},
			{Name: "Steve Witkoff", Aliases: []string{"witkoff"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text    string
		actors  []string
		phrases []string
	}{
		{"Tusk said", []string{"Donald Tusk"}, nil},
		{"TUSK SAID", []string{"Donald Tusk"}, nil},
		{"an ivory tusk", nil, nil},
		{"Путина встретили", []string{"Vladimir Putin"}, nil},
		{"путина началась", nil, nil},
		{"the US peace plan", nil, []string{"US peace plan"}},
		{"give us peace plan", nil, nil},
		{"WITKOFF, Witkoff and witkoff-plan", []string{"Steve Witkoff"}, nil},
		{"witkoff-plan", []string{"Steve Witkoff"}, nil},
	}
	for _, tt := range tests {
		got := m.Match("", tt.text)
		if !slices.Equal(got.Actors, tt.actors) || !slices.Equal(got.Phrases, tt.phrases) {
			t.Errorf("Match(%q) = actors %q phrases %q, want %q %q", tt.text, got.Actors, got.Phrases, tt.actors, tt.phrases)
		}
	}
}

func TestMatchPhrases(t *testing.T) {
	m := newTestMatcher(t)
	tests := []struct {
		name, text                 string
		phrases, context, excluded []string
	}{
		{"hyphen", "the 28-point plan", []string{"28-point plan"}, nil, nil},
		{"space", "the 28 point plan", []string{"28-point plan"}, nil, nil},
		{"non-breaking hyphen", "the 28\u2011point plan", []string{"28-point plan"}, nil, nil},
		{"en dash", "the 28–point plan", []string{"28-point plan"}, nil, nil},
		{"glued", "the 28point plan", []string{"28-point plan"}, nil, nil},
		{"upper case", "THE 28-POINT PLAN", []string{"28-point plan"}, nil, nil},
		{"other number", "the 27-point plan", nil, nil, nil},
		{"cyrillic phrase with stem-like word", "Обсуждается план Уиткоффа в Киев", []string{"план Уиткоффа"}, []string{"Киев"}, nil},
		{"distinct, in order found", "Kremlin: peace plan. Kyiv: peace plan. Kremlin again.", []string{"peace plan"}, []string{"Kremlin", "Kyiv"}, nil},
		{"exclusion swallows the weak phrase inside it", "a Gaza peace plan", nil, nil, []string{"Gaza peace plan"}},
		{"exclusion and phrase apart", "the 20-point plan and the 28-point plan", []string{"28-point plan"}, nil, []string{"20-point plan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Match("", tt.text)
			if !slices.Equal(got.Phrases, tt.phrases) || !slices.Equal(got.Context, tt.context) || !slices.Equal(got.Excluded, tt.excluded) {
				t.Errorf("Match(%q) = phrases %q, context %q, excluded %q; want %q, %q, %q",
					tt.text, got.Phrases, got.Context, got.Excluded, tt.phrases, tt.context, tt.excluded)
			}
		})
	}
}

func TestMatchSpans(t *testing.T) {
	m := newTestMatcher(t)
	title := "Trump’s 28‑point plan reaches Kyiv"
	text := "Зеленского встретил Steve Witkoff's team; Charles Kushner was absent."
	got := m.Match(title, text)
	type seen struct {
		field      Field
		src        string
		kind       Kind
		term       string
		start, end int
	}
	var spans []seen
	for _, s := range got.Spans {
		src := title
		if s.Field == FieldText {
			src = text
		}
		spans = append(spans, seen{s.Field, src[s.Start:s.End], s.Kind, s.Term, s.Start, s.End})
	}
	want := []seen{
		{FieldTitle, "Trump", KindActor, "Donald Trump", 0, 5},
		{FieldTitle, "28‑point plan", KindPhrase, "28-point plan", 10, 25},
		{FieldTitle, "Kyiv", KindContext, "Kyiv", 34, 38},
		{FieldText, "Зеленского", KindActor, "Volodymyr Zelensky", 0, 20},
		{FieldText, "Steve Witkoff", KindActor, "Steve Witkoff", 38, 51},
	}
	if !slices.Equal(spans, want) {
		t.Errorf("spans:\n got %+v\nwant %+v", spans, want)
	}
}

func TestMatchScore(t *testing.T) {
	m := newTestMatcher(t)
	tests := []struct {
		name, title, text string
		score             float64
		relevant          bool
	}{
		{"strong phrase alone passes", "Leaked 28-point plan", "", 3, true},
		{"weak phrase alone fails", "A peace plan for the region", "", 1, false},
		{"weak phrase with actor and context", "Witkoff brings peace plan", "He flew to Kyiv.", 4, true},
		{"weak phrase with a weak actor fails", "Vance backs peace plan", "", 1.5, false},
		{"each phrase and actor counts once", "28-point plan, 28 point plan", "Witkoff, Witkoff, Witkoff", 5, true},
		{"exclusion subtracts", "Witkoff presents Gaza peace plan", "", -1, false},
		{"exclusion cancels a strong phrase", "From the 20-point plan to the 28-point plan", "", 0, false},
		{"nothing", "Weather", "Sunny.", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Match(tt.title, tt.text)
			if got.Score != tt.score || got.Relevant != tt.relevant {
				t.Errorf("Match(%q, %q) = score %v relevant %v, want %v %v", tt.title, tt.text, got.Score, got.Relevant, tt.score, tt.relevant)
			}
		})
	}
}

// TestMatchOverlappingPhrases checks that phrases sharing words each count
// once.
func TestMatchOverlappingPhrases(t *testing.T) {
	m, err := NewMatcher(Definition{
		Threshold: 1,
		Phrases:   []Term{{Text: "28-point", Weight: 2}, {Text: "28-point plan", Weight: 3}, {Text: "point plan", Weight: 0.5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Match("The 28-point plan", "Again: the 28 point plan.")
	want := []string{"28-point plan", "28-point", "point plan"}
	if !slices.Equal(got.Phrases, want) || got.Score != 5.5 {
		t.Errorf("got phrases %q score %v, want %q 5.5", got.Phrases, got.Score, want)
	}
}

func TestNewMatcherErrors(t *testing.T) {
	tests := []struct {
		name     string
		def      Definition
		sentinel error
		mention  string
	}{
		{"empty phrase", Definition{Phrases: []Term{{Text: " — ", Weight: 1}}}, ErrEmptyPattern, `phrase " — "`},
		{"empty context term", Definition{Context: []Term{{Text: ""}}}, ErrEmptyPattern, "context term"},
		{"empty exclusion", Definition{Exclude: []Term{{Text: "’"}}}, ErrEmptyPattern, "exclusion"},
		{"empty alias", Definition{Actors: []Actor{{Name: "Jane Roe", Aliases: []string{"Roe", "  "}}}}, ErrEmptyPattern, `actor "Jane Roe": alias "  "`},
		{"empty stem", Definition{Actors: []Actor{{Name: "Jane Roe", Stems: []string{"-"}}}}, ErrEmptyPattern, `actor "Jane Roe": stem "-"`},
		{"empty actor exclusion", Definition{Actors: []Actor{{Name: "Jane Roe", Exclude: []string{"."}}}}, ErrEmptyPattern, `actor "Jane Roe": exclude "."`},
		{"stem of two words", Definition{Actors: []Actor{{Name: "Jane Roe", Stems: []string{"Jane Ro"}}}}, ErrStemWords, `stem "Jane Ro"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMatcher(tt.def)
			if !errors.Is(err, tt.sentinel) || m != nil {
				t.Fatalf("NewMatcher = %v, %v; want error %v", m, err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

// TestMatcherKeepsDefinition checks that changing the definition after
// NewMatcher does not change the matcher.
func TestMatcherKeepsDefinition(t *testing.T) {
	def := testDefinition()
	m, err := NewMatcher(def)
	if err != nil {
		t.Fatal(err)
	}
	def.Actors[1].Name = "changed"
	def.Phrases[0].Weight = 100
	got := m.Match("Witkoff's 28-point plan", "")
	if !slices.Equal(got.Actors, []string{"Steve Witkoff"}) || got.Score != 5 {
		t.Errorf("got %q score %v, want [Steve Witkoff] 5", got.Actors, got.Score)
	}
}

// TestMatchConcurrent runs matches in parallel (under -race) and checks
// they agree with a sequential run.
func TestMatchConcurrent(t *testing.T) {
	m := newTestMatcher(t)
	texts := []string{
		"Trump’s 28-point plan reaches Kyiv",
		"Зеленского встретил Steve Witkoff",
		"Charles Kushner and the Gaza peace plan",
		strings.Repeat("Dmitriev met Witkoff in Miami. ", 50),
	}
	want := make([]Match, len(texts))
	for i, s := range texts {
		want[i] = m.Match(s, s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(texts))
	for range 8 {
		for i, s := range texts {
			wg.Go(func() {
				if got := m.Match(s, s); fmt.Sprint(got) != fmt.Sprint(want[i]) {
					errs <- fmt.Sprintf("Match(%q) = %+v, want %+v", s, got, want[i])
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("Trump’s 28‑point plan", "Зеленского встретил Witkoff's team; Charles Kushner.")
	f.Add("ＷＩＴＫＯＦＦ", "e\u0301 и\u0306 U.S. J.D. Vance \xff")
	f.Add("", "Gaza peace plan Yuri Dmitriev Зеленська")
	m := newTestMatcher(f)
	f.Fuzz(func(t *testing.T, title, text string) {
		got := m.Match(title, text)
		bounds := map[Field]map[int]bool{FieldTitle: runeStarts(title), FieldText: runeStarts(text)}
		for _, s := range got.Spans {
			if s.Start >= s.End || !bounds[s.Field][s.Start] || !bounds[s.Field][s.End] {
				t.Fatalf("span %+v is not a range of runes in %q / %q", s, title, text)
			}
		}
		if got.Relevant != (got.Score >= testDefinition().Threshold) {
			t.Fatalf("Relevant %v with score %v", got.Relevant, got.Score)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got.Actors)))) != len(got.Actors) {
			t.Fatalf("actors repeat: %q", got.Actors)
		}
	})
}
