package sqlite

import (
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// dailyAt is the daily digest time on day d of December 2025, UTC.
func dailyAt(d int) time.Time { return time.Date(2025, 12, d, 18, 0, 0, 0, time.UTC) }

// TestDailyQueriesUseIndexes checks that the digest's queries read the
// period's items through an index and every other table by key, so their
// cost follows the day's items, not the store's.
func TestDailyQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	period := []any{millis(dailyAt(1)), millis(dailyAt(2))}
	tests := []struct {
		name  string
		query string
		args  []any
		// want must be in the plan.
		want string
	}{
		{"developments", dailyDevelopmentsSQL, append(period, 10), "items USING INDEX items_seen (relevant=? AND seen_at>? AND seen_at<?)"},
		{"actors", dailyActorsSQL, append(period, 10), "i USING INDEX items_seen (relevant=? AND seen_at>? AND seen_at<?)"},
		{"counts", dailyCountsSQL, period, "items USING COVERING INDEX items_seen (relevant=? AND seen_at>? AND seen_at<?)"},
		{"digest of an entry", dailyOfSQL, []any{1}, "digests USING INDEX sqlite_autoindex_digests_1 (outbox_id=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, s, tc.query, tc.args...)
			text := strings.Join(plan, "\n")
			for _, step := range plan {
				if dailyScans(step) {
					t.Errorf("plan reads a whole table:\n%s", text)
				}
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("plan does not use %q:\n%s", tc.want, text)
			}
		})
	}
}

// TestLatestDailyIsOneSeek checks that finding where the next digest
// starts jumps to the last row of digests. Its plan says only "SEARCH
// digests" whether it seeks or reads the table, so the bytecode is read:
// a seek positions with Last, a scan loops from Rewind.
func TestLatestDailyIsOneSeek(t *testing.T) {
	s := openTest(t)
	ops, err := queryRows(t.Context(), s.reader, func(r row) (string, error) {
		var addr int
		var op string
		var p1, p2, p3, p4, p5, comment any
		return op, r.Scan(&addr, &op, &p1, &p2, &p3, &p4, &p5, &comment)
	}, "EXPLAIN "+latestDailySQL)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ops, "Last") || slices.Contains(ops, "Rewind") {
		t.Errorf("latest digest bytecode %v, want a seek to the last row (Last) and no scan (Rewind)", ops)
	}
}

// dailyScans reports whether a plan step reads all of a stored table (by
// its name or the digest queries' aliases of it): a SCAN, or a SEARCH that
// uses no index.
func dailyScans(step string) bool {
	f := strings.Fields(step)
	if len(f) < 2 || !slices.Contains([]string{"items", "outbox", "mentions", "clusters", "digests", "i", "l", "c", "m"}, f[1]) {
		return false
	}
	return f[0] == "SCAN" || f[0] == "SEARCH" && len(f) == 2
}

// migrateTo opens the database at path migrated up to, not including, the
// migration whose name ends with suffix, and returns it with a function
// that applies that migration (and no later one).
func migrateTo(t *testing.T, path, suffix string) (*sql.DB, func()) {
	t.Helper()
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(migs, func(m migration) bool { return strings.HasSuffix(m.name, suffix) })
	if i < 0 {
		t.Fatalf("no migration named *%s", suffix)
	}
	db, err := openDB(t.Context(), dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	if err := migrate(t.Context(), db, migs[:i], logger); err != nil {
		t.Fatal(err)
	}
	return db, func() {
		if err := migrate(t.Context(), db, migs[:i+1], logger); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDailyMigrationKeepsTheOutbox checks that rebuilding the outbox to
// accept the daily kind keeps its rows, its indexes and its id counter:
// ids are message nonces and must never be handed out twice.
func TestDailyMigrationKeepsTheOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, apply := migrateTo(t, path, "_daily.sql")
	exec := func(query string, args ...any) error {
		_, err := db.ExecContext(t.Context(), query, args...)
		return err
	}
	for i := range 5 {
		if err := exec(`INSERT INTO outbox (kind, item_ids, next_attempt, created_at, status, message_id)
			VALUES ('post', '[]', ?, ?, ?, ?)`, i, i, []string{"pending", "sent"}[i%2], fmt.Sprint("m", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := exec(`DELETE FROM outbox WHERE id > 3`); err != nil {
		t.Fatal(err)
	}
	before := outboxDump(t, db)
	if len(before) < 5 {
		t.Fatalf("old outbox = %v, want 3 rows and its indexes", before)
	}
	if err := exec(`INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES ('daily', '[]', 0, 0)`); err == nil {
		t.Fatal("the old outbox accepted kind daily; the test proves nothing")
	}
	apply()

	if after := outboxDump(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("outbox after the migration:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if err := exec(`INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES ('other', '[]', 0, 0)`); err == nil {
		t.Error("the outbox accepts an unknown kind")
	}
	s := openAt(t, path)
	defer s.Close()
	d, err := s.QueueDaily(t.Context(), dailyAt(1), dailyAt(2))
	if err != nil {
		t.Fatalf("QueueDaily after the migration: %v", err)
	}
	if d.EntryID != 6 {
		t.Errorf("first new entry id = %d, want 6: ids 4 and 5 were handed out before", d.EntryID)
	}
}

// outboxDump lists the outbox's rows and indexes.
func outboxDump(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out, err := queryRows(t.Context(), db, column[string], `
		SELECT 'row ' || id || ' ' || kind || ' ' || status || ' ' || message_id FROM outbox
		UNION ALL
		SELECT 'index ' || name || ': ' || sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outbox'
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
