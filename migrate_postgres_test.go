//go:build postgres

package main

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"storyline/config"
	"storyline/store"
	"storyline/store/postgres"
	"storyline/store/postgres/pgtest"
	"storyline/store/sqlite"
	"storyline/store/storetest"
)

// buildSQLiteStore fills a SQLite store with every kind of content through
// the store's own operations: posts, a digest with developments, joins by
// edit and reply, sent, failed and pending entries, a repost, a thread, a
// daily digest, feed states and signatures.
func buildSQLiteStore(t *testing.T, path string) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), path, slog.New(slog.DiscardHandler), sqlite.WithClock(func() time.Time { return storetest.T0 }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	rec := func(id string, actors ...string) store.Record {
		r := storetest.Record(id, "https://wire.example/"+id, actors...)
		r.Item.Title = "Zelénskyy and Witkoff: report " + id
		r.Signature = []byte("sig-" + id)
		return r
	}
	b := storetest.Batch(1, 3)
	b.Records = append(b.Records, rec("d1", "Witkoff"), rec("d2", "Putin"), rec("loose"))
	b.Posts = append(b.Posts, store.Post{Kind: store.KindDigest, ItemIDs: []string{"d1", "d2"}, Developments: [][]string{{"d1"}, {"d2"}}})
	first := storetest.Commit(t, st, b)
	lead, err := st.Records(ctx, []string{"b1-i0"})
	if err != nil {
		t.Fatal(err)
	}
	cluster := lead[0].ClusterID
	storetest.Commit(t, st, store.Batch{
		State:   storetest.FeedState("https://daily.example/rss"),
		Records: []store.Record{rec("join", "Witkoff", "Umerov"), rec("reply", "Rubio")},
		Posts: []store.Post{
			{Kind: store.KindEdit, ItemIDs: []string{"join"}, ClusterID: cluster},
			{Kind: store.KindReply, ItemIDs: []string{"reply"}, ClusterID: cluster},
		},
	})
	for i, id := range first.Queued[:2] {
		if err := st.MarkSent(ctx, id, "chan", "msg-"+string(rune('a'+i)), storetest.T0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetClusterMessage(ctx, cluster, "chan", "msg-a", "thread-a"); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkRetry(ctx, first.Queued[2], storetest.T0.Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkFailed(ctx, first.Queued[3], 50013, "Missing Permissions", storetest.T0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.QueueDaily(ctx, storetest.T0.Add(-24*time.Hour), storetest.T0); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateRoundTrip moves a SQLite store into PostgreSQL with
// `storyline migrate` and finds the same content there, read back whole
// and through the commands' queries; the next outbox id follows the
// moved ones, and a second migrate into the same database is refused.
func TestMigrateRoundTrip(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "storyline.db")
	buildSQLiteStore(t, dbPath)
	cfgPath := writeConfig(t, "[store]\npath = \""+filepath.ToSlash(dbPath)+"\"\n")
	u := pgtest.NewURL(t)
	getenv := func(k string) string {
		if k == "TARGET_DB" {
			return u
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"migrate", "-config", cfgPath, "-to-url-env", "TARGET_DB"}, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr.String())
	}
	if want := "moved 8 items, 11 mentions, 5 developments, 7 outbox entries (4 pending), 2 feed states and 1 digests"; !strings.Contains(stdout.String(), want) {
		t.Errorf("migrate said %q, want %q", stdout.String(), want)
	}
	if strings.Contains(stdout.String()+stderr.String(), u) {
		t.Errorf("migrate printed the database URL")
	}

	src, err := sqlite.Open(t.Context(), dbPath, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := postgres.Open(t.Context(), u, slog.New(slog.DiscardHandler), postgres.WithClock(func() time.Time { return storetest.T0 }))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	want, err := src.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PostgreSQL holds\n%+v\nSQLite held\n%+v", got, want)
	}

	for _, q := range []struct {
		name string
		read func(store.Store) (any, error)
	}{
		{"search", func(s store.Store) (any, error) {
			// The snippets differ: PostgreSQL does not mark Zelénskyy
			// (stored with its accent) as a match of zelenskyy.
			res, err := s.Search(t.Context(), "zelenskyy witkoff", 10)
			for i := range res.Hits {
				res.Hits[i].Snippet = ""
			}
			return res, err
		}},
		{"actor", func(s store.Store) (any, error) {
			return s.ActorReport(t.Context(), store.ActorQuery{Actor: "Witkoff", Now: storetest.T0, Days: 7, Latest: 5, With: 5})
		}},
		{"latest", func(s store.Store) (any, error) { return s.LatestPosted(t.Context(), 10) }},
		{"why", func(s store.Store) (any, error) { return s.MessageItems(t.Context(), "msg-a") }},
		{"outbox", func(s store.Store) (any, error) { return s.OutboxStats(t.Context()) }},
		{"head", func(s store.Store) (any, error) { return s.OutboxHead(t.Context()) }},
	} {
		w, werr := q.read(src)
		g, gerr := q.read(dst)
		if werr != nil || gerr != nil || !reflect.DeepEqual(g, w) {
			t.Errorf("%s: PostgreSQL %+v, %v; SQLite %+v, %v", q.name, g, gerr, w, werr)
		}
	}

	next := storetest.Commit(t, dst, storetest.Batch(9, 1))
	if next.Queued[0] <= want.LastOutboxID {
		t.Errorf("next outbox id %d, want after the moved %d", next.Queued[0], want.LastOutboxID)
	}
	err = run(t.Context(), []string{"migrate", "-config", cfgPath, "-to-url-env", "TARGET_DB"}, getenv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "import into an empty one") {
		t.Errorf("second migrate: %v, want a refusal", err)
	}
	if err := run(t.Context(), []string{"migrate", "-config", cfgPath, "-to-url-env", "NOT_SET"}, getenv, &stdout, &stderr); !errors.Is(err, config.ErrNoStoreURL) || !strings.Contains(err.Error(), "NOT_SET") {
		t.Errorf("migrate to an unset variable: %v", err)
	}
}
