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

// next returns the id of the entry NextOutbox gives at now, or the error.
func next(t *testing.T, s *Store, now time.Time) string {
	t.Helper()
	e, err := s.NextOutbox(t.Context(), now)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(e.ID)
}

func TestNextOutboxOrderAndDueTime(t *testing.T) {
	s := openTest(t)
	ids := queueThree(t, s)
	id := func(i int) string { return fmt.Sprint(ids[i]) }
	later := t0.Add(time.Minute)
	steps := []struct {
		name string
		do   func() error
		// at is the time NextOutbox is asked at; want its answer.
		at       time.Time
		want     string
		wantNext time.Time // zero: nothing pending
	}{
		{"oldest first", func() error { return nil }, t0, id(0), t0},
		{"not yet due", func() error { return nil }, t0.Add(-time.Second), ErrNoWork.Error(), t0},
		{"a retry waits its turn", func() error { return s.MarkRetry(t.Context(), ids[0], later, "429 rate limited") },
			t0, id(1), t0},
		{"sent leaves", func() error { return s.MarkSent(t.Context(), ids[1], "ch", "m2", t0) }, t0, id(2), t0},
		{"all sent but the retry", func() error { return s.MarkSent(t.Context(), ids[2], "ch", "m3", t0) },
			t0, ErrNoWork.Error(), later},
		{"the retry is due", func() error { return nil }, later, id(0), later},
		{"nothing pending", func() error { return s.MarkSent(t.Context(), ids[0], "ch", "m1", later) },
			later.Add(time.Hour), ErrNoWork.Error(), time.Time{}},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := next(t, s, step.at); got != step.want {
			t.Errorf("%s: NextOutbox = %s, want %s", step.name, got, step.want)
		}
		at, ok, err := s.NextAttemptAt(t.Context())
		if err != nil {
			t.Fatalf("%s: NextAttemptAt: %v", step.name, err)
		}
		if ok != !step.wantNext.IsZero() || !at.Equal(step.wantNext) {
			t.Errorf("%s: NextAttemptAt = %v, %v; want %v", step.name, at, ok, step.wantNext)
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
		e, err := s.NextOutbox(t.Context(), t0)
		if err != nil {
			t.Fatalf("NextOutbox: %v", err)
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
	first, err := s.NextOutbox(t.Context(), t0)
	if err != nil {
		t.Fatalf("NextOutbox: %v", err)
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
	if got := next(t, s, t0.Add(time.Hour)); got != ErrNoWork.Error() {
		t.Errorf("NextOutbox with only failed entries = %s, want ErrNoWork", got)
	}

	retryAt := t0.Add(10 * time.Minute)
	n, err := s.RetryFailed(t.Context(), retryAt)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2", n, err)
	}
	if got, want := stats(), (OutboxStats{Pending: 2, LastSentAt: t0.Add(3 * time.Minute)}); got != want {
		t.Errorf("stats after retry = %+v, want %+v", got, want)
	}
	if got := next(t, s, retryAt.Add(-time.Millisecond)); got != ErrNoWork.Error() {
		t.Errorf("NextOutbox before the retry time = %s, want ErrNoWork", got)
	}
	e, err := s.NextOutbox(t.Context(), retryAt)
	if err != nil {
		t.Fatalf("NextOutbox: %v", err)
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
