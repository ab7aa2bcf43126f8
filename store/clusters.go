package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Cluster is one development: the reports of it and the Discord message
// (and thread) that carries it.
type Cluster struct {
	ID int64
	// LeadItemID is the item the cluster's message was first posted for.
	LeadItemID string
	// ChannelID, MessageID and ThreadID locate the cluster's message and its
	// thread; empty until posted, or after the message is gone.
	ChannelID, MessageID, ThreadID string
	CreatedAt, UpdatedAt           time.Time
	// ItemIDs are the cluster's items in the order they were seen.
	ItemIDs []string
}

// Cluster returns cluster id with its items, or an error wrapping
// ErrNotFound.
func (s *Store) Cluster(ctx context.Context, id int64) (Cluster, error) {
	c, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (Cluster, error) { return readCluster(ctx, tx, id) })
	if err != nil {
		return Cluster{}, fmt.Errorf("cluster %d: %w", id, err)
	}
	return c, nil
}

// readCluster reads cluster id and its items in one snapshot, tx.
func readCluster(ctx context.Context, tx *sql.Tx, id int64) (Cluster, error) {
	c := Cluster{ID: id}
	var created, updated int64
	err := tx.QueryRowContext(ctx, `
		SELECT lead_item_id, channel_id, message_id, thread_id, created_at, updated_at
		FROM clusters WHERE id = ?`, id).Scan(
		&c.LeadItemID, &c.ChannelID, &c.MessageID, &c.ThreadID, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Cluster{}, ErrNotFound
	}
	if err != nil {
		return Cluster{}, err
	}
	c.CreatedAt = fromMillis(created)
	c.UpdatedAt = fromMillis(updated)
	c.ItemIDs, err = queryRows(ctx, tx, column[string], `SELECT id FROM items WHERE cluster_id = ? ORDER BY seen_at, seq`, id)
	return c, err
}

// SetClusterMessage records the message (and thread, empty for none) that
// carries cluster id.
func (s *Store) SetClusterMessage(ctx context.Context, id int64, channelID, messageID, threadID string) error {
	err := s.update(ctx, `UPDATE clusters SET channel_id = ?, message_id = ?, thread_id = ? WHERE id = ?`,
		channelID, messageID, threadID, id)
	if err != nil {
		return fmt.Errorf("set cluster message %d: %w", id, err)
	}
	return nil
}
