package sqlite

import (
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"storyline/store"
	"storyline/store/storetest"
)

// rejectedReports are n reports the story rejected, published days before
// t0, each with about 3 kB of text and two actors.
func rejectedReports(n int, days time.Duration) []store.Record {
	var out []store.Record
	for i := range n {
		r := storetest.Record(fmt.Sprintf("rejected-%d", i), fmt.Sprintf("https://wire.example/r%d", i), "Witkoff", "Putin")
		r.Match.Relevant = false
		r.Item.Published = t0.Add(-days * 24 * time.Hour).Add(time.Duration(i) * time.Minute)
		r.Item.Text = strings.Repeat(fmt.Sprintf("Words of report %d about something else. ", i), 70)
		out = append(out, r)
	}
	return out
}

// fileSize returns the size of the database file once its write-ahead log
// is checkpointed into it.
func fileSize(t testing.TB, s *Store, path string) int64 {
	t.Helper()
	if _, err := s.writer.ExecContext(t.Context(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestPruneShrinksTheFile checks that dropping rejected reports gives their
// space back to the file system, keeps the full-text index consistent and
// leaves the counts and the relevant reports as they were.
func TestPruneShrinksTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storyline.db")
	s := openAt(t, path)
	defer s.Close()
	kept := storetest.Record("kept", "https://wire.example/kept", "Witkoff")
	kept.Item.Published = t0.Add(-60 * 24 * time.Hour)
	storetest.Commit(t, s, store.Batch{Records: append(rejectedReports(2000, 40), kept)})
	want, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: "Witkoff", Now: t0, Days: 60, With: 5})
	if err != nil {
		t.Fatal(err)
	}
	full := fileSize(t, s, path)

	for {
		n, err := s.Prune(t.Context(), t0.Add(-30*24*time.Hour), 300)
		if err != nil {
			t.Fatalf("Prune: %v", err)
		}
		if n == 0 {
			break
		}
	}
	pruned := fileSize(t, s, path)
	if pruned > full/3 {
		t.Errorf("file is %d bytes after dropping 2000 reports of 3 kB, %d before: want a third at most", pruned, full)
	}
	if n := count(t, s, `SELECT count(*) FROM items`); n != 1 {
		t.Errorf("%d items left, want the relevant one", n)
	}
	if n := count(t, s, `SELECT count(*) FROM mentions`); n != 1 {
		t.Errorf("%d mentions left, want the relevant report's one", n)
	}
	if n := count(t, s, `SELECT count(*) FROM items_fts WHERE items_fts MATCH 'words'`); n != 0 {
		t.Errorf("search still finds %d dropped reports", n)
	}
	if _, err := s.writer.ExecContext(t.Context(), `INSERT INTO items_fts (items_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("fts integrity-check after Prune: %v", err)
	}
	got, err := s.ActorReport(t.Context(), store.ActorQuery{Actor: "Witkoff", Now: t0, Days: 60, With: 5})
	if err != nil {
		t.Fatal(err)
	}
	got.Latest, want.Latest = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ActorReport after Prune =\n%+v\nwant\n%+v", got, want)
	}
	if sz, err := s.Size(t.Context()); err != nil || sz.Bytes > pruned || sz.Free > sz.Bytes/4 {
		t.Errorf("Size = %+v, %v; file %d bytes: want the file, mostly in use", sz, err, pruned)
	}
}

// TestOpenMakesAnOldFileShrinkable checks that a database created without
// incremental auto-vacuum is rewritten in that mode once, data kept.
func TestOpenMakesAnOldFileShrinkable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", fileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), db, migs, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO feed_state (url) VALUES ('https://a.example/feed')`); err != nil {
		t.Fatal(err)
	}
	var mode int
	if err := db.QueryRowContext(t.Context(), `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 0 {
		t.Fatalf("auto_vacuum of the old file = %d, %v; want 0", mode, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	defer s.Close()
	if err := s.writer.QueryRowContext(t.Context(), `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != autoVacuumIncremental {
		t.Errorf("auto_vacuum after Open = %d, %v; want %d", mode, err, autoVacuumIncremental)
	}
	if states, err := s.FeedStates(t.Context()); err != nil || len(states) != 1 {
		t.Errorf("FeedStates after the rewrite = %v, %v; want the one stored", states, err)
	}
}

// TestMigrationBackFillsTheCounts checks that migration 0008 counts the
// mentions stored before it as Commit counts them after.
func TestMigrationBackFillsTheCounts(t *testing.T) {
	records := []store.Record{
		storetest.Record("a", "https://wire.example/a", "Witkoff", "Putin"),
		storetest.Record("b", "https://wire.example/b", "Witkoff", "Rubio", "Putin"),
		storetest.Record("c", "https://wire.example/c", "Putin"),
	}
	for i := range records {
		records[i].Item.Published = t0.Add(-time.Duration(i*17) * time.Hour)
	}
	records[2].Item.Published = time.Date(1969, 12, 31, 22, 30, 0, 0, time.UTC) // before 1970: floored

	committed := openTest(t)
	storetest.Commit(t, committed, store.Batch{Records: records})

	path := filepath.Join(t.TempDir(), "v5.db")
	old := openAt(t, path)
	storetest.Commit(t, old, store.Batch{Records: records})
	for _, q := range []string{`DROP TABLE actor_hours`, `DROP TABLE actor_pairs`, `DROP INDEX clusters_lead`, `PRAGMA user_version = 7`} {
		if _, err := old.writer.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	migrated := openAt(t, path)
	defer migrated.Close()
	for _, table := range []string{"actor_hours", "actor_pairs"} {
		want := tableRows(t, committed, table)
		if got := tableRows(t, migrated, table); !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Errorf("%s back-filled:\n%v\nwant, as Commit counts:\n%v", table, got, want)
		}
	}
}

// countRowsSQL reads the rows of each counts table, in key order, as text.
var countRowsSQL = map[string]string{
	"actor_hours": `SELECT actor || '|' || hour || '|' || mentions || '|' || first_at || '|' || last_at
		FROM actor_hours ORDER BY actor, hour`,
	"actor_pairs": `SELECT actor || '|' || day || '|' || other || '|' || reports
		FROM actor_pairs ORDER BY actor, day, other`,
}

// tableRows returns every row of a counts table.
func tableRows(t *testing.T, s *Store, table string) []string {
	t.Helper()
	rows, err := queryRows(t.Context(), s.reader, column[string], countRowsSQL[table])
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return rows
}
