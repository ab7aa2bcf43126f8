package story

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already normal", "witkoff met dmitriev", "witkoff met dmitriev"},
		{"empty", "", ""},
		{"case", "Witkoff MET Dmitriev", "witkoff met dmitriev"},
		{"cyrillic case", "ЗЕЛЕНСЬКИЙ і Умєров", "зеленський і умєров"},
		{"fullwidth", "ＴＲＵＭＰ　２８", "trump 28"},
		{"ligature and superscript", "ﬁnal km²", "final km2"},
		{"polish", "Wołodymyr Zełenski", "wolodymyr zelenski"},
		{"turkish", "Erdoğan'ın İstanbul ılık", "erdogan'in istanbul ilik"},
		{"romanian comma below", "Ștefan Țurcanu", "stefan turcanu"},
		{"german", "Müller Straße", "muller strasse"},
		{"french", "Genève, Barrot à l’Élysée", "geneve, barrot a l'elysee"},
		{"nordic", "Støre Æsir", "store aesir"},
		{"decomposed latin", "Gene\u0300ve", "geneve"},
		{"cyrillic yo folds", "Ёлка и ёж", "елка и еж"},
		{"cyrillic short i kept", "Йосип Андрій", "йосип андрій"},
		{"ukrainian yi kept", "Їжак Уїткофф", "їжак уїткофф"},
		{"decomposed short i composes", "и\u0306 И\u0306", "й й"},
		{"decomposed yo folds", "е\u0308", "е"},
		{"stress mark dropped", "за\u0301мок", "замок"},
		{"curly apostrophe", "Witkoff’s", "witkoff's"},
		{"other apostrophes", "it´s itʼs it`s it‘s", "it's it's it's it's"},
		{"double quotes", "“talks” «план» \"deal\" „Frieden“", "'talks' 'план' 'deal' 'frieden'"},
		{"dashes", "28‑point 28‐point a–b a—b −5 a―b", "28-point 28-point a-b a-b -5 a-b"},
		{"white space", " \t a\n\n b\u00a0c\u2003d  ", "a b c d"},
		{"soft hyphen and zero width", "Zelen\u00adsky\u200b Trump\u2060", "zelensky trump"},
		{"control characters", "a\x00b\x07c", "abc"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"greek", "Ἀθῆναι ΟΔΟΣ", "αθηναι οδοσ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize(%q) = %q, not idempotent", got, again)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "Trump met Putin.", []string{"trump", "met", "putin"}},
		{"possessive", "Trump's plan", []string{"trump", "plan"}},
		{"curly possessive", "Witkoff’s draft", []string{"witkoff", "draft"}},
		{"upper-case possessive", "TRUMP'S PLAN", []string{"trump", "plan"}},
		{"plural possessive", "the Zelenskys' home", []string{"the", "zelenskys", "home"}},
		{"apostrophe inside word", "don't", []string{"don", "t"}},
		{"turkish suffix", "Erdoğan'ın", []string{"erdogan", "in"}},
		{"s after apostrophe that starts a word", "Trump'sun", []string{"trump", "sun"}},
		{"hyphen", "28-point plan", []string{"28", "point", "plan"}},
		{"non-breaking hyphen", "28\u2011point plan", []string{"28", "point", "plan"}},
		{"en dash", "28–point", []string{"28", "point"}},
		{"space", "28 point", []string{"28", "point"}},
		{"glued digits and letters", "28point 28PPP", []string{"28", "point", "28", "ppp"}},
		{"dotted acronym", "U.S. envoy", []string{"us", "envoy"}},
		{"dotted initials", "J.D. Vance", []string{"jd", "vance"}},
		{"initial with space", "Donald J. Trump", []string{"donald", "j", "trump"}},
		{"decimal", "3.5 billion", []string{"3", "5", "billion"}},
		{"cyrillic", "Зеленського, Умєрова й Дмитрієва", []string{"зеленського", "умєрова", "й", "дмитрієва"}},
		{"ukrainian apostrophe", "прем’єр", []string{"прем", "єр"}},
		{"quotes around", "«Трамп»", []string{"трамп"}},
		{"fullwidth", "ＴＲＵＭＰ’Ｓ", []string{"trump"}},
		{"soft hyphen inside", "Zelen\u00adsky", []string{"zelensky"}},
		{"invalid byte splits", "Tr\xffump", []string{"tr", "ump"}},
		{"only punctuation", " —, ’ ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range Words(tt.in) {
				got = append(got, w.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWordsOffsets(t *testing.T) {
	tests := []struct {
		in   string
		want []string // the source text of each word
	}{
		{"Trump's 28-point plan", []string{"Trump", "28", "point", "plan"}},
		{"ＴＲＵＭＰ met", []string{"ＴＲＵＭＰ", "met"}},
		{"Gene\u0300ve talks", []string{"Gene\u0300ve", "talks"}},
		{"Зеленського й Трампа", []string{"Зеленського", "й", "Трампа"}},
		{"the U.S. plan", []string{"the", "U.S", "plan"}},
		{"Zelen\u00adsky", []string{"Zelen\u00adsky"}},
	}
	for _, tt := range tests {
		var got []string
		for _, w := range Words(tt.in) {
			got = append(got, tt.in[w.Start:w.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) spans %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWordsCapital(t *testing.T) {
	in := "Trump TRUMP trump Зеленский зеленский Ｔrump 28 Élysée élysée"
	var got []bool
	for _, w := range Words(in) {
		got = append(got, w.Capital)
	}
	want := []bool{true, true, false, true, false, true, false, true, false}
	if !slices.Equal(got, want) {
		t.Errorf("Words(%q) capitals = %v, want %v", in, got, want)
	}
}

// TestASCIIWordTable checks the folding table against the unicode package.
func TestASCIIWordTable(t *testing.T) {
	if len(asciiWord) != 256 {
		t.Fatalf("len(asciiWord) = %d, want 256", len(asciiWord))
	}
	for c := range 256 {
		want := byte(0)
		if r := rune(c); r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			want = byte(unicode.ToLower(r))
		}
		if got := asciiWord[c]; got != want {
			t.Errorf("asciiWord[%#x] = %q, want %q", c, got, want)
		}
	}
}

// TestCyrillicFastPath checks the assumptions behind the Cyrillic fast
// path: its letters are stable under NFKC and never combine with what is
// before them.
func TestCyrillicFastPath(t *testing.T) {
	for r := rune(0x400); r < 0x530; r++ {
		s := string(r)
		if isCyrillicLetter(r) {
			if !unicode.IsLetter(r) {
				t.Errorf("%U is not a letter", r)
			}
			if n := norm.NFKC.String(s); n != s {
				t.Errorf("NFKC(%U) = %q", r, n)
			}
		}
		if startsCyrillicLetter(s+" ", 0) && !norm.NFKC.PropertiesString(s).BoundaryBefore() {
			t.Errorf("%U combines backwards", r)
		}
	}
}

// TestNormalizeIdempotentBlocks checks idempotence, and that Words yields
// normalised text on rune boundaries, for every rune of the blocks where
// folding is subtle, alone and next to runes it may combine with.
func TestNormalizeIdempotentBlocks(t *testing.T) {
	blocks := [][2]rune{
		{0, 0x24F},         // Latin
		{0x2B0, 0x52F},     // modifiers, combining marks, Greek, Cyrillic
		{0x900, 0xDFF},     // Indic scripts, Sinhala
		{0x1100, 0x11FF},   // Hangul jamo
		{0x1E00, 0x2BFF},   // Latin and Greek extended, punctuation, symbols
		{0x3130, 0x318F},   // Hangul compatibility jamo
		{0xFB00, 0xFFEF},   // presentation forms, fullwidth forms
		{0x1D400, 0x1D7FF}, // mathematical alphanumerics
	}
	for _, b := range blocks {
		for r := b[0]; r <= b[1]; r++ {
			for _, s := range []string{string(r), "a" + string(r), string(r) + "\u0301", "и" + string(r), "\u1100" + string(r)} {
				n := Normalize(s)
				if again := Normalize(n); again != n {
					t.Errorf("%U: Normalize(%q) = %q, then %q", r, s, n, again)
				}
				for _, w := range Words(s) {
					if Normalize(w.Text) != w.Text || w.Start >= w.End || w.End > len(s) {
						t.Errorf("%U: Words(%q) gave %+v", r, s, w)
					}
				}
			}
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Trump's 28‑point plan", "ＴＲＵＭＰ «Зеленського»", "e\u0301 и\u0306", "U.S. J.D.", "a\xffb", "ǿ ᾼ ẞ ﬀ ½ ‴"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q, not valid UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize of that = %q", s, n, again)
		}
		bounds := runeStarts(s)
		for _, w := range Words(s) {
			if w.Text == "" || w.Start >= w.End || !bounds[w.Start] || !bounds[w.End] {
				t.Fatalf("Words(%q) gave %+v", s, w)
			}
			if Normalize(w.Text) != w.Text {
				t.Fatalf("Words(%q) gave %q, which Normalize changes", s, w.Text)
			}
		}
	})
}

// runeStarts returns which byte offsets of s start a rune (or are its end)
// when s is decoded from the start, invalid bytes counting as one rune.
func runeStarts(s string) map[int]bool {
	starts := map[int]bool{len(s): true}
	for i := range s {
		starts[i] = true
	}
	return starts
}
