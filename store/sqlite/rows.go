package sqlite

import (
	"context"
	"database/sql"
)

// querier is what both *sql.DB and *sql.Tx offer for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// execer is what both *sql.DB and *sql.Tx offer for writing.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// row is one row to read: a *sql.Row or the current row of *sql.Rows.
type row interface {
	Scan(dest ...any) error
}

// queryRows runs query through db and reads every row it returns with
// scan, in order.
func queryRows[T any](ctx context.Context, db querier, scan func(row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	return readRows(rows, err, scan)
}

// readRows reads, with scan, every row of the result of a query that
// returned rows and err (a prepared statement's, or queryRows'). It is
// the store's one loop over *sql.Rows.
func readRows[T any](rows *sql.Rows, err error, scan func(row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// column reads a row of one column.
func column[T any](r row) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
}

// snapshot runs read in one read-only transaction, so that its queries see
// one state of the database.
func snapshot[T any](ctx context.Context, db *sql.DB, read func(*sql.Tx) (T, error)) (T, error) {
	var zero T
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	v, err := read(tx)
	if err != nil {
		return zero, rollback(tx, err)
	}
	return v, tx.Rollback()
}
