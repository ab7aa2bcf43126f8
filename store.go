package main

import (
	"context"
	"log/slog"

	"storyline/config"
	"storyline/store"
	"storyline/store/postgres"
	"storyline/store/sqlite"
)

// openStore opens the bot's store: the one place that chooses the store
// implementation. With [store] url_env it is the PostgreSQL database whose
// URL that variable holds, otherwise the SQLite file [store] path.
func openStore(ctx context.Context, cfg *config.Config, getenv func(string) string, logger *slog.Logger) (store.Store, error) {
	u, err := cfg.StoreURL(getenv)
	if err != nil {
		return nil, err
	}
	if u != "" {
		return postgres.Open(ctx, u, logger)
	}
	return openSQLite(ctx, cfg.Store.Path, logger)
}

// openSQLite opens the SQLite store at path.
func openSQLite(ctx context.Context, path string, logger *slog.Logger) (store.Store, error) {
	return sqlite.Open(ctx, path, logger)
}
