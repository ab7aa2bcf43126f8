package sqlite

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"storyline/store"
	"storyline/store/storetest"
)

// TestOpenPaths opens stores by relative and absolute paths holding
// characters that mean something in a URI, from a temporary working
// directory, and checks that each database is the file named, found again
// on reopening, and that nothing else is created.
func TestOpenPaths(t *testing.T) {
	tests := []struct {
		name string
		// path is given to Open; relative paths are read from the working
		// directory "work" inside a temporary directory.
		path string
		// want is the database file, relative to the temporary directory.
		want string
	}{
		{"bare name", "storyline.db", "work/storyline.db"},
		{"dot slash", "./prev.db", "work/prev.db"},
		{"subdirectory", "data/storyline.db", "work/data/storyline.db"},
		{"parent directory", "../up.db", "up.db"},
		{"spaces", "my data/story line.db", "work/my data/story line.db"},
		{"URI delimiters", "what?#1.db", "work/what?#1.db"},
		{"percent escapes kept literally", "a%20b%3F.db", "work/a%20b%3F.db"},
		{"colon in the first segment", "c:d.db", "work/c:d.db"},
		{"non-ASCII", "дані/новини-ü.db", "work/дані/новини-ü.db"},
		{"absolute", "", "abs dir/a?b#c%d ü.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			work := filepath.Join(root, "work")
			if err := os.MkdirAll(work, 0o755); err != nil {
				t.Fatal(err)
			}
			want := filepath.Join(root, filepath.FromSlash(tc.want))
			if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
				t.Fatal(err)
			}
			path := tc.path
			if path == "" {
				path = want
			}
			t.Chdir(work)

			s := openAt(t, path)
			st := storetest.FeedState("https://wire.example/feed")
			storetest.Commit(t, s, store.Batch{State: st})
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if info, err := os.Stat(want); err != nil || !info.Mode().IsRegular() {
				t.Fatalf("database file %s: %v", want, err)
			}
			if extra := filesBesides(t, root, want); len(extra) > 0 {
				t.Errorf("Open(%q) created %v besides %s", path, extra, tc.want)
			}

			s = openAt(t, path)
			defer s.Close()
			states, err := s.FeedStates(t.Context())
			if err != nil {
				t.Fatalf("FeedStates: %v", err)
			}
			if _, ok := states[st.URL]; !ok {
				t.Errorf("reopened %q holds %v, want the feed state written before", path, states)
			}
		})
	}
}

// filesBesides lists the files under root other than the database db and
// its -wal and -shm files.
func filesBesides(t *testing.T, root, db string) []string {
	t.Helper()
	var extra []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !slices.Contains([]string{db, db + "-wal", db + "-shm"}, p) {
			extra = append(extra, strings.TrimPrefix(p, root))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return extra
}

func TestOpenRefusesAnEmptyPath(t *testing.T) {
	if s, err := Open(t.Context(), "", nil); err == nil {
		s.Close()
		t.Fatal("Open of an empty path succeeded, want an error")
	}
}

func TestFileURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"storyline.db", "file:storyline.db"},
		{"/var/lib/storyline/storyline.db", "file:/var/lib/storyline/storyline.db"},
		{"a b/c?d#e%f.db", "file:a%20b/c%3Fd%23e%25f.db"},
		{"ü.db", "file:%C3%BC.db"},
	}
	for _, tc := range tests {
		if got := fileURI(tc.path); got != tc.want {
			t.Errorf("fileURI(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
