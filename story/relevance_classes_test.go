package story_test

import (
	"cmp"
	"slices"
	"testing"

	"storyline/config"
	"storyline/story"
)

// seedPath is a compact copy of the seed story with every scoring key at
// its default: the failure-class tests measure the matching rules with it,
// whatever the example configuration's content becomes.
const seedPath = "testdata/seed-story.toml"

// hardPath holds the hard cases, each labelled with the failure class it
// stands for.
const hardPath = "testdata/hard-cases.jsonl"

// seedMatcher compiles the seed story copy.
func seedMatcher(t testing.TB) *story.Matcher {
	t.Helper()
	cfg, err := config.Load(seedPath, func(string) string { return "" })
	if err != nil {
		t.Fatalf("load %s: %v", seedPath, err)
	}
	m, err := story.NewMatcher(cfg.Definition())
	if err != nil {
		t.Fatalf("compile %s: %v", seedPath, err)
	}
	return m
}

// TestFailureClasses judges every hard case with the seed story: each
// class of failure seen on real news (the same people on another track,
// generic evidence piling up, context inflation, inflected phrases and
// languages without listed phrases, look-alike surnames, Slavic case forms
// of names, editorial lower case and misspellings) must be judged right,
// relevance and actors both.
func TestFailureClasses(t *testing.T) {
	m := seedMatcher(t)
	byClass := make(map[string][]labelled)
	for _, it := range readLabelled(t, hardPath) {
		byClass[it.Class] = append(byClass[it.Class], it)
	}
	classes := []string{
		"another-track", "generic-pileup", "context-inflation", "inflected-phrase",
		"lookalike-surname", "slavic-name-inflection", "editorial-lower-case", "misspelling",
	}
	for _, class := range classes {
		t.Run(class, func(t *testing.T) {
			items := byClass[class]
			if len(items) < 4 {
				t.Fatalf("%d cases, want at least 4", len(items))
			}
			f := evaluate(m, items)
			for _, miss := range f.misses {
				t.Error(miss)
			}
		})
	}
	for class := range byClass {
		if !slices.Contains(classes, class) {
			t.Errorf("%s: unknown class %q", hardPath, class)
		}
	}
}

// TestFailureClassesCoverLanguages checks that the hard cases are not an
// English-only exercise.
func TestFailureClassesCoverLanguages(t *testing.T) {
	langs := make(map[string]int)
	for _, it := range readLabelled(t, hardPath) {
		langs[it.Lang]++
	}
	if len(langs) < 10 {
		keys := slices.SortedFunc(func(yield func(string) bool) {
			for k := range langs {
				if !yield(k) {
					return
				}
			}
		}, cmp.Compare[string])
		t.Errorf("hard cases in %d languages %v, want at least 10", len(langs), keys)
	}
}
