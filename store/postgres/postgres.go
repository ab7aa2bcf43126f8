// Package postgres is the store.Store kept in a PostgreSQL database, for
// several storyline instances sharing one database: the schema and its
// migrations, embedded and applied on Open, the queries, and full-text
// search with PostgreSQL's own text search. The rules of what is stored
// and queued are the store package's; this package only carries them out.
// It must not know about Discord types, HTTP fetching or how items are
// matched.
//
// It speaks to the server through pgx's own pool rather than database/sql:
// a commit sends a poll's items in one pgx.Batch (one round trip, where
// database/sql pays one per statement), lists travel as native arrays, and
// a session lock can hold a connection of its own.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"storyline/store"
)

// Store is the PostgreSQL database. A Store is safe for concurrent use, and
// any number of Stores, in any number of processes, may share a database.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	now    func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the Store read the time from now instead of time.Now. It
// dates only what Commit and QueueDaily create; every other method takes
// its time as an argument, and leases run on the server's clock.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Open connects to the database at url (postgres://…) and migrates it to
// the newest schema. Its errors never contain the URL's password.
func Open(ctx context.Context, url string, logger *slog.Logger, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors mask the password; say nothing of the URL
		// beyond them.
		return nil, fmt.Errorf("open store: %w", err)
	}
	// The queries are short index reads; JIT compilation, on by default
	// where the server has LLVM, costs 50 to 150 ms when a query's
	// estimate passes jit_above_cost: more than the query itself. A jit
	// setting in the URL is kept.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	s := &Store{logger: logger, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("open store: connect to database %q on %s: %w", cfg.ConnConfig.Database, cfg.ConnConfig.Host, err)
	}
	s.pool = pool
	if err := migrate(ctx, pool, logger); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// Store is a store.Store.
var _ store.Store = (*Store)(nil)

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// querier is what the pool, a connection and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// row is one row to read: a pgx.Row or the current row of pgx.Rows.
type row interface {
	Scan(dest ...any) error
}

// queryRows runs query through db and reads every row it returns with
// scan, in order. It is the store's one loop over rows.
func queryRows[T any](ctx context.Context, db querier, scan func(row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

// column reads a row of one column.
func column[T any](r row) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
}

// snapshot runs read in one read-only REPEATABLE READ transaction, so that
// its queries see one state of the database.
func snapshot[T any](ctx context.Context, pool *pgxpool.Pool, read func(pgx.Tx) (T, error)) (T, error) {
	var v T
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		v, err = read(tx)
		return err
	})
	return v, err
}

// write runs fn in one read-committed transaction, committed when fn
// returns nil and rolled back otherwise.
func (s *Store) write(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// updateOne runs one UPDATE; no row changed is store.ErrNotFound.
func updateOne(ctx context.Context, db querier, query string, args ...any) error {
	tag, err := db.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// noRows turns pgx.ErrNoRows into store.ErrNotFound.
func noRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// millis is t as stored: unix milliseconds.
func millis(t time.Time) int64 {
	return t.UnixMilli()
}

// nullMillis is t as stored in a nullable column: NULL for the zero time.
func nullMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// fromMillis is the UTC time stored as ms.
func fromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}

// fromNullMillis is the time stored in a nullable column; NULL is the zero
// time.
func fromNullMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return fromMillis(*ms)
}

// nullID is a row id as stored in a nullable reference: NULL for zero.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// orNil is list, or nil when it is empty: lists read back as nil when
// stored empty, as the SQLite store reads them.
func orNil[T any](list []T) []T {
	if len(list) == 0 {
		return nil
	}
	return list
}

// orEmpty is list, or an empty one for nil: the array columns are NOT NULL.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
