package story_test

import (
	"fmt"
	"testing"
	"time"

	"storyline/story"
)

// benchReports returns n synthetic reports of about n/6 developments
// spread over four days, in English and Russian: each development has its
// people, place and action, and its reports word them differently.
func benchReports(n int) []benchReport {
	people := [][2]string{{"Witkoff", "Уиткофф"}, {"Dmitriev", "Дмитриев"}, {"Umerov", "Умеров"}, {"Rubio", "Рубио"},
		{"Driscoll", "Дрисколл"}, {"Yermak", "Ермак"}, {"Kushner", "Кушнер"}, {"Zelensky", "Зеленский"},
		{"Putin", "Путин"}, {"Trump", "Трамп"}, {"Ushakov", "Ушаков"}, {"Peskov", "Песков"}}
	places := [][2]string{{"Geneva", "Женеве"}, {"Miami", "Майами"}, {"Moscow", "Москве"}, {"Kyiv", "Киеве"},
		{"Abu Dhabi", "Абу-Даби"}, {"Berlin", "Берлине"}, {"Istanbul", "Стамбуле"}, {"Florida", "Флориде"}}
	actions := [][2]string{{"meets", "встретился с"}, {"holds talks with", "провел переговоры с"},
		{"calls", "позвонил"}, {"rejects the draft of", "отверг проект"}, {"signs a memo with", "подписал меморандум с"},
		{"briefs", "проинформировал"}}
	extras := []string{"officials said", "according to two sources", "the ministry said on Tuesday",
		"after a long night", "as the deadline nears", "in a statement", "amid criticism at home"}
	start := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	out := make([]benchReport, n)
	for i := range out {
		d := i / 6
		a, b := people[d%len(people)], people[(d*5+3)%len(people)]
		p, act := places[(d*3)%len(places)], actions[(d*7)%len(actions)]
		at := start.Add(time.Duration(d)*96*time.Hour/time.Duration(n/6+1) + time.Duration(i%6)*40*time.Minute)
		if i%3 == 1 {
			out[i] = benchReport{
				title:     fmt.Sprintf("%s %s %s в %s", a[1], act[1], b[1], p[1]),
				lead:      fmt.Sprintf("Как сообщается, %s и %s обсудили план из %d пунктов в %s; встреча %d.", a[1], b[1], 20+d%9, p[1], d),
				published: at,
			}
			continue
		}
		out[i] = benchReport{
			title:     fmt.Sprintf("%s %s %s in %s", a[0], act[0], b[0], p[0]),
			lead:      fmt.Sprintf("%s and %s discussed the %d-point plan in %s, %s; round %d.", a[0], b[0], 20+d%9, p[0], extras[i%len(extras)], d),
			published: at,
		}
	}
	return out
}

// benchReport is one synthetic report.
type benchReport struct {
	title, lead string
	published   time.Time
}

// BenchmarkClusterDecide measures deciding one report's development (its
// signature and the decision, candidates found through the index) against
// an index of 300 reports of 50 developments over four days, with the
// window stretched to cover them all. The matcher's verdict is computed
// beforehand: the pipeline has it already.
func BenchmarkClusterDecide(b *testing.B) {
	m := exampleMatcher(b)
	reports := benchReports(400)
	opts := story.DefaultClusterOptions()
	opts.Window = 96 * time.Hour
	c := story.NewClusterer(opts)
	x := story.NewClusterIndex()
	for i, r := range reports[:300] {
		match := m.Match(r.title, r.lead)
		x.Add(int64(i/6+1), story.Report{ID: fmt.Sprint(i), Published: r.published, Sig: story.Signature(r.title, r.lead, match), Actors: match.Actors})
	}
	rest := reports[300:]
	matches := make([]story.Match, len(rest))
	for i, r := range rest {
		matches[i] = m.Match(r.title, r.lead)
	}
	i := 0
	for b.Loop() {
		r, match := rest[i%len(rest)], matches[i%len(rest)]
		i++
		rep := story.Report{ID: "new", Published: r.published, Sig: story.Signature(r.title, r.lead, match), Actors: match.Actors}
		c.Decide(rep, x)
	}
}
