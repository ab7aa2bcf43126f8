package story_test

import (
	"strings"
	"testing"
)

// benchShortTitle and benchShortText are a short feed item: a headline
// and a lead of about 300 bytes.
const (
	benchShortTitle = "Witkoff and Dmitriev drafted 28-point plan in Miami, officials say"
	benchShortText  = "The U.S. envoy Steve Witkoff and Kirill Dmitriev worked on the document for weeks, " +
		"according to two officials familiar with the talks. The draft covers territory, security " +
		"guarantees and sanctions relief. Kyiv was not consulted, a Ukrainian official said. Read more"
)

// benchCyrillicTitle and benchCyrillicText are a short feed item in
// Russian.
const (
	benchCyrillicTitle = "Уиткофф и Дмитриев подготовили план из 28 пунктов"
	benchCyrillicText  = "По данным Axios, документ обсуждался в Майами в конце октября. " +
		"В Кремле пока не комментируют, но Дмитрий Песков сказал, что Москва ждёт официальных контактов с Вашингтоном."
)

// benchArticleTitle is the headline of benchArticle.
const benchArticleTitle = "Zelensky's team heads to Geneva as allies rework the 28-point plan"

// benchArticle returns a news article of about 3.3 KB of plain text, as
// the feed pipeline hands it over: paragraphs separated by blank lines.
func benchArticle() string {
	paragraphs := []string{
		"GENEVA — Ukrainian and American negotiators met in Geneva on Sunday to rework the 28-point plan " +
			"drafted by Steve Witkoff and Kirill Dmitriev, after European allies objected to several of its " +
			"clauses. Rustem Umerov, who leads the Ukrainian delegation, said the talks were \u201cproductive " +
			"and substantive\u201d. Mr. Umerov added that Kyiv would not accept limits on its army.",
		"Secretary of State Marco Rubio told reporters that the U.S. side had made real progress, although " +
			"several points remained open. \u201cWe are in a much better place than we were this morning,\u201d " +
			"he said. Army Secretary Dan Driscoll, who carried the draft to Kyiv last week, also took part.",
		"The original document, which Volodymyr Zelensky received on Thursday, would have required Ukraine " +
			"to withdraw from parts of the Donbas and cap its armed forces at 600,000 troops. It also promised " +
			"a gradual lifting of sanctions on Russia and a return to the G8. Officials familiar with the " +
			"draft said it covered security guarantees, sanctions relief and the return of prisoners.",
		"In Moscow, the Kremlin said it had not received a formal copy of the revised proposal. Dmitry " +
			"Peskov, the Kremlin spokesman, said Russia would respond \u201cin due course\u201d and that the " +
			"Alaska summit had laid the groundwork for any settlement. Analysts cautioned that previous " +
			"attempts at a settlement had collapsed within weeks of being signed.",
		"Jared Kushner, who joined Witkoff for parts of the talks, is expected to travel to Moscow next " +
			"week. According to two people briefed on the meeting, the U.S. delegation pressed for a deadline " +
			"before Thanksgiving, while the Europeans asked for more time. Opposition lawmakers in Kyiv accused " +
			"the government of negotiating in secret and demanded a parliamentary debate.",
		"Markets rose modestly after the announcement, with energy stocks leading the gains in early " +
			"trading. The euro strengthened against the dollar. Humanitarian groups urged all parties to keep " +
			"aid corridors open while the diplomacy continued, and to allow independent monitors into the " +
			"occupied territories.",
		"Zelensky later posted on social media that \u201cno agreement is final until everything is " +
			"agreed.\u201d A spokesperson for the European Commission said any deal must be acceptable to the " +
			"people most affected by it. Talks are expected to resume on Tuesday, when technical teams will " +
			"work through the remaining issues, including the future of the Zaporizhzhia nuclear plant.",
		"Kirill Dmitriev, the head of Russia's sovereign wealth fund, told reporters in Moscow that the " +
			"document reflected ideas first discussed with Witkoff in Miami in October. He said the U.S. " +
			"proposal was \u201ca serious basis\u201d for talks but warned against changes that would make " +
			"it unacceptable to the Kremlin. Several European officials said they had learned of the draft " +
			"only from press reports.",
		"Back in Kyiv, air-raid sirens sounded for much of the night as Russian drones struck energy " +
			"facilities in the east of the country. Ukraine's air force said it shot down most of them. " +
			"Residents of Kharkiv and Dnipro reported power cuts that lasted into the morning, and the " +
			"national grid operator said repairs could take several days.",
		"The post Zelensky's team heads to Geneva appeared first on Example Wire.",
	}
	return strings.Join(paragraphs, "\n\n")
}

// BenchmarkSummarize measures Summarize with the example story on a short
// item, on the same item with a limit that leaves out sentences (so that
// they must be scored), on a short Russian item and on a 3 KB article,
// against matching the same title and text (baseline=match), the scan
// every item gets anyway and the one Summarize repeats to score
// sentences.
func BenchmarkSummarize(b *testing.B) {
	m := exampleMatcher(b)
	items := []struct {
		name, title, text string
		limit             int
	}{
		{"short", benchShortTitle, benchShortText, 0},
		{"short-limit120", benchShortTitle, benchShortText, 120},
		{"short-cyrillic", benchCyrillicTitle, benchCyrillicText, 0},
		{"article", benchArticleTitle, benchArticle(), 0},
	}
	for _, it := range items {
		b.Run(it.name+"/impl=summarize", func(b *testing.B) {
			b.SetBytes(int64(len(it.title) + len(it.text)))
			b.ReportAllocs()
			for b.Loop() {
				m.Summarize(it.title, it.text, it.limit)
			}
		})
		b.Run(it.name+"/baseline=match", func(b *testing.B) {
			b.SetBytes(int64(len(it.title) + len(it.text)))
			b.ReportAllocs()
			for b.Loop() {
				m.Match(it.title, it.text)
			}
		})
	}
}
