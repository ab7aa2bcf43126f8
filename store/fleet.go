package store

import (
	"context"
	"time"

	"storyline/feeds"
)

// Fleet is what several instances of the bot sharing one store coordinate
// through: who is alive, who leads (the one instance that drains the
// outbox and holds the Discord gateway), which instance polls a feed, and
// the lock under which a report is clustered and committed. Leases run on
// the store's clock, not the instances', so that clocks that disagree do
// not make two leaders. A store that only one process uses (SQLite) does
// not implement it; that process is the fleet and always leads.
type Fleet interface {
	// Heartbeat records that instance in is alive, at the store's clock.
	Heartbeat(ctx context.Context, in Instance) error
	// Instances lists the instances that sent a heartbeat in the last day,
	// the oldest started first, each with its last heartbeat and whether
	// it holds the leader lease now.
	Instances(ctx context.Context) ([]Instance, error)
	// Lead takes the leader lease for instance id for ttl, or renews it
	// when id holds it already, and reports whether id holds it. Another
	// instance takes it only once it has expired.
	Lead(ctx context.Context, id string, ttl time.Duration) (bool, error)
	// Resign gives the leader lease up, if id holds it, so that another
	// instance can take it at once.
	Resign(ctx context.Context, id string) error
	// ClaimFeed leases the feed at url to instance id for ttl when the
	// feed is due at now (its stored next poll is not after now, or it has
	// none) and no other instance's lease on it is running: a lease runs
	// until ttl has passed, or until its holder, having sent heartbeats,
	// sends none for InstanceTimeout. It returns the
	// feed's stored state (zero when it has none) and whether id now holds
	// the lease. A commit of the feed's new state before ReleaseFeed is
	// seen by whoever claims it next.
	ClaimFeed(ctx context.Context, url, id string, now time.Time, ttl time.Duration) (feeds.State, bool, error)
	// ReleaseFeed ends id's lease on the feed at url, if id holds it.
	ReleaseFeed(ctx context.Context, url, id string) error
	// LockClustering waits for the store's clustering lock, which one
	// caller in all the fleet holds at a time, and returns the function
	// that releases it. The lock is released too when the process holding
	// it dies.
	LockClustering(ctx context.Context) (unlock func(), err error)
	// SignaturesSince returns the clustered reports stored after mark (a
	// value it returned before, or 0 for all) that were published at or
	// after from, in the order they were stored, and the mark of the
	// latest report stored. Called under the clustering lock, it is what
	// the other instances clustered since the caller last looked.
	SignaturesSince(ctx context.Context, mark int64, from time.Time) ([]Candidate, int64, error)
}

// InstanceTimeout is how long an instance that sent heartbeats may be
// silent before the others take it for dead and take its feeds over;
// instances send heartbeats several times within it.
const InstanceTimeout = 20 * time.Second

// Instance is one running instance of the bot.
type Instance struct {
	// ID is unique to the process: its host, process id and a random part.
	ID      string
	Host    string
	PID     int
	Version string
	// Started is when the process started; Heartbeat when it last said it
	// was alive (the store's clock).
	Started, Heartbeat time.Time
	// Leader reports whether it holds the leader lease.
	Leader bool
}
