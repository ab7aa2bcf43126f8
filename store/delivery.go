package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MarkReposted records that entry id, an edit of cluster clusterID whose
// Discord message was gone, was delivered as a new message messageID in
// channelID at at. In one transaction the entry is marked sent, the cluster
// carries the new message (its old thread forgotten) and every item of the
// cluster carries the new message id. Until this is called the cluster
// keeps its old message, so a crash before it only makes the edit fail and
// repost again, never leaves the cluster without a message.
func (s *Store) MarkReposted(ctx context.Context, id, clusterID int64, channelID, messageID string, at time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := updateOne(ctx, tx, `
			UPDATE outbox SET status = 'sent', channel_id = ?, message_id = ?, sent_at = ?
			WHERE id = ? AND cluster_id = ?`, channelID, messageID, millis(at), id, clusterID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE clusters SET channel_id = ?, message_id = ?, thread_id = '' WHERE id = ?`,
			channelID, messageID, clusterID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE items SET channel_id = ?, message_id = ? WHERE cluster_id = ?`,
			channelID, messageID, clusterID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark reposted %d: %w", id, err)
	}
	return nil
}
