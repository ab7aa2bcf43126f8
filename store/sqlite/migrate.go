package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFiles holds the schema migrations, named NNNN_what.sql and
// numbered from 0001 without gaps.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open when the database was migrated by a
// newer version of the program than this one.
var ErrSchemaTooNew = errors.New("store: database schema is newer than this program")

// migration is one schema step; applying it sets PRAGMA user_version to
// version.
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
		m, err := readMigration(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load migrations: %w", err)
		}
		migs = append(migs, m)
	}
	slices.SortFunc(migs, func(a, b migration) int { return a.version - b.version })
	for i, m := range migs {
		if m.version != i+1 {
			return nil, fmt.Errorf("load migrations: %s: want version %d", m.name, i+1)
		}
	}
	return migs, nil
}

// readMigration reads one migration file, taking its version from the
// digits before the first underscore of its name.
func readMigration(fsys fs.FS, name string) (migration, error) {
	base := path.Base(name)
	digits, _, ok := strings.Cut(base, "_")
	version, err := strconv.Atoi(digits)
	if !ok || err != nil || version <= 0 {
		return migration{}, fmt.Errorf("%s: name must be NNNN_what.sql", base)
	}
	text, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, err
	}
	return migration{version: version, name: base, sql: string(text)}, nil
}

// migrate applies, each in its own transaction, the migrations newer than
// the database's user_version.
func migrate(ctx context.Context, db *sql.DB, migs []migration, logger *slog.Logger) error {
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if latest := len(migs); current > latest {
		return fmt.Errorf("migrate: database version %d, program knows %d: %w", current, latest, ErrSchemaTooNew)
	}
	for _, m := range migs[current:] {
		applied, err := applyMigration(ctx, db, m)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if applied {
			logger.Info("store migrated", "version", m.version, "migration", m.name)
		}
	}
	return nil
}

// applyMigration applies m unless another process already has: the version
// is read again inside the (IMMEDIATE, so exclusive among writers)
// transaction.
func applyMigration(ctx context.Context, db *sql.DB, m migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return false, rollback(tx, err)
	}
	if current >= m.version {
		return false, tx.Rollback()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, rollback(tx, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return false, rollback(tx, err)
	}
	return true, tx.Commit()
}
