package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		multiline bool
		want      string
	}{
		{"plain", "Talks resume in Geneva", false, "Talks resume in Geneva"},
		{"controls", "a\x00b\x07c\x1bd\x7fe", false, "abcde"},
		{"zero width", "Wit\u200bkoff\u200c \u200dplan\u2060\ufeff", false, "Witkoff plan"},
		{"bidi override", "abc\u202eevil\u202c", false, "abcevil"},
		{"soft hyphen", "peace\u00adplan", false, "peaceplan"},
		{"invisible letters", "a\u3164b\u115fc\u034fd", false, "abcd"},
		{"invalid utf-8", "a\xffb", false, "ab"},
		{"white space folds", "  a \t\r\n  b\u00a0\u2028c  ", false, "a b c"},
		{"newlines kept", "a\n\n\n\nb\nc", true, "a\n\nb\nc"},
		{"newlines folded on one line", "a\nb", false, "a b"},
		{"space before newline", "a  \n  b", true, "a\nb"},
		{"only invisible", "\u200b\u200b", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in, tt.multiline); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Talks resume in Geneva", "Talks resume in Geneva"},
		{"**bold** and _it_", `\*\*bold\*\* and \_it\_`},
		{"[click](javascript:alert(1))", `\[click\]\(javascript:alert\(1\)\)`},
		{"@everyone look", "＠everyone look"},
		{"hi @HERE", "hi ＠HERE"},
		{"<@123> and <@!45>", `\<＠123\> and \<＠!45\>`},
		{"role <@&123>", `role \<＠&123\>`},
		{"channel <#789>", `channel \<\#789\>`},
		{"emoji <:pog:1> and <t:1700000000:R>", `emoji \<:pog:1\> and \<t:1700000000:R\>`},
		{"mail press@example.org", "mail press@example.org"},
		{"> quote", `\> quote`},
		{"# heading", `\# heading`},
		{"-# small", `\-\# small`},
		{"||spoiler|| `code` ~~gone~~", `\|\|spoiler\|\| \` + "`" + `code\` + "`" + ` \~\~gone\~\~`},
		{`back\slash`, `back\\slash`},
		{"28-point plan", `28\-point plan`},
		{"1. first", `1\. first`},
		{"12. twelfth", `12\. twelfth`},
		{"version 1.2 of 3.", "version 1.2 of 3."},
	}
	for _, tt := range tests {
		if got := markdown(tt.in, false); got != tt.want {
			t.Errorf("markdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownListAfterNewline(t *testing.T) {
	got := markdown("intro\n2. second", true)
	if want := "intro\n2\\. second"; got != want {
		t.Errorf("markdown = %q, want %q", got, want)
	}
}

func TestPlainDoesNotEscape(t *testing.T) {
	got := plain("**Wire** <@123> @everyone\u200b")
	if want := "**Wire** <＠123> ＠everyone"; got != want {
		t.Errorf("plain = %q, want %q", got, want)
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"fits", "short text", 10, "short text"},
		{"word boundary", "the quick brown fox", 12, "the quick…"},
		{"long word cut inside", "abcdefghijklmnop", 6, "abcde…"},
		{"boundary too early", "a bcdefghijklmnop", 8, "a bcdef…"},
		{"one", "abc", 1, "…"},
		{"zero", "abc", 0, ""},
		{"trailing space trimmed", "abc    defgh", 8, "abc…"},
		{"no lone escape", `ab\*cd`, 4, "ab…"},
		{"escaped backslash kept", `ab\\cd`, 5, `ab\\…`},
		{"counts code points", "ééééé ééééé", 7, "ééééé…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cut(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if length(got) > max(tt.n, 0) {
				t.Errorf("cut(%q, %d) has %d code points", tt.in, tt.n, length(got))
			}
		})
	}
}

func TestWebLink(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for refused
	}{
		{"https://news.example/a?b=1", "https://news.example/a?b=1"},
		{"http://news.example/", "http://news.example/"},
		{"HTTPS://News.example/x", "https://News.example/x"},
		{"https://en.example/wiki/Plan_(2025)", "https://en.example/wiki/Plan_%282025%29"},
		{"https://news.example/a b", "https://news.example/a%20b"},
		{"javascript:alert(1)", ""},
		{"JavaScript://news.example/%0aalert(1)", ""},
		{"data:text/html,hi", ""},
		{"ftp://news.example/x", ""},
		{"/relative/path", ""},
		{"//news.example/x", ""},
		{"https://user:pw@news.example/", ""},
		{"https://news.example/\u200b", "https://news.example/%E2%80%8B"},
		{"https://news.example/" + strings.Repeat("a", maxURL), ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := webLink(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("webLink(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// checkEscaped fails when s holds a removed character, a live mention or
// an unescaped markdown character.
func checkEscaped(t *testing.T, in, s string) {
	t.Helper()
	lower := strings.ToLower(s)
	if strings.Contains(lower, "@everyone") || strings.Contains(lower, "@here") || strings.Contains(s, "<@") {
		t.Errorf("markdown(%q) = %q keeps a mention", in, s)
	}
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case strings.ContainsRune(markdownSpecials, r):
			t.Fatalf("markdown(%q) = %q leaves %q unescaped", in, s, r)
		case blank(r) && r != '\n':
			t.Fatalf("markdown(%q) = %q keeps %U", in, s, r)
		}
	}
	if escaped {
		t.Errorf("markdown(%q) = %q ends in a lone backslash", in, s)
	}
}

func FuzzMarkdown(f *testing.F) {
	for _, seed := range []string{
		"**bold** @everyone <@&123> [x](javascript:alert(1))",
		"a\u200bb\x00c\u202e", "1. list\n> quote", `\\\`, "@@here", "<<@1>>",
	} {
		f.Add(seed, 20)
	}
	f.Fuzz(func(t *testing.T, in string, n int) {
		n = (n%300+300)%300 + 1
		s := markdown(in, true)
		checkEscaped(t, in, s)
		c := cut(s, n)
		if length(c) > n {
			t.Fatalf("cut(%q, %d) has %d code points", s, n, length(c))
		}
		checkEscaped(t, in, strings.TrimSuffix(c, ellipsis))
		if !utf8.ValidString(c) {
			t.Fatalf("cut(%q, %d) = %q is not UTF-8", s, n, c)
		}
	})
}
