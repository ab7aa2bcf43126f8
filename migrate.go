package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"storyline/config"
	"storyline/store/postgres"
	"storyline/store/sqlite"
)

// runMigrate runs `storyline migrate`: it copies the SQLite store of a
// config into an empty PostgreSQL database.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "[-config FILE] -to-url-env VAR",
		"Copy the bot's SQLite store ([store] path) into the empty PostgreSQL database whose\n"+
			"postgres:// URL the environment variable VAR holds: items, mentions, developments,\n"+
			"the outbox (sent, pending and failed, with their ids), feed states and digests.\n"+
			"Stop the bot first. Then set [store] url_env = \"VAR\" in the config.")
	cfgPath := fs.String("config", "config.toml", "config `file`")
	urlEnv := fs.String("to-url-env", "", "the environment `variable` holding the target database's URL")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *urlEnv == "" {
		fs.SetOutput(stderr)
		fs.Usage()
		return fmt.Errorf("%w: migrate: -to-url-env is required", errUsage)
	}
	cfg, err := config.Load(*cfgPath, getenv)
	if err != nil {
		return err
	}
	target := *cfg
	target.Store.URLEnv = *urlEnv
	u, err := target.StoreURL(getenv)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := os.Stat(cfg.Store.Path); err != nil {
		return fmt.Errorf("migrate: the SQLite store [store] path of %s: %w", cfg.Path, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := sqlite.Open(ctx, cfg.Store.Path, logger)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, u, logger)
	if err != nil {
		return fmt.Errorf("migrate: %s: %w", *urlEnv, err)
	}
	defer dst.Close()
	snap, err := src.Export(ctx)
	if err != nil {
		return fmt.Errorf("migrate: read %s: %w", cfg.Store.Path, err)
	}
	if err := dst.Import(ctx, snap); err != nil {
		return fmt.Errorf("migrate: into the database in %s: %w", *urlEnv, err)
	}
	pending := 0
	for _, o := range snap.Outbox {
		if o.Status == "pending" {
			pending++
		}
	}
	fmt.Fprintf(stdout, "moved %d items, %d mentions, %d developments, %d outbox entries (%d pending), %d feed states and %d digests\n"+
		"from %s to the database in %s; set [store] url_env = %q in %s to use it\n",
		len(snap.Items), len(snap.Mentions), len(snap.Clusters), len(snap.Outbox), pending, len(snap.FeedStates),
		len(snap.Digests), cfg.Store.Path, *urlEnv, *urlEnv, cfg.Path)
	return nil
}
