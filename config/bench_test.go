package config

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// largeConfig writes a configuration the size of a busy deployment: 50
// actors with 12 spellings each and 200 feeds.
func largeConfig() []byte {
	var b strings.Builder
	b.WriteString("[story]\nname = \"S\"\nphrases = [\"p1\", \"p2\", \"p3\"]\ncontext = [\"c1\", \"c2\"]\n")
	for i := range 50 {
		fmt.Fprintf(&b, "[[actors]]\nname = \"Actor %d\"\nrole = \"Role\"\naliases = [", i)
		for j := range 10 {
			fmt.Fprintf(&b, "\"Alias%d-%d\", ", i, j)
		}
		fmt.Fprintf(&b, "]\nstems = [\"Стем%dа\", \"Стем%dб\"]\nweight = 0.5\n", i, i)
	}
	for i := range 200 {
		fmt.Fprintf(&b, "[[feeds]]\nname = \"Feed %d\"\nurl = \"https://feed%d.example/rss\"\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkParse compares Parse with a bare strict decode of the same file
// (the baseline), to show what the key index and validation cost.
func BenchmarkParse(b *testing.B) {
	data := largeConfig()
	if _, err := Parse("big.toml", data, noEnv); err != nil {
		b.Fatalf("Parse: %v", err)
	}
	b.Run("baseline=decode", func(b *testing.B) {
		for b.Loop() {
			doc := defaults()
			dec := toml.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse("big.toml", data, noEnv); err != nil {
				b.Fatal(err)
			}
		}
	})
}
