package feeds

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// encode converts UTF-8 test text into a legacy single-byte charset.
func encode(t *testing.T, cm *charmap.Charmap, s string) string {
	t.Helper()
	out, err := cm.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return out
}

// TestPollUsesDeclaredCharset serves feeds through a real Fetcher and
// checks that the charset the server declares decides how the body is
// read, before the XML declaration and before any guess.
func TestPollUsesDeclaredCharset(t *testing.T) {
	const (
		polish = "Zażółć gęślą jaźń: Sejm przyjął ustawę"
		greek  = "Ειρηνευτικό σχέδιο: συνάντηση στη Γενεύη"
	)
	latin2 := encode(t, charmap.ISO8859_2, polish)
	greek7 := encode(t, charmap.ISO8859_7, greek)
	doc := func(decl, title string) string {
		return decl + `<rss version="2.0"><channel><title>t</title><link>https://example.com/</link>` +
			`<item><guid>1</guid><title>` + title + `</title></item></channel></rss>`
	}
	const bare = `<?xml version="1.0"?>`
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
	}{
		{"ISO-8859-2 in the header only", "application/rss+xml; charset=ISO-8859-2", doc(bare, latin2), polish},
		{"ISO-8859-7 in the header only", "text/xml; charset=iso-8859-7", doc(bare, greek7), greek},
		{"quoted charset parameter", `application/xml; charset="ISO-8859-7"`, doc("", greek7), greek},
		{"header outranks a wrong declaration", "application/rss+xml; charset=iso-8859-2",
			doc(`<?xml version="1.0" encoding="utf-8"?>`, latin2), polish},
		{"UTF-8 header outranks a legacy declaration", "application/rss+xml; charset=utf-8",
			doc(`<?xml version="1.0" encoding="ISO-8859-7"?>`, greek), greek},
		{"declaration when the header names no charset", "application/rss+xml",
			doc(`<?xml version="1.0" encoding="ISO-8859-2"?>`, latin2), polish},
		{"declaration when the header's charset is unknown", "text/xml; charset=x-no-such",
			doc(`<?xml version="1.0" encoding="ISO-8859-7"?>`, greek7), greek},
		{"declaration when a UTF-8 header does not fit the body", "text/xml; charset=utf-8",
			doc(`<?xml version="1.0" encoding="ISO-8859-7"?>`, greek7), greek},
		{"byte-order mark outranks the header", "application/rss+xml; charset=iso-8859-7",
			"\xEF\xBB\xBF" + doc(bare, polish), polish},
		// Apache long labelled text ISO-8859-1 by default; read as
		// Latin-1, UTF-8 text turns into "ZaÅ¼Ã³Å‚Ä‡".
		{"UTF-8 labelled ISO-8859-1 by its server", "text/xml; charset=ISO-8859-1", doc(bare, polish), polish},
		{"UTF-8 labelled windows-1252 by its server", "application/rss+xml; charset=windows-1252", doc(bare, greek), greek},
		{"UTF-8 labelled US-ASCII by its server", "text/xml; charset=us-ascii", doc(bare, polish), polish},
		{"Latin-1 labelled ISO-8859-1 stays Latin-1", "text/xml; charset=ISO-8859-1",
			doc(bare, encode(t, charmap.Windows1252, "Café crème, “quoted”")), "Café crème, “quoted”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			poll := pollOnce(t, srv.URL+"/feed")
			if poll.Err != nil {
				t.Fatalf("poll: %v", poll.Err)
			}
			if len(poll.Items) != 1 || poll.Items[0].Title != tt.want {
				t.Fatalf("items %+v, want one titled %q", poll.Items, tt.want)
			}
		})
	}
}

// TestPollIgnoresCharsetOnJSON checks that a JSON feed, which is always
// UTF-8, is not re-read in a charset its server names.
func TestPollIgnoresCharsetOnJSON(t *testing.T) {
	const body = `{"version":"https://jsonfeed.org/version/1.1","title":"t",` +
		`"items":[{"id":"1","title":"Ειρηνευτικό σχέδιο"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json; charset=iso-8859-1")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	poll := pollOnce(t, srv.URL+"/feed.json")
	if poll.Err != nil || len(poll.Items) != 1 || poll.Items[0].Title != "Ειρηνευτικό σχέδιο" {
		t.Fatalf("poll %+v, %v: want one item titled in Greek", poll.Items, poll.Err)
	}
}

// pollOnce polls url once with a Fetcher allowed to reach the test server.
func pollOnce(t *testing.T, url string) Poll {
	t.Helper()
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := NewScheduler(localFetcher(Options{Now: clock}), nil, nil, &fakeSink{}, slog.New(slog.DiscardHandler),
		SchedulerOptions{Now: clock, Rand: noJitter})
	return s.PollNow(t.Context(), Source{Name: "t", URL: url, Interval: 10 * time.Minute}, State{})
}
