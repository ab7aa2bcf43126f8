package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"storyline/store"
)

// DailyQueue is the part of the store the daily digest scheduler writes.
type DailyQueue interface {
	QueueDaily(ctx context.Context, from, end time.Time) (store.Daily, error)
}

// DailyOptions configures a DailyScheduler. Zero fields take defaults.
type DailyOptions struct {
	// At is the time of day of the digest as "HH:MM"; empty disables it.
	At string
	// Zone is the time zone At is read in (default UTC).
	Zone *time.Location
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Retry is the wait after the store failed to queue a digest (default
	// 1 min).
	Retry time.Duration
	// Late is how long after its time a digest is still queued, when the
	// store kept failing or the clock jumped ahead (a suspended machine):
	// past it, the digest is skipped and the next one covers its period
	// (default 1 h).
	Late time.Duration
	// Notify, when set, is called after a digest is queued (it wakes the
	// poster).
	Notify func()
}

func (o DailyOptions) withDefaults() DailyOptions {
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retry <= 0 {
		o.Retry = time.Minute
	}
	if o.Late <= 0 {
		o.Late = time.Hour
	}
	return o
}

// DailyScheduler queues one daily digest a day, at a time of day in a time
// zone. A digest covers the items seen since the previous digest was
// queued (the previous day's time for the first one). A digest missed
// because the bot was not running is not sent late: on start the
// scheduler waits for the next time to come, and that digest covers the
// whole gap. Queuing is idempotent per scheduled time, so a restart, or a
// second process, never queues the same digest twice.
type DailyScheduler struct {
	queue  DailyQueue
	logger *slog.Logger
	opts   DailyOptions
	// hour and minute are At's; enabled is false when At is empty.
	hour, minute int
	enabled      bool
}

// NewDailyScheduler returns a scheduler queuing digests in queue. An At
// that is not "HH:MM" is an error.
func NewDailyScheduler(queue DailyQueue, logger *slog.Logger, opts DailyOptions) (*DailyScheduler, error) {
	d := &DailyScheduler{queue: queue, logger: logger, opts: opts.withDefaults()}
	if opts.At == "" {
		return d, nil
	}
	t, err := time.Parse("15:04", opts.At)
	if err == nil && len(opts.At) != len("15:04") {
		err = errors.New("two digits for the hour")
	}
	if err != nil {
		return nil, fmt.Errorf("daily digest time %q: want HH:MM: %w", opts.At, err)
	}
	d.hour, d.minute, d.enabled = t.Hour(), t.Minute(), true
	return d, nil
}

// Next returns the first digest time after t: At on t's day in Zone, or on
// the next day. On a day whose clocks skip At (a DST change), the digest
// comes when time.Date places it, once; on a day that repeats At, once
// too. A disabled scheduler has no next time: the zero time.
func (d *DailyScheduler) Next(t time.Time) time.Time {
	if !d.enabled {
		return time.Time{}
	}
	local := t.In(d.opts.Zone)
	for day := 0; ; day++ {
		at := d.on(local, day)
		if at.After(t) {
			return at
		}
	}
}

// on returns the digest time days days after local's day.
func (d *DailyScheduler) on(local time.Time, days int) time.Time {
	return time.Date(local.Year(), local.Month(), local.Day()+days, d.hour, d.minute, 0, 0, d.opts.Zone)
}

// Run queues a digest at every digest time until ctx ends, and returns
// ctx's error then. A disabled scheduler returns nil at once. Store
// failures are logged and retried until the digest is Late.
func (d *DailyScheduler) Run(ctx context.Context) error {
	if !d.enabled {
		d.logger.Info("daily digest disabled")
		return nil
	}
	at := d.Next(d.opts.Now())
	d.logger.Info("daily digest scheduled", "at", at)
	due := at
	for {
		if err := d.sleepUntil(ctx, due); err != nil {
			return err
		}
		now := d.opts.Now()
		if now.Sub(at) > d.opts.Late {
			next := d.Next(now)
			d.logger.Warn("daily digest skipped, too late", "at", at, "next", next)
			at, due = next, next
			continue
		}
		if err := d.fire(ctx, at); err != nil {
			d.logger.Error("daily digest not queued", "at", at, "retry_in", d.opts.Retry, "error", err)
			due = now.Add(d.opts.Retry)
			continue
		}
		at = d.Next(later(at, now))
		due = at
	}
}

// fire queues the digest of time at. One queued already is not an error.
func (d *DailyScheduler) fire(ctx context.Context, at time.Time) error {
	daily, err := d.queue.QueueDaily(ctx, d.on(at.In(d.opts.Zone), -1), at)
	switch {
	case errors.Is(err, store.ErrDailyExists):
		d.logger.Info("daily digest already queued", "at", at)
		return nil
	case err != nil:
		return err
	}
	d.logger.Info("daily digest queued", "entry", daily.EntryID, "from", daily.Start, "to", daily.End)
	if d.opts.Notify != nil {
		d.opts.Notify()
	}
	return nil
}

// sleepUntil waits until the clock reads t or later, or until ctx ends.
// It looks at the clock again after every wait, in case it was set back.
func (d *DailyScheduler) sleepUntil(ctx context.Context, t time.Time) error {
	for {
		wait := t.Sub(d.opts.Now())
		if wait <= 0 {
			return nil
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
