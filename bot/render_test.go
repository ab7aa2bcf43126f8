package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// t0 is the tests' "now".
var t0 = time.Date(2025, 11, 20, 14, 5, 0, 0, time.UTC)

// rec is a relevant record of item id from feed, published at.
func rec(id, feed, link string, at time.Time) store.Record {
	return store.Record{
		Item: feeds.Item{
			FeedName: feed, FeedURL: "https://" + strings.ToLower(strings.ReplaceAll(feed, " ", "")) + ".example/rss",
			ID: id, Link: link, Title: "Report " + id, Text: "Text of " + id, Published: at,
		},
		Match:   story.Match{Relevant: true, Score: 2, Actors: []string{"Mara Quinn"}, Phrases: []string{"bridge closure"}},
		Summary: "Summary of " + id + ".",
		SeenAt:  at,
	}
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, got)
	}
}

// indent is v as indented JSON.
func indent(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestRenderPostGolden(t *testing.T) {
	lead := rec("lead", "Harbour Gazette", "https://gazette.example/closure?id=1", t0)
	lead.Item.Title = "Bridge closure: **council** votes <@&1> @everyone"
	lead.Summary = "The council voted 7-2 to close the bridge.\n\nQuinn called it \"overdue\"."
	lead.Match.Actors = []string{"Mara Quinn", "Tom Ode"}
	lead.Match.Phrases = []string{"bridge closure", "harbour bridge"}
	cluster := []store.Record{
		lead,
		rec("b", "City Wire", "https://wire.example/b", t0.Add(2*time.Hour)),
		rec("a", "Evening Post", "javascript:alert(1)", t0.Add(time.Hour)),
		rec("c", "City Wire", "https://wire.example/c_(update)", t0.Add(3*time.Hour)),
	}
	golden(t, "post.golden.json", indent(t, NewMessage(Nonce("0123456789", 42), RenderPost(lead, cluster))))
}

func TestRenderDigestGolden(t *testing.T) {
	var records []store.Record
	for i := range 4 {
		r := rec(fmt.Sprint("d", i), []string{"City Wire", "Harbour Gazette"}[i%2],
			fmt.Sprintf("https://news.example/%d", i), t0.Add(-time.Duration(i)*time.Minute))
		records = append(records, r)
	}
	records[2].Item.Title = "[Fake](https://evil.example) link"
	records[3].Item.Link = ""
	golden(t, "digest.golden.json", indent(t, NewMessage(Nonce("0123456789", 7), RenderDigest("Harbour bridge", records))))
}

func TestEditBodyGolden(t *testing.T) {
	golden(t, "edit.golden.json", indent(t, NewEdit(RenderPost(rec("x", "City Wire", "", time.Time{}), nil))))
}

func TestBodiesAlwaysCarryNoMentions(t *testing.T) {
	for name, v := range map[string]any{
		"empty create": MessageBody{},
		"empty edit":   EditBody{},
		"create":       NewMessage(Nonce("0123456789", 1), &discordgo.MessageEmbed{Title: "x"}),
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.AllowedMentions == nil || got.AllowedMentions.Parse == nil || len(got.AllowedMentions.Parse) != 0 {
			t.Errorf("%s: %s, want allowed_mentions {\"parse\": []}", name, b)
		}
	}
}

func TestNonce(t *testing.T) {
	seen := map[string]bool{}
	for _, store := range []string{"0123456789", "abcdef0123"} {
		for _, id := range []int64{1, 42, math.MaxInt64} {
			n := Nonce(store, id)
			if len(n) > 25 || !strings.HasPrefix(n, store+"-") || seen[n] {
				t.Errorf("Nonce(%s, %d) = %q, want a new one of at most 25 characters starting with the store", store, id, n)
			}
			seen[n] = true
		}
	}
	if b := NewMessage("0123456789-9", &discordgo.MessageEmbed{}); b.Nonce != "0123456789-9" || !b.EnforceNonce {
		t.Errorf("NewMessage nonce = %q, enforce %v; want it enforced", b.Nonce, b.EnforceNonce)
	}
}

func TestAlsoReportedBy(t *testing.T) {
	lead := rec("lead", "Lead Wire", "https://lead.example/", t0)
	cluster := []store.Record{lead}
	for i := 12; i >= 0; i-- { // given newest first
		cluster = append(cluster, rec(fmt.Sprint("o", i), fmt.Sprint("Outlet ", i),
			fmt.Sprintf("https://o%d.example/", i), t0.Add(time.Duration(i)*time.Minute)))
	}
	e := RenderPost(lead, cluster)
	f := field(e, "Also reported by")
	var want []string
	for i := range maxOthers {
		want = append(want, fmt.Sprintf("[Outlet %d](https://o%d.example/)", i, i))
	}
	want = append(want, "+3 more")
	if f != strings.Join(want, separator) {
		t.Errorf("Also reported by = %q, want %q", f, strings.Join(want, separator))
	}
	if !strings.HasSuffix(e.Footer.Text, "· 14 outlets") {
		t.Errorf("footer = %q, want 14 outlets", e.Footer.Text)
	}
}

func TestPostWithoutOthersOrLink(t *testing.T) {
	lead := rec("lead", "Lead Wire", "javascript:alert(1)", t0)
	lead.Item.Title = "\u200b"
	lead.Match.Actors = nil
	e := RenderPost(lead, []store.Record{lead})
	if e.URL != "" {
		t.Errorf("url = %q, want none for a javascript: link", e.URL)
	}
	if e.Title != untitled {
		t.Errorf("title = %q, want %q", e.Title, untitled)
	}
	for _, f := range e.Fields {
		if f.Name == "Actors" || f.Name == "Also reported by" {
			t.Errorf("field %q = %q, want no such field", f.Name, f.Value)
		}
	}
	if want := "Lead Wire · 20 Nov 2025 14:05 UTC · 1 outlet"; e.Footer.Text != want {
		t.Errorf("footer = %q, want %q", e.Footer.Text, want)
	}
}

// field returns the value of e's field name, or "".
func field(e *discordgo.MessageEmbed, name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// checkLimits fails when e breaks one of Discord's limits.
func checkLimits(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	limits := []struct {
		what  string
		value string
		max   int
	}{
		{"title", e.Title, maxTitle},
		{"description", e.Description, maxDescription},
		{"url", e.URL, maxURL},
	}
	if e.Footer != nil {
		limits = append(limits, struct {
			what  string
			value string
			max   int
		}{"footer", e.Footer.Text, maxFooter})
	}
	for _, f := range e.Fields {
		if f.Value == "" || length(f.Value) > maxFieldValue || length(f.Name) > 256 {
			t.Errorf("field %q has %d code points", f.Name, length(f.Value))
		}
	}
	for _, l := range limits {
		if length(l.value) > l.max {
			t.Errorf("%s has %d code points, limit %d", l.what, length(l.value), l.max)
		}
	}
	if len(e.Fields) > 25 {
		t.Errorf("%d fields", len(e.Fields))
	}
	if n := embedSize(e); n > maxEmbedTotal {
		t.Errorf("embed totals %d code points, limit %d", n, maxEmbedTotal)
	}
}

// huge is a record whose every text is far over Discord's limits.
func huge(id string, at time.Time) store.Record {
	word := strings.Repeat("ж", 9) + " "
	r := rec(id, strings.Repeat("Source ", 100), "https://huge.example/"+id, at)
	r.Item.Title = strings.Repeat(word, 100)
	r.Summary = strings.Repeat("*"+word, 1000)
	for i := range 200 {
		r.Match.Actors = append(r.Match.Actors, fmt.Sprint("Actor number ", i))
		r.Match.Phrases = append(r.Match.Phrases, fmt.Sprint("phrase number ", i))
	}
	return r
}

func TestRenderWithinLimits(t *testing.T) {
	lead := huge("lead", t0)
	cluster := []store.Record{lead}
	for i := range 300 {
		cluster = append(cluster, huge(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second)))
	}
	post := RenderPost(lead, cluster)
	checkLimits(t, post)
	if !strings.HasSuffix(post.Description, ellipsis) {
		t.Errorf("description was not cut with an ellipsis: ...%q", post.Description[len(post.Description)-20:])
	}
	for _, name := range []string{"Actors", "Matched", "Also reported by"} {
		if v := field(post, name); !strings.Contains(v, " more") {
			t.Errorf("%s = ...%q, want a +N more", name, v[max(len(v)-40, 0):])
		}
	}
	digest := RenderDigest(strings.Repeat("long story ", 60), cluster)
	checkLimits(t, digest)
	if !strings.HasSuffix(digest.Description, "more") {
		t.Errorf("digest description ends ...%q, want +N more", digest.Description[len(digest.Description)-30:])
	}
}

func TestRenderDigestCounts(t *testing.T) {
	var records []store.Record
	for i := range 60 {
		records = append(records, rec(fmt.Sprint(i), "Wire", fmt.Sprintf("https://w.example/%d", i), t0.Add(time.Duration(i)*time.Minute)))
	}
	slices.Reverse(records)
	e := RenderDigest("Harbour bridge", records)
	if e.Title != "60 new reports on Harbour bridge" {
		t.Errorf("title = %q", e.Title)
	}
	lines := strings.Split(e.Description, "\n")
	if !strings.Contains(lines[0], "Report 0") || !strings.Contains(lines[len(lines)-1], "Report 59") {
		t.Errorf("digest not oldest first, newest last: first %q, last %q", lines[0], lines[len(lines)-1])
	}
	if e.Timestamp != t0.Add(59*time.Minute).Format(time.RFC3339) {
		t.Errorf("timestamp = %q, want the newest item's", e.Timestamp)
	}
	if e.Footer.Text != "1 outlet" {
		t.Errorf("footer = %q", e.Footer.Text)
	}
}

func TestSourceColor(t *testing.T) {
	seen := map[int]bool{}
	for i := range 50 {
		name := fmt.Sprint("Outlet ", i)
		c := sourceColor(name)
		if c != sourceColor(name) || !slices.Contains(sourceColors[:], c) {
			t.Fatalf("sourceColor(%q) = %#x: not stable or not in the palette", name, c)
		}
		seen[c] = true
	}
	if len(seen) < len(sourceColors)/2 {
		t.Errorf("50 sources use only %d colours", len(seen))
	}
}

func TestThreadName(t *testing.T) {
	r := rec("x", "Wire", "", t0)
	r.Item.Title = "**Bridge** closure @everyone\u200b " + strings.Repeat("word ", 40)
	got := ThreadName(r)
	if length(got) > maxThreadName || !strings.HasPrefix(got, "**Bridge** closure ＠everyone word") {
		t.Errorf("ThreadName = %q", got)
	}
	r.Item.Title = "\u200b"
	if got := ThreadName(r); got != untitled {
		t.Errorf("ThreadName of a blank title = %q, want %q", got, untitled)
	}
}
