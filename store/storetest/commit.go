package storetest

import (
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

func testCommitStoresItemsMentionsSearchAndOutbox(t *testing.T, db NewDB) {
	s := fresh(t, db)
	a := Record("a", "https://wire.example/a", "Volodymyr Zelensky", "Dan Driscoll")
	a.Item.Title = "Zelensky receives the plan"
	a.Item.Text = "Зеленский получил план в Киеве"
	b := Record("b", "", "Dan Driscoll")
	b.Match = story.Match{Score: 0.5, Actors: []string{"Dan Driscoll"}, Context: []string{"Kyiv"}, Excluded: []string{"Gaza"}}
	c := Record("c", "https://wire.example/c")
	c.Item.Title = "Café crème in Zürich"
	st := FeedState("https://wire.example/feed")

	got := Commit(t, s, store.Batch{State: st, Records: []store.Record{a, b, c}, Posts: []store.Post{
		Post("a"),
		{Kind: store.KindDigest, ItemIDs: []string{"b", "c"}},
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
	wantEntry := store.OutboxEntry{ID: got.Queued[0], Kind: store.KindPost, ItemIDs: []string{"a"}, ClusterID: first.ClusterID,
		Status: store.StatusPending, NextAttempt: T0, CreatedAt: T0}
	if first.ClusterID == 0 || !reflect.DeepEqual(first, wantEntry) {
		t.Errorf("first entry = %+v, want %+v with a cluster", first, wantEntry)
	}

	a.ClusterID = first.ClusterID
	records, err := s.Records(t.Context(), []string{"c", "a", "b"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if want := []store.Record{c, a, b}; !reflect.DeepEqual(records, want) {
		t.Errorf("Records =\n%+v\nwant\n%+v", records, want)
	}
	cl, err := s.Cluster(t.Context(), first.ClusterID)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.LeadItemID != "a" || !slices.Equal(cl.ItemIDs, []string{"a"}) || !cl.CreatedAt.Equal(T0) {
		t.Errorf("Cluster = %+v, want led by a holding [a], created at t0", cl)
	}

	for actor, want := range map[string]int{"Dan Driscoll": 2, "Volodymyr Zelensky": 1, "Gaza": 0} {
		r := actorReport(t, s, actor)
		if r.Month != want || want > 0 && (!r.FirstSeen.Equal(a.Item.Published) || !r.LastSeen.Equal(a.Item.Published)) {
			t.Errorf("mentions of %s = %d, first %v, last %v; want %d at the published time %v",
				actor, r.Month, r.FirstSeen, r.LastSeen, want, a.Item.Published)
		}
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
		if ids := searchIDs(t, s, tc.query); !slices.Equal(ids, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.query, ids, tc.want)
		}
	}

	states, err := s.FeedStates(t.Context())
	if err != nil {
		t.Fatalf("FeedStates: %v", err)
	}
	if !reflect.DeepEqual(states[st.URL], st) {
		t.Errorf("feed state = %+v, want %+v", states[st.URL], st)
	}
}

func testCommitIsAllOrNothing(t *testing.T, db NewDB) {
	nan := Record("bad", "https://wire.example/bad")
	nan.Match.Score = math.NaN()
	tests := []struct {
		name    string
		records []store.Record
		posts   []store.Post
		wantErr error
		// wantIn is in the error text: the failure is the intended one.
		wantIn string
	}{
		{
			name:    "a record cannot be stored",
			records: []store.Record{Record("a", "https://wire.example/a", "X"), Record("b", "", "Y"), nan},
			posts:   []store.Post{Post("a")},
			wantErr: store.ErrInvalidRecord,
			wantIn:  `item "bad"`,
		},
		{
			name:    "a later post names an unknown item",
			records: []store.Record{Record("a", "https://wire.example/a", "X")},
			posts:   []store.Post{Post("a"), Post("nowhere")},
			wantErr: store.ErrNotFound,
			wantIn:  `item "nowhere"`,
		},
		{
			name:    "a later post is invalid",
			records: []store.Record{Record("a", "https://wire.example/a", "X")},
			posts:   []store.Post{Post("a"), {Kind: "bogus", ItemIDs: []string{"a"}}},
			wantErr: store.ErrInvalidPost,
			wantIn:  "bogus",
		},
		{
			name:    "a post joins a missing cluster",
			records: []store.Record{Record("a", "https://wire.example/a", "X"), Record("b", "", "Y")},
			posts:   []store.Post{Post("a"), {Kind: store.KindPost, ItemIDs: []string{"b"}, ClusterID: 999}},
			wantIn:  "cluster 999",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := fresh(t, db)
			_, err := s.Commit(t.Context(), store.Batch{
				State: FeedState("https://wire.example/feed"), Records: tc.records, Posts: tc.posts,
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
			checkEmpty(t, s, tc.records)
			// The store is still usable: the failed transaction was rolled back.
			if c := Commit(t, s, store.Batch{Records: tc.records[:1], Posts: tc.posts[:1]}); len(c.Queued) != 1 {
				t.Errorf("Commit after the failure queued %v, want one entry", c.Queued)
			}
		})
	}
}

func testCommitNeverQueuesAStoredItemTwice(t *testing.T, db NewDB) {
	s := fresh(t, db)
	Commit(t, s, store.Batch{Records: []store.Record{Record("a", "https://wire.example/a")}, Posts: []store.Post{Post("a")}})
	first, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}

	again := Record("a", "https://wire.example/a")
	sameLink := Record("a-from-other-feed", "https://wire.example/a")
	sameLink.Item.FeedURL = "https://other.example/rss"
	got := Commit(t, s, store.Batch{
		Records: []store.Record{again, sameLink, Record("b", "https://wire.example/b"), Record("b", "")},
		Posts: []store.Post{
			Post("a"),
			Post("a-from-other-feed"),
			{Kind: store.KindDigest, ItemIDs: []string{"a", "b"}},
			Post("b"),
		},
	})
	if !slices.Equal(got.Inserted, []string{"b"}) {
		t.Errorf("Inserted = %v, want [b]", got.Inserted)
	}
	if len(got.Queued) != 1 {
		t.Errorf("Queued = %v, want only b's post", got.Queued)
	}
	if st := outboxStats(t, s); st.Pending != 2 {
		t.Errorf("outbox has %d pending entries, want 2", st.Pending)
	}
	if a, b := clusterOf(t, s, "a"), clusterOf(t, s, "b"); a == b || a != first.ClusterID {
		t.Errorf("clusters of a and b = %d and %d, want a's first cluster %d and another", a, b, first.ClusterID)
	}
	if _, err := s.Records(t.Context(), []string{"a-from-other-feed"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Records of the same-link item: err = %v, want ErrNotFound", err)
	}
}

func testCommitClusterPosts(t *testing.T, db NewDB) {
	tests := []struct {
		name       string
		post       func(cluster int64) store.Post
		wantQueued bool
		wantErr    error
		// wantItems are the cluster's items afterwards; its lead is "lead".
		wantItems []string
	}{
		{
			name: "edit with a new item joins it",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindEdit, ItemIDs: []string{"new"}, ClusterID: c}
			},
			wantQueued: true,
			wantItems:  []string{"lead", "new"},
		},
		{
			name: "edit with a stored item leaves it",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindEdit, ItemIDs: []string{"other"}, ClusterID: c}
			},
			wantQueued: true,
			wantItems:  []string{"lead"},
		},
		{
			name:       "edit without items re-renders",
			post:       func(c int64) store.Post { return store.Post{Kind: store.KindEdit, ClusterID: c} },
			wantQueued: true,
			wantItems:  []string{"lead"},
		},
		{
			name: "edit of a missing cluster is not queued",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindEdit, ItemIDs: []string{"new"}, ClusterID: c + 100}
			},
			wantItems: []string{"lead"},
		},
		{
			name: "reply with a new item",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindReply, ItemIDs: []string{"new"}, ClusterID: c}
			},
			wantQueued: true,
			wantItems:  []string{"lead", "new"},
		},
		{
			name: "reply with a stored item is not queued",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindReply, ItemIDs: []string{"other"}, ClusterID: c}
			},
			wantItems: []string{"lead"},
		},
		{
			name: "reply in a missing cluster is not queued",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindReply, ItemIDs: []string{"new"}, ClusterID: c + 100}
			},
			wantItems: []string{"lead"},
		},
		{
			name: "post joining a cluster",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindPost, ItemIDs: []string{"new"}, ClusterID: c}
			},
			wantQueued: true,
			wantItems:  []string{"lead", "new"},
		},
		{
			name:    "reply without items",
			post:    func(c int64) store.Post { return store.Post{Kind: store.KindReply, ClusterID: c} },
			wantErr: store.ErrInvalidPost,
		},
		{
			name: "edit without a cluster",
			post: func(int64) store.Post {
				return store.Post{Kind: store.KindEdit, ItemIDs: []string{"new"}, NewCluster: true}
			},
			wantErr: store.ErrInvalidPost,
		},
		{
			name: "new cluster and a cluster",
			post: func(c int64) store.Post {
				return store.Post{Kind: store.KindPost, ItemIDs: []string{"new"}, ClusterID: c, NewCluster: true}
			},
			wantErr: store.ErrInvalidPost,
		},
		{
			name:    "digest without items",
			post:    func(int64) store.Post { return store.Post{Kind: store.KindDigest} },
			wantErr: store.ErrInvalidPost,
		},
		{
			name: "developments of a post",
			post: func(int64) store.Post {
				return store.Post{Kind: store.KindPost, ItemIDs: []string{"new"}, Developments: [][]string{{"new"}}}
			},
			wantErr: store.ErrInvalidPost,
		},
		{
			name: "development naming an item not in the digest",
			post: func(int64) store.Post {
				return store.Post{Kind: store.KindDigest, ItemIDs: []string{"new"}, Developments: [][]string{{"new", "other"}}}
			},
			wantErr: store.ErrInvalidPost,
		},
		{
			name: "item in two developments",
			post: func(int64) store.Post {
				return store.Post{Kind: store.KindDigest, ItemIDs: []string{"new"}, Developments: [][]string{{"new"}, {"new"}}}
			},
			wantErr: store.ErrInvalidPost,
		},
		{
			name: "empty development",
			post: func(int64) store.Post {
				return store.Post{Kind: store.KindDigest, ItemIDs: []string{"new"}, Developments: [][]string{{"new"}, {}}}
			},
			wantErr: store.ErrInvalidPost,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := T0
			s := freshClocked(t, db, func() time.Time { return now })
			Commit(t, s, store.Batch{Records: []store.Record{Record("lead", ""), Record("other", "")}, Posts: []store.Post{Post("lead")}})
			entry, err := s.OutboxHead(t.Context())
			if err != nil {
				t.Fatalf("OutboxHead: %v", err)
			}
			cluster := entry.ClusterID

			now = T0.Add(time.Minute)
			fresh := Record("new", "")
			fresh.SeenAt = now
			got, err := s.Commit(t.Context(), store.Batch{Records: []store.Record{fresh}, Posts: []store.Post{tc.post(cluster)}})
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
			if wantUpdated := map[bool]time.Time{false: T0, true: now}[joined]; !cl.UpdatedAt.Equal(wantUpdated) {
				t.Errorf("cluster updated at %v, want %v", cl.UpdatedAt, wantUpdated)
			}
		})
	}
}

// testDigestDevelopmentsBecomeClusters: each development of a digest
// becomes a cluster of its items with no message of its own, so a later
// edit of it changes nothing in Discord and the digest stays as it is.
func testDigestDevelopmentsBecomeClusters(t *testing.T, db NewDB) {
	s := fresh(t, db)
	c := Commit(t, s, store.Batch{
		Records: []store.Record{signed("a1", T0), signed("b", T0), signed("a2", T0)},
		Posts: []store.Post{{Kind: store.KindDigest, ItemIDs: []string{"a1", "a2", "b"},
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
	if entry.Kind != store.KindDigest || entry.ClusterID != 0 {
		t.Errorf("entry = %+v, want a digest of no cluster", entry)
	}
	if err := s.MarkSent(t.Context(), entry.ID, "chan", "digest-msg", T0); err != nil {
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
	Commit(t, s, store.Batch{Records: []store.Record{signed("a3", T0)}, Posts: []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"a3"}, ClusterID: a}}})
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

func testCommitWithoutFeedStateOrPosts(t *testing.T, db NewDB) {
	s := fresh(t, db)
	unposted := Record("lookup-only", "")
	unposted.SeenAt = time.Time{}
	got := Commit(t, s, store.Batch{Records: []store.Record{unposted}})
	if !slices.Equal(got.Inserted, []string{"lookup-only"}) || len(got.Queued) != 0 {
		t.Errorf("Commit = %+v, want the item stored and nothing queued", got)
	}
	records, err := s.Records(t.Context(), []string{"lookup-only"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if !records[0].SeenAt.Equal(T0) {
		t.Errorf("SeenAt = %v, want the store clock's %v for an unset SeenAt", records[0].SeenAt, T0)
	}
	if states := feedStates(t, s); len(states) != 0 {
		t.Errorf("feed states = %v, want none for an empty State.URL", states)
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, store.ErrNoWork) {
		t.Errorf("OutboxHead err = %v, want ErrNoWork", err)
	}
}

func testRestartDoesNotReprocess(t *testing.T, db NewDB) {
	open := db(t)
	items := []store.Record{Record("a", "https://wire.example/a", "X"), Record("b", "")}
	s := open(t, clock(T0))
	Commit(t, s, store.Batch{State: FeedState("https://wire.example/feed"), Records: items, Posts: []store.Post{Post("a")}})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, clock(T0))
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
	if got := Commit(t, s, store.Batch{Records: items, Posts: []store.Post{Post("a")}}); len(got.Inserted)+len(got.Queued) != 0 {
		t.Errorf("recommitting after restart = %+v, want nothing stored or queued", got)
	}
}

func testUnseen(t *testing.T, db NewDB) {
	s := fresh(t, db)
	Commit(t, s, store.Batch{Records: []store.Record{Record("a", "https://wire.example/a"), Record("b", "")}})
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

func testRecordsMissing(t *testing.T, db NewDB) {
	s := fresh(t, db)
	Commit(t, s, store.Batch{Records: []store.Record{Record("a", "")}})
	if _, err := s.Records(t.Context(), []string{"a", "missing"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Records with a missing id: err = %v, want ErrNotFound", err)
	}
	got, err := s.Records(t.Context(), []string{"a", "a"})
	if err != nil || len(got) != 2 {
		t.Errorf("Records of a repeated id = %d records, %v; want 2", len(got), err)
	}
}

func testFeedStatesRoundTrip(t *testing.T, db NewDB) {
	failing := feeds.State{
		URL:          "https://down.example/feed",
		NextPoll:     T0.Add(30 * time.Minute),
		LastPoll:     T0,
		Failures:     3,
		ErrorClass:   feeds.ClassHTTP5xx,
		LastError:    "503 Service Unavailable",
		FailingSince: T0.Add(-2 * time.Hour),
	}
	tests := []struct {
		name  string
		saves []feeds.State
		want  map[string]feeds.State
	}{
		{"none", nil, map[string]feeds.State{}},
		{"healthy and failing", []feeds.State{FeedState("https://wire.example/feed"), failing},
			map[string]feeds.State{"https://wire.example/feed": FeedState("https://wire.example/feed"), failing.URL: failing}},
		{"a later save replaces", []feeds.State{failing, FeedState(failing.URL)},
			map[string]feeds.State{failing.URL: FeedState(failing.URL)}},
		{"never polled", []feeds.State{{URL: "https://new.example/feed"}},
			map[string]feeds.State{"https://new.example/feed": {URL: "https://new.example/feed"}}},
		{"times kept to the millisecond", []feeds.State{{URL: "u", NextPoll: T0.Add(1234567 * time.Nanosecond)}},
			map[string]feeds.State{"u": {URL: "u", NextPoll: T0.Add(time.Millisecond)}}},
		{"a pace learned, then one with no recent item", []feeds.State{FeedState("q"), {URL: "q", Interval: time.Hour, RecentSince: T0.Add(-7 * 24 * time.Hour)}},
			map[string]feeds.State{"q": {URL: "q", Interval: time.Hour, RecentSince: T0.Add(-7 * 24 * time.Hour)}}},
		{"durations kept to the millisecond", []feeds.State{{URL: "d", Interval: 1500 * time.Microsecond, TTL: time.Hour + time.Nanosecond}},
			map[string]feeds.State{"d": {URL: "d", Interval: time.Millisecond, TTL: time.Hour}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := fresh(t, db)
			for _, st := range tc.saves {
				Commit(t, s, store.Batch{State: st})
			}
			got, err := s.FeedStates(t.Context())
			if err != nil {
				t.Fatalf("FeedStates: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FeedStates = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func testConcurrentReadersWhileWriting(t *testing.T, db NewDB) {
	s := fresh(t, db)
	const batches, size, readers = 40, 10, 4
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		defer done.Store(true)
		for n := range batches {
			if _, err := s.Commit(t.Context(), Batch(n, size)); err != nil {
				t.Errorf("Commit %d: %v", n, err)
				return
			}
		}
	})
	first := Batch(0, size)
	var probe []feeds.Item
	for _, r := range first.Records {
		probe = append(probe, r.Item)
	}
	for range readers {
		wg.Go(func() {
			last := 0
			for !done.Load() {
				st, err := s.OutboxStats(t.Context())
				if err != nil {
					t.Errorf("OutboxStats: %v", err)
					return
				}
				n := st.Pending
				if n < last || n%size != 0 {
					t.Errorf("pending = %d after %d: a reader saw a partial or vanished batch", n, last)
				}
				last = n
				unseen, err := s.Unseen(t.Context(), probe)
				if err != nil {
					t.Errorf("Unseen: %v", err)
					return
				}
				if n > 0 && len(unseen) != 0 {
					t.Errorf("Unseen of the first batch = %d items once %d are stored, want 0", len(unseen), n)
				}
			}
		})
	}
	wg.Wait()
	st, err := s.OutboxStats(t.Context())
	if err != nil || st.Pending != batches*size {
		t.Errorf("pending = %d, %v; want %d", st.Pending, err, batches*size)
	}
}
