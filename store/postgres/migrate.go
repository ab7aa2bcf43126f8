package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles holds the schema migrations, named NNNN_what.sql and
// numbered from 0001 without gaps.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open when the database was migrated by a
// newer version of the program than this one.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this program")

// The advisory lock keys of the store (the first of the two int4 keys; the
// second is the hash of the schema, so that stores in two schemas of one
// database do not wait for each other).
const (
	lockMigrate    = 0x5717_0001
	lockClustering = 0x5717_0002
)

// migration is one schema step; applying it records version in
// schema_version.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations in the migrations directory of fsys,
// in version order, and checks they are numbered 1, 2, 3 ….
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	migs := make([]migration, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		digits, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(digits)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("load migrations: %s: name must be NNNN_what.sql", base)
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load migrations: %w", err)
		}
		migs = append(migs, migration{version: version, name: base, sql: string(text)})
	}
	slices.SortFunc(migs, func(a, b migration) int { return a.version - b.version })
	for i, m := range migs {
		if m.version != i+1 {
			return nil, fmt.Errorf("load migrations: %s: want version %d", m.name, i+1)
		}
	}
	return migs, nil
}

// migrate applies the migrations newer than the database's version, all in
// one transaction that holds the migration lock, so that instances starting
// together migrate once.
func migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	var applied []migration
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, lockMigrate); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		if current > len(migs) {
			return fmt.Errorf("migrate: database version %d, program knows %d: %w", current, len(migs), ErrSchemaTooNew)
		}
		for _, m := range migs[current:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
			applied = append(applied, m)
		}
		if len(applied) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM schema_version; INSERT INTO schema_version VALUES (`+strconv.Itoa(len(migs))+`)`)
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range applied {
		logger.Info("store migrated", "version", m.version, "migration", m.name)
	}
	return nil
}
