package sqlite

import (
	"strings"
	"testing"

	"storyline/store"
)

// TestPlainQuery checks that the words store.SearchWords finds become an
// FTS5 query that parses whatever the text was.
func TestPlainQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AND OR (", `"AND" "OR"`},
		{`witkoff" NEAR(`, `"witkoff" "NEAR"`},
		{"28-point plan", `"28" "point" "plan"`},
		{"Зеленский*", `"Зеленский"`},
		{"* ( )", ""},
	}
	for _, tc := range tests {
		words, err := store.SearchWords(tc.in)
		if err != nil {
			t.Fatalf("SearchWords(%q): %v", tc.in, err)
		}
		if got := plainQuery(words); got != tc.want {
			t.Errorf("plainQuery of %q = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCommandQueriesUseIndexes checks that the bot's lookups read the
// counts, mentions, items and outbox through indexes, a window of them at
// a time: those tables grow for the life of the database.
func TestCommandQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name  string
		query string
		args  []any
		// uses is an index the plan must name.
		uses string
	}{
		{"actor counts", actorCountsSQL, []any{"a", 1, 2, 3, 4, 5}, "PRIMARY KEY (actor=? AND hour>? AND hour<?)"},
		{"actor first and last seen", actorSeenSQL, []any{"a"}, "PRIMARY KEY (actor=?)"},
		{"actor named with", actorWithSQL, []any{"a", 1, 2, 5}, "PRIMARY KEY (actor=? AND day>? AND day<?)"},
		{"actor latest items", actorLatestSQL, []any{"a", 5}, "mentions_actor_at"},
		{"actor daily counts", actorDailySQL, []any{"a", 1, 2}, "PRIMARY KEY (actor=? AND hour>? AND hour<?)"},
		{"actor trends", actorTrendsSQL, []any{`["a","b"]`, 1, 2, 3}, "PRIMARY KEY (actor=? AND hour>? AND hour<?)"},
		{"latest posted", latestPostedSQL, []any{5}, "outbox_sent"},
		{"outlets", outletsSQL, []any{1, `["a"]`}, "items_cluster"},
		{"message items", messageItemsSQL, []any{"m"}, "items_message"},
		{"message items outbox", messageItemsSQL, []any{"m"}, "outbox_message"},
		{"message items cluster", messageItemsSQL, []any{"m"}, "clusters_message"},
		{"related items", relatedSQL, []any{`["a"]`}, "items_cluster"},
		{"search horizon", searchHorizonSQL, []any{"witkoff", store.SearchRanked}, "VIRTUAL TABLE INDEX"},
		{"search", searchSQL, []any{"witkoff", "{title} : (witkoff)", 10, 1}, "VIRTUAL TABLE INDEX"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, s, tc.query, tc.args...)
			for _, step := range plan {
				if readsWholeTable(step) || scansMentions(step) {
					t.Errorf("plan reads a whole table:\n%s", strings.Join(plan, "\n"))
				}
			}
			if !strings.Contains(strings.Join(plan, "\n"), tc.uses) {
				t.Errorf("plan does not use %s:\n%s", tc.uses, strings.Join(plan, "\n"))
			}
		})
	}
}

// queryPlan returns the steps of EXPLAIN QUERY PLAN for query.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	plan, err := queryRows(t.Context(), s.reader, func(r row) (string, error) {
		var id, parent, unused int
		var detail string
		return detail, r.Scan(&id, &parent, &unused, &detail)
	}, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	return plan
}

// scansMentions reports whether a plan step reads all of mentions, of
// clusters or of the counts.
func scansMentions(step string) bool {
	for _, table := range []string{"mentions", "clusters", "actor_hours", "actor_pairs"} {
		if strings.HasPrefix(step, "SCAN "+table) || step == "SEARCH "+table {
			return true
		}
	}
	return false
}
