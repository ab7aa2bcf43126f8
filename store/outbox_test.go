package store

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// queueThree commits items a, b, c, each with its own post, and returns
// the outbox ids.
func queueThree(t *testing.T, s *Store) []int64 {
	t.Helper()
	c := commit(t, s, Batch{
		Records: []Record{record("a", ""), record("b", ""), record("c", "")},
		Posts:   []Post{post("a"), post("b"), post("c")},
	})
	if len(c.Queued) != 3 {
		t.Fatalf("Queued = %v, want 3 entries", c.Queued)
	}
	return c.Queued
}

// head returns the id of the outbox head, or the error.
func head(t *testing.T, s *Store) string {
	t.Helper()
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(e.ID)
}

// TestOutboxHeadOrder checks that the head is the oldest pending entry,
// whether or not it is due: a retry keeps its place, so the poster waits
// for it instead of sending a later post first.
func TestOutboxHeadOrder(t *testing.T) {
	s := openTest(t)
	ids := queueThree(t, s)
	id := func(i int) string { return fmt.Sprint(ids[i]) }
	later := t0.Add(time.Hour)
	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"oldest first", func() error { return nil }, id(0)},
		{"a retry keeps its place", func() error { return s.MarkRetry(t.Context(), ids[0], later, "429 rate limited") }, id(0)},
		{"sent leaves", func() error { return s.MarkSent(t.Context(), ids[0], "ch", "m1", later) }, id(1)},
		{"failed leaves", func() error { return s.MarkFailed(t.Context(), ids[1], 403, "Missing Access", later) }, id(2)},
		{"nothing pending", func() error { return s.MarkSent(t.Context(), ids[2], "ch", "m3", later) }, ErrNoWork.Error()},
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

func TestMarkRetryCountsAttempts(t *testing.T) {
	s := openTest(t)
	ids := queueThree(t, s)
	for i, reason := range []string{"timeout", "502 Bad Gateway"} {
		if err := s.MarkRetry(t.Context(), ids[0], t0, reason); err != nil {
			t.Fatalf("MarkRetry: %v", err)
		}
		e, err := s.OutboxHead(t.Context())
		if err != nil {
			t.Fatalf("OutboxHead: %v", err)
		}
		if e.ID != ids[0] || e.Attempts != i+1 || e.LastError != reason || e.Status != StatusPending {
			t.Errorf("after retry %d: entry = %+v, want id %d, %d attempts, last error %q, pending",
				i+1, e, ids[0], i+1, reason)
		}
	}
}

func TestMarkSentRecordsTheMessage(t *testing.T) {
	s := openTest(t)
	c := commit(t, s, Batch{
		Records: []Record{record("a", ""), record("b", ""), record("c", "")},
		Posts:   []Post{post("a"), {Kind: KindDigest, ItemIDs: []string{"b", "c"}}},
	})
	first, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	cluster := first.ClusterID
	reply := commit(t, s, Batch{
		Records: []Record{record("r", "")},
		Posts:   []Post{{Kind: KindReply, ItemIDs: []string{"r"}, ClusterID: cluster}},
	})
	for _, sent := range []struct {
		id  int64
		msg string
	}{{c.Queued[0], "m-post"}, {c.Queued[1], "m-digest"}, {reply.Queued[0], "m-reply"}} {
		if err := s.MarkSent(t.Context(), sent.id, "ch", sent.msg, t0); err != nil {
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
	var channel, message, status string
	if err := s.reader.QueryRowContext(t.Context(), `SELECT channel_id, message_id, status FROM outbox WHERE id = ?`,
		reply.Queued[0]).Scan(&channel, &message, &status); err != nil {
		t.Fatal(err)
	}
	if channel != "ch" || message != "m-reply" || status != StatusSent {
		t.Errorf("reply entry = %s/%s %s, want ch/m-reply sent", channel, message, status)
	}
}

func TestMarkUnknownEntry(t *testing.T) {
	s := openTest(t)
	queueThree(t, s)
	const missing = 999
	for name, mark := range map[string]func() error{
		"MarkSent":  func() error { return s.MarkSent(t.Context(), missing, "ch", "m", t0) },
		"MarkRetry": func() error { return s.MarkRetry(t.Context(), missing, t0, "x") },
		"MarkFailed": func() error {
			return s.MarkFailed(t.Context(), missing, 403, "Missing Access", t0)
		},
	} {
		if err := mark(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a missing entry: err = %v, want ErrNotFound", name, err)
		}
	}
}

func TestFailedEntriesStayVisibleUntilRetried(t *testing.T) {
	s := openTest(t)
	ids := queueThree(t, s)
	stats := func() OutboxStats {
		t.Helper()
		st, err := s.OutboxStats(t.Context())
		if err != nil {
			t.Fatalf("OutboxStats: %v", err)
		}
		return st
	}
	if got, want := stats(), (OutboxStats{Pending: 3}); got != want {
		t.Errorf("fresh stats = %+v, want %+v", got, want)
	}

	steps := []error{
		s.MarkFailed(t.Context(), ids[1], 400, "Invalid Form Body", t0.Add(2*time.Minute)),
		s.MarkFailed(t.Context(), ids[0], 403, "Missing Access", t0.Add(time.Minute)),
		s.MarkSent(t.Context(), ids[2], "ch", "m", t0.Add(3*time.Minute)),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	want := OutboxStats{Failed: 2, LastFailure: "Invalid Form Body", LastFailureCode: 400,
		LastFailureAt: t0.Add(2 * time.Minute), LastSentAt: t0.Add(3 * time.Minute)}
	if got := stats(); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	if got := head(t, s); got != ErrNoWork.Error() {
		t.Errorf("OutboxHead with only failed entries = %s, want ErrNoWork", got)
	}

	retryAt := t0.Add(10 * time.Minute)
	n, err := s.RetryFailed(t.Context(), retryAt)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2", n, err)
	}
	if got, want := stats(), (OutboxStats{Pending: 2, LastSentAt: t0.Add(3 * time.Minute)}); got != want {
		t.Errorf("stats after retry = %+v, want %+v", got, want)
	}
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	wantEntry := OutboxEntry{ID: ids[0], Kind: KindPost, ItemIDs: []string{"a"}, ClusterID: e.ClusterID,
		Status: StatusPending, NextAttempt: retryAt, CreatedAt: t0, LastError: "Missing Access"}
	if !reflect.DeepEqual(e, wantEntry) {
		t.Errorf("retried entry = %+v, want %+v (attempts reset, last error kept)", e, wantEntry)
	}
	if n, err := s.RetryFailed(t.Context(), retryAt); err != nil || n != 0 {
		t.Errorf("second RetryFailed = %d, %v; want 0", n, err)
	}
}
