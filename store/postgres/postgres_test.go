//go:build postgres

package postgres

import (
	"log/slog"
	"testing"
	"time"

	"storyline/store"
	"storyline/store/postgres/pgtest"
	"storyline/store/storetest"
)

// The tests of this file need a PostgreSQL server: they run with the build
// tag postgres (`go test -tags postgres ./store/postgres/`), and fail, never
// skip, when STORYLINE_TEST_POSTGRES_URL does not name one (pgtest).

// TestConformance runs the store's conformance suite on PostgreSQL, each
// test in a schema of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Open {
		u := pgtest.NewURL(t)
		return func(t *testing.T, now func() time.Time) store.Store {
			return openClocked(t, u, now)
		}
	})
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

// TestFleet runs the conformance suite of store.Fleet, two stores on each
// test's schema standing for two instances.
func TestFleet(t *testing.T) {
	storetest.RunFleet(t, func(t *testing.T) storetest.Open {
		u := pgtest.NewURL(t)
		return func(t *testing.T, now func() time.Time) store.Store {
			return openClocked(t, u, now)
		}
	})
}
