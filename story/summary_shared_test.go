//go:build shared

package story

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// summaryDevSet is the shared labelled dev set, beside the checkout.
const summaryDevSet = "../../shared/eval/dev.jsonl"

// TestSummarizeDevSet summarises every item of the shared dev set, and the
// articles made of them, in every feed's dress and at several lengths, and
// checks what holds of any summary: valid UTF-8 on one line within the
// length, never empty for an item with a title, and made only of words
// of the title and text (the last one may be cut). A missing dev set
// fails the test.
func TestSummarizeDevSet(t *testing.T) {
	items := readTitledTexts(t, summaryDevSet)
	if len(items) < 50 {
		t.Fatalf("%s has %d items, want the whole dev set", summaryDevSet, len(items))
	}
	m := newTestMatcher(t)
	for _, it := range append(items, articles(items)...) {
		for _, v := range variants() {
			title, text := v.dress(it.title, it.text)
			for _, limit := range []int{0, 1, 12, 80, 200, 350, 1000} {
				if msg := summaryFault(title, text, limit, m.Summarize(title, text, limit)); msg != "" {
					t.Errorf("%s, %s, limit %d: %s", it.name, v.name, limit, msg)
				}
			}
		}
	}
}

// summaryFault says what is wrong with a summary of title and text, or "".
func summaryFault(title, text string, limit int, got string) string {
	if limit <= 0 {
		limit = DefaultSummaryLen
	}
	switch {
	case !utf8.ValidString(got):
		return "invalid UTF-8 in " + got
	case utf8.RuneCountInString(got) > limit:
		return "longer than the limit: " + got
	case strings.ContainsFunc(got, func(r rune) bool { return r != ' ' && (unicode.IsSpace(r) || unicode.IsControl(r)) }):
		return "not one line of text: " + got
	case got == "" && strings.ContainsFunc(title, unicode.IsLetter):
		return "empty"
	}
	source := Words(strings.Map(dropUnseen, strings.ToValidUTF8(title+" "+text, "\uFFFD")))
	words := Words(got)
	for i, w := range words {
		found := slices.ContainsFunc(source, func(s Word) bool {
			return s.Text == w.Text || i == len(words)-1 && strings.HasPrefix(s.Text, w.Text)
		})
		if !found {
			return "word " + w.Text + " is in neither title nor text: " + got
		}
	}
	return ""
}

// dropUnseen drops the characters a summary never shows (controls other
// than white space, format characters), which may split a word in the
// source that the summary shows whole.
func dropUnseen(r rune) rune {
	if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && !unicode.IsSpace(r) {
		return -1
	}
	return r
}
