package main

import (
	"context"
	"log/slog"

	"storyline/store"
	"storyline/store/sqlite"
)

// openStore opens the store at path: the one place that chooses the store
// implementation, SQLite.
func openStore(ctx context.Context, path string, logger *slog.Logger) (store.Store, error) {
	return sqlite.Open(ctx, path, logger)
}
