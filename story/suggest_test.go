package story

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// suggestDefinition is a small story for the suggestion tests: the plan's
// first phrase, two negotiators and a head of state.
func suggestDefinition() Definition {
	return Definition{
		Name:      "plan",
		Threshold: 1,
		Phrases:   []Term{{Text: "28-point plan", Weight: 1}},
		Weak:      []Term{{Text: "peace plan", Weight: 0.5}},
		Context:   []Term{{Text: "Ukraine", Weight: 0.15}},
		Actors: []Actor{
			{Name: "Marco Rubio", Aliases: []string{"Marco Rubio", "Rubio"}, Weight: 0.5},
			{Name: "Rustem Umerov", Aliases: []string{"Rustem Umerov", "Umerov"}, Weight: 0.5},
			{Name: "Donald Trump", Aliases: []string{"Donald Trump", "Trump"}, Weight: 0.15},
			{Name: "Keith Kellogg", Aliases: []string{"Keith Kellogg", "Kellogg"}, Weight: 0.3},
		},
		Rules: Rules{Evidence: true, CoreWeight: 0.5, CoreQuorum: 2, Inflect: true, PhraseSlack: 2},
	}
}

// suggestReports are the reports of a story that moved on: the later
// reports speak of trilateral talks and a new negotiator, Igor Kostyukov,
// whom the definition does not know; the rejected ones include a
// footballer who shares the Secretary of State's surname, a company that
// shares an envoy's, Trump on other business, and a word common to both
// sets.
func suggestReports() []SuggestReport {
	var out []SuggestReport
	for i := range 5 {
		out = append(out, SuggestReport{
			Title: fmt.Sprintf("Trilateral talks resume on the 28-point plan (%d)", i),
			Text: fmt.Sprintf("Marco Rubio and Rustem Umerov met Igor Kostyukov for trilateral talks on day %d. "+
				"Donald Trump said the week had gone well for Ukraine.", i),
		})
	}
	out = append(out, SuggestReport{
		Title: "Umerov and Rubio meet again on the 28-point plan",
		Text:  "The trilateral talks went on; Kostyukov did not attend.",
	})
	for i := range 4 {
		out = append(out, SuggestReport{
			Title: fmt.Sprintf("Jose Rubio scores twice for Valencia (%d)", i),
			Text:  "Jose Rubio scored in the first half; the week had gone well for the club.",
		})
	}
	for i := range 4 {
		out = append(out, SuggestReport{
			Title: fmt.Sprintf("Cereal maker reports results (%d)", i),
			Text:  "Kellogg reported higher profits; the week had gone well for its shares.",
		})
	}
	for i := range 8 {
		out = append(out, SuggestReport{
			Title: fmt.Sprintf("Donald Trump visits a factory (%d)", i),
			Text:  "Trump spoke about tariffs; the week had gone well for the markets.",
		})
	}
	return out
}

func TestSuggest(t *testing.T) {
	m, err := NewMatcher(suggestDefinition())
	if err != nil {
		t.Fatal(err)
	}
	got := m.Suggest(suggestReports(), SuggestOptions{})
	if got.Relevant != 6 || got.Rejected != 16 {
		t.Fatalf("judged %d relevant and %d rejected reports, want 6 and 16", got.Relevant, got.Rejected)
	}

	names := texts(got.Names)
	if !slices.Contains(names, "Igor Kostyukov") {
		t.Errorf("names %q lack Igor Kostyukov, the new negotiator", names)
	}
	for _, unwanted := range []string{"Marco Rubio", "Rustem Umerov", "Donald Trump", "Jose Rubio", "Valencia", "Trilateral"} {
		if slices.Contains(names, unwanted) {
			t.Errorf("names %q suggest %q: configured already, only in rejected reports, or a word opening a sentence", names, unwanted)
		}
	}
	phrases := texts(got.Phrases)
	if !slices.Contains(phrases, "trilateral talks") {
		t.Errorf("phrases %q lack 'trilateral talks'", phrases)
	}
	for _, unwanted := range []string{"28-point plan", "had gone well", "the week", "week had gone"} {
		if slices.Contains(phrases, unwanted) {
			t.Errorf("phrases %q suggest %q: configured already or as common in rejected reports", phrases, unwanted)
		}
	}
	for _, c := range append(got.Names, got.Phrases...) {
		if c.Text == "Igor Kostyukov" && (c.Relevant != 5 || c.Rejected != 0 || len(c.Examples) != 2 ||
			c.Examples[0] != "Trilateral talks resume on the 28-point plan (0)") {
			t.Errorf("Igor Kostyukov = %+v, want 5 relevant reports, none rejected and the first two titles", c)
		}
		if c.Text == "trilateral talks" && c.Relevant != 6 {
			t.Errorf("trilateral talks = %+v, want 6 relevant reports (title and text of one count once)", c)
		}
	}

	// Kellogg is matched in rejected reports only; Rubio in the rejected
	// ones after another given name. Trump, in both sets alike, is not
	// ambiguous, though his bare surname is in rejected reports only.
	want := []AmbiguousAlias{
		{Actor: "Keith Kellogg", Alias: "Kellogg", Relevant: 0, Rejected: 4,
			Examples: []string{"Cereal maker reports results (0)", "Cereal maker reports results (1)"}},
		{Actor: "Marco Rubio", Alias: "Rubio", Relevant: 1, Rejected: 4, Before: "Jose", BeforeCount: 4,
			Examples: []string{"Jose Rubio scores twice for Valencia (0)", "Jose Rubio scores twice for Valencia (1)"}},
	}
	if !reflect.DeepEqual(got.Ambiguous, want) {
		t.Errorf("ambiguous aliases =\n%+v, want\n%+v", got.Ambiguous, want)
	}
}

// TestSuggestNothing checks that too few reports suggest nothing.
func TestSuggestNothing(t *testing.T) {
	m, err := NewMatcher(suggestDefinition())
	if err != nil {
		t.Fatal(err)
	}
	got := m.Suggest(suggestReports()[:2], SuggestOptions{})
	if len(got.Names)+len(got.Phrases)+len(got.Ambiguous) != 0 {
		t.Errorf("two reports suggest %+v, want nothing below MinReports", got)
	}
	if got := m.Suggest(nil, SuggestOptions{}); got.Relevant+got.Rejected != 0 || got.Names != nil {
		t.Errorf("no reports suggest %+v", got)
	}
}

// TestSuggestLimits checks Max and MinReports.
func TestSuggestLimits(t *testing.T) {
	m, err := NewMatcher(suggestDefinition())
	if err != nil {
		t.Fatal(err)
	}
	// Kostyukov alone is in six relevant reports, Igor Kostyukov in five.
	got := m.Suggest(suggestReports(), SuggestOptions{Max: 1, MinReports: 6})
	if !slices.Equal(texts(got.Names), []string{"Kostyukov"}) || !slices.Equal(texts(got.Phrases), []string{"trilateral talks"}) {
		t.Errorf("Max 1, MinReports 6: names %q, phrases %q, want Kostyukov and trilateral talks", texts(got.Names), texts(got.Phrases))
	}
}

// texts lists the additions' texts.
func texts(as []Addition) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Text)
	}
	return out
}
