package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"storyline/store"
)

// Cluster returns cluster id with its items, read in one snapshot.
func (s *Store) Cluster(ctx context.Context, id int64) (store.Cluster, error) {
	c, err := snapshot(ctx, s.pool, func(tx pgx.Tx) (store.Cluster, error) {
		c := store.Cluster{ID: id}
		var created, updated int64
		err := tx.QueryRow(ctx, `
			SELECT lead_item_id, channel_id, message_id, thread_id, created_at, updated_at
			FROM clusters WHERE id = $1`, id).Scan(
			&c.LeadItemID, &c.ChannelID, &c.MessageID, &c.ThreadID, &created, &updated)
		if err != nil {
			return c, noRows(err)
		}
		c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
		c.ItemIDs, err = queryRows(ctx, tx, column[string], `SELECT id FROM items WHERE cluster_id = $1 ORDER BY seen_at, seq`, id)
		return c, err
	})
	if err != nil {
		return store.Cluster{}, fmt.Errorf("cluster %d: %w", id, err)
	}
	return c, nil
}

// SetClusterMessage records the message and thread of cluster id.
func (s *Store) SetClusterMessage(ctx context.Context, id int64, channelID, messageID, threadID string) error {
	err := updateOne(ctx, s.pool, `UPDATE clusters SET channel_id = $1, message_id = $2, thread_id = $3 WHERE id = $4`,
		channelID, messageID, threadID, id)
	if err != nil {
		return fmt.Errorf("set cluster message %d: %w", id, err)
	}
	return nil
}
