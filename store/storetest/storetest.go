// Package storetest is the conformance suite of store.Store: the behaviour
// every implementation must have, checked through the interface only, with
// the fixtures it uses. An implementation's tests call Run with a way to
// make empty databases; SQL-specific checks (query plans, migrations) stay
// with the implementation.
package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/store"
)

// Open opens a store on one database, reading the time from now, and fails
// t if it cannot. Every store it opens shares that database, as a restarted
// process would. The caller closes the store.
type Open func(t *testing.T, now func() time.Time) store.Store

// NewDB makes an empty database for one test and returns how to open it.
type NewDB func(t *testing.T) Open

// Run runs the suite: each test in parallel, on its own database.
func Run(t *testing.T, db NewDB) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, NewDB)
	}{
		{"CommitStoresItemsMentionsSearchAndOutbox", testCommitStoresItemsMentionsSearchAndOutbox},
		{"CommitIsAllOrNothing", testCommitIsAllOrNothing},
		{"CommitNeverQueuesAStoredItemTwice", testCommitNeverQueuesAStoredItemTwice},
		{"CommitClusterPosts", testCommitClusterPosts},
		{"DigestDevelopmentsBecomeClusters", testDigestDevelopmentsBecomeClusters},
		{"CommitWithoutFeedStateOrPosts", testCommitWithoutFeedStateOrPosts},
		{"RestartDoesNotReprocess", testRestartDoesNotReprocess},
		{"Unseen", testUnseen},
		{"RecordsMissing", testRecordsMissing},
		{"LatestRecords", testLatestRecords},
		{"FeedStatesRoundTrip", testFeedStatesRoundTrip},
		{"ConcurrentReadersWhileWriting", testConcurrentReadersWhileWriting},
		{"OutboxHeadOrder", testOutboxHeadOrder},
		{"MarkRetryCountsAttempts", testMarkRetryCountsAttempts},
		{"MarkSentRecordsTheMessage", testMarkSentRecordsTheMessage},
		{"MarkUnknownEntry", testMarkUnknownEntry},
		{"FailedEntriesStayVisibleUntilRetried", testFailedEntriesStayVisibleUntilRetried},
		{"MarkReposted", testMarkReposted},
		{"MarkRepostedWrongCluster", testMarkRepostedWrongCluster},
		{"StoreIDIsStableAndUnique", testStoreIDIsStableAndUnique},
		{"EditsGoBesideTheHead", testEditsGoBesideTheHead},
		{"MarkInFlightKeepsTheFirstTime", testMarkInFlightKeepsTheFirstTime},
		{"RetryFailedMakesWaitingEntriesDue", testRetryFailedMakesWaitingEntriesDue},
		{"ClusterItemsInSeenOrder", testClusterItemsInSeenOrder},
		{"ClusterMessage", testClusterMessage},
		{"ClusterNotFound", testClusterNotFound},
		{"Signatures", testSignatures},
		{"SignatureFields", testSignatureFields},
		{"SignatureOnlyForNewClusteredItems", testSignatureOnlyForNewClusteredItems},
		{"ActorReport", testActorReport},
		{"ActorReportOfUnknownActor", testActorReportOfUnknownActor},
		{"ActorTrends", testActorTrends},
		{"LatestPosted", testLatestPosted},
		{"MessageItems", testMessageItems},
		{"Search", testSearch},
		{"SearchRefusesLongQueries", testSearchRefusesLongQueries},
		{"SearchRanksTheLatestMatches", testSearchRanksTheLatestMatches},
		{"ActorReportCountsWholeHours", testActorReportCountsWholeHours},
		{"ActorReportNamedWithOverThirtyDays", testActorReportNamedWithOverThirtyDays},
		{"CommitSkipsRejectedReportsPastTheHorizon", testCommitSkipsRejectedReportsPastTheHorizon},
		{"PruneDropsOldRejectedReports", testPruneDropsOldRejectedReports},
		{"PruneKeepsTheCounts", testPruneKeepsTheCounts},
		{"PrunedReportIsNotCountedTwice", testPrunedReportIsNotCountedTwice},
		{"RebuildCounts", testRebuildCounts},
		{"Size", testSize},
		{"QueueDailyPeriods", testQueueDailyPeriods},
		{"QueueDailyEntryIsDueAtOnce", testQueueDailyEntryIsDueAtOnce},
		{"QueueDailyRefusesAnEmptyPeriod", testQueueDailyRefusesAnEmptyPeriod},
		{"DailyOfUnknownEntry", testDailyOfUnknownEntry},
		{"DailyReport", testDailyReport},
		{"DailyReportOfAQuietPeriod", testDailyReportOfAQuietPeriod},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, db)
		})
	}
}

// clock is a clock stopped at at.
func clock(at time.Time) func() time.Time {
	return func() time.Time { return at }
}

// fresh opens a store on a new database, its clock stopped at T0, closed
// at the end of the test.
func fresh(t *testing.T, db NewDB) store.Store {
	t.Helper()
	return freshClocked(t, db, clock(T0))
}

// freshClocked opens a store on a new database with the clock now, closed
// at the end of the test.
func freshClocked(t *testing.T, db NewDB, now func() time.Time) store.Store {
	t.Helper()
	s := db(t)(t, now)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// actorReport returns the mentions of actor up to T0.
func actorReport(t *testing.T, s store.Store, actor string) store.ActorReport {
	t.Helper()
	r, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: actor, Now: T0})
	if err != nil {
		t.Fatalf("ActorReport %q: %v", actor, err)
	}
	return r
}

// searchIDs returns, sorted, the ids of the items Search finds for query.
func searchIDs(t *testing.T, s store.Store, query string) []string {
	t.Helper()
	res, err := s.Search(t.Context(), query, 100)
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Item.ID)
	}
	slices.Sort(ids)
	return ids
}

// outboxStats returns the outbox summary.
func outboxStats(t *testing.T, s store.Store) store.OutboxStats {
	t.Helper()
	st, err := s.OutboxStats(t.Context())
	if err != nil {
		t.Fatalf("OutboxStats: %v", err)
	}
	return st
}

// feedStates returns the feed states.
func feedStates(t *testing.T, s store.Store) map[string]feeds.State {
	t.Helper()
	states, err := s.FeedStates(t.Context())
	if err != nil {
		t.Fatalf("FeedStates: %v", err)
	}
	return states
}

// checkEmpty checks that s holds nothing of records, their mentions, their
// posts or a feed state: what a failed Commit of them must leave.
func checkEmpty(t *testing.T, s store.Store, records []store.Record) {
	t.Helper()
	for _, r := range records {
		if _, err := s.Records(t.Context(), []string{r.Item.ID}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Records(%s) err = %v, want ErrNotFound", r.Item.ID, err)
		}
		for _, actor := range r.Match.Actors {
			if rep := actorReport(t, s, actor); rep.Month != 0 || !rep.FirstSeen.IsZero() {
				t.Errorf("actor %s has mentions: %+v", actor, rep)
			}
		}
	}
	if ids := searchIDs(t, s, "title"); len(ids) != 0 {
		t.Errorf("Search finds %v", ids)
	}
	if states := feedStates(t, s); len(states) != 0 {
		t.Errorf("feed states = %v", states)
	}
	if st := outboxStats(t, s); st != (store.OutboxStats{}) {
		t.Errorf("outbox stats = %+v, want zeros", st)
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, store.ErrNoWork) {
		t.Errorf("OutboxHead err = %v, want ErrNoWork", err)
	}
}
