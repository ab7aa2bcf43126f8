package sqlite

import (
	"context"
	"database/sql"
)

// querier is what both *sql.DB and *sql.Tx offer for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowReader is what both *sql.Tx and preparedTx offer for reading.
type rowReader interface {
	querier
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// preparedTx reads in tx, running a query the Store prepared (by its text)
// as its prepared statement, so that a command does not parse its SQL
// again on every call (a third of a search's time), and any other query as
// given.
type preparedTx struct {
	tx       *sql.Tx
	prepared map[string]*sql.Stmt
}

// QueryContext runs query in the transaction.
func (p preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := p.prepared[query]; ok {
		return p.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return p.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query, which returns at most one row, in the
// transaction.
func (p preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := p.prepared[query]; ok {
		return p.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
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
