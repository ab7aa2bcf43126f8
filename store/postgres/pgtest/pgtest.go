// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema on the server named by STORYLINE_TEST_POSTGRES_URL, dropped when
// the test ends. The tests that use it are built with the postgres tag and
// fail, never skip, without a server (.ci/postgres starts one).
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URLEnv names the variable holding the test server's URL.
const URLEnv = "STORYLINE_TEST_POSTGRES_URL"

// NewURL creates an empty schema for one test, dropped when the test ends,
// and returns the URL of the test server with that schema as its search
// path: every store opened on it shares that database.
func NewURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(URLEnv)
	if base == "" {
		t.Fatalf("%s is not set: the postgres tests need a server (see .ci/postgres)", URLEnv)
	}
	name := "t_" + strings.ToLower(rand.Text()[:12])
	if err := exec(context.Background(), base, fmt.Sprintf(`CREATE SCHEMA %q`, name)); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(context.Background(), base, fmt.Sprintf(`DROP SCHEMA %q CASCADE`, name)); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", URLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on a connection of its own.
func exec(ctx context.Context, u, sql string) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
