package story_test

import (
	"fmt"
	"testing"

	"storyline/story"
)

// BenchmarkSuggest measures Suggest with the example story over 2,000
// reports of about 3 KB each (read to 2,000 bytes), a tenth of them about
// the story: what /suggest and storyline suggest read by default.
func BenchmarkSuggest(b *testing.B) {
	m := exampleMatcher(b)
	article := benchArticle()
	reports := make([]story.SuggestReport, 2000)
	for i := range reports {
		if i%10 == 0 {
			reports[i] = story.SuggestReport{Title: fmt.Sprintf("%s (%d)", benchArticleTitle, i), Text: article}
			continue
		}
		reports[i] = story.SuggestReport{
			Title: fmt.Sprintf("Markets rise as energy stocks lead gains (%d)", i),
			Text:  fmt.Sprintf("Report %d. Markets rose modestly on Tuesday, with energy stocks leading the gains in early trading. %s", i, article[1200:]),
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Suggest(reports, story.SuggestOptions{})
	}
}
