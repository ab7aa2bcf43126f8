package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"storyline/store"
)

// RunFleet runs the conformance suite of store.Fleet, for the stores that
// implement it: each test in parallel, on its own database, with two
// stores on it standing for two instances.
func RunFleet(t *testing.T, db NewDB) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, store.Fleet, store.Fleet)
	}{
		{"LeaderLease", testLeaderLease},
		{"Instances", testInstances},
		{"ClaimFeed", testClaimFeed},
		{"ClusteringLock", testClusteringLock},
		{"SignaturesSince", testSignaturesSince},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			open := db(t)
			a, b := fleetOf(t, open), fleetOf(t, open)
			tc.test(t, a, b)
		})
	}
}

// fleetOf opens a store and returns it as a Fleet, closed at the end of the
// test.
func fleetOf(t *testing.T, open Open) store.Fleet {
	t.Helper()
	s := open(t, clock(T0))
	t.Cleanup(func() { _ = s.Close() })
	f, ok := s.(store.Fleet)
	if !ok {
		t.Fatalf("%T is not a store.Fleet", s)
	}
	return f
}

// lead calls Lead and fails the test on error.
func lead(t *testing.T, f store.Fleet, id string, ttl time.Duration) bool {
	t.Helper()
	ok, err := f.Lead(t.Context(), id, ttl)
	if err != nil {
		t.Fatalf("Lead(%s): %v", id, err)
	}
	return ok
}

func testLeaderLease(t *testing.T, a, b store.Fleet) {
	if !lead(t, a, "a", time.Minute) {
		t.Fatal("a cannot take a free lease")
	}
	if lead(t, b, "b", time.Minute) {
		t.Fatal("b took a's running lease")
	}
	if !lead(t, a, "a", time.Minute) {
		t.Fatal("a cannot renew its lease")
	}
	if err := b.Resign(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	if lead(t, b, "b", time.Minute) {
		t.Fatal("b's resignation ended a's lease")
	}
	if err := a.Resign(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	if !lead(t, b, "b", time.Minute) {
		t.Fatal("b cannot take the lease a resigned")
	}
	// A lease that ran out (renewed for no time) is free for the next.
	if !lead(t, b, "b", 0) || !lead(t, a, "a", time.Minute) {
		t.Fatal("a cannot take b's expired lease")
	}
	if lead(t, b, "b", time.Minute) {
		t.Fatal("b took the lease back")
	}
}

func testInstances(t *testing.T, a, b store.Fleet) {
	started := T0.Add(-time.Hour)
	ia := store.Instance{ID: "host-a-1-x", Host: "host-a", PID: 1, Version: "v1", Started: started}
	ib := store.Instance{ID: "host-b-2-y", Host: "host-b", PID: 2, Version: "v2", Started: started.Add(time.Minute)}
	before := time.Now()
	for _, hb := range []struct {
		f  store.Fleet
		in store.Instance
	}{{a, ia}, {b, ib}, {a, ia}} {
		if err := hb.f.Heartbeat(t.Context(), hb.in); err != nil {
			t.Fatal(err)
		}
	}
	lead(t, b, ib.ID, time.Minute)
	list, err := a.Instances(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != ia.ID || list[1].ID != ib.ID {
		t.Fatalf("Instances = %+v, want a then b", list)
	}
	if list[0].Leader || !list[1].Leader {
		t.Errorf("leaders = %v, %v; want b only", list[0].Leader, list[1].Leader)
	}
	got := list[1]
	if got.Host != "host-b" || got.PID != 2 || got.Version != "v2" || !got.Started.Equal(ib.Started) {
		t.Errorf("instance b = %+v", got)
	}
	// The heartbeat is the store's clock, not the test's T0: it is now,
	// give or take the clocks' disagreement.
	if d := got.Heartbeat.Sub(before); d < -time.Minute || d > time.Minute {
		t.Errorf("heartbeat %v, want about %v", got.Heartbeat, before)
	}
}

func testClaimFeed(t *testing.T, a, b store.Fleet) {
	const url = "https://wire.example/feed"
	claim := func(f store.Fleet, id string, now time.Time, ttl time.Duration) bool {
		t.Helper()
		_, ok, err := f.ClaimFeed(t.Context(), url, id, now, ttl)
		if err != nil {
			t.Fatalf("ClaimFeed(%s): %v", id, err)
		}
		return ok
	}
	if !claim(a, "a", T0, time.Minute) {
		t.Fatal("a cannot claim a feed never polled")
	}
	if claim(b, "b", T0, time.Minute) {
		t.Fatal("b claimed the feed a is polling")
	}
	// a stores the poll's outcome, then releases the feed: b sees it is
	// not due.
	st := FeedState(url)
	Commit(t, a.(store.Store), store.Batch{State: st})
	if err := a.ReleaseFeed(t.Context(), url, "a"); err != nil {
		t.Fatal(err)
	}
	got, ok, err := b.ClaimFeed(t.Context(), url, "b", T0, time.Minute)
	if err != nil || ok {
		t.Fatalf("ClaimFeed before the next poll = %v, %v; want not claimed", ok, err)
	}
	if !got.NextPoll.Equal(st.NextPoll) || got.ETag != st.ETag {
		t.Errorf("state = %+v, want the stored %+v", got, st)
	}
	if !claim(b, "b", st.NextPoll, 0) {
		t.Fatal("b cannot claim the feed once due")
	}
	// b's lease ran out (it was for no time): a may take the feed.
	if !claim(a, "a", st.NextPoll, time.Minute) {
		t.Fatal("a cannot claim a feed whose lease ran out")
	}
	if err := b.ReleaseFeed(t.Context(), url, "b"); err != nil {
		t.Fatal(err)
	}
	if claim(b, "b", st.NextPoll, time.Minute) {
		t.Fatal("b's release ended a's lease")
	}
}

func testClusteringLock(t *testing.T, a, b store.Fleet) {
	unlock, err := a.LockClustering(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// b waits while a holds the lock: its wait ends with its context.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := b.LockClustering(ctx); err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("b took the lock a holds: %v", err)
	}
	unlock()
	unlockB, err := b.LockClustering(t.Context())
	if err != nil {
		t.Fatalf("b cannot take the lock a released: %v", err)
	}
	unlockB()
}

func testSignaturesSince(t *testing.T, a, b store.Fleet) {
	got, mark, err := b.SignaturesSince(t.Context(), 0, T0.Add(-time.Hour))
	if err != nil || len(got) != 0 {
		t.Fatalf("SignaturesSince on an empty store = %v, %v", got, err)
	}
	Commit(t, a.(store.Store), store.Batch{
		Records: []store.Record{signed("old", T0.Add(-48*time.Hour)), signed("lead", T0)},
		Posts:   []store.Post{{Kind: store.KindPost, ItemIDs: []string{"old", "lead"}, NewCluster: true}},
	})
	got, mark, err = b.SignaturesSince(t.Context(), mark, T0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ids := candidateIDs(got); !slices.Equal(ids, []string{"lead"}) {
		t.Errorf("first SignaturesSince = %v, want [lead] (old is before from)", ids)
	}
	if len(got) == 1 && (got[0].ClusterID == 0 || string(got[0].Sig) != "sig-lead" || !slices.Equal(got[0].Actors, []string{"Actor A"})) {
		t.Errorf("candidate = %+v", got[0])
	}
	cluster := got[0].ClusterID
	Commit(t, a.(store.Store), store.Batch{
		Records: []store.Record{signed("join", T0.Add(time.Minute))},
		Posts:   []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"join"}, ClusterID: cluster}},
	})
	got, next, err := b.SignaturesSince(t.Context(), mark, T0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ids := candidateIDs(got); !slices.Equal(ids, []string{"join"}) || next <= mark {
		t.Errorf("second SignaturesSince = %v, mark %d after %d; want [join] and a later mark", ids, next, mark)
	}
	if got, again, err := b.SignaturesSince(t.Context(), next, T0.Add(-time.Hour)); err != nil || len(got) != 0 || again != next {
		t.Errorf("SignaturesSince with nothing new = %v, %d, %v; want none and the same mark", got, again, err)
	}
}
