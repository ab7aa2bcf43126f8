package story_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"storyline/story"
)

// summaryCasesPath holds labelled summary cases, each standing for a class
// of bad summary seen on real news.
const summaryCasesPath = "testdata/summary-cases.jsonl"

// summaryCase is one labelled text and what a good summary of it does:
// says what Must says, never shows the residue in Never, and shows the
// first of each Requires pair only with the second (a sentence that
// points back, with what it points at).
type summaryCase struct {
	ID       string      `json:"id"`
	Class    string      `json:"class"`
	Lang     string      `json:"lang"`
	Title    string      `json:"title"`
	Text     string      `json:"text"`
	Limit    int         `json:"limit"`
	Must     []string    `json:"must"`
	Never    []string    `json:"never"`
	Requires [][2]string `json:"requires"`
}

// readSummaryCases reads the labelled summary cases; a missing or empty
// file is fatal.
func readSummaryCases(t *testing.T) []summaryCase {
	t.Helper()
	f, err := os.Open(summaryCasesPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []summaryCase
	dec := json.NewDecoder(f)
	for {
		var c summaryCase
		if err := dec.Decode(&c); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s after %d cases: %v", summaryCasesPath, len(out), err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no cases", summaryCasesPath)
	}
	return out
}

// faults lists what is wrong with summary got of case c.
func (c summaryCase) faults(got string) []string {
	var out []string
	limit := c.Limit
	if limit <= 0 {
		limit = story.DefaultSummaryLen
	}
	if n := utf8.RuneCountInString(got); n == 0 || n > limit {
		out = append(out, fmt.Sprintf("%d characters, want 1 to %d", n, limit))
	}
	for _, s := range c.Must {
		if !strings.Contains(got, s) {
			out = append(out, fmt.Sprintf("does not say %q", s))
		}
	}
	for _, s := range c.Never {
		if strings.Contains(got, s) {
			out = append(out, fmt.Sprintf("shows residue %q", s))
		}
	}
	for _, r := range c.Requires {
		if strings.Contains(got, r[0]) && !strings.Contains(got, r[1]) {
			out = append(out, fmt.Sprintf("%q points back at %q, which is left out", r[0], r[1]))
		}
	}
	return out
}

// TestSummaryClasses summarises every labelled case with the seed story
// and with the example configuration, and checks it against its labels,
// class by class: a sentence pointing back at a lead the summary leaves
// out (anaphora), page residue such as datelines, credits, bylines, list
// headers, standfirst fragments and pointers to other articles (residue),
// and a list of names chosen over the sentence that says what happened
// (roster). It prints how many summaries are good in each class.
func TestSummaryClasses(t *testing.T) {
	cases := readSummaryCases(t)
	for _, story := range []struct {
		name string
		m    *story.Matcher
	}{{"seed story", seedMatcher(t)}, {"example configuration", exampleMatcher(t)}} {
		t.Run(story.name, func(t *testing.T) {
			byClass := make(map[string][]summaryCase)
			for _, c := range cases {
				byClass[c.Class] = append(byClass[c.Class], c)
			}
			good := 0
			for _, class := range []string{"anaphora", "residue", "roster"} {
				t.Run(class, func(t *testing.T) {
					if len(byClass[class]) < 6 {
						t.Fatalf("%d cases, want at least 6", len(byClass[class]))
					}
					n := 0
					for _, c := range byClass[class] {
						got := story.m.Summarize(c.Title, c.Text, c.Limit)
						if f := c.faults(got); len(f) > 0 {
							t.Errorf("%s (%s): %s\n\tsummary: %q", c.ID, c.Lang, strings.Join(f, "; "), got)
							continue
						}
						n++
					}
					good += n
					t.Logf("%s: %d of %d summaries good", class, n, len(byClass[class]))
				})
			}
			fmt.Printf("summary cases, %s: %d of %d good\n", story.name, good, len(cases))
		})
	}
}
