package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"storyline/internal/discordfake"
	"storyline/store"
	"storyline/store/sqlite"
)

// commitDevelopments stores, for each of outlets, one development reported
// by that many feeds, seen at seen. Its lead is titled "Report <name>0".
func commitDevelopments(t *testing.T, st store.Store, seen time.Time, outlets map[string]int) {
	t.Helper()
	for name, n := range outlets {
		lead := rec(name+"0", "Feed 0", "https://news.example/"+name+"0", seen)
		c, err := st.Commit(t.Context(), store.Batch{Records: []store.Record{lead},
			Posts: []store.Post{{Kind: store.KindPost, ItemIDs: []string{lead.Item.ID}, NewCluster: true}}})
		if err != nil || len(c.Queued) != 1 {
			t.Fatalf("Commit = %+v, %v", c, err)
		}
		rs, err := st.Records(t.Context(), []string{lead.Item.ID})
		if err != nil {
			t.Fatal(err)
		}
		var others []store.Record
		for i := 1; i < n; i++ {
			r := rec(name+string(rune('0'+i)), "Feed "+string(rune('0'+i)), "https://news.example/"+name+string(rune('0'+i)), seen.Add(time.Minute))
			r.ClusterID = rs[0].ClusterID
			others = append(others, r)
		}
		if _, err := st.Commit(t.Context(), store.Batch{Records: others}); err != nil {
			t.Fatal(err)
		}
	}
}

// ranked reports whether titles appear in text in that order.
func ranked(text string, titles ...string) bool {
	last := -1
	for _, title := range titles {
		i := strings.Index(text, title)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

func TestPosterSendsDailyDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		commitDevelopments(t, env.store, time.Now(), map[string]int{"a": 1, "b": 3, "c": 2})
		env.start()
		synctest.Wait()
		before := len(env.creates())
		d, err := env.store.QueueDaily(t.Context(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		env.nudge()
		env.stop()
		creates := env.creates()[before:]
		if len(creates) != 1 || creates[0].Params["channel_id"] != testChannel {
			t.Fatalf("requests = %+v, want one create in the channel", creates)
		}
		body := creates[0].Object()
		if body["nonce"] != env.nonce(d.EntryID) || body["enforce_nonce"] != true {
			t.Errorf("nonce = %v (enforced %v), want %q", body["nonce"], body["enforce_nonce"], env.nonce(d.EntryID))
		}
		msgs := env.fake.Messages(testChannel)
		e := msgs[len(msgs)-1].Embeds[0]
		if e.Title != "Daily digest: Harbour bridge" {
			t.Errorf("title = %q", e.Title)
		}
		if !ranked(e.Description, "Report b0", "Report c0", "Report a0") {
			t.Errorf("description does not rank by outlets:\n%s", e.Description)
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want the digest sent", st)
		}
	})
}

// TestDailyDigestEndToEnd runs the scheduler and the poster against the
// fake Discord, with a clock a moment before the digest time: the digest
// arrives once, valid, listing the developments in rank order.
func TestDailyDigestEndToEnd(t *testing.T) {
	fake, client := newFakeClient(t)
	kyiv := zone(t, "Europe/Kyiv")
	at := time.Date(2025, 11, 20, 18, 0, 0, 0, kyiv)
	// The clock reads half a second before the digest time when the
	// scheduler starts (origin is set again then).
	origin := time.Now()
	now := func() time.Time { return at.Add(-500 * time.Millisecond).Add(time.Since(origin)) }
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), logger, sqlite.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	commitDevelopments(t, st, at.Add(-3*time.Hour), map[string]int{"quiet": 1, "loud": 4, "mid": 2})

	wake := make(chan struct{}, 1)
	ch := discordfake.DefaultChannelID
	poster := NewPoster(st, client, logger, PosterOptions{ChannelID: ch, StoryName: "Harbour bridge", DigestZone: kyiv, Now: now, Wake: wake})
	daily, err := NewDailyScheduler(st, logger, DailyOptions{At: "18:00", Zone: kyiv, Now: now,
		Notify: func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	done := make(chan struct{}, 2)
	origin = time.Now()
	go func() { _ = poster.Run(ctx); done <- struct{}{} }()
	go func() { _ = daily.Run(ctx); done <- struct{}{} }()

	isDigest := func(m discordfake.Message) bool {
		return len(m.Embeds) == 1 && strings.HasPrefix(m.Embeds[0].Title, "Daily digest")
	}
	err = fake.WaitFor(ctx, func(s *discordfake.Server) bool {
		return slices.ContainsFunc(s.Messages(ch), isDigest)
	})
	// The poster records the request in flight before Run returns.
	cancel()
	<-done
	<-done
	if err != nil {
		t.Fatalf("no digest arrived: %v", err)
	}
	if stats, err := st.OutboxStats(t.Context()); err != nil || stats.Pending != 0 || stats.Failed != 0 {
		t.Errorf("outbox = %+v, %v; want everything sent", stats, err)
	}
	var digests []discordfake.Message
	for _, m := range fake.Messages(ch) {
		if isDigest(m) {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 {
		t.Fatalf("%d digest messages, want 1", len(digests))
	}
	e := digests[0].Embeds[0]
	if !ranked(e.Description, "Report loud0", "Report mid0", "Report quiet0") {
		t.Errorf("digest does not rank by outlets:\n%s", e.Description)
	}
	if !strings.Contains(e.Footer.Text, "19 Nov 2025 18:00 EET – 20 Nov 2025 18:00 EET") {
		t.Errorf("footer = %q, want the Kyiv day", e.Footer.Text)
	}
}
