package sqlite

import (
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"storyline/store"
	"storyline/store/storetest"
)

// t0 is the fixed "now" of the tests, the conformance suite's.
var t0 = storetest.T0

// TestConformance runs the store's conformance suite on SQLite files.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Open {
		path := filepath.Join(t.TempDir(), "storyline.db")
		return func(t *testing.T, now func() time.Time) store.Store {
			return openClocked(t, path, now)
		}
	})
}

// openAt opens the store at path, logging to the test's output, with the
// clock fixed at t0.
func openAt(t testing.TB, path string) *Store {
	t.Helper()
	return openClocked(t, path, func() time.Time { return t0 })
}

// openClocked opens the store at path with the clock now.
func openClocked(t testing.TB, path string, now func() time.Time) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, slog.New(slog.NewTextHandler(t.Output(), nil)), WithClock(now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// openTest opens a fresh store, clock fixed at t0, closed at the end of
// the test.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openTestClocked(t, func() time.Time { return t0 })
}

// openTestClocked opens a fresh store with the clock now, closed at the end
// of the test.
func openTestClocked(t testing.TB, now func() time.Time) *Store {
	t.Helper()
	s := openClocked(t, filepath.Join(t.TempDir(), "storyline.db"), now)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// userVersion reads PRAGMA user_version.
func userVersion(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.reader.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&v); err != nil {
		t.Fatalf("user_version: %v", err)
	}
	return v
}

// count runs a count(*) query on the reader.
func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.reader.QueryRowContext(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestOpenMigratesFreshAndReopened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir with space", "story line.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	s := openAt(t, path)
	if got := userVersion(t, s); got != len(migs) {
		t.Errorf("fresh user_version = %d, want %d", got, len(migs))
	}
	storetest.Commit(t, s, store.Batch{State: storetest.FeedState("https://a.example/feed")})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openAt(t, path)
	defer s.Close()
	if got := userVersion(t, s); got != len(migs) {
		t.Errorf("reopened user_version = %d, want %d", got, len(migs))
	}
	states, err := s.FeedStates(t.Context())
	if err != nil {
		t.Fatalf("FeedStates: %v", err)
	}
	if len(states) != 1 {
		t.Errorf("reopened store has %d feed states, want 1 (data kept)", len(states))
	}
}

func TestOpenPragmas(t *testing.T) {
	s := openTest(t)
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	} {
		for name, db := range map[string]*sql.DB{"writer": s.writer, "reader": s.reader} {
			var got string
			if err := db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatalf("%s PRAGMA %s: %v", name, tc.pragma, err)
			}
			if got != tc.want {
				t.Errorf("%s PRAGMA %s = %q, want %q", name, tc.pragma, got, tc.want)
			}
		}
	}
	if _, err := s.reader.ExecContext(t.Context(), "DELETE FROM items"); err == nil {
		t.Error("reader pool accepted a write; want query-only")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storyline.db")
	s := openAt(t, path)
	if _, err := s.writer.ExecContext(t.Context(), "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), path, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open of a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(text string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(text)} }
	tests := []struct {
		name     string
		files    fstest.MapFS
		want     []int
		wantFail bool
	}{
		{
			name: "sorted by version, other files ignored",
			files: fstest.MapFS{
				"migrations/0002_b.sql":  file("B"),
				"migrations/0010_j.sql":  file("J"),
				"migrations/0001_a.sql":  file("A"),
				"migrations/README.txt":  file("not a migration"),
				"other/0003_ignored.sql": file("C"),
			},
			wantFail: true, // 0010 leaves a gap
		},
		{
			name: "contiguous",
			files: fstest.MapFS{
				"migrations/0002_b.sql":  file("B"),
				"migrations/0001_a.sql":  file("A"),
				"migrations/0003_c.sql":  file("C"),
				"migrations/README.txt":  file("not a migration"),
				"other/0004_ignored.sql": file("D"),
			},
			want: []int{1, 2, 3},
		},
		{name: "empty", files: fstest.MapFS{}, want: []int{}},
		{name: "gap", files: fstest.MapFS{"migrations/0002_b.sql": file("B")}, wantFail: true},
		{name: "duplicate", files: fstest.MapFS{
			"migrations/0001_a.sql": file("A"), "migrations/0001_b.sql": file("B"),
		}, wantFail: true},
		{name: "no number", files: fstest.MapFS{"migrations/init.sql": file("A")}, wantFail: true},
		{name: "zero", files: fstest.MapFS{"migrations/0000_a.sql": file("A")}, wantFail: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			migs, err := loadMigrations(tc.files)
			if tc.wantFail {
				if err == nil {
					t.Fatalf("loadMigrations = %v, want an error", migs)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadMigrations: %v", err)
			}
			got := make([]int, len(migs))
			for i, m := range migs {
				got[i] = m.version
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("versions = %v, want %v", got, tc.want)
			}
		})
	}
}
