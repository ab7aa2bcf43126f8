package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"storyline/store"
)

// queueThree commits items a, b, c, each with its own post, and returns
// the outbox ids.
func queueThree(t *testing.T, s store.Store) []int64 {
	t.Helper()
	c := Commit(t, s, store.Batch{
		Records: []store.Record{Record("a", ""), Record("b", ""), Record("c", "")},
		Posts:   []store.Post{Post("a"), Post("b"), Post("c")},
	})
	if len(c.Queued) != 3 {
		t.Fatalf("Queued = %v, want 3 entries", c.Queued)
	}
	return c.Queued
}

// head returns the id of the outbox head, or the error.
func head(t *testing.T, s store.Store) string {
	t.Helper()
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(e.ID)
}

// testOutboxHeadOrder checks that the head is the oldest pending entry,
// whether or not it is due: a retry keeps its place, so the poster waits
// for it instead of sending a later post first.
func testOutboxHeadOrder(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ids := queueThree(t, s)
	id := func(i int) string { return fmt.Sprint(ids[i]) }
	later := T0.Add(time.Hour)
	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"oldest first", func() error { return nil }, id(0)},
		{"a retry keeps its place", func() error { return s.MarkRetry(t.Context(), ids[0], later, "429 rate limited") }, id(0)},
		{"sent leaves", func() error { return s.MarkSent(t.Context(), ids[0], "ch", "m1", later) }, id(1)},
		{"failed leaves", func() error { return s.MarkFailed(t.Context(), ids[1], 403, "Missing Access", later) }, id(2)},
		{"nothing pending", func() error { return s.MarkSent(t.Context(), ids[2], "ch", "m3", later) }, store.ErrNoWork.Error()},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := head(t, s); got != step.want {
			t.Errorf("%s: OutboxHead = %s, want %s", step.name, got, step.want)
		}
	}
}

func testMarkRetryCountsAttempts(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ids := queueThree(t, s)
	for i, reason := range []string{"timeout", "502 Bad Gateway"} {
		if err := s.MarkRetry(t.Context(), ids[0], T0, reason); err != nil {
			t.Fatalf("MarkRetry: %v", err)
		}
		e, err := s.OutboxHead(t.Context())
		if err != nil {
			t.Fatalf("OutboxHead: %v", err)
		}
		if e.ID != ids[0] || e.Attempts != i+1 || e.LastError != reason || e.Status != store.StatusPending {
			t.Errorf("after retry %d: entry = %+v, want id %d, %d attempts, last error %q, pending",
				i+1, e, ids[0], i+1, reason)
		}
	}
}

func testMarkSentRecordsTheMessage(t *testing.T, db NewDB) {
	s := fresh(t, db)
	c := Commit(t, s, store.Batch{
		Records: []store.Record{Record("a", ""), Record("b", ""), Record("c", "")},
		Posts:   []store.Post{Post("a"), {Kind: store.KindDigest, ItemIDs: []string{"b", "c"}}},
	})
	first, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	cluster := first.ClusterID
	reply := Commit(t, s, store.Batch{
		Records: []store.Record{Record("r", "")},
		Posts:   []store.Post{{Kind: store.KindReply, ItemIDs: []string{"r"}, ClusterID: cluster}},
	})
	for _, sent := range []struct {
		id  int64
		msg string
	}{{c.Queued[0], "m-post"}, {c.Queued[1], "m-digest"}, {reply.Queued[0], "m-reply"}} {
		if err := s.MarkSent(t.Context(), sent.id, "ch", sent.msg, T0); err != nil {
			t.Fatalf("MarkSent %d: %v", sent.id, err)
		}
	}

	records, err := s.Records(t.Context(), []string{"a", "b", "c", "r"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	want := []string{"ch/m-post", "ch/m-digest", "ch/m-digest", "/"} // a reply's item keeps no message
	for i, r := range records {
		if got := r.ChannelID + "/" + r.MessageID; got != want[i] {
			t.Errorf("item %s message = %q, want %q", r.Item.ID, got, want[i])
		}
	}
	cl, err := s.Cluster(t.Context(), cluster)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.ChannelID != "ch" || cl.MessageID != "m-post" {
		t.Errorf("cluster message = %s/%s, want ch/m-post (the reply does not replace it)", cl.ChannelID, cl.MessageID)
	}
	// The reply's entry is sent as m-reply, which carries its item.
	p, err := s.MessageItems(t.Context(), "m-reply")
	if err != nil || len(p.Records) != 1 || p.Records[0].Item.ID != "r" {
		t.Errorf("MessageItems(m-reply) = %+v, %v; want item r", p, err)
	}
	if st := outboxStats(t, s); st.Pending != 0 || !st.LastSentAt.Equal(T0) {
		t.Errorf("stats = %+v, want nothing pending, last sent at t0", st)
	}
}

func testMarkUnknownEntry(t *testing.T, db NewDB) {
	s := fresh(t, db)
	queueThree(t, s)
	const missing = 999
	for name, mark := range map[string]func() error{
		"MarkSent":  func() error { return s.MarkSent(t.Context(), missing, "ch", "m", T0) },
		"MarkRetry": func() error { return s.MarkRetry(t.Context(), missing, T0, "x") },
		"MarkFailed": func() error {
			return s.MarkFailed(t.Context(), missing, 403, "Missing Access", T0)
		},
	} {
		if err := mark(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a missing entry: err = %v, want ErrNotFound", name, err)
		}
	}
}

func testFailedEntriesStayVisibleUntilRetried(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ids := queueThree(t, s)
	stats := func() store.OutboxStats {
		t.Helper()
		st, err := s.OutboxStats(t.Context())
		if err != nil {
			t.Fatalf("OutboxStats: %v", err)
		}
		return st
	}
	if got, want := stats(), (store.OutboxStats{Pending: 3}); got != want {
		t.Errorf("fresh stats = %+v, want %+v", got, want)
	}

	steps := []error{
		s.MarkFailed(t.Context(), ids[1], 400, "Invalid Form Body", T0.Add(2*time.Minute)),
		s.MarkFailed(t.Context(), ids[0], 403, "Missing Access", T0.Add(time.Minute)),
		s.MarkSent(t.Context(), ids[2], "ch", "m", T0.Add(3*time.Minute)),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	want := store.OutboxStats{Failed: 2, LastFailure: "Invalid Form Body", LastFailureCode: 400,
		LastFailureAt: T0.Add(2 * time.Minute), LastSentAt: T0.Add(3 * time.Minute)}
	if got := stats(); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	if got := head(t, s); got != store.ErrNoWork.Error() {
		t.Errorf("OutboxHead with only failed entries = %s, want ErrNoWork", got)
	}

	retryAt := T0.Add(10 * time.Minute)
	n, err := s.RetryFailed(t.Context(), retryAt)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2", n, err)
	}
	if got, want := stats(), (store.OutboxStats{Pending: 2, LastSentAt: T0.Add(3 * time.Minute)}); got != want {
		t.Errorf("stats after retry = %+v, want %+v", got, want)
	}
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	wantEntry := store.OutboxEntry{ID: ids[0], Kind: store.KindPost, ItemIDs: []string{"a"}, ClusterID: e.ClusterID,
		Status: store.StatusPending, NextAttempt: retryAt, CreatedAt: T0, LastError: "Missing Access"}
	if !reflect.DeepEqual(e, wantEntry) {
		t.Errorf("retried entry = %+v, want %+v (attempts reset, last error kept)", e, wantEntry)
	}
	if n, err := s.RetryFailed(t.Context(), retryAt); err != nil || n != 0 {
		t.Errorf("second RetryFailed = %d, %v; want 0", n, err)
	}
}

func testMarkReposted(t *testing.T, db NewDB) {
	s := fresh(t, db)
	first := Commit(t, s, store.Batch{Records: []store.Record{Record("lead", "")}, Posts: []store.Post{Post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	cluster := e.ClusterID
	if err := s.MarkSent(t.Context(), first.Queued[0], "ch", "m-old", T0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetClusterMessage(t.Context(), cluster, "ch", "m-old", "m-old"); err != nil {
		t.Fatal(err)
	}
	edit := Commit(t, s, store.Batch{
		Records: []store.Record{Record("later", "")},
		Posts:   []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"later"}, ClusterID: cluster}},
	})
	if err := s.MarkReposted(t.Context(), edit.Queued[0], cluster, "ch2", "m-new", T0); err != nil {
		t.Fatalf("MarkReposted: %v", err)
	}
	cl, err := s.Cluster(t.Context(), cluster)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.ChannelID != "ch2" || cl.MessageID != "m-new" || cl.ThreadID != "" {
		t.Errorf("cluster = %s/%s thread %q, want ch2/m-new and no thread", cl.ChannelID, cl.MessageID, cl.ThreadID)
	}
	records, err := s.Records(t.Context(), []string{"lead", "later"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	for _, r := range records {
		if r.ChannelID != "ch2" || r.MessageID != "m-new" {
			t.Errorf("item %s carries %s/%s, want ch2/m-new", r.Item.ID, r.ChannelID, r.MessageID)
		}
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, store.ErrNoWork) {
		t.Errorf("OutboxHead after repost = %v, want ErrNoWork (the edit is sent)", err)
	}
	st, err := s.OutboxStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 0 || !st.LastSentAt.Equal(T0) {
		t.Errorf("stats = %+v, want nothing pending and last sent at t0", st)
	}
}

func testMarkRepostedWrongCluster(t *testing.T, db NewDB) {
	s := fresh(t, db)
	c := Commit(t, s, store.Batch{Records: []store.Record{Record("lead", "")}, Posts: []store.Post{Post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"unknown entry":   func() error { return s.MarkReposted(t.Context(), 999, e.ClusterID, "ch", "m", T0) },
		"another cluster": func() error { return s.MarkReposted(t.Context(), c.Queued[0], e.ClusterID+1, "ch", "m", T0) },
	} {
		if err := call(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: MarkReposted = %v, want ErrNotFound", name, err)
		}
	}
	cl, err := s.Cluster(t.Context(), e.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	if cl.MessageID != "" {
		t.Errorf("a refused MarkReposted changed the cluster: %+v", cl)
	}
}

// seenAt is record id seen at t.
func seenAt(id string, t time.Time) store.Record {
	r := Record(id, "")
	r.SeenAt = t
	return r
}

func testClusterItemsInSeenOrder(t *testing.T, db NewDB) {
	s := fresh(t, db)
	Commit(t, s, store.Batch{Records: []store.Record{seenAt("lead", T0)}, Posts: []store.Post{Post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	Commit(t, s, store.Batch{
		Records: []store.Record{seenAt("late", T0.Add(2*time.Minute)), seenAt("early", T0.Add(time.Minute))},
		Posts:   []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"late", "early"}, ClusterID: e.ClusterID}},
	})
	cl, err := s.Cluster(t.Context(), e.ClusterID)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if want := []string{"lead", "early", "late"}; !slices.Equal(cl.ItemIDs, want) {
		t.Errorf("cluster items = %v, want %v", cl.ItemIDs, want)
	}
	records, err := s.Records(t.Context(), cl.ItemIDs)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	for _, r := range records {
		if r.ClusterID != e.ClusterID {
			t.Errorf("item %s in cluster %d, want %d", r.Item.ID, r.ClusterID, e.ClusterID)
		}
	}
}

func testClusterMessage(t *testing.T, db NewDB) {
	s := fresh(t, db)
	c := Commit(t, s, store.Batch{
		Records: []store.Record{Record("lead", "")},
		Posts:   []store.Post{Post("lead")},
	})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	id := e.ClusterID
	if err := errors.Join(
		s.MarkSent(t.Context(), c.Queued[0], "ch", "m-lead", T0),
		s.SetClusterMessage(t.Context(), id, "ch", "m-lead", "thread-1"),
	); err != nil {
		t.Fatal(err)
	}
	cl, err := s.Cluster(t.Context(), id)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.ChannelID != "ch" || cl.MessageID != "m-lead" || cl.ThreadID != "thread-1" {
		t.Errorf("cluster = %+v, want ch/m-lead in thread-1", cl)
	}
}

func testClusterNotFound(t *testing.T, db NewDB) {
	s := fresh(t, db)
	for name, call := range map[string]func() error{
		"Cluster": func() error {
			_, err := s.Cluster(t.Context(), 42)
			return err
		},
		"SetClusterMessage": func() error { return s.SetClusterMessage(t.Context(), 42, "ch", "m", "") },
	} {
		if err := call(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a missing cluster: err = %v, want ErrNotFound", name, err)
		}
	}
}
