package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestTermsThatMatchEverythingAreRefused(t *testing.T) {
	const fix = ", so it would match in nearly every item; use a longer phrase or name (write an acronym in capitals: UN, EU)"
	const actor = "[[actors]]\nname = \"Ada Quarry\"\n"
	tests := []struct {
		name string
		toml string
		want []string
	}{
		{"English article as an alias", minimalStory + actor + "aliases = [\"Ada Quarry\", \"the\"]\n",
			[]string{`c.toml:6: actors[0].aliases[1]: "the" is a common word in English` + fix}},
		{"capitalised article as an alias", minimalStory + actor + "aliases = [\"The\"]\n",
			[]string{`c.toml:6: actors[0].aliases[0]: "The" is a common word in English` + fix}},
		{"single letter as an alias", minimalStory + actor + "aliases = [\"a\"]\n",
			[]string{`c.toml:6: actors[0].aliases[0]: "a" is a single letter` + fix}},
		{"capital single letter as an alias", minimalStory + actor + "aliases = [\"Q\"]\n",
			[]string{`c.toml:6: actors[0].aliases[0]: "Q" is a single letter` + fix}},
		{"a surname that is a common word alone", minimalStory + actor + "aliases = [\"May\", \"Theresa May\"]\n",
			[]string{`c.toml:6: actors[0].aliases[0]: "May" is a common word in English` + fix}},
		{"Russian preposition as a phrase", "[story]\nname = \"S\"\nphrases = [\"мирный план\", \"на\"]\n",
			[]string{`c.toml:3: story.phrases[1]: "на" is a common word in Russian` + fix}},
		{"phrase of common words only", "[story]\nname = \"S\"\nphrases = [\"peace plan\"]\nweak_phrases = [\"of the\"]\n",
			[]string{`c.toml:4: story.weak_phrases[0]: "of the" has no word that means something on its own ("of" is a common word in English)` + fix}},
		{"reporting verb as a weak phrase", "[story]\nname = \"S\"\nphrases = [\"peace plan\"]\nweak_phrases = [\"said\"]\n",
			[]string{`c.toml:4: story.weak_phrases[0]: "said" is a common word in English` + fix}},
		{"two lower-case letters as context", minimalStory + "context = [\"на\", \"de\", \"xq\"]\n", []string{
			`c.toml:4: story.context[0]: "на" is a common word in Russian` + fix,
			`c.toml:4: story.context[1]: "de" is a common word in French` + fix,
			`c.toml:4: story.context[2]: "xq" is a two-letter word in lower case` + fix,
		}},
		{"Serbian conjunction as a generic phrase", minimalStory + "generic_phrases = [\"мировни план\", \"или\"]\n",
			[]string{`c.toml:4: story.generic_phrases[1]: "или" is a common word in Russian` + fix}},
		{"Chinese particle as an alias", minimalStory + actor + "aliases = [\"的\"]\n",
			[]string{`c.toml:6: actors[0].aliases[0]: "的" is a common word in Chinese` + fix}},
		{"stems too short or common", minimalStory + actor + "aliases = [\"Quarry\"]\nstems = [\"Пут\", \"the\", \"Quarr\"]\n", []string{
			`c.toml:7: actors[0].stems[0]: "Пут" has fewer than 4 letters, and a stem matches every word it starts; use a longer stem or list the forms as aliases`,
			`c.toml:7: actors[0].stems[1]: "the" is a common word in English, and a stem matches every word it starts; use a longer stem or list the forms as aliases`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(tt.toml), noEnv)
			if got := problems(err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestShortTermsThatNameSomethingPass(t *testing.T) {
	toml := "[story]\nname = \"S\"\n" +
		"phrases = [\"28-point plan\", \"G7\", \"9/11\"]\n" +
		"context = [\"UN\", \"EU\", \"US\", \"NATO\", \"РФ\", \"рф\", \"the Kremlin\", \"Україна\"]\n" +
		"[[actors]]\nname = \"Xi Jinping\"\naliases = [\"Xi\", \"习近平\", \"Си Цзиньпин\"]\n" +
		"[[actors]]\nname = \"Wang Yi\"\naliases = [\"Wang Yi\", \"王毅\"]\nstems = [\"Ванг\"]\n" +
		"[[actors]]\nname = \"Liam O'Neil\"\naliases = [\"O'Neil\", \"O’Neil\"]\n"
	if _, err := Parse("c.toml", []byte(toml), noEnv); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}
