//go:build postgres

package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"storyline/store"
	"storyline/store/storetest"
)

// The tests of this file need a PostgreSQL server: they run with the build
// tag postgres (`go test -tags postgres ./store/postgres/`), and fail, never
// skip, when STORYLINE_TEST_POSTGRES_URL does not name one. .ci/run starts
// a throwaway server for them (.ci/postgres).

// urlEnv names the variable holding the test server's URL.
const urlEnv = "STORYLINE_TEST_POSTGRES_URL"

// TestConformance runs the store's conformance suite on PostgreSQL, each
// test in a schema of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Open {
		u := newSchema(t)
		return func(t *testing.T, now func() time.Time) store.Store {
			return openClocked(t, u, now)
		}
	})
}

// testURL returns the test server's URL, failing t without one.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(urlEnv)
	if u == "" {
		t.Fatalf("%s is not set: the postgres tests need a server (see .ci/postgres)", urlEnv)
	}
	return u
}

// newSchema creates an empty schema for one test, dropped when the test
// ends, and returns the URL of the test server with that schema as its
// search path.
func newSchema(t testing.TB) string {
	t.Helper()
	base := testURL(t)
	name := "t_" + strings.ToLower(rand.Text()[:12])
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connect to %s: %v", urlEnv, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), fmt.Sprintf(`CREATE SCHEMA %q`, name)); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("connect to drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), fmt.Sprintf(`DROP SCHEMA %q CASCADE`, name)); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", urlEnv, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// openClocked opens the store at u with the clock now, closed at the end
// of the test.
func openClocked(t testing.TB, u string, now func() time.Time) *Store {
	t.Helper()
	s, err := Open(t.Context(), u, slog.New(slog.NewTextHandler(t.Output(), nil)), WithClock(now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}
