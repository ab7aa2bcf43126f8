package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"storyline/store"
)

// Cluster returns cluster id with its items, read in one snapshot.
func (s *Store) Cluster(ctx context.Context, id int64) (store.Cluster, error) {
	c, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (store.Cluster, error) { return readCluster(ctx, tx, id) })
	if err != nil {
		return store.Cluster{}, fmt.Errorf("cluster %d: %w", id, err)
	}
	return c, nil
}

// readCluster reads cluster id and its items in one snapshot, tx.
func readCluster(ctx context.Context, tx *sql.Tx, id int64) (store.Cluster, error) {
	c := store.Cluster{ID: id}
	var created, updated int64
	err := tx.QueryRowContext(ctx, `
		SELECT lead_item_id, channel_id, message_id, thread_id, created_at, updated_at
		FROM clusters WHERE id = ?`, id).Scan(
		&c.LeadItemID, &c.ChannelID, &c.MessageID, &c.ThreadID, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Cluster{}, store.ErrNotFound
	}
	if err != nil {
		return store.Cluster{}, err
	}
	c.CreatedAt = fromMillis(created)
	c.UpdatedAt = fromMillis(updated)
	c.ItemIDs, err = queryRows(ctx, tx, column[string], `SELECT id FROM items WHERE cluster_id = ? ORDER BY seen_at, seq`, id)
	return c, err
}

// SetClusterMessage records the message and thread of cluster id.
func (s *Store) SetClusterMessage(ctx context.Context, id int64, channelID, messageID, threadID string) error {
	err := s.update(ctx, `UPDATE clusters SET channel_id = ?, message_id = ?, thread_id = ? WHERE id = ?`,
		channelID, messageID, threadID, id)
	if err != nil {
		return fmt.Errorf("set cluster message %d: %w", id, err)
	}
	return nil
}
