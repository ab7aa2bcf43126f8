package postgres

import (
	"log/slog"
	"strings"
	"testing"
)

// TestTSQuery checks the translation of search queries; the conformance
// suite checks what the server then finds.
func TestTSQuery(t *testing.T) {
	tests := []struct {
		query, want string
		ok          bool
	}{
		{"witkoff", "'witkoff'", true},
		{"Witkoff Moscow", "'Witkoff' & 'Moscow'", true},
		{`"28-point plan"`, "'28 point plan'", true},
		{"28-point", "'28 point'", true},
		{"miami OR moscow", "'miami' | 'moscow'", true},
		{"witk*", "'witk':*", true},
		{"witkoff NOT football", "'witkoff' & !'football'", true},
		{"(miami OR женеве) witkoff", "('miami' | 'женеве') & 'witkoff'", true},
		{"Zelénskyy", "'Zelenskyy'", true},
		{"it's", "'it s'", true},
		{`witkoff" moscow (`, "", false},
		{`"" x`, "", false},
		{"* x", "", false},
		{"AND OR (", " &  | (", true}, // the server refuses it
	}
	for _, tc := range tests {
		got, ok := tsQuery(tc.query, "")
		if got != tc.want || ok != tc.ok {
			t.Errorf("tsQuery(%q) = %q, %v; want %q, %v", tc.query, got, ok, tc.want, tc.ok)
		}
	}
	for query, want := range map[string]string{
		`"28-point plan" witk*`: "'28 point plan':A & 'witk':*A",
		"miami OR moscow":       "'miami':A | 'moscow':A",
	} {
		if got, ok := tsQuery(query, titleWeight); got != want || !ok {
			t.Errorf("tsQuery(%q, title) = %q, %v; want %q", query, got, ok, want)
		}
	}
}

// TestSearchText checks the folding of indexed text: Latin diacritics go,
// other scripts keep theirs.
func TestSearchText(t *testing.T) {
	for in, want := range map[string]string{
		"Zelénskyy in Zürich, Kraków": "Zelenskyy in Zurich, Krakow",
		"Київ і Йосипівка":            "Київ і Йосипівка",
		"Ελλάδα":                      "Ελλάδα",
		"ﬁnal":                        "ﬁnal",
	} {
		if got := searchText(in); got != want {
			t.Errorf("searchText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEllipsis checks where a headline is marked as cut.
func TestEllipsis(t *testing.T) {
	const text = "One two three. Four five six."
	for headline, want := range map[string]string{
		"One two three. Four five six": "One two three. Four five six.",
		"two three":                    "…two three…",
		"Four five \x02six\x03":        "…Four five \x02six\x03.",
		"One two":                      "One two…",
	} {
		if got := ellipsis(headline, text); got != want {
			t.Errorf("ellipsis(%q) = %q, want %q", headline, got, want)
		}
	}
}

// TestOpenErrorsHideThePassword opens URLs that fail and checks that no
// error repeats the password.
func TestOpenErrorsHideThePassword(t *testing.T) {
	const secret = "s3cr3t-pa55"
	for _, u := range []string{
		"postgres://bot:" + secret + "@127.0.0.1:1/storyline?sslmode=disable&connect_timeout=2",
		"postgres://bot:" + secret + "@127.0.0.1:1/storyline?sslmode=nonsense",
		"postgres://bot:" + secret + "@[::1/storyline",
	} {
		_, err := Open(t.Context(), u, slog.New(slog.DiscardHandler))
		if err == nil {
			t.Fatalf("Open succeeded without a server")
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}
