package sqlite

import (
	"slices"
	"testing"

	"storyline/store"
	"storyline/store/storetest"
)

// ftsIDs returns the ids of the items whose title or text match query.
func ftsIDs(t *testing.T, s *Store, query string) []string {
	t.Helper()
	ids, err := queryRows(t.Context(), s.reader, column[string], `
		SELECT items.id FROM items_fts JOIN items ON items.seq = items_fts.rowid
		WHERE items_fts MATCH ? ORDER BY items.seq`, query)
	if err != nil {
		t.Fatalf("fts %q: %v", query, err)
	}
	return ids
}

// TestCommitIndexesText checks the full-text rows Commit adds, read with
// FTS5 directly: titles and texts, folded, but not summaries, and an index
// consistent with its external content.
func TestCommitIndexesText(t *testing.T) {
	s := openTest(t)
	a := storetest.Record("a", "https://wire.example/a")
	a.Item.Title = "Zelensky receives the plan"
	a.Item.Text = "Зеленский получил план в Киеве"
	b := storetest.Record("b", "")
	c := storetest.Record("c", "https://wire.example/c")
	c.Item.Title = "Café crème in Zürich"
	storetest.Commit(t, s, store.Batch{Records: []store.Record{a, b, c}})
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"receives", []string{"a"}},
		{"зеленский", []string{"a"}},
		{"cafe zurich", []string{"c"}},
		{"text", []string{"b", "c"}},
		{"summary", nil},
	} {
		if ids := ftsIDs(t, s, tc.query); !slices.Equal(ids, tc.want) {
			t.Errorf("fts %q = %v, want %v", tc.query, ids, tc.want)
		}
	}
	if _, err := s.writer.ExecContext(t.Context(),
		`INSERT INTO items_fts (items_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("fts integrity-check: %v", err)
	}
}

// TestFailedCommitLeavesNoRow checks, table by table, that a Commit failing
// after it stored items, mentions, full-text rows, a cluster and the feed
// state leaves none of them: the conformance suite sees only what the
// interface shows.
func TestFailedCommitLeavesNoRow(t *testing.T) {
	s := openTest(t)
	_, err := s.Commit(t.Context(), store.Batch{
		State:   storetest.FeedState("https://wire.example/feed"),
		Records: []store.Record{storetest.Record("a", "https://wire.example/a", "X"), storetest.Record("b", "", "Y")},
		Posts:   []store.Post{storetest.Post("a"), {Kind: store.KindPost, ItemIDs: []string{"b"}, ClusterID: 999}},
	})
	if err == nil {
		t.Fatal("Commit joining a missing cluster succeeded, want an error")
	}
	for _, table := range []string{"items", "mentions", "feed_state", "outbox", "clusters", "signatures", "items_fts_docsize", "actor_hours", "actor_pairs"} {
		if n := count(t, s, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%s has %d rows after a failed Commit, want 0", table, n)
		}
	}
}
