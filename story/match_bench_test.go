package story

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// benchCyrillic transliterates the synthetic surnames for the actors that
// also go by a Cyrillic alias.
func benchCyrillic() *strings.Replacer {
	return strings.NewReplacer(
		"kar", "кар", "vel", "вел", "dos", "дос", "tro", "тро", "min", "мин", "bel", "бел", "sor", "сор",
		"gan", "ган", "lu", "лу", "ter", "тер", "vis", "вис", "oro", "оро", "nak", "нак", "pel", "пел",
		"dri", "дри", "hal", "хал", "mon", "мон", "zer", "зер", "quin", "квин", "ash", "аш", "ov", "ов", "ski", "ски",
	)
}

// benchActors returns n synthetic actors with two aliases each: the full
// name, and the bare surname (Latin, or Cyrillic for every fifth actor).
func benchActors(n int) []Actor {
	syllables := []string{"kar", "vel", "dos", "tro", "min", "bel", "sor", "gan", "lu", "ter", "vis", "oro", "nak", "pel", "dri", "hal", "mon", "zer", "quin", "ash"}
	firstNames := []string{"Alma", "Boris", "Celia", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Katya", "Lev", "Mira", "Nils", "Olga", "Pavel"}
	cyrillic := benchCyrillic()
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	actors := make([]Actor, 0, n)
	for len(actors) < n {
		var sb strings.Builder
		for range 2 + rng.IntN(2) {
			sb.WriteString(syllables[rng.IntN(len(syllables))])
		}
		sb.WriteString([]string{"ov", "ski", "in", "er"}[rng.IntN(4)])
		low := sb.String()
		if seen[low] {
			continue
		}
		seen[low] = true
		surname := strings.ToUpper(low[:1]) + low[1:]
		first := firstNames[rng.IntN(len(firstNames))]
		second := surname
		if len(actors)%5 == 0 {
			second = cyrillic.Replace(low)
		}
		actors = append(actors, Actor{
			Name:    first + " " + surname,
			Aliases: []string{first + " " + surname, second},
			Weight:  1,
		})
	}
	return actors
}

// benchText writes about size bytes of news paragraphs naming the actors.
func benchText(size int, actors []Actor) string {
	// The templates are news sentences; {A} and {B} take actor names.
	templates := []string{
		"{A} told reporters on Tuesday that the talks had made real progress, although several points remained open.",
		"The delegation led by {A} arrived in the capital late on Monday evening for a second round of consultations.",
		"Officials familiar with the draft said it covered security guarantees, sanctions relief and the return of prisoners.",
		"{A}'s office declined to comment on the reports, saying only that the negotiations were continuing.",
		"In a statement, {A} and {B} said they welcomed the framework but wanted changes to the sections on territory.",
		"Markets rose modestly after the announcement, with energy stocks leading the gains in early trading.",
		"Analysts cautioned that previous attempts at a settlement had collapsed within weeks of being signed.",
		"According to two people briefed on the meeting, {A} pressed for a deadline before the end of the month.",
		"The foreign ministry said it had not received a formal copy of the proposal and would respond in due course.",
		"Opposition lawmakers accused the government of negotiating in secret and demanded a parliamentary debate.",
		"{A} later posted on social media that \u201cno agreement is final until everything is agreed.\u201d",
		"A spokesperson for {B} rejected the criticism, calling it a misreading of the 28-point document.",
		"Talks are expected to resume next week in Geneva, where technical teams will work through the remaining issues.",
		"The U.S. envoy met {A} for nearly five hours, the longest session since the process began in the summer.",
		"Humanitarian groups urged all parties to keep aid corridors open while the diplomacy continued.",
		"Several European leaders, including {A}, said any deal must be acceptable to the people most affected by it.",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var sb strings.Builder
	for sb.Len() < size {
		for range 4 + rng.IntN(3) {
			s := templates[rng.IntN(len(templates))]
			s = strings.ReplaceAll(s, "{A}", actors[rng.IntN(len(actors))].Aliases[rng.IntN(2)])
			s = strings.ReplaceAll(s, "{B}", actors[rng.IntN(len(actors))].Aliases[0])
			sb.WriteString(s)
			sb.WriteByte(' ')
		}
		sb.WriteString("\n\n")
	}
	return sb.String()
}

// benchDefinition is a story with 2,000 actor aliases and a few terms.
func benchDefinition() Definition {
	return Definition{
		Name:      "bench",
		Threshold: 3,
		Phrases:   []Term{{Text: "28-point", Weight: 3}, {Text: "peace plan", Weight: 1}, {Text: "security guarantees", Weight: 1}},
		Context:   []Term{{Text: "Geneva", Weight: 0.5}, {Text: "sanctions", Weight: 0.5}},
		Exclude:   []Term{{Text: "20-point plan", Weight: 2}},
		Actors:    benchActors(1000),
	}
}

// tolerantRules are the rules a configuration uses by default: evidence,
// caps, inflection, phrases in any order, misspellings and lower case.
func tolerantRules() Rules {
	return Rules{
		Evidence: true, CoreWeight: 0.5, CoreQuorum: 2,
		WeakCap: 0.8, GenericCap: 0.4, ContextCap: 0.3, ActorCap: 1,
		Inflect: true, PhraseSlack: 2, TypoLetters: 8, LowerCaseLetters: 5,
	}
}

// BenchmarkMatch measures the matcher over 64 KB of news text, with exact
// words and with the tolerant rules, against the baseline of one
// precompiled regular expression per alias.
func BenchmarkMatch(b *testing.B) {
	def := benchDefinition()
	text := benchText(64<<10, def.Actors)
	tolerant := def
	tolerant.Rules = tolerantRules()
	for _, bench := range []struct {
		name string
		def  Definition
	}{
		{"matcher", def},
		{"matcher-tolerant", tolerant},
	} {
		m, err := NewMatcher(bench.def)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bench.name, func(b *testing.B) {
			m.Match("", text) // warm the pooled buffers, as a running bot has
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if res := m.Match("", text); len(res.Actors) == 0 {
					b.Fatal("no actors found")
				}
			}
		})
	}
	b.Run("regexp-per-alias", func(b *testing.B) {
		var res []*regexp.Regexp
		for _, a := range def.Actors {
			for _, alias := range a.Aliases {
				res = append(res, regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(alias)+`\b`))
			}
		}
		b.SetBytes(int64(len(text)))
		b.ResetTimer()
		for b.Loop() {
			hits := 0
			for _, re := range res {
				hits += len(re.FindAllStringIndex(text, -1))
			}
			if hits == 0 {
				b.Fatal("no aliases found")
			}
		}
	})
}

// BenchmarkMatchCyrillic measures the matcher over Cyrillic text.
func BenchmarkMatchCyrillic(b *testing.B) {
	def := benchDefinition()
	cyrillic := benchCyrillic()
	for i, a := range def.Actors {
		_, surname, _ := strings.Cut(a.Name, " ")
		def.Actors[i].Stems = []string{cyrillic.Replace(strings.ToLower(surname))}
	}
	text := cyrillic.Replace(strings.ToLower(benchText(64<<10, def.Actors)))
	tolerant := def
	tolerant.Rules = tolerantRules()
	for _, bench := range []struct {
		name string
		def  Definition
	}{
		{"exact", def},
		{"tolerant", tolerant},
	} {
		m, err := NewMatcher(bench.def)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bench.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				m.Match("", text)
			}
		})
	}
}

// BenchmarkNormalize measures Normalize on a mixed-script headline.
func BenchmarkNormalize(b *testing.B) {
	s := "Witkoff’s 28‑point plan: Zełenski and Зеленський meet in Genève — “talks continue”"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Normalize(s)
	}
}
