package feeds

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// plainTextSeeds returns inputs covering what the scanner must tokenize as
// html.Tokenizer does.
func plainTextSeeds() []string {
	return []string{
		"plain text",
		"<p>one</p><p>two</p>",
		"<b>T</b>rump and <em>em</em>phasis<br>next<br/>line",
		"<ul><li>a</li><li>b</li></ul><div><span>x</span>y</div>",
		"&amp; &lt; &gt; &quot; &apos; &nbsp; &copy; &hellip; &unknown; &",
		"&amp &ampx &amp;x &#65 &#65; &#x41; &#X41 &#x; &#; &# &#0; &#x110000; &#xD800; &#128; &#x9F; &#999999999999;",
		"&ldquo;quoted&rdquo; &lsquo;it&rsquo;s&rsquo; &#8217; &mdash; &ndash; &notin; &notit; &nGt; &Aacute &aacute;",
		"a & b && c &; &#;x &x &am<!---->p; &#6<b>5;",
		"before<!-- comment -->after<!---->x<!-->y<!--->z<!-- a -- b --!>c<!--x--!-->d<!--->e--!x>f-->g",
		"<!DOCTYPE html><html>doc</html><?xml version='1.0'?>pi<!bogus>b</ >c</>d</3>e<!DOCTYP>f<!>g",
		"<![CDATA[not <b>cdata</b>]]> text",
		"<script>var s = '</scr' + 'ipt>'; if (a < b) {}</script>after",
		"<script><!-- document.write('<script>x</script>'); --></script>after",
		"<script><!--<script>a</script>b--></script>c</script>d<script><!--<x</script>e",
		"<script><!--<SCRIPT/>x<!-y--><-x</script >f<script><!--a<script>b--!>c</script>g",
		"<style>p > a { color: red }</style>styled",
		"<title>A &amp; B <b>not bold</b></title><textarea>t&lt;\x00</textarea>",
		"<xmp><b>&amp;</b></xmp><noembed>ne</noembed><noframes>nf</noframes><noscript>ns</noscript>",
		"<plaintext><p>&amp;</p>\x00",
		"<iframe src=x>inside</iframe>after<svg onload=alert(1)><text>svg</text></svg>kept",
		"<template><p>t</p></template><object>o</object><math><mi>x</mi></math>m",
		"<script/>self<svg/>closed<p a=/>x<script a=/>y</script>z",
		"<svg a=/ A=/>shown</svg>after<svg a=/ b=/>hidden</svg>end<math =a/ =A b=\"/\"/>m",
		"<P>Upper</P><SCRIPT>hidden</SCRIPT>shown<Script>h</sCrIpT >s<TITLE>t</title>",
		`<a href="x>y" title='a>b'>link</a> <img alt=">" src=x.png> done<p a = "b" c= 'd' e =f/g>h`,
		"<p", "abc<p", "abc</", "abc</p", "abc<", "a < b", "x<3", "<!--", "<!", "<?", "a<!-", "<p a=\"unterminated>",
		"bad \xff byte \xe2\x82 cut \xef\xbf\xbd real <p\xff>x</p\xfe>",
		"\xff\xff                 <b>x",
		"nul\x00byte <xmp>raw\x00nul</xmp>",
		"line\r\nbreak\rcr\n\n<title>a\r\nb</title>\r\n\r\n\r\n\r\n\r\n\r\n<b>x",
		"bidi\u202eoverride\u200bzero\u2066iso\u2069 \u00adsoft\ufeffbom\u2028sep\u2029x",
		"Привет, <b>мир</b>! Съешь же ещё этих мягких французских булок",
		"\t  leading and trailing  \n",
		"<p>\u00a0&nbsp;</p>\u3000ideographic\u1680ogham\u0085nel\v\fend",
		"\u200b\u200b\u200b\u200b\u200b<br>x<p>\u00ad\u00ad\u00ad\u00ad</p>y",
		"\r\n\r\n\r\n\r\n\r\n\r\n<b>x",
		"<script><!--<1<script></script>x</script>y",
		"<script><!--<script></script><script></script>x</script>y",
		`<p ="a>b">c<p ==d>e`,
		"<xmp>a</xmp\vb</xmp>c<p\va>d</p\v>e",
	}
}

// FuzzPlainText checks that plainText matches the tokenizer-based oracle
// for any input and limit.
func FuzzPlainText(f *testing.F) {
	for _, s := range plainTextSeeds() {
		for _, limit := range []uint16{maxTextBytes, 0, 1, 5, 12} {
			f.Add(s, limit)
		}
	}
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		checkPlainText(t, s, int(limit))
	})
}

// checkPlainText fails t if plainText(s, limit) differs from the oracle.
func checkPlainText(t *testing.T, s string, limit int) {
	t.Helper()
	if got, want := plainText(s, limit), oraclePlainText(s, limit); got != want {
		t.Errorf("plainText(%q, %d) = %q, oracle %q", s, limit, got, want)
	}
}

// TestPlainTextLimits checks every seed against the oracle at every limit
// up to a third of its length, where the 4*limit budget of the original
// cuts the text at token boundaries.
func TestPlainTextLimits(t *testing.T) {
	for _, s := range plainTextSeeds() {
		for limit := range len(s)/3 + 2 {
			checkPlainText(t, s, limit)
		}
	}
}

// TestPlainTextGenerated checks plainText against the oracle on random
// strings of HTML fragments, which reach tokenizer states (escaped script,
// duplicate attributes, entities cut by tags) that byte-level fuzzing
// seldom builds.
func TestPlainTextGenerated(t *testing.T) {
	pieces := []string{
		"<", ">", "</", "/>", "<!--", "-->", "--!>", "-", "--", "!", "<!", "<?", "=", `"`, "'",
		" ", "    ", "\t", "\n", "\r", "\r\n", "\f", "\v", "\x00", "\xff", "\xe2\x82", "\ufffd",
		"p", "P", "a", "b", "br", "script", "SCRIPT", "style", "title", "TITLE", "textarea", "xmp",
		"iframe", "noembed", "noframes", "noscript", "plaintext", "template", "svg", "math", "span",
		"<p>", "</p>", `<a href="x>y">`, "</a>", "<script>", "</script>", "</script ", "<script/>",
		"<style>", "</style>", "<title>", "</title>", "<textarea>", "</textarea>", "<xmp>", "</xmp>",
		"<svg>", "</svg>", "<svg/>", "<math>", "</math>", "<!DOCTYPE html>", "<![CDATA[", "]]>",
		"<!-->", "<!--->", "&", "&amp;", "&amp", "&ampx", "&lt;", "&#", "&#x", "&#65;", "&#x41",
		"&#128;", "&#0;", "&#xD800;", "&nbsp;", "&ldquo;", "&notin;", "&notit", "&nGt;", "&;", "#",
		";", "x", "word", "Привет", "\u200b", "\u202e", "\u2028", "\u00a0", "\u3000", "\u0085",
		" a=", " a='", " A=/", " a/", ` b="/"`, " =x", "/", "<!--<script>", "</scr", "ipt>",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50000 {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		checkPlainText(t, s, maxTextBytes)
		checkPlainText(t, s, r.IntN(len(s)/3+2))
		if t.Failed() {
			return
		}
	}
}

// TestPlainTextCorpus checks plainText against the oracle on every title,
// description and content of the feed corpus, at the caps Parse uses and
// at a small limit.
func TestPlainTextCorpus(t *testing.T) {
	f := NewFetcher(Options{})
	fields := 0
	for _, path := range corpusFiles(t) {
		resp, err := f.Fetch(t.Context(), path, Validators{})
		if err != nil {
			continue
		}
		feed, err := parseFeed(resp.Body)
		if err != nil {
			continue
		}
		for _, it := range feed.Items {
			for _, s := range []string{it.Title, it.Description, it.Content} {
				for _, limit := range []int{maxTextBytes, maxTitleBytes, 40} {
					checkPlainText(t, s, limit)
				}
				fields++
			}
		}
	}
	t.Logf("%d fields", fields)
}

// TestCommonEntity checks the scanner's shortcut for frequent named
// references against html.UnescapeString.
func TestCommonEntity(t *testing.T) {
	for _, name := range []string{"amp", "lt", "gt", "quot", "apos", "nbsp", "lsquo", "rsquo",
		"ldquo", "rdquo", "ndash", "mdash", "hellip"} {
		ref := "&" + name + ";"
		r, ok := commonEntity(ref)
		if want := html.UnescapeString(ref); !ok || string(r) != want {
			t.Errorf("commonEntity(%q) = %q, %t, want %q", ref, r, ok, want)
		}
	}
}

// TestCommonVisible checks that every character putRune takes a shortcut
// for is one the full checks would keep.
func TestCommonVisible(t *testing.T) {
	for r := range rune(0x3000) {
		if commonVisible(r) && (invisible(r) || unicode.IsSpace(r) || r == 0x2028 || r == 0x2029) {
			t.Errorf("commonVisible(%U) but it is invisible or space", r)
		}
	}
}

// benchHTML returns feed descriptions: a short teaser and an article of
// several paragraphs with links and entities.
func benchHTML() map[string]string {
	para := `<p>The minister said on Tuesday that &ldquo;talks will continue&rdquo; ` +
		`after the delegation&#8217;s visit, according to <a href="https://news.example/a?x=1&amp;y=2">officials</a>. ` +
		`Trade &amp; energy were on the agenda &mdash; as were <em>border</em> questions.</p>`
	return map[string]string{
		"short": `<p>Officials from both delegations met for several hours on Tuesday &amp; agreed to continue ` +
			`talks next week, a spokesperson said.</p><p><img src="https://news.example/img/1.jpg" alt="Delegations"/> ` +
			`<a href="https://news.example/world/story-1?utm_source=rss">Read more&hellip;</a></p>`,
		"article": strings.Repeat(para, 11) + `<p><img src="x.jpg" alt="photo"/><script>track()</script></p>`,
	}
}

// BenchmarkPlainText compares the scanner with the tokenizer-based oracle
// on short and article-length HTML.
func BenchmarkPlainText(b *testing.B) {
	impls := []struct {
		name string
		fn   func(string, int) string
	}{
		{"impl=scanner", plainText},
		{"baseline=x-net-html-tokenizer", oraclePlainText},
	}
	inputs := benchHTML()
	for _, size := range []string{"short", "article"} {
		in := inputs[size]
		for _, impl := range impls {
			b.Run(fmt.Sprintf("%s/%s", size, impl.name), func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				for b.Loop() {
					impl.fn(in, maxTextBytes)
				}
			})
		}
	}
}
