package store

import (
	"errors"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/story"
)

// record is a relevant record for item id at link, published an hour
// before t0, naming actors.
func record(id, link string, actors ...string) Record {
	return Record{
		Item: feeds.Item{
			FeedName:  "Wire",
			FeedURL:   "https://wire.example/feed",
			ID:        id,
			GUID:      id,
			Link:      link,
			Title:     "Title " + id,
			Text:      "Text of " + id,
			Published: t0.Add(-time.Hour),
			Language:  "en",
		},
		Match: story.Match{
			Relevant: true,
			Score:    3.5,
			Actors:   actors,
			Phrases:  []string{"peace plan"},
			Spans: []story.Span{
				{Field: story.FieldTitle, Start: 0, End: 5, Kind: story.KindPhrase, Term: "peace plan"},
			},
		},
		Summary: "Summary of " + id,
		SeenAt:  t0,
	}
}

// post is a post of one item in a new cluster.
func post(id string) Post {
	return Post{Kind: KindPost, ItemIDs: []string{id}, NewCluster: true}
}

// commit commits b, failing the test on error.
func commit(t testing.TB, s *Store, b Batch) Committed {
	t.Helper()
	c, err := s.Commit(t.Context(), b)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return c
}

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

func TestCommitStoresItemsMentionsSearchAndOutbox(t *testing.T) {
	s := openTest(t)
	a := record("a", "https://wire.example/a", "Volodymyr Zelensky", "Dan Driscoll")
	a.Item.Title = "Zelensky receives the plan"
	a.Item.Text = "Зеленский получил план в Киеве"
	b := record("b", "", "Dan Driscoll")
	b.Match = story.Match{Score: 0.5, Actors: []string{"Dan Driscoll"}, Context: []string{"Kyiv"}, Excluded: []string{"Gaza"}}
	c := record("c", "https://wire.example/c")
	c.Item.Title = "Café crème in Zürich"
	st := feedState("https://wire.example/feed")

	got := commit(t, s, Batch{State: st, Records: []Record{a, b, c}, Posts: []Post{
		post("a"),
		{Kind: KindDigest, ItemIDs: []string{"b", "c"}},
	}})

	if want := []string{"a", "b", "c"}; !slices.Equal(got.Inserted, want) {
		t.Errorf("Inserted = %v, want %v", got.Inserted, want)
	}
	if len(got.Queued) != 2 || got.Queued[0] >= got.Queued[1] {
		t.Fatalf("Queued = %v, want two increasing ids", got.Queued)
	}
	first, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	wantEntry := OutboxEntry{ID: got.Queued[0], Kind: KindPost, ItemIDs: []string{"a"}, ClusterID: first.ClusterID,
		Status: StatusPending, NextAttempt: t0, CreatedAt: t0}
	if first.ClusterID == 0 || !reflect.DeepEqual(first, wantEntry) {
		t.Errorf("first entry = %+v, want %+v with a cluster", first, wantEntry)
	}

	a.ClusterID = first.ClusterID
	records, err := s.Records(t.Context(), []string{"c", "a", "b"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if want := []Record{c, a, b}; !reflect.DeepEqual(records, want) {
		t.Errorf("Records =\n%+v\nwant\n%+v", records, want)
	}
	cl, err := s.Cluster(t.Context(), first.ClusterID)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.LeadItemID != "a" || !slices.Equal(cl.ItemIDs, []string{"a"}) || !cl.CreatedAt.Equal(t0) {
		t.Errorf("Cluster = %+v, want led by a holding [a], created at t0", cl)
	}

	if n := count(t, s, `SELECT count(*) FROM mentions`); n != 3 {
		t.Errorf("mentions = %d, want 3", n)
	}
	if n := count(t, s, `SELECT count(*) FROM mentions WHERE actor = ? AND at = ?`,
		"Dan Driscoll", a.Item.Published.UnixMilli()); n != 2 {
		t.Errorf("mentions of Dan Driscoll at the published time = %d, want 2", n)
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"receives", []string{"a"}},
		{"зеленский", []string{"a"}},
		{"cafe zurich", []string{"c"}},
		{"text", []string{"b", "c"}},
		{"summary", nil}, // summaries are not indexed
	} {
		if ids := ftsIDs(t, s, tc.query); !slices.Equal(ids, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.query, ids, tc.want)
		}
	}
	if _, err := s.writer.ExecContext(t.Context(),
		`INSERT INTO items_fts (items_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("fts integrity-check: %v", err)
	}

	states, err := s.FeedStates(t.Context())
	if err != nil {
		t.Fatalf("FeedStates: %v", err)
	}
	if !reflect.DeepEqual(states[st.URL], st) {
		t.Errorf("feed state = %+v, want %+v", states[st.URL], st)
	}
}

func TestCommitIsAllOrNothing(t *testing.T) {
	nan := record("bad", "https://wire.example/bad")
	nan.Match.Score = math.NaN()
	tests := []struct {
		name    string
		records []Record
		posts   []Post
		wantErr error
		// wantIn is in the error text: the failure is the intended one.
		wantIn string
	}{
		{
			name:    "a later record fails",
			records: []Record{record("a", "https://wire.example/a", "X"), record("b", "", "Y"), nan},
			posts:   []Post{post("a")},
			wantIn:  `item "bad"`,
		},
		{
			name:    "a later post names an unknown item",
			records: []Record{record("a", "https://wire.example/a", "X")},
			posts:   []Post{post("a"), post("nowhere")},
			wantErr: ErrNotFound,
			wantIn:  `item "nowhere"`,
		},
		{
			name:    "a later post is invalid",
			records: []Record{record("a", "https://wire.example/a", "X")},
			posts:   []Post{post("a"), {Kind: "bogus", ItemIDs: []string{"a"}}},
			wantErr: ErrInvalidPost,
			wantIn:  "bogus",
		},
		{
			name:    "a post joins a missing cluster",
			records: []Record{record("a", "https://wire.example/a", "X"), record("b", "", "Y")},
			posts:   []Post{post("a"), {Kind: KindPost, ItemIDs: []string{"b"}, ClusterID: 999}},
			wantIn:  "cluster 999",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			_, err := s.Commit(t.Context(), Batch{
				State: feedState("https://wire.example/feed"), Records: tc.records, Posts: tc.posts,
			})
			if err == nil {
				t.Fatal("Commit succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Commit error = %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("Commit error = %v, want it to mention %q", err, tc.wantIn)
			}
			for _, table := range []string{"items", "mentions", "feed_state", "outbox", "clusters", "items_fts_docsize"} {
				if n := count(t, s, "SELECT count(*) FROM "+table); n != 0 {
					t.Errorf("%s has %d rows after a failed Commit, want 0", table, n)
				}
			}
			// The store is still usable: the failed transaction was rolled back.
			if c := commit(t, s, Batch{Records: tc.records[:1], Posts: tc.posts[:1]}); len(c.Queued) != 1 {
				t.Errorf("Commit after the failure queued %v, want one entry", c.Queued)
			}
		})
	}
}

func TestCommitNeverQueuesAStoredItemTwice(t *testing.T) {
	s := openTest(t)
	commit(t, s, Batch{Records: []Record{record("a", "https://wire.example/a")}, Posts: []Post{post("a")}})

	again := record("a", "https://wire.example/a")
	sameLink := record("a-from-other-feed", "https://wire.example/a")
	sameLink.Item.FeedURL = "https://other.example/rss"
	got := commit(t, s, Batch{
		Records: []Record{again, sameLink, record("b", "https://wire.example/b"), record("b", "")},
		Posts: []Post{
			post("a"),
			post("a-from-other-feed"),
			{Kind: KindDigest, ItemIDs: []string{"a", "b"}},
			post("b"),
		},
	})
	if !slices.Equal(got.Inserted, []string{"b"}) {
		t.Errorf("Inserted = %v, want [b]", got.Inserted)
	}
	if len(got.Queued) != 1 {
		t.Errorf("Queued = %v, want only b's post", got.Queued)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox`); n != 2 {
		t.Errorf("outbox has %d entries, want 2", n)
	}
	if n := count(t, s, `SELECT count(*) FROM clusters`); n != 2 {
		t.Errorf("%d clusters, want 2", n)
	}
	if _, err := s.Records(t.Context(), []string{"a-from-other-feed"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Records of the same-link item: err = %v, want ErrNotFound", err)
	}
}

func TestCommitClusterPosts(t *testing.T) {
	tests := []struct {
		name       string
		post       func(cluster int64) Post
		wantQueued bool
		wantErr    error
		// wantItems are the cluster's items afterwards; its lead is "lead".
		wantItems []string
	}{
		{
			name:       "edit with a new item joins it",
			post:       func(c int64) Post { return Post{Kind: KindEdit, ItemIDs: []string{"new"}, ClusterID: c} },
			wantQueued: true,
			wantItems:  []string{"lead", "new"},
		},
		{
			name:       "edit with a stored item leaves it",
			post:       func(c int64) Post { return Post{Kind: KindEdit, ItemIDs: []string{"other"}, ClusterID: c} },
			wantQueued: true,
			wantItems:  []string{"lead"},
		},
		{
			name:       "edit without items re-renders",
			post:       func(c int64) Post { return Post{Kind: KindEdit, ClusterID: c} },
			wantQueued: true,
			wantItems:  []string{"lead"},
		},
		{
			name:      "edit of a missing cluster is not queued",
			post:      func(c int64) Post { return Post{Kind: KindEdit, ItemIDs: []string{"new"}, ClusterID: c + 100} },
			wantItems: []string{"lead"},
		},
		{
			name:       "reply with a new item",
			post:       func(c int64) Post { return Post{Kind: KindReply, ItemIDs: []string{"new"}, ClusterID: c} },
			wantQueued: true,
			wantItems:  []string{"lead", "new"},
		},
		{
			name:      "reply with a stored item is not queued",
			post:      func(c int64) Post { return Post{Kind: KindReply, ItemIDs: []string{"other"}, ClusterID: c} },
			wantItems: []string{"lead"},
		},
		{
			name:      "reply in a missing cluster is not queued",
			post:      func(c int64) Post { return Post{Kind: KindReply, ItemIDs: []string{"new"}, ClusterID: c + 100} },
			wantItems: []string{"lead"},
		},
		{
			name:       "post joining a cluster",
			post:       func(c int64) Post { return Post{Kind: KindPost, ItemIDs: []string{"new"}, ClusterID: c} },
			wantQueued: true,
			wantItems:  []string{"lead", "new"},
		},
		{
			name:    "reply without items",
			post:    func(c int64) Post { return Post{Kind: KindReply, ClusterID: c} },
			wantErr: ErrInvalidPost,
		},
		{
			name:    "edit without a cluster",
			post:    func(int64) Post { return Post{Kind: KindEdit, ItemIDs: []string{"new"}, NewCluster: true} },
			wantErr: ErrInvalidPost,
		},
		{
			name: "new cluster and a cluster",
			post: func(c int64) Post {
				return Post{Kind: KindPost, ItemIDs: []string{"new"}, ClusterID: c, NewCluster: true}
			},
			wantErr: ErrInvalidPost,
		},
		{
			name:    "digest without items",
			post:    func(int64) Post { return Post{Kind: KindDigest} },
			wantErr: ErrInvalidPost,
		},
		{
			name: "developments of a post",
			post: func(int64) Post {
				return Post{Kind: KindPost, ItemIDs: []string{"new"}, Developments: [][]string{{"new"}}}
			},
			wantErr: ErrInvalidPost,
		},
		{
			name: "development naming an item not in the digest",
			post: func(int64) Post {
				return Post{Kind: KindDigest, ItemIDs: []string{"new"}, Developments: [][]string{{"new", "other"}}}
			},
			wantErr: ErrInvalidPost,
		},
		{
			name: "item in two developments",
			post: func(int64) Post {
				return Post{Kind: KindDigest, ItemIDs: []string{"new"}, Developments: [][]string{{"new"}, {"new"}}}
			},
			wantErr: ErrInvalidPost,
		},
		{
			name: "empty development",
			post: func(int64) Post {
				return Post{Kind: KindDigest, ItemIDs: []string{"new"}, Developments: [][]string{{"new"}, {}}}
			},
			wantErr: ErrInvalidPost,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			s := openTestClocked(t, func() time.Time { return now })
			commit(t, s, Batch{Records: []Record{record("lead", ""), record("other", "")}, Posts: []Post{post("lead")}})
			entry, err := s.OutboxHead(t.Context())
			if err != nil {
				t.Fatalf("OutboxHead: %v", err)
			}
			cluster := entry.ClusterID

			now = t0.Add(time.Minute)
			fresh := record("new", "")
			fresh.SeenAt = now
			got, err := s.Commit(t.Context(), Batch{Records: []Record{fresh}, Posts: []Post{tc.post(cluster)}})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("Commit error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if !slices.Equal(got.Inserted, []string{"new"}) {
				t.Errorf("Inserted = %v, want [new] whether or not the post is queued", got.Inserted)
			}
			if queued := len(got.Queued) == 1; queued != tc.wantQueued {
				t.Errorf("Queued = %v, want queued %v", got.Queued, tc.wantQueued)
			}
			cl, err := s.Cluster(t.Context(), cluster)
			if err != nil {
				t.Fatalf("Cluster: %v", err)
			}
			if !slices.Equal(cl.ItemIDs, tc.wantItems) {
				t.Errorf("cluster items = %v, want %v", cl.ItemIDs, tc.wantItems)
			}
			joined := len(tc.wantItems) > 1
			if wantUpdated := map[bool]time.Time{false: t0, true: now}[joined]; !cl.UpdatedAt.Equal(wantUpdated) {
				t.Errorf("cluster updated at %v, want %v", cl.UpdatedAt, wantUpdated)
			}
		})
	}
}

// TestDigestDevelopmentsBecomeClusters: each development of a digest
// becomes a cluster of its items with no message of its own, so a later
// edit of it changes nothing in Discord and the digest stays as it is.
func TestDigestDevelopmentsBecomeClusters(t *testing.T) {
	s := openTest(t)
	c := commit(t, s, Batch{
		Records: []Record{signed("a1", t0), signed("b", t0), signed("a2", t0)},
		Posts: []Post{{Kind: KindDigest, ItemIDs: []string{"a1", "a2", "b"},
			Developments: [][]string{{"a1", "a2"}, {"b"}}}},
	})
	a, b := clusterOf(t, s, "a1"), clusterOf(t, s, "b")
	if a == b || clusterOf(t, s, "a2") != a {
		t.Fatalf("clusters a1 %d, a2 %d, b %d; want a1 and a2 together, b apart", a, clusterOf(t, s, "a2"), b)
	}
	if want := map[string]int64{"a1": a, "a2": a, "b": b}; !maps.Equal(c.Signed, want) {
		t.Errorf("Signed = %v, want %v", c.Signed, want)
	}
	entry, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	if entry.Kind != KindDigest || entry.ClusterID != 0 {
		t.Errorf("entry = %+v, want a digest of no cluster", entry)
	}
	if err := s.MarkSent(t.Context(), entry.ID, "chan", "digest-msg", t0); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	cl, err := s.Cluster(t.Context(), a)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.MessageID != "" || cl.LeadItemID != "a1" || !slices.Equal(cl.ItemIDs, []string{"a1", "a2"}) {
		t.Errorf("cluster = %+v; want a1 and a2 led by a1 and no message of its own", cl)
	}
	// A later report joins the development; "Why was this posted?" on the
	// digest lists it with the development.
	commit(t, s, Batch{Records: []Record{signed("a3", t0)}, Posts: []Post{{Kind: KindEdit, ItemIDs: []string{"a3"}, ClusterID: a}}})
	p, err := s.MessageItems(t.Context(), "digest-msg")
	if err != nil {
		t.Fatalf("MessageItems: %v", err)
	}
	var related []string
	for _, r := range p.Related {
		related = append(related, r.ID)
	}
	if len(p.Records) != 3 || !slices.Equal(related, []string{"a3"}) {
		t.Errorf("digest message carries %d records and related %v; want the 3 digested and a3", len(p.Records), related)
	}
}

func TestCommitWithoutFeedStateOrPosts(t *testing.T) {
	s := openTest(t)
	unposted := record("lookup-only", "")
	unposted.SeenAt = time.Time{}
	got := commit(t, s, Batch{Records: []Record{unposted}})
	if !slices.Equal(got.Inserted, []string{"lookup-only"}) || len(got.Queued) != 0 {
		t.Errorf("Commit = %+v, want the item stored and nothing queued", got)
	}
	records, err := s.Records(t.Context(), []string{"lookup-only"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if !records[0].SeenAt.Equal(t0) {
		t.Errorf("SeenAt = %v, want the store clock's %v for an unset SeenAt", records[0].SeenAt, t0)
	}
	if n := count(t, s, `SELECT count(*) FROM feed_state`); n != 0 {
		t.Errorf("feed_state has %d rows, want none for an empty State.URL", n)
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, ErrNoWork) {
		t.Errorf("OutboxHead err = %v, want ErrNoWork", err)
	}
}

func TestRestartDoesNotReprocess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storyline.db")
	items := []Record{record("a", "https://wire.example/a", "X"), record("b", "")}
	s := openAt(t, path)
	commit(t, s, Batch{State: feedState("https://wire.example/feed"), Records: items, Posts: []Post{post("a")}})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openAt(t, path)
	defer s.Close()
	unseen, err := s.Unseen(t.Context(), []feeds.Item{items[0].Item, items[1].Item})
	if err != nil {
		t.Fatalf("Unseen: %v", err)
	}
	if len(unseen) != 0 {
		t.Errorf("Unseen after restart = %v, want nothing", unseen)
	}
	entry, err := s.OutboxHead(t.Context())
	if err != nil || !slices.Equal(entry.ItemIDs, []string{"a"}) {
		t.Errorf("OutboxHead after restart = %+v, %v; want a's pending post", entry, err)
	}
	if got := commit(t, s, Batch{Records: items, Posts: []Post{post("a")}}); len(got.Inserted)+len(got.Queued) != 0 {
		t.Errorf("recommitting after restart = %+v, want nothing stored or queued", got)
	}
}

func TestUnseen(t *testing.T) {
	s := openTest(t)
	commit(t, s, Batch{Records: []Record{record("a", "https://wire.example/a"), record("b", "")}})
	item := func(id, link, feed string) feeds.Item {
		return feeds.Item{ID: id, Link: link, FeedURL: feed, Title: id}
	}
	tests := []struct {
		name  string
		items []feeds.Item
		want  []string
	}{
		{"nothing", nil, nil},
		{"stored id", []feeds.Item{item("a", "https://wire.example/a-moved", "f1")}, nil},
		{"stored id without link", []feeds.Item{item("b", "", "f1")}, nil},
		{"stored link from another feed", []feeds.Item{item("x", "https://wire.example/a", "f2")}, nil},
		{"new", []feeds.Item{item("c", "https://wire.example/c", "f1")}, []string{"c"}},
		{
			name:  "repeats within the slice keep the first",
			items: []feeds.Item{item("c", "https://wire.example/c", "f1"), item("c2", "https://wire.example/c", "f2"), item("c", "", "f3")},
			want:  []string{"c"},
		},
		{"empty links are not a key", []feeds.Item{item("d", "", "f1"), item("e", "", "f1")}, []string{"d", "e"}},
		{
			name:  "order kept",
			items: []feeds.Item{item("e", "", "f1"), item("c", "https://wire.example/c", "f1"), item("a", "", "f1"), item("d", "", "f1")},
			want:  []string{"e", "c", "d"},
		},
		{"an id that equals a stored link is not that link", []feeds.Item{item("https://wire.example/a", "", "f1")},
			[]string{"https://wire.example/a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Unseen(t.Context(), tc.items)
			if err != nil {
				t.Fatalf("Unseen: %v", err)
			}
			var ids []string
			for _, it := range got {
				ids = append(ids, it.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("Unseen = %v, want %v", ids, tc.want)
			}
		})
	}
}

func TestRecordsMissing(t *testing.T) {
	s := openTest(t)
	commit(t, s, Batch{Records: []Record{record("a", "")}})
	if _, err := s.Records(t.Context(), []string{"a", "missing"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Records with a missing id: err = %v, want ErrNotFound", err)
	}
	got, err := s.Records(t.Context(), []string{"a", "a"})
	if err != nil || len(got) != 2 {
		t.Errorf("Records of a repeated id = %d records, %v; want 2", len(got), err)
	}
}
