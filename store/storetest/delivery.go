package storetest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"storyline/store"
)

// storeIDForm is what StoreID returns: ten lowercase hexadecimal digits.
var storeIDForm = regexp.MustCompile(`^[0-9a-f]{10}$`)

// testStoreIDIsStableAndUnique checks that a database keeps its identity
// across opens and that another database has another one, so that nonces
// made from it never repeat across stores.
func testStoreIDIsStableAndUnique(t *testing.T, db NewDB) {
	open := db(t)
	first := open(t, clock(T0))
	id, err := first.StoreID(t.Context())
	if err != nil {
		t.Fatalf("StoreID: %v", err)
	}
	if !storeIDForm.MatchString(id) {
		t.Errorf("StoreID = %q, want ten lowercase hex digits", id)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again := open(t, clock(T0))
	defer again.Close()
	if id2, err := again.StoreID(t.Context()); err != nil || id2 != id {
		t.Errorf("StoreID after reopening = %q, %v; want %q", id2, err, id)
	}
	other := fresh(t, db)
	if id3, err := other.StoreID(t.Context()); err != nil || id3 == id {
		t.Errorf("StoreID of another database = %q, %v; want one other than %q", id3, err, id)
	}
}

// editsOfOneCluster queues a post of "lead" and three edits of its cluster
// (in separate commits, as joins arrive) and returns the post's entry, the
// edits' ids and the cluster.
func editsOfOneCluster(t *testing.T, s store.Store) (int64, []int64, int64) {
	t.Helper()
	post := Commit(t, s, store.Batch{Records: []store.Record{Record("lead", "")}, Posts: []store.Post{Post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	var edits []int64
	for _, id := range []string{"j1", "j2", "j3"} {
		c := Commit(t, s, store.Batch{
			Records: []store.Record{Record(id, "")},
			Posts:   []store.Post{{Kind: store.KindEdit, ItemIDs: []string{id}, ClusterID: e.ClusterID}},
		})
		edits = append(edits, c.Queued...)
	}
	return post.Queued[0], edits, e.ClusterID
}

// entryIDs returns the ids of entries.
func entryIDs(entries []store.OutboxEntry) []int64 {
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	return ids
}

// testEditsGoBesideTheHead checks that edits are not the head (a post
// never waits behind an edit) and are listed apart, oldest first, until
// MarkEditsSent delivers those up to an id.
func testEditsGoBesideTheHead(t *testing.T, db NewDB) {
	s := fresh(t, db)
	post, edits, cluster := editsOfOneCluster(t, s)
	if err := s.MarkSent(t.Context(), post, "ch", "m-lead", T0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, store.ErrNoWork) {
		t.Errorf("OutboxHead with only edits pending = %v, want ErrNoWork", err)
	}
	later := Commit(t, s, store.Batch{Records: []store.Record{Record("next", "")}, Posts: []store.Post{Post("next")}})
	if got := head(t, s); got != fmt.Sprint(later.Queued[0]) {
		t.Errorf("OutboxHead = %s, want the later post %d ahead of the older edits", got, later.Queued[0])
	}
	pending, err := s.OutboxEdits(t.Context())
	if err != nil {
		t.Fatalf("OutboxEdits: %v", err)
	}
	if got := entryIDs(pending); !slices.Equal(got, edits) {
		t.Fatalf("OutboxEdits = %v, want %v", got, edits)
	}
	for _, e := range pending {
		if e.Kind != store.KindEdit || e.ClusterID != cluster || e.Status != store.StatusPending {
			t.Errorf("edit entry = %+v, want a pending edit of cluster %d", e, cluster)
		}
	}

	if err := s.MarkEditsSent(t.Context(), cluster, edits[1], "ch", "m-lead", T0.Add(time.Minute)); err != nil {
		t.Fatalf("MarkEditsSent: %v", err)
	}
	pending, err = s.OutboxEdits(t.Context())
	if err != nil {
		t.Fatalf("OutboxEdits: %v", err)
	}
	if got := entryIDs(pending); !slices.Equal(got, edits[2:]) {
		t.Errorf("OutboxEdits after delivering up to %d = %v, want %v", edits[1], got, edits[2:])
	}
	if st := outboxStats(t, s); st.Pending != 2 || !st.LastSentAt.Equal(T0.Add(time.Minute)) {
		t.Errorf("stats = %+v, want the later post and one edit pending, last sent at t0+1m", st)
	}
	if err := s.MarkEditsSent(t.Context(), cluster+1, edits[2], "ch", "m", T0); err != nil {
		t.Errorf("MarkEditsSent of a cluster without edits: %v", err)
	}
	if pending, _ := s.OutboxEdits(t.Context()); len(pending) != 1 {
		t.Errorf("MarkEditsSent of another cluster delivered this one's edits: %v", entryIDs(pending))
	}
}

// testMarkInFlightKeepsTheFirstTime checks that an entry remembers when it
// was first sent, which is what decides whether a resend can still count
// on Discord's nonce.
func testMarkInFlightKeepsTheFirstTime(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ids := queueThree(t, s)
	first, second := T0.Add(time.Minute), T0.Add(5*time.Minute)
	for _, at := range []time.Time{first, second} {
		if err := s.MarkInFlight(t.Context(), ids[0], at); err != nil {
			t.Fatalf("MarkInFlight: %v", err)
		}
	}
	if err := s.MarkRetry(t.Context(), ids[0], T0.Add(10*time.Minute), "502 Bad Gateway"); err != nil {
		t.Fatal(err)
	}
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	if e.ID != ids[0] || !e.InFlightAt.Equal(first) {
		t.Errorf("head = entry %d in flight since %v, want entry %d since %v", e.ID, e.InFlightAt, ids[0], first)
	}
	if err := s.MarkInFlight(t.Context(), 999, T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkInFlight of a missing entry = %v, want ErrNotFound", err)
	}
	_, edits, _ := editsOfOneCluster(t, s)
	if err := s.MarkInFlight(t.Context(), edits[0], first); err != nil {
		t.Fatal(err)
	}
	pending, err := s.OutboxEdits(t.Context())
	if err != nil || len(pending) == 0 || !pending[0].InFlightAt.Equal(first) || !pending[1].InFlightAt.IsZero() {
		t.Errorf("OutboxEdits = %+v, %v; want the first edit in flight since %v, the others not", pending, err, first)
	}
}

// testRetryFailedMakesWaitingEntriesDue checks that `outbox retry` also
// makes entries waiting for a later attempt (a backoff, a paused channel)
// due at once, their attempts reset.
func testRetryFailedMakesWaitingEntriesDue(t *testing.T, db NewDB) {
	s := fresh(t, db)
	ids := queueThree(t, s)
	steps := []error{
		s.MarkRetry(t.Context(), ids[0], T0.Add(time.Hour), "Missing Permissions"),
		s.MarkRetry(t.Context(), ids[0], T0.Add(2*time.Hour), "Missing Permissions"),
		s.MarkFailed(t.Context(), ids[1], 400, "Invalid Form Body", T0),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	now := T0.Add(time.Minute)
	n, err := s.RetryFailed(t.Context(), now)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2 (one failed, one waiting; the third is due already)", n, err)
	}
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	if e.ID != ids[0] || !e.NextAttempt.Equal(now) || e.Attempts != 0 || e.LastError != "Missing Permissions" {
		t.Errorf("head = %+v, want entry %d due at %v, no attempts, last error kept", e, ids[0], now)
	}
	if st := outboxStats(t, s); st.Pending != 3 || st.Failed != 0 {
		t.Errorf("stats = %+v, want 3 pending", st)
	}
}
