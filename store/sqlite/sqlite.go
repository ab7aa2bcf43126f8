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
	"strings"
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
	// prepared holds, by their text, the statements run on every poll and
	// every command, prepared once on their pool (database/sql prepares
	// each again on a new connection): Commit's on the writer, the others
	// on the readers.
	prepared map[string]*sql.Stmt
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
	s := &Store{logger: logger, now: time.Now, prepared: make(map[string]*sql.Stmt)}
	for _, o := range opts {
		o(s)
	}
	if err := s.open(ctx, path); err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", path, err), s.Close())
	}
	return s, nil
}

// open opens the writer, migrates the database, opens the readers and
// prepares the statements of every poll.
func (s *Store) open(ctx context.Context, path string) error {
	var err error
	if s.writer, err = openDB(ctx, dsn(path, true)); err != nil {
		return err
	}
	s.writer.SetMaxOpenConns(1)
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	if err := migrate(ctx, s.writer, migs, s.logger); err != nil {
		return err
	}
	if err := incrementalVacuum(ctx, s.writer, s.logger); err != nil {
		return err
	}
	if s.reader, err = openDB(ctx, dsn(path, false)); err != nil {
		return err
	}
	s.reader.SetMaxOpenConns(max(4, runtime.NumCPU()))
	return s.prepare(ctx)
}

// preparedReads are the queries of Unseen and of the commands run most,
// which Open prepares on the readers.
var preparedReads = []string{
	storedSQL, searchHorizonSQL, searchSQL, actorCountsSQL, actorSeenSQL, actorWithSQL,
	actorLatestSQL, actorDailySQL, actorTrendsSQL,
}

// prepare prepares preparedReads on the readers and Commit's statements on
// the writer.
func (s *Store) prepare(ctx context.Context) error {
	for db, queries := range map[*sql.DB][]string{s.reader: preparedReads, s.writer: commitSQL} {
		for _, q := range queries {
			st, err := db.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("prepare %s: %w", strings.Join(strings.Fields(q), " "), err)
			}
			s.prepared[q] = st
		}
	}
	return nil
}

// incrementalVacuum puts a database created before the store kept its
// file in incremental auto-vacuum mode into that mode, once: it takes a
// VACUUM, which rewrites the whole file (seconds per gigabyte) and waits
// for readers. A new database is created in that mode by its connection
// string.
func incrementalVacuum(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	var mode int
	if err := db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	if mode == autoVacuumIncremental {
		return nil
	}
	start := time.Now()
	logger.Info("store: rewriting the file once so that retention can shrink it")
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("vacuum into incremental auto-vacuum mode: %w", err)
	}
	logger.Info("store: file rewritten", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// autoVacuumIncremental is PRAGMA auto_vacuum's value for INCREMENTAL.
const autoVacuumIncremental = 2

// Store is a store.Store.
var _ store.Store = (*Store)(nil)

// Close closes the prepared statements and both connection pools.
func (s *Store) Close() error {
	var errs []error
	for _, st := range s.prepared {
		errs = append(errs, st.Close())
	}
	for _, db := range []*sql.DB{s.reader, s.writer} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
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
// lock, and creates a new database in incremental auto-vacuum mode (before
// migrations create any table), so that Prune can shrink the file; readers
// are query-only.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	if writer {
		q.Add("_pragma", "auto_vacuum(INCREMENTAL)")
	}
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
