package sqlite

import (
	"strings"
	"testing"
)

// TestHotQueriesUseIndexes checks that the queries run on every poll and
// every poster wake-up search indexes instead of scanning whole tables,
// which grow for the life of the database.
func TestHotQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name  string
		query string
		args  []any
	}{
		{"Unseen", storedSQL, []any{`["a"]`, `["https://wire.example/a"]`}},
		{"OutboxHead", outboxHeadSQL, []any{millis(endOfTime)}},
		{"OutboxStats", outboxStatsSQL, nil},
		{"Commit join cluster", joinClusterSQL, []any{1, `["a"]`}},
		{"Prune", pruneSQL, []any{1, 200}},
		{"LatestRecords", latestRecordsSQL, []any{true, 0, 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, s, tc.query, tc.args...)
			for _, step := range plan {
				if readsWholeTable(step) {
					t.Errorf("plan reads a whole table:\n%s", strings.Join(plan, "\n"))
				}
			}
		})
	}
}

// readsWholeTable reports whether a query plan step reads all of items,
// outbox or clusters: a SCAN, or a SEARCH that uses no index.
func readsWholeTable(step string) bool {
	for _, table := range []string{"items", "outbox", "clusters"} {
		if step == "SCAN "+table || strings.HasPrefix(step, "SCAN "+table+" ") ||
			step == "SEARCH "+table {
			return true
		}
	}
	return false
}
