package story

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"abbreviations and acronyms", "Mr. Witkoff met Gen. Smith in the U.S. on Nov. 20. He left.",
			[]string{"Mr. Witkoff met Gen. Smith in the U.S. on Nov. 20.", "He left."}},
		{"initial", "Donald J. Trump spoke. Others listened.", []string{"Donald J. Trump spoke.", "Others listened."}},
		{"latin abbreviations", "Some allies, e.g. France, agreed, i.e. most of them. Talks go on.",
			[]string{"Some allies, e.g. France, agreed, i.e. most of them.", "Talks go on."}},
		{"decimal number", "Growth was 3.5 percent. Next year?", []string{"Growth was 3.5 percent.", "Next year?"}},
		{"closing quote", `He said: "We agree." Then he left! Why?`, []string{`He said: "We agree."`, "Then he left!", "Why?"}},
		{"ellipsis", "It ended… The next day came.", []string{"It ended…", "The next day came."}},
		{"lower case after a dot", "It was approx. five hours. Done.", []string{"It was approx. five hours.", "Done."}},
		{"line breaks", "First line\nSecond line\n\nThird.", []string{"First line", "Second line", "Third."}},
		{"cyrillic", "Встреча прошла в 2025 г. в Киеве. Обсуждали т.е. мирный план. Итоги — позже.",
			[]string{"Встреча прошла в 2025 г. в Киеве.", "Обсуждали т.е. мирный план.", "Итоги — позже."}},
		{"cyrillic abbreviation before capital", "Сумма 5 млн. Рублей хватит. Конец.", []string{"Сумма 5 млн. Рублей хватит.", "Конец."}},
		{"blank", "  \n ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range splitSentences(tt.in) {
				got = append(got, tt.in[r[0]:r[1]])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitSentences(%q) =\n%q, want\n%q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	m := newTestMatcher(t)
	tests := []struct {
		name, title, text string
		limit             int
		want              string
	}{
		{"whole text fits", "Envoy in Moscow", "Witkoff met Gen. Smith in the U.S. on Nov. 20. He brought a 3.5-page draft.", 0,
			"Witkoff met Gen. Smith in the U.S. on Nov. 20. He brought a 3.5-page draft."},
		{"post footer", "Envoy in Moscow", "Witkoff landed in Moscow.\nThe post Envoy in Moscow appeared first on Example News.", 0,
			"Witkoff landed in Moscow."},
		{"continue reading", "Envoy in Moscow", "Witkoff landed in Moscow. Continue reading →", 0, "Witkoff landed in Moscow."},
		{"continue reading glued", "Envoy in Moscow", "Witkoff landed in Moscow Continue reading...", 0, "Witkoff landed in Moscow"},
		{"read more and ellipsis marker", "Envoy in Moscow", "Witkoff landed in Moscow. Talks begin today […]\nRead more", 0,
			"Witkoff landed in Moscow. Talks begin today"},
		{"read more inside a sentence is content", "Envoy", "Analysts will read more into the draft next week.", 0,
			"Analysts will read more into the draft next week."},
		{"prefers story sentences, keeps order", "Envoy in Moscow",
			"Snow fell in the city overnight. Witkoff carried the 28-point plan. Traffic was heavy. Kushner joined him in Kyiv.", 70,
			"Witkoff carried the 28-point plan. Kushner joined him in Kyiv."},
		{"lead sentence first among equals", "Weather", "Snow fell overnight. Traffic was heavy. Schools closed.", 40,
			"Snow fell overnight. Traffic was heavy."},
		{"long sentence cut at a word", "Envoy",
			"Witkoff carried the 28-point plan to Kyiv where officials studied every clause for hours.", 40,
			"Witkoff carried the 28-point plan to…"},
		{"title repeated as first sentence", "Witkoff lands in Moscow", "Witkoff lands in Moscow. Putin met him for five hours.", 0,
			"Putin met him for five hours."},
		{"title repeated, then a sentence pointing back at it", "Witkoff lands in Moscow", "Witkoff lands in Moscow. He met Putin for five hours.", 0,
			"Witkoff lands in Moscow. He met Putin for five hours."},
		{"title repeated with a dash, shown as written in the title", "Witkoff lands in Moscow", "WITKOFF LANDS IN MOSCOW – He met Putin.", 0,
			"Witkoff lands in Moscow. He met Putin."},
		{"title glued to the text", "Witkoff lands in Moscow", "Witkoff lands in Moscow After a long flight he met Putin.", 0,
			"After a long flight he met Putin."},
		{"heading glued to a sentence pointing back at it", "Envoy in Moscow",
			"Meeting with the US envoy The agenda included the 28-point plan. Snow fell in the city overnight and traffic was heavy.", 70,
			"Meeting with the US envoy. The agenda included the 28-point plan."},
		{"a sentence pointing back is left out without what it points at", "Envoy",
			"Snow fell in the city overnight and traffic was heavy for hours. It carried the 28-point plan. Witkoff met Putin in Moscow.", 60,
			"Witkoff met Putin in Moscow."},
		{"dateline and what precedes it", "Envoy", "Envoy lands BERLIN (dpa) - Witkoff met Putin.", 0, "Witkoff met Putin."},
		{"photo credit", "Envoy", "Photo: Jane Roe/AFP via Getty Images Witkoff met Putin. (AP Photo/John Doe)", 0, "Witkoff met Putin."},
		{"list of names after what happened", "Talks",
			"Witkoff met Putin in Moscow for five hours. Present were Kushner, Dmitriev, Trump, Zelensky, Vance and Medvedev, with aides.", 60,
			"Witkoff met Putin in Moscow for five hours."},
		{"text continuing the title is kept", "Witkoff lands in Moscow", "Witkoff lands in Moscow for talks with Putin.", 0,
			"Witkoff lands in Moscow for talks with Putin."},
		{"text only the title", "Witkoff lands in Moscow", "Witkoff lands in Moscow", 0, "Witkoff lands in Moscow"},
		{"truncated last sentence dropped", "Envoy", "Witkoff met Putin. The talks will continue next week in…", 0, "Witkoff met Putin."},
		{"title only", "Witkoff lands in Moscow", "", 0, "Witkoff lands in Moscow"},
		{"boilerplate only", "Witkoff lands  in\tMoscow", "Read more", 0, "Witkoff lands in Moscow"},
		{"long title cut", "Witkoff lands in Moscow for talks with Putin on the plan", "", 30, "Witkoff lands in Moscow for…"},
		{"cyrillic", "Встреча в Киеве",
			"Встреча прошла в 2025 г. в Киеве. Погода была хорошей. Зеленский обсудил т.е. мирный план с Уиткоффом.", 85,
			"Встреча прошла в 2025 г. в Киеве. Зеленский обсудил т.е. мирный план с Уиткоффом."},
		{"control characters dropped", "Envoy", "Witkoff\x00 landed\u200b in\t\tMoscow.", 0, "Witkoff landed in Moscow."},
		{"nothing", "", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Summarize(tt.title, tt.text, tt.limit)
			if got != tt.want {
				t.Errorf("Summarize(%q, %q, %d) =\n%q, want\n%q", tt.title, tt.text, tt.limit, got, tt.want)
			}
		})
	}
}

// TestSummarizeDefaultLength checks that limit <= 0 means DefaultSummaryLen.
func TestSummarizeDefaultLength(t *testing.T) {
	m := newTestMatcher(t)
	text := strings.Repeat("Witkoff met Putin in Moscow for talks. ", 40)
	got := m.Summarize("Envoy", text, 0)
	n := utf8.RuneCountInString(got)
	if n > DefaultSummaryLen || n < DefaultSummaryLen-40 {
		t.Errorf("summary has %d characters, want close to %d: %q", n, DefaultSummaryLen, got)
	}
}

// TestKeptAsIs checks keptAsIs against the Unicode tables for every rune.
func TestKeptAsIs(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := !unicode.IsSpace(r) && !unicode.In(r, unicode.Cc, unicode.Cf)
		if got := keptAsIs(r); got != want {
			t.Errorf("keptAsIs(%U) = %v, want %v", r, got, want)
		}
	}
}

func FuzzSummarize(f *testing.F) {
	f.Add("Witkoff lands in Moscow", "Witkoff lands in Moscow. Mr. Putin met him. Read more", 80)
	f.Add("Встреча", "Встреча прошла в 2025 г. в Киеве…", 10)
	f.Add("ＴＩＴＬＥ", "\xff The post x appeared first on y.", 1)
	m := newTestMatcher(f)
	f.Fuzz(func(t *testing.T, title, text string, limit int) {
		limit = 1 + abs(limit)%500
		got := m.Summarize(title, text, limit)
		if utf8.RuneCountInString(got) > limit || !utf8.ValidString(got) {
			t.Fatalf("Summarize(%q, %q, %d) = %q", title, text, limit, got)
		}
		if got == "" && foldSpace(title) != "" {
			t.Fatalf("Summarize(%q, %q, %d) is empty", title, text, limit)
		}
	})
}

// abs returns the absolute value of n, or 0 for the smallest int.
func abs(n int) int {
	if n < 0 {
		return max(-n, 0)
	}
	return n
}
