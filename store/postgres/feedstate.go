package postgres

import (
	"context"
	"fmt"
	"time"

	"storyline/feeds"
)

// FeedStates returns the remembered state of every feed, by URL.
func (s *Store) FeedStates(ctx context.Context) (map[string]feeds.State, error) {
	list, err := queryRows(ctx, s.pool, scanFeedState, `SELECT `+feedStateColumns+` FROM feed_state`)
	if err != nil {
		return nil, fmt.Errorf("feed states: %w", err)
	}
	states := make(map[string]feeds.State, len(list))
	for _, st := range list {
		states[st.URL] = st
	}
	return states, nil
}

// feedStateColumns are the columns scanFeedState reads.
const feedStateColumns = `url, etag, last_modified, next_poll, last_poll, last_success,
	failures, error_class, last_error, failing_since,
	interval_ms, recent_items, recent_since, ttl_ms`

// scanFeedState reads the feedStateColumns of a row.
func scanFeedState(r row) (feeds.State, error) {
	var st feeds.State
	var next, last, success, failing, since *int64
	var interval, ttl int64
	err := r.Scan(&st.URL, &st.ETag, &st.LastModified, &next, &last, &success,
		&st.Failures, &st.ErrorClass, &st.LastError, &failing,
		&interval, &st.RecentItems, &since, &ttl)
	st.NextPoll = fromNullMillis(next)
	st.LastPoll = fromNullMillis(last)
	st.LastSuccess = fromNullMillis(success)
	st.FailingSince = fromNullMillis(failing)
	st.RecentSince = fromNullMillis(since)
	st.Interval = time.Duration(interval) * time.Millisecond
	st.TTL = time.Duration(ttl) * time.Millisecond
	return st, err
}

// saveFeedState upserts st through db.
func saveFeedState(ctx context.Context, db querier, st feeds.State) error {
	_, err := db.Exec(ctx, `
		INSERT INTO feed_state (`+feedStateColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (url) DO UPDATE SET
			etag = excluded.etag, last_modified = excluded.last_modified,
			next_poll = excluded.next_poll, last_poll = excluded.last_poll,
			last_success = excluded.last_success, failures = excluded.failures,
			error_class = excluded.error_class, last_error = excluded.last_error,
			failing_since = excluded.failing_since, interval_ms = excluded.interval_ms,
			recent_items = excluded.recent_items, recent_since = excluded.recent_since,
			ttl_ms = excluded.ttl_ms`,
		st.URL, st.ETag, st.LastModified, nullMillis(st.NextPoll), nullMillis(st.LastPoll),
		nullMillis(st.LastSuccess), st.Failures, string(st.ErrorClass), st.LastError,
		nullMillis(st.FailingSince), st.Interval.Milliseconds(), st.RecentItems,
		nullMillis(st.RecentSince), st.TTL.Milliseconds())
	return err
}
