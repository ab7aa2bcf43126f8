package store

import (
	"context"
	"database/sql"
	"fmt"

	"storyline/feeds"
)

// execer is what both *sql.DB and *sql.Tx offer for writing.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// FeedStates returns the remembered state of every feed, by URL.
func (s *Store) FeedStates(ctx context.Context) (map[string]feeds.State, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT url, etag, last_modified, next_poll, last_poll, last_success,
		       failures, error_class, last_error, failing_since
		FROM feed_state`)
	if err != nil {
		return nil, fmt.Errorf("feed states: %w", err)
	}
	defer rows.Close()
	states := make(map[string]feeds.State)
	for rows.Next() {
		var st feeds.State
		var next, last, success, failing sql.NullInt64
		if err := rows.Scan(&st.URL, &st.ETag, &st.LastModified, &next, &last, &success,
			&st.Failures, &st.ErrorClass, &st.LastError, &failing); err != nil {
			return nil, fmt.Errorf("feed states: %w", err)
		}
		st.NextPoll = fromNullMillis(next)
		st.LastPoll = fromNullMillis(last)
		st.LastSuccess = fromNullMillis(success)
		st.FailingSince = fromNullMillis(failing)
		states[st.URL] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed states: %w", err)
	}
	return states, nil
}

// saveFeedState upserts st through db.
func saveFeedState(ctx context.Context, db execer, st feeds.State) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO feed_state (url, etag, last_modified, next_poll, last_poll, last_success,
		                        failures, error_class, last_error, failing_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET
			etag = excluded.etag, last_modified = excluded.last_modified,
			next_poll = excluded.next_poll, last_poll = excluded.last_poll,
			last_success = excluded.last_success, failures = excluded.failures,
			error_class = excluded.error_class, last_error = excluded.last_error,
			failing_since = excluded.failing_since`,
		st.URL, st.ETag, st.LastModified, nullMillis(st.NextPoll), nullMillis(st.LastPoll),
		nullMillis(st.LastSuccess), st.Failures, string(st.ErrorClass), st.LastError,
		nullMillis(st.FailingSince))
	return err
}
