package store

import (
	"context"
	"log/slog"
	"time"
)

// Default retention settings.
const (
	// pruneBatch is how many reports one Prune drops: a few milliseconds
	// of SQLite's single writer (3.4 ms at the median for a store of
	// 100,000 reports, see BenchmarkRetention).
	pruneBatch = 50
	// prunePause is the wait between two Prunes of a pass, so that polls
	// and posts take the writer in between.
	prunePause = 50 * time.Millisecond
	// pruneInterval is the wait between two passes.
	pruneInterval = 10 * time.Minute
)

// UnrelatedHorizon is the retention horizon at now of reports the story
// rejected, when they are kept for keep: those published before it are
// dropped by Prune and not stored by Commit (Batch.UnrelatedBefore). It is
// zero, keeping them all, when keep is not positive.
func UnrelatedHorizon(now time.Time, keep time.Duration) time.Time {
	if keep <= 0 {
		return time.Time{}
	}
	return now.Add(-keep)
}

// Pruner drops rejected reports: the part of a Store that Retention uses.
type Pruner interface {
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
}

// RetentionOptions configures Retention.
type RetentionOptions struct {
	// Keep is how long reports the story rejected are kept after their
	// publication; zero keeps them for ever.
	Keep time.Duration
	// Batch, Pause and Interval override the batch size, the pause
	// between batches and the interval between passes.
	Batch           int
	Pause, Interval time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Retention drops the reports the story rejected once they are older than
// the setting, a small batch at a time so that it never holds the store's
// writer for long.
type Retention struct {
	p      Pruner
	logger *slog.Logger
	opts   RetentionOptions
}

// NewRetention returns the retention of p's rejected reports.
func NewRetention(p Pruner, logger *slog.Logger, opts RetentionOptions) *Retention {
	if opts.Batch <= 0 {
		opts.Batch = pruneBatch
	}
	if opts.Pause <= 0 {
		opts.Pause = prunePause
	}
	if opts.Interval <= 0 {
		opts.Interval = pruneInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Retention{p: p, logger: logger, opts: opts}
}

// Run makes a pass at once and then every interval, until ctx ends. A
// failed pass is logged and tried again at the next. With Keep zero it
// returns at once.
func (r *Retention) Run(ctx context.Context) error {
	if r.opts.Keep <= 0 {
		return nil
	}
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.logger.Warn("retention pass failed; trying again later", "error", err, "next", r.opts.Interval)
		}
		if !wait(ctx, r.opts.Interval) {
			return nil
		}
	}
}

// Pass drops every rejected report older than the setting, in batches with
// a pause between them, and returns how many it dropped.
func (r *Retention) Pass(ctx context.Context) (int, error) {
	before := UnrelatedHorizon(r.opts.Now(), r.opts.Keep)
	total := 0
	for {
		n, err := r.p.Prune(ctx, before, r.opts.Batch)
		total += n
		if err != nil {
			return total, err
		}
		if n < r.opts.Batch {
			break
		}
		if !wait(ctx, r.opts.Pause) {
			return total, ctx.Err()
		}
	}
	if total > 0 {
		r.logger.Info("retention dropped rejected reports", "reports", total, "published_before", before)
	}
	return total, nil
}

// wait waits for d or until ctx ends, and reports whether d passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
