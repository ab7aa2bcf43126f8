package feeds

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html/charset"
)

// deepRSS is an RSS document with one item, titled "Deep", holding inner
// after its title; the x: prefix is an extension namespace, which gofeed
// keeps as a tree.
func deepRSS(inner string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:x="urn:example:x"><channel><title>T</title>` +
		`<item><title>Deep</title><guid>deep-1</guid>` + inner + `</item></channel></rss>`)
}

// nest is n elements named name, each inside the one before.
func nest(name string, n int) string {
	return strings.Repeat("<"+name+">", n) + strings.Repeat("</"+name+">", n)
}

// utf16LEBytes encodes ASCII text as UTF-16 little-endian without a
// byte-order mark.
func utf16LEBytes(ascii string) []byte {
	out := make([]byte, 0, 2*len(ascii))
	for i := range len(ascii) {
		out = append(out, ascii[i], 0)
	}
	return out
}

func TestParseRefusesTooComplexFeeds(t *testing.T) {
	tests := []struct {
		name string
		body []byte
	}{
		{
			// 22 MB: gofeed recursed once per level until the Go runtime
			// aborted with "stack overflow", which no recover catches.
			name: "two million nested namespaced elements",
			body: deepRSS(nest("x:a", 2_000_000)),
		},
		{
			name: "one level deeper than MaxDepth, in an Atom entry",
			body: []byte(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:example:x"><title>T</title>` +
				`<entry><id>urn:1</id><title>Deep</title>` + nest("x:a", MaxDepth-1) + `</entry></feed>`),
		},
		{
			name: "a million empty extension elements (6 bytes each)",
			body: deepRSS(strings.Repeat("<x:a/>", 1_000_000)),
		},
		{
			name: "plain elements nested deeply, closed by one stray end tag each",
			body: deepRSS(strings.Repeat("<b>", 300) + strings.Repeat("</>", 300)),
		},
		{
			name: "nesting in UTF-16 behind a declaration in the middle of the document",
			body: deepRSS(`<?xml version="1.0" encoding="utf-16le"?>` + string(utf16LEBytes(nest("x:a", 1000)+"</item></channel></rss>"))),
		},
		{
			name: "JSON Feed item nesting arrays",
			body: []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","title":"Deep","_x":` +
				strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}]}`),
		},
		{
			name: "JSON Feed of a million empty items",
			body: []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[` +
				strings.Repeat("{},", 1_000_000) + `{}]}`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(t.Context(), Source{Name: "hostile", URL: "https://hostile.example/feed"}, tt.body, testNow)
			if ClassOf(err) != ClassTooComplex || !errors.Is(err, ErrTooComplex) {
				t.Fatalf("Parse = %d items, error %v (class %q), want class %q", len(items), err, ClassOf(err), ClassTooComplex)
			}
		})
	}
}

func TestParseAcceptsFeedsWithinTheLimits(t *testing.T) {
	var many strings.Builder
	for i := range 6_000 { // 18,000 elements in 330 kB: above the floor, within the budget
		fmt.Fprintf(&many, "<item><title>Item %d</title><guid>%d</guid></item>", i, i)
	}
	tests := []struct {
		name      string
		body      []byte
		wantItems int
	}{
		{"namespaced elements nested 200 deep", deepRSS(nest("x:a", 200)), 1},
		{
			"markup inside CDATA and comments is not counted",
			deepRSS(`<description><![CDATA[` + strings.Repeat("<div>", 5000) + `]]></description>` +
				`<!-- ` + strings.Repeat("<p>", 5000) + ` -->`),
			1,
		},
		{
			"DOCTYPE with an internal subset and a stylesheet instruction",
			[]byte(`<?xml version="1.0"?><?xml-stylesheet href="s.xsl" type="text/xsl"?>` +
				`<!DOCTYPE rss [<!ENTITY e "<a>"> <!-- <b> --> <!ELEMENT rss ANY>]>` +
				`<rss version="2.0"><channel><title>T</title><item><title>One</title></item></channel></rss>`),
			1,
		},
		{"six thousand bare items", rss("/", many.String()), 6_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(t.Context(), Source{Name: "ok", URL: "https://ok.example/feed"}, tt.body, testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(items) != tt.wantItems {
				t.Fatalf("%d items, want %d", len(items), tt.wantItems)
			}
		})
	}
}

// TestParseOwnsDeclaredEncodings checks that a document declaring its
// encoding still reads in it once storyline, not gofeed, decodes it.
func TestParseOwnsDeclaredEncodings(t *testing.T) {
	body := []byte("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><title>T</title>" +
		"<item><title>\xcf\xf0\xe8\xe2\xe5\xf2</title></item></channel></rss>")
	items, err := Parse(t.Context(), Source{URL: "https://e.example/rss"}, body, testNow)
	if err != nil || len(items) != 1 || items[0].Title != "Привет" {
		t.Fatalf("Parse = %+v, %v; want one item titled Привет", items, err)
	}
}

// scanTrickyDocuments are documents whose markup a byte scan could
// mistake; the fuzz target starts from them.
var scanTrickyDocuments = []string{
	`<a><b/><c x="/>"><d></d></c></a>`,
	`<a><![CDATA[<b><c>]]><d></d></a>`,
	`<a><!-- <b> -- <c> --><d/></a>`,
	`<!DOCTYPE a [<!ENTITY e '<b>'> <!-- > --> <!ELEMENT a ANY>]><a><b></b></a>`,
	`<?xml version="1.0"?><?pi <a> ?><a><b><c></c></b></a>`,
	`<a x='"<b>'><b></b></a>`,
	`<a></a></a></a><b><c><d></d></c></b>`,
	`<a b=c><d e></d></a>`,
	"<?xml version=\"1.0\" encoding=\"utf-16le\"?>" + "<\x00a\x00>\x00<\x00b\x00>\x00<\x00/\x00b\x00>\x00<\x00/\x00a\x00>\x00",
	`<?xml version="1.0" xencoding="windows-1252"?><a>` + "\xe9" + `<b/></a>`,
	`<a><?xml version="1.0" encoding="koi8-r"?><b>` + "\xc1" + `</b></a>`,
	`<a>< b><c></c></a>`,
	`<a:b xmlns:a="urn:a"><a:c><a:d/></a:c></a:b>`,
}

func TestScanXMLCountsAtLeastWhatTheDecoderReads(t *testing.T) {
	for _, doc := range scanTrickyDocuments {
		checkScanCoversDecoder(t, []byte(doc))
	}
}

func FuzzScanXML(f *testing.F) {
	for _, doc := range scanTrickyDocuments {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkScanCoversDecoder(t, body)
	})
}

// checkScanCoversDecoder checks that what checkXML hands gofeed holds no
// deeper nesting and no more elements than its scan counted, reading it
// with encoding/xml set up as gofeed sets it up, and that it makes
// encoding/xml switch to no encoding it knows.
func checkScanCoversDecoder(t *testing.T, body []byte) {
	t.Helper()
	owned, err := checkXML(t.Context(), body)
	if err != nil {
		return // refused: gofeed never sees it
	}
	scan, err := scanXML(t.Context(), owned)
	if err != nil {
		t.Fatalf("checkXML let through %q, which its scan refuses: %v", owned, err)
	}
	depth, elements := decoderStructure(t, owned)
	if depth > scan.maxDepth || elements > scan.elements {
		t.Fatalf("%q: encoding/xml reads depth %d and %d elements, the scan counted depth %d and %d elements",
			owned, depth, elements, scan.maxDepth, scan.elements)
	}
}

// decoderStructure reads body as gofeed's XML parser does (encoding/xml,
// not strict) up to its end or first error, and returns the deepest
// nesting and the number of elements it read. A switch to a known
// encoding fails the test.
func decoderStructure(t *testing.T, body []byte) (maxDepth, elements int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if enc, _ := charset.Lookup(label); enc != nil {
			t.Errorf("%q: encoding/xml would switch to %s", body, label)
		}
		return charset.NewReaderLabel(label, r)
	}
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return maxDepth, elements
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			elements++
			maxDepth = max(maxDepth, depth)
		case xml.EndElement:
			depth--
		}
	}
}

// cancellingReader reads r and cancels once more than after bytes were
// read.
type cancellingReader struct {
	r      io.Reader
	after  int
	read   int
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	if c.read > c.after {
		c.cancel()
	}
	return n, err
}

func TestParseStopsWhenCancelled(t *testing.T) {
	var b strings.Builder
	for i := range 30_000 { // 1.6 MB: past the scan's first look at its context
		fmt.Fprintf(&b, "<item><title>Item %d</title><guid>%d</guid></item>", i, i)
	}
	body := rss("/", b.String())

	t.Run("gofeed stops reading", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		r := &cancellingReader{r: bytes.NewReader(body), after: 64 << 10, cancel: cancel}
		if _, err := gofeedParse(ctx, r); !errors.Is(err, context.Canceled) {
			t.Fatalf("gofeedParse = %v, want context.Canceled", err)
		}
		if r.read > 128<<10 {
			t.Errorf("gofeed read %d bytes after cancellation at 64 KiB", r.read)
		}
	})
	t.Run("the scan stops", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := scanXML(ctx, body); !errors.Is(err, context.Canceled) {
			t.Fatalf("scanXML = %v, want context.Canceled", err)
		}
		if err := scanJSON(ctx, bytes.Repeat([]byte(" "), 2*scanCheckEvery)); !errors.Is(err, context.Canceled) {
			t.Fatalf("scanJSON = %v, want context.Canceled", err)
		}
	})
	t.Run("Parse reports the cancellation, not a feed failure", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		items, err := Parse(ctx, Source{URL: "https://e.example/rss"}, body, testNow)
		if !errors.Is(err, context.Canceled) || ClassOf(err) == ClassParse || ClassOf(err) == ClassTooComplex {
			t.Fatalf("Parse = %d items, %v (class %q), want context.Canceled", len(items), err, ClassOf(err))
		}
	})
}
