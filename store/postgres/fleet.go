package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"storyline/feeds"
	"storyline/store"
)

// Store is a store.Fleet.
var _ store.Fleet = (*Store)(nil)

// Heartbeat records that in is alive, and forgets the instances silent for
// a day.
func (s *Store) Heartbeat(ctx context.Context, in store.Instance) error {
	_, err := s.pool.Exec(ctx, `
		WITH gone AS (DELETE FROM instances WHERE heartbeat < clock_timestamp() - interval '1 day')
		INSERT INTO instances (id, host, pid, version, started_at, heartbeat)
		VALUES ($1, $2, $3, $4, $5, clock_timestamp())
		ON CONFLICT (id) DO UPDATE SET heartbeat = excluded.heartbeat`,
		in.ID, in.Host, in.PID, in.Version, in.Started)
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", in.ID, err)
	}
	return nil
}

// Instances lists the instances heard from in the last day.
func (s *Store) Instances(ctx context.Context) ([]store.Instance, error) {
	list, err := queryRows(ctx, s.pool, func(r row) (store.Instance, error) {
		var in store.Instance
		err := r.Scan(&in.ID, &in.Host, &in.PID, &in.Version, &in.Started, &in.Heartbeat, &in.Leader)
		in.Started, in.Heartbeat = in.Started.UTC(), in.Heartbeat.UTC()
		return in, err
	}, `
		SELECT i.id, i.host, i.pid, i.version, i.started_at, i.heartbeat,
		       coalesce(l.holder = i.id AND l.expires_at > clock_timestamp(), false)
		FROM instances AS i LEFT JOIN leases AS l ON l.name = 'leader'
		WHERE i.heartbeat >= clock_timestamp() - interval '1 day'
		ORDER BY i.started_at, i.id`)
	if err != nil {
		return nil, fmt.Errorf("instances: %w", err)
	}
	return list, nil
}

// Lead takes or renews the leader lease in one statement: the row is
// written only when id holds the lease or it has expired.
func (s *Store) Lead(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	rows, err := queryRows(ctx, s.pool, column[string], `
		INSERT INTO leases (name, holder, expires_at)
		VALUES ('leader', $1, clock_timestamp() + make_interval(secs => $2))
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= clock_timestamp()
		RETURNING holder`, id, ttl.Seconds())
	if err != nil {
		return false, fmt.Errorf("lead %s: %w", id, err)
	}
	return len(rows) == 1, nil
}

// Resign ends id's leader lease.
func (s *Store) Resign(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE leases SET expires_at = '-infinity' WHERE name = 'leader' AND holder = $1`, id)
	if err != nil {
		return fmt.Errorf("resign %s: %w", id, err)
	}
	return nil
}

// ClaimFeed leases the feed at url to id in one transaction that first
// locks the feed's lease row, so that the feed state it then reads is the
// one committed by the previous holder before it released the lease. A
// lease whose holder has sent no heartbeat for store.InstanceTimeout is
// free: that instance died mid-poll.
func (s *Store) ClaimFeed(ctx context.Context, url, id string, now time.Time, ttl time.Duration) (feeds.State, bool, error) {
	var st feeds.State
	var claimed bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO feed_leases (url, holder, expires_at) VALUES ($1, '', '-infinity')
			ON CONFLICT DO NOTHING`, url); err != nil {
			return err
		}
		var free bool
		if err := tx.QueryRow(ctx, `
			SELECT l.holder = $2 OR l.expires_at <= clock_timestamp()
			       OR coalesce(i.heartbeat < clock_timestamp() - make_interval(secs => $3), false)
			FROM feed_leases AS l LEFT JOIN instances AS i ON i.id = l.holder
			WHERE l.url = $1 FOR UPDATE OF l`,
			url, id, store.InstanceTimeout.Seconds()).Scan(&free); err != nil {
			return err
		}
		states, err := queryRows(ctx, tx, scanFeedState, `SELECT `+feedStateColumns+` FROM feed_state WHERE url = $1`, url)
		if err != nil {
			return err
		}
		if len(states) == 1 {
			st = states[0]
		}
		if !free || st.NextPoll.After(now) {
			return nil
		}
		claimed = true
		_, err = tx.Exec(ctx, `
			UPDATE feed_leases SET holder = $2, expires_at = clock_timestamp() + make_interval(secs => $3)
			WHERE url = $1`, url, id, ttl.Seconds())
		return err
	})
	if err != nil {
		return feeds.State{}, false, fmt.Errorf("claim feed %q: %w", url, err)
	}
	return st, claimed, nil
}

// ReleaseFeed ends id's lease on the feed at url.
func (s *Store) ReleaseFeed(ctx context.Context, url, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE feed_leases SET expires_at = '-infinity' WHERE url = $1 AND holder = $2`, url, id)
	if err != nil {
		return fmt.Errorf("release feed %q: %w", url, err)
	}
	return nil
}

// LockClustering takes the session advisory lock lockClustering on a
// connection of its own, which it keeps until unlock: the server releases
// the lock when that connection ends, so a process that dies holding it
// holds it no more.
func (s *Store) LockClustering(ctx context.Context) (func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock clustering: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, hashtext(current_schema()))`, lockClustering); err != nil {
		// The wait may have been cut short: drop the connection rather
		// than return it to the pool holding the lock or a broken state.
		_ = conn.Conn().Close(context.Background())
		conn.Release()
		return nil, fmt.Errorf("lock clustering: %w", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, lockClustering); err != nil {
			s.logger.Warn("clustering lock: unlock failed, closing its connection", "error", err)
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}

// SignaturesSince returns the clustered reports stored after mark and
// published at or after from, through signatures' seq.
func (s *Store) SignaturesSince(ctx context.Context, mark int64, from time.Time) ([]store.Candidate, int64, error) {
	type marked struct {
		store.Candidate
		seq int64
	}
	rows, err := queryRows(ctx, s.pool, func(r row) (marked, error) {
		var c marked
		var at int64
		err := r.Scan(&c.ClusterID, &c.ItemID, &at, &c.Sig, &c.Actors, &c.Link, &c.seq)
		c.Published, c.Actors = fromMillis(at), orNil(c.Actors)
		return c, err
	}, `
		SELECT s.cluster_id, s.item_id, s.at, s.sig, i.actors, i.link, s.seq
		FROM signatures AS s JOIN items AS i ON i.id = s.item_id
		WHERE s.seq > $1 AND s.at >= $2
		ORDER BY s.seq`, mark, millis(from))
	if err == nil {
		err = s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), $1) FROM signatures`, mark).Scan(&mark)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("signatures since %d: %w", mark, err)
	}
	out := make([]store.Candidate, len(rows))
	for i, r := range rows {
		out[i] = r.Candidate
	}
	return out, mark, nil
}
