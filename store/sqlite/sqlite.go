// Package sqlite is the store.Store kept in one SQLite file (through
// modernc.org/sqlite, without cgo): the schema and its migrations, embedded
// and applied on Open, the queries, and the full-text index (FTS5). The
// rules of what is stored and queued are the store package's; this package
// only carries them out. It must not know about Discord types, HTTP fetching
// or how items are matched.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"storyline/store"
)

// Store is the SQLite database. One connection writes, so writes never
// contend; a pool of read-only connections serves lookups concurrently (WAL).
// A Store is safe for concurrent use.
type Store struct {
	writer *sql.DB
	reader *sql.DB
	logger *slog.Logger
	now    func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the Store read the time from now instead of time.Now. It
// dates only what Commit creates (outbox entries, clusters, unset SeenAt);
// every other method takes its time as an argument.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Open opens (creating if needed) the database at path and migrates it to
// the newest schema.
func Open(ctx context.Context, path string, logger *slog.Logger, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: no path given")
	}
	s := &Store{logger: logger, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	writer, err := openDB(ctx, dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	s.writer = writer
	migs, err := loadMigrations(migrationFiles)
	if err == nil {
		err = migrate(ctx, writer, migs, logger)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", path, err), writer.Close())
	}
	reader, err := openDB(ctx, dsn(path, false))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", path, err), writer.Close())
	}
	reader.SetMaxOpenConns(max(4, runtime.NumCPU()))
	s.reader = reader
	return s, nil
}

// Store is a store.Store.
var _ store.Store = (*Store)(nil)

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// openDB opens a pool and checks that a connection can be made.
func openDB(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// dsn builds the connection string for the file at path. The writer begins
// transactions IMMEDIATE so that a transaction never fails to upgrade its
// lock; readers are query-only.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return fileURI(path) + "?" + q.Encode()
}

// fileURI is path as an SQLite file URI without authority: "file:" and the
// path with '%', '?', '#', spaces and non-ASCII bytes percent-escaped, so
// that SQLite reads back exactly path. A relative path stays relative
// ("file:storyline.db"); "file://NAME" would make NAME a URI authority.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.VolumeName(path) != "" {
		p = "/" + p // a Windows drive: file:/C:/dir/name.db
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath()
}

// write runs fn in one write transaction, committed when fn returns nil
// and rolled back otherwise.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return rollback(tx, err)
	}
	return tx.Commit()
}

// rollback rolls tx back after err. A transaction that database/sql already
// rolled back (its context was cancelled) is not a second error.
func rollback(tx *sql.Tx, err error) error {
	if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
		return errors.Join(err, rbErr)
	}
	return err
}

// millis is t as stored: unix milliseconds.
func millis(t time.Time) int64 {
	return t.UnixMilli()
}

// nullMillis is t as stored in a nullable column: NULL for the zero time.
func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromMillis is the UTC time stored as ms.
func fromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}

// fromNullMillis is the time stored in a nullable column; NULL is the zero time.
func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}

// nullID is a row id as stored in a nullable reference: NULL for zero.
func nullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}
