package feeds

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// plainTextSeeds returns HTML that reaches the tokenizer's many states:
// entities, comments, raw-text and script elements, foreign content,
// broken tags, invalid UTF-8 and every kind of invisible character.
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

func TestPlainTextMarkup(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"<script>var s = '</scr' + 'ipt>'; if (a < b) {}</script>after", maxTextBytes, "after"},
		{"<style>p > a { color: red }</style>styled", maxTextBytes, "styled"},
		{"<P>Upper</P><SCRIPT>hidden</SCRIPT>shown", maxTextBytes, "Upper shown"},
		{"<template><p>t</p></template><object>o</object><math><mi>x</mi></math>m", maxTextBytes, "m"},
		{"before<!-- comment -->after", maxTextBytes, "beforeafter"},
		{`<a href="x>y" title='a>b'>link</a> <img alt=">" src=x.png> done`, maxTextBytes, "link done"},
		{"<b>T</b>rump <em>em</em>phasis<br>next", maxTextBytes, "Trump emphasis next"},
		{"<title>A &amp; B <b>not bold</b></title>", maxTextBytes, "A & B <b>not bold</b>"},
		{"&ldquo;quoted&rdquo; &#8217; &#x41; &amp &#0; &#xD800;", maxTextBytes, "“quoted” ’ A & \uFFFD \uFFFD"},
		{"<p", maxTextBytes, ""},
		{"abc</", maxTextBytes, "abc</"},
		{"x<3", maxTextBytes, "x<3"},
		{"nul\x00byte", maxTextBytes, "nulbyte"},
		{"one two three", 7, "one two"},
		{"<p>one</p><p>two</p>", 3, "one"},
		{"Привет, <b>мир</b>!", 12, "Привет"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in, tt.limit); got != tt.want {
			t.Errorf("plainText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

// FuzzPlainText checks that whatever the input and limit, plainText gives
// one clean line within the limit, and that text with no markup, entity or
// invisible character in it keeps its words.
func FuzzPlainText(f *testing.F) {
	for _, s := range plainTextSeeds() {
		for _, limit := range []uint16{maxTextBytes, 0, 1, 5, 12} {
			f.Add(s, limit)
		}
	}
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		got := plainText(s, int(limit))
		switch {
		case len(got) > int(limit):
			t.Fatalf("plainText(%q, %d) = %q: longer than the limit", s, limit, got)
		case !utf8.ValidString(got):
			t.Fatalf("plainText(%q, %d) = %q: invalid UTF-8", s, limit, got)
		case strings.ContainsFunc(got, invisible):
			t.Fatalf("plainText(%q, %d) = %q: invisible characters", s, limit, got)
		case strings.ContainsFunc(got, isFoldedSpace) && got != strings.Join(strings.FieldsFunc(got, isFoldedSpace), " "):
			t.Fatalf("plainText(%q, %d) = %q: white space not folded to single spaces", s, limit, got)
		}
		if utf8.ValidString(s) && !strings.ContainsAny(s, "<&") && !strings.ContainsFunc(s, invisible) {
			words := strings.Join(strings.FieldsFunc(s, isFoldedSpace), " ")
			if want := truncate(words, int(limit)); got != want {
				t.Fatalf("plainText(%q, %d) = %q, want its words %q", s, limit, got, want)
			}
		}
	})
}

// isFoldedSpace reports whether plainText folds r into a space.
func isFoldedSpace(r rune) bool {
	return unicode.IsSpace(r) || r == 0x2028 || r == 0x2029
}
