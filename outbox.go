package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"storyline/config"
	"storyline/store"
)

const outboxUsage = `usage: storyline outbox <command> [-config FILE]

commands:
  retry   queue every failed post again, and send the waiting ones now; a running bot sends them
  status  print the number of pending and failed posts, the last failure and what the queue waits for
`

// runOutbox runs `storyline outbox retry|status`.
func runOutbox(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, outboxUsage)
		return fmt.Errorf("%w: outbox: no command", errUsage)
	}
	var do func(context.Context, store.Store, io.Writer) error
	var about string
	switch args[0] {
	case "retry":
		do, about = retryFailed, "Queue every failed post again, and make the posts that wait for a retry (a backoff,\n"+
			"a paused channel) due now; a running bot sends them within a second."
	case "status":
		do, about = outboxStatus, "Print the number of pending and failed posts, the last failure and, when the\n"+
			"oldest post waits for a retry, why."
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, outboxUsage)
		return nil
	default:
		fmt.Fprint(stderr, outboxUsage)
		return fmt.Errorf("%w: outbox: unknown command %q", errUsage, args[0])
	}
	fs := newFlagSet("outbox "+args[0], "[-config FILE]", about)
	cfgPath := fs.String("config", "config.toml", "config `file`")
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, getenv)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, getenv, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.Close()
	return do(ctx, st, stdout)
}

// retryFailed makes every failed entry pending again and every waiting
// one due now.
func retryFailed(ctx context.Context, st store.Store, stdout io.Writer) error {
	n, err := st.RetryFailed(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("outbox retry: %w", err)
	}
	fmt.Fprintf(stdout, "%d failed or waiting %s queued to be sent now\n", n, plural(n, "entry", "entries"))
	return nil
}

// outboxStatus prints the outbox summary.
func outboxStatus(ctx context.Context, st store.Store, stdout io.Writer) error {
	s, err := st.OutboxStats(ctx)
	if err != nil {
		return fmt.Errorf("outbox status: %w", err)
	}
	fmt.Fprintf(stdout, "pending %d, failed %d\n", s.Pending, s.Failed)
	if !s.LastSentAt.IsZero() {
		fmt.Fprintf(stdout, "last sent %s\n", s.LastSentAt.Format(time.RFC3339))
	}
	if s.Failed > 0 {
		fmt.Fprintf(stdout, "last failure %s: code %d: %s\n", s.LastFailureAt.Format(time.RFC3339), s.LastFailureCode, s.LastFailure)
	}
	head, err := st.OutboxHead(ctx)
	if err == nil && head.Attempts > 0 && head.NextAttempt.After(time.Now()) {
		fmt.Fprintf(stdout, "waiting: entry %d (%s), %d %s, next try %s: %s\n", head.ID, head.Kind,
			head.Attempts, plural(int64(head.Attempts), "attempt", "attempts"), head.NextAttempt.Format(time.RFC3339), head.LastError)
	}
	return nil
}

// plural picks the noun for n.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
