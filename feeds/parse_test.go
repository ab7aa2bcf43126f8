package feeds

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// rss wraps item elements in an RSS 2.0 document with the given channel link.
func rss(channelLink, items string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?>` +
		`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>` +
		`<link>` + channelLink + `</link><language>en-gb</language>` + items + `</channel></rss>`)
}

// parseOne parses body as the feed at feedURL and returns its only item.
func parseOne(t *testing.T, feedURL string, body []byte) Item {
	t.Helper()
	items, err := Parse(t.Context(), Source{Name: "feed", URL: feedURL}, body, testNow)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(items) != 1 {
		t.Fatalf("%d items, want 1: %+v", len(items), items)
	}
	return items[0]
}

func TestParseIdentity(t *testing.T) {
	const feedURL = "https://feeds.example.com/rss"
	tests := []struct {
		name   string
		item   string
		wantID string
	}{
		{
			name:   "plain GUID is scoped by the feed URL",
			item:   `<item><title>A</title><guid isPermaLink="false">  abc-123 </guid><link>https://example.com/a</link></item>`,
			wantID: "guid:" + digest(feedURL, "abc-123"),
		},
		{
			name:   "URL GUID is its canonical link",
			item:   `<item><title>A</title><guid>HTTPS://Example.COM:443/a?utm_source=rss&amp;id=7#top</guid></item>`,
			wantID: "link:https://example.com/a?id=7",
		},
		{
			name:   "no GUID: canonical link without tracking parameters or fragment",
			item:   `<item><title>A</title><link>https://example.com/a?fbclid=x&amp;id=7&amp;utm_medium=feed&amp;gclid=y#frag</link></item>`,
			wantID: "link:https://example.com/a?id=7",
		},
		{
			name:   "no GUID or link: hash of title and date as written",
			item:   `<item><title>A</title><pubDate>sometime soon</pubDate></item>`,
			wantID: "hash:" + digest(feedURL, "A", "sometime soon"),
		},
		{
			name:   "no GUID, link or title: hash of the text",
			item:   `<item><description>only text</description></item>`,
			wantID: "hash:" + digest(feedURL, "only text", ""),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseOne(t, feedURL, rss("https://example.com/", tt.item)).ID; got != tt.wantID {
				t.Fatalf("ID = %q, want %q", got, tt.wantID)
			}
		})
	}
}

func TestParseSameLinkFromTwoFeedsIsOneItem(t *testing.T) {
	a := parseOne(t, "https://a.example/rss", rss("https://a.example/", `<item><title>X</title><link>https://news.example/story?utm_source=a</link></item>`))
	b := parseOne(t, "https://b.example/rss", rss("https://b.example/", `<item><title>X</title><guid>https://NEWS.example/story?ref=b</guid></item>`))
	if a.ID != b.ID || a.ID != "link:https://news.example/story" {
		t.Fatalf("IDs %q and %q, want both link:https://news.example/story", a.ID, b.ID)
	}
}

func TestParseMissingDateKeepsIdentityAcrossPolls(t *testing.T) {
	body := rss("https://example.com/", `<item><title>Undated</title></item>`)
	src := Source{Name: "f", URL: "https://example.com/rss"}
	first, err := Parse(t.Context(), src, body, testNow)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Parse(t.Context(), src, body, testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if first[0].ID != second[0].ID {
		t.Fatalf("IDs differ across polls: %q, %q", first[0].ID, second[0].ID)
	}
}

func TestParseLinks(t *testing.T) {
	tests := []struct {
		name        string
		feedURL     string
		channelLink string
		link        string
		want        string
	}{
		{"absolute path against the channel link", "https://feeds.example.com/rss", "https://www.example.com/news/", "/posts/1", "https://www.example.com/posts/1"},
		{"relative path against the channel link", "https://feeds.example.com/rss", "https://www.example.com/news/", "posts/2", "https://www.example.com/news/posts/2"},
		{"relative channel link against the feed URL", "https://feeds.example.com/rss/all", "/", "posts/3", "https://feeds.example.com/posts/3"},
		{"protocol-relative", "https://feeds.example.com/rss", "https://example.com/", "//cdn.example.com/p/4", "https://cdn.example.com/p/4"},
		{"relative link in a local file with no absolute base", "testdata/feed.xml", "/", "/posts/5", ""},
		{"javascript link dropped", "https://feeds.example.com/rss", "https://example.com/", "javascript:alert(1)", ""},
		{"data link dropped", "https://feeds.example.com/rss", "https://example.com/", "data:text/html,hi", ""},
		{"mailto link dropped", "https://feeds.example.com/rss", "https://example.com/", "mailto:a@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := rss(tt.channelLink, `<item><title>A</title><guid>g</guid><link>`+tt.link+`</link></item>`)
			if got := parseOne(t, tt.feedURL, body).Link; got != tt.want {
				t.Fatalf("Link = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name      string
		item      string
		wantTitle string
		wantText  string
	}{
		{
			name:      "HTML stripped with script and style contents",
			item:      `<title>Plan &lt;b&gt;agreed&lt;/b&gt;</title><description><![CDATA[<p>First</p><script>alert(1)</script><style>p{}</style><p>second <a href="x">link</a></p>]]></description>`,
			wantTitle: "Plan agreed",
			wantText:  "First second link",
		},
		{
			name:      "entities decoded once per layer",
			item:      `<title>AT&amp;T &amp;amp; Fish &amp;quot;chips&amp;quot; &#8212; caf&#233;</title><description>&lt;p&gt;5 &amp;lt; 6&lt;/p&gt;</description>`,
			wantTitle: `AT&T & Fish "chips" — café`,
			wantText:  "5 < 6",
		},
		{
			name:      "zero-width, bidi and control characters removed",
			item:      "<title>Tr\u200bump\u200d \u202eevil\u202c \u2066iso\u2069 \ufeffok\u00ad</title><description>a&#x7f;b\u009fc</description>",
			wantTitle: "Trump evil iso ok",
			wantText:  "abc",
		},
		{
			name:      "whitespace folded and inline tags do not split words",
			item:      "<title>  many\n\t spaces\u00a0here  </title><description>&lt;b&gt;T&lt;/b&gt;rump&lt;br&gt;said</description>",
			wantTitle: "many spaces here",
			wantText:  "Trump said",
		},
		{
			name:      "longer content wins over description",
			item:      `<title>A</title><description>short</description><content:encoded><![CDATA[<p>the much longer body</p>]]></content:encoded>`,
			wantTitle: "A",
			wantText:  "the much longer body",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := parseOne(t, "https://example.com/rss", rss("https://example.com/", "<item><guid>g</guid>"+tt.item+"</item>"))
			if it.Title != tt.wantTitle || it.Text != tt.wantText {
				t.Fatalf("title %q text %q, want %q and %q", it.Title, it.Text, tt.wantTitle, tt.wantText)
			}
		})
	}
}

func TestParseJSONFeedControlCharacters(t *testing.T) {
	body := `{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/",` +
		`"items":[{"id":"1","url":"/p/1?utm_term=x","title":"a\u0001b\u001bc\u200fd","content_text":"x\u0000y"}]}`
	it := parseOne(t, "https://j.example/feed.json", []byte(body))
	if it.Title != "abcd" || it.Text != "xy" || it.Link != "https://j.example/p/1" {
		t.Fatalf("item %+v, want title abcd, text xy and link https://j.example/p/1", it)
	}
}

func TestParseCapsHugeFields(t *testing.T) {
	title := strings.Repeat("Ж", 3000)
	text := strings.Repeat("日本語 ", 20000)
	it := parseOne(t, "https://example.com/rss", rss("https://example.com/", "<item><guid>g</guid><title>"+title+"</title><description>"+text+"</description></item>"))
	if len(it.Title) > maxTitleBytes || len(it.Title) < maxTitleBytes-4 || !utf8.ValidString(it.Title) {
		t.Errorf("title is %d bytes (valid %v), want just under %d", len(it.Title), utf8.ValidString(it.Title), maxTitleBytes)
	}
	if len(it.Text) > maxTextBytes || len(it.Text) < maxTextBytes-8 || !utf8.ValidString(it.Text) {
		t.Errorf("text is %d bytes (valid %v), want just under %d", len(it.Text), utf8.ValidString(it.Text), maxTextBytes)
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct {
		name    string
		pubDate string
		want    time.Time
	}{
		{"valid date in UTC", "<pubDate>Fri, 21 Nov 2025 10:00:00 +0300</pubDate>", time.Date(2025, 11, 21, 7, 0, 0, 0, time.UTC)},
		{"missing date is now", "", testNow},
		{"unparseable date is now", "<pubDate>yesterday-ish</pubDate>", testNow},
		{"far future is now", "<pubDate>Mon, 01 Jan 2100 00:00:00 GMT</pubDate>", testNow},
		{"slightly ahead within the skew is kept", "<pubDate>Fri, 21 Nov 2025 12:05:00 GMT</pubDate>", testNow.Add(5 * time.Minute)},
		{"updated used when published is missing", "<atom:updated xmlns:atom=\"http://www.w3.org/2005/Atom\">2025-11-20T09:00:00Z</atom:updated>", time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := parseOne(t, "https://example.com/rss", rss("https://example.com/", "<item><guid>g</guid><title>A</title>"+tt.pubDate+"</item>"))
			if !it.Published.Equal(tt.want) || it.Published.Location() != time.UTC {
				t.Fatalf("Published = %v, want %v in UTC", it.Published, tt.want)
			}
		})
	}
}

func TestParseFeedFields(t *testing.T) {
	body := rss("https://example.com/", `<item><guid>1</guid><title>First</title></item>`+
		`<item><guid>1</guid><title>Repeat</title></item>`+
		`<item></item>`+
		`<item><guid>2</guid><title>Second</title></item>`)
	items, err := Parse(t.Context(), Source{Name: "Example", URL: "https://example.com/rss"}, body, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, it := range items {
		titles = append(titles, it.Title)
		if it.FeedName != "Example" || it.FeedURL != "https://example.com/rss" || it.Language != "en-gb" {
			t.Errorf("item %q: feed %q %q language %q", it.Title, it.FeedName, it.FeedURL, it.Language)
		}
	}
	if strings.Join(titles, ",") != "First,Second" {
		t.Fatalf("titles %v, want the first of each identity and no empty item", titles)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantClass Class
		wantAlt   string
	}{
		{"empty body", "", ClassNotAFeed, ""},
		{"unknown XML root", `<?xml version="1.0"?><catalog><book/></catalog>`, ClassNotAFeed, ""},
		{"HTML page without alternate", `<!DOCTYPE html><html><body>hi</body></html>`, ClassNotAFeed, ""},
		{"HTML page with alternate", `<html><head><link rel="Alternate feed" type="application/atom+xml" href="atom.xml"></head></html>`, ClassNotAFeed, "https://example.com/news/atom.xml"},
		{"JSON API alternate is not a feed", `<html><head><link rel="alternate" type="application/json" href="/wp-json/x"></head></html>`, ClassNotAFeed, ""},
		{"alternate with a javascript href is ignored", `<html><head><link rel="alternate" type="application/rss+xml" href="javascript:x()"></head></html>`, ClassNotAFeed, ""},
		{"truncated XML", `<?xml version="1.0"?><rss version="2.0"><channel><item><title>x`, ClassParse, ""},
		{"truncated JSON feed", `{"version":"https://jsonfeed.org/version/1.1","items":[`, ClassParse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(t.Context(), Source{URL: "https://example.com/news/page"}, []byte(tt.body), testNow)
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Class != tt.wantClass || fe.Alternate != tt.wantAlt {
				t.Fatalf("error %v (alternate %q), want class %q alternate %q", err, alternateOf(fe), tt.wantClass, tt.wantAlt)
			}
		})
	}
}

// alternateOf returns a FetchError's Alternate, tolerating nil.
func alternateOf(fe *FetchError) string {
	if fe == nil {
		return ""
	}
	return fe.Alternate
}

func TestParseRepairsEncodings(t *testing.T) {
	utf16 := func(s string) []byte {
		out := []byte{0xFF, 0xFE}
		for _, r := range s {
			out = append(out, byte(r), byte(r>>8))
		}
		return out
	}
	tests := []struct {
		name      string
		body      []byte
		wantTitle string
	}{
		{"windows-1251 without declaration", rss("https://e.com/", "<item><guid>g</guid><title>\xcd\xee\xe2\xee\xf1\xf2\xe8 \xe4\xed\xff</title></item>"), "Новости дня"},
		{"KOI8-R declared as UTF-8", rss("https://e.com/", "<item><guid>g</guid><title>\xee\xcf\xd7\xcf\xd3\xd4\xc9 \xc4\xce\xd1</title></item>"), "Новости дня"},
		{"latin-1 declared as UTF-8", rss("https://e.com/", "<item><guid>g</guid><title>Caf\xe9 cr\xe8me</title></item>"), "Café crème"},
		{"stray byte in UTF-8", rss("https://e.com/", "<item><guid>g</guid><title>Привет \xff мир</title></item>"), "Привет \uFFFD мир"},
		{"UTF-16 with BOM declared as UTF-16", utf16(`<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><item><guid>g</guid><title>wide</title></item></channel></rss>`), "wide"},
		{"unknown declared encoding", []byte(`<?xml version="1.0" encoding="x-fake"?><rss version="2.0"><channel><item><guid>g</guid><title>ascii</title></item></channel></rss>`), "ascii"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseOne(t, "https://e.com/rss", tt.body).Title; got != tt.wantTitle {
				t.Fatalf("title %q, want %q", got, tt.wantTitle)
			}
		})
	}
}

// TestParseRepairsBadBytesPerField checks that bytes no encoding explains,
// in one field, spoil that field only: the feed and its other items stay.
func TestParseRepairsBadBytesPerField(t *testing.T) {
	const bad = "\xFF\xFE\xC3\x28" // FF FE would be a UTF-16 mark at the start; C3 starts a sequence "(" cannot end
	tests := []struct {
		name string
		body []byte
	}{
		{"ASCII RSS", rss("https://e.com/",
			"<item><guid>1</guid><title>Talks resume in Geneva</title></item>"+
				"<item><guid>2</guid><title>Envoy "+bad+" lands</title></item>"+
				"<item><guid>3</guid><title>Ceasefire holds</title></item>")},
		{"Atom with a few UTF-8 accents", []byte(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>` +
			`<entry><id>urn:1</id><title>Talks resume in Geneva</title><summary>Zürich, Genève</summary></entry>` +
			`<entry><id>urn:2</id><title>Envoy ` + bad + ` lands</title></entry>` +
			`<entry><id>urn:3</id><title>Ceasefire holds</title></entry></feed>`)},
		{"bad bytes in two fields", rss("https://e.com/",
			"<item><guid>1</guid><title>Talks resume in Geneva</title><description>"+bad+"</description></item>"+
				"<item><guid>2</guid><title>Envoy "+bad+" lands</title></item>"+
				"<item><guid>3</guid><title>Ceasefire holds</title></item>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(t.Context(), Source{URL: "https://e.com/rss"}, tt.body, testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var titles []string
			for _, it := range items {
				titles = append(titles, it.Title)
			}
			want := []string{"Talks resume in Geneva", "Envoy \uFFFD( lands", "Ceasefire holds"}
			if strings.Join(titles, "|") != strings.Join(want, "|") {
				t.Fatalf("titles %q, want %q", titles, want)
			}
		})
	}
}

func TestParseRefusesUnknownLegacyEncoding(t *testing.T) {
	// Shift_JIS bytes with no declaration: no repair is trustworthy, so the
	// parse fails instead of yielding replacement characters.
	body := rss("https://e.com/", "<item><guid>g</guid><title>\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67</title></item>")
	_, err := Parse(t.Context(), Source{URL: "https://e.com/rss"}, body, testNow)
	if ClassOf(err) != ClassParse {
		t.Fatalf("error %v, want class parse", err)
	}
}

func TestCanonicalLink(t *testing.T) {
	tests := []struct {
		raw  string
		want string
	}{
		{"https://example.com/a", "https://example.com/a"},
		{"  HTTPS://WWW.Example.COM/Path?B=1  ", "https://www.example.com/Path?B=1"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"https://example.com", "https://example.com/"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://example.com/a?utm_source=x&utm_campaign=y&id=1&ref=tw&mc_cid=1&mc_eid=2&yclid=3&cmpid=4&ocid=5", "https://example.com/a?id=1"},
		{"https://example.com/a?z=1&a=2", "https://example.com/a?z=1&a=2"},
		{"https://example.com/a?q=ü ü", "https://example.com/a?q=%C3%BC+%C3%BC"},
		{"https://example.com/пост", "https://example.com/%D0%BF%D0%BE%D1%81%D1%82"},
		{"https://example.com/a#section", "https://example.com/a"},
		{"javascript:alert(1)", ""},
		{"data:text/html;base64,PHA+", ""},
		{"ftp://example.com/f", ""},
		{"/relative", ""},
		{"https://", ""},
		{"https://example.com/" + strings.Repeat("a", maxLinkBytes), ""},
	}
	for _, tt := range tests {
		if got := canonicalLink(tt.raw, nil); got != tt.want {
			t.Errorf("canonicalLink(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"plain", "plain"},
		{"a < b and c > d", "a < b and c > d"},
		{"<p>one</p><p>two</p>", "one two"},
		{"<ul><li>a</li><li>b</li></ul>", "a b"},
		{"<iframe src=x>inside</iframe>after", "after"},
		{"<svg onload=alert(1)><text>svg text</text></svg>kept", "kept"},
		{"&nbsp;&copy;&hellip;&unknown;", "©…&unknown;"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"line\u2028break", "line break"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in, maxTextBytes); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncateAtRuneBoundary(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"hello", 10, "hello"},
		{"hello world", 6, "hello"},
		{"ЖЖЖ", 5, "ЖЖ"},
		{"😀😀", 7, "😀"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.limit); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

// goldenFeeds are project feed documents (in testdata/feeds) whose parsed
// items are pinned in testdata/golden/<name>.json.
var goldenFeeds = []string{
	"relative_links.rss.xml",
	"xml_base.atom.xml",
	"script_iframe.rss.xml",
	"odd_dates.rss.xml",
	"hostile.json",
	"jsonfeed11.json",
}

func TestParseGolden(t *testing.T) {
	for _, name := range goldenFeeds {
		t.Run(name, func(t *testing.T) {
			items, err := fetchAndParse(t.Context(), filepath.Join(ownFeedsDir, name))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			checkGolden(t, items, filepath.Join("testdata", "golden", name+".json"))
		})
	}
}

// FuzzParse checks that Parse never panics and that whatever it returns is
// clean: IDs present, titles free of control and invisible characters and
// within the caps, links http(s) only.
func FuzzParse(f *testing.F) {
	for _, file := range []string{
		"relative_links.rss.xml", "script_iframe.rss.xml", "hostile.json", "koi8r_declared_utf8.rss.xml",
		"repeated_ids.rss.xml", "page_with_alternate.html", "xml_base.atom.xml",
	} {
		body, err := os.ReadFile(filepath.Join(ownFeedsDir, file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add(rss("/", "<item><title>\x01\u200b</title><link>javascript:x</link></item>"))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","content_html":"<b>x</b>"}]}`))
	// Nesting at and past MaxDepth, in XML and JSON, hidden behind a
	// switch to UTF-16, and bytes no encoding explains.
	f.Add(deepRSS(nest("x:a", MaxDepth-4)))
	f.Add(deepRSS(nest("x:a", MaxDepth)))
	f.Add(deepRSS(`<?xml version="1.0" encoding="utf-16le"?>` + string(utf16LEBytes(nest("x:a", 300)))))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","_x":` +
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}]}`))
	f.Add(rss("/", "<item><title>a \xFF\xFE\xC3\x28 b</title></item><item><title>c</title></item>"))
	f.Add([]byte("\xFF\xFE<\x00r\x00s\x00s\x00>\x00"))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := Parse(t.Context(), Source{Name: "fuzz", URL: "https://fuzz.example/feed"}, body, testNow)
		if err != nil {
			if c := ClassOf(err); c != ClassParse && c != ClassNotAFeed && c != ClassTooComplex {
				t.Fatalf("error %v has class %q", err, ClassOf(err))
			}
			return
		}
		for _, it := range items {
			if it.ID == "" {
				t.Fatalf("item without ID: %+v", it)
			}
			if !utf8.ValidString(it.Title) || strings.ContainsFunc(it.Title, invisible) || len(it.Title) > maxTitleBytes {
				t.Fatalf("unclean title %q", it.Title)
			}
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Fatalf("non-http link %q", it.Link)
			}
		}
	})
}
