package feeds

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// benchFeed is an RSS document of 50 items with HTML descriptions and
// tracking parameters, the shape of a busy news feed.
func benchFeed() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>`)
	for i := range 50 {
		fmt.Fprintf(&b, `<item><title>Story %d: officials meet &amp; talk</title>`+
			`<link>https://news.example/world/story-%d?utm_source=rss&amp;utm_medium=feed</link><guid isPermaLink="false">story-%d</guid>`+
			`<pubDate>Fri, 21 Nov 2025 10:%02d:00 GMT</pubDate>`+
			`<description><![CDATA[<p>%s</p><p><a href="/more">Read more</a><script>track()</script></p>]]></description></item>`,
			i, i, i, i, strings.Repeat("The delegation met for several hours and agreed to continue talks. ", 8))
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// BenchmarkParse compares Parse with gofeed alone on the same document, so
// the cost of normalisation (text cleaning, links, identities) shows as the
// difference.
func BenchmarkParse(b *testing.B) {
	body := benchFeed()
	src := Source{Name: "news", URL: "https://news.example/rss"}
	b.Run("gofeed-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := Parse(b.Context(), src, body, testNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}
