package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRunKeepsPostingPastAFeedTooDeepToParse runs the bot on a good feed
// and one whose single item opens two million nested namespaced elements
// (10 MB, under the size cap): gofeed used to recurse until the runtime
// aborted the whole process with "stack overflow". The deep feed must
// fail alone, as too_complex, on one log line naming its URL once.
func TestRunKeepsPostingPastAFeedTooDeepToParse(t *testing.T) {
	deep := []byte(`<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:example:x"><channel><title>Deep</title>` +
		`<item><title>Bridge deal</title>` + strings.Repeat("<x:a>", 2_000_000))
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(deep)
	}))
	defer hostile.Close()
	hostileURL := hostile.URL + "/deep.xml"
	e := newE2E(t, fmt.Sprintf("\n[[feeds]]\nname = \"Deep\"\nurl = %q\n", hostileURL),
		item("a1", "Bridge deal signed at dawn", time.Minute))
	r := e.start()
	r.stderr.waitCount(t, "class=too_complex", 1)
	e.feed.add(item("a2", "Quill defends the bridge deal", 0))
	e.waitMessages(2)
	r.stop()
	for _, line := range strings.Split(r.stderr.String(), "\n") {
		if !strings.Contains(line, "feed poll failed") {
			continue
		}
		if n := strings.Count(line, strings.TrimPrefix(hostile.URL, "http://")); n != 1 {
			t.Errorf("the failure names the URL %d times, want once: %s", n, line)
		}
		if !strings.Contains(line, `error="parse: elements nested more than 256 deep`) {
			t.Errorf("the failure does not say what is wrong: %s", line)
		}
	}
}
