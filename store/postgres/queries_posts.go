package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"storyline/store"
)

// latestPostedSQL reads the delivered posts and digests through
// outbox_sent, newest first, skipping those whose message is gone (its
// lead item no longer carries it). The lead is read by a LATERAL subquery
// with a LIMIT, so that the planner probes items for the newest entries
// only instead of joining every delivered entry.
const latestPostedSQL = `
	SELECT o.kind, o.item_ids, coalesce(o.cluster_id, 0), o.sent_at, i.channel_id, i.message_id,
	       i.id, i.title, i.link, i.feed_name, i.published
	FROM outbox AS o CROSS JOIN LATERAL (
		SELECT channel_id, message_id, id, title, link, feed_name, published FROM items
		WHERE id = o.item_ids[1] AND message_id = o.message_id AND message_id <> '' LIMIT 1
	) AS i
	WHERE o.sent_at IS NOT NULL AND o.kind IN ('post', 'digest')
	ORDER BY o.sent_at DESC, o.id DESC LIMIT $1`

// outletsSQL lists the feeds of the items of cluster $1 and of the items
// whose ids are in $2, through items_cluster and the id index.
const outletsSQL = `
	SELECT feed_name FROM (
		SELECT feed_name, seen_at, seq FROM items WHERE cluster_id = $1
		UNION ALL
		SELECT feed_name, seen_at, seq FROM items WHERE id = ANY ($2)
	) AS o ORDER BY seen_at, seq`

// LatestPosted returns the latest limit messages posted, read in one
// snapshot.
func (s *Store) LatestPosted(ctx context.Context, limit int) ([]store.PostedMessage, error) {
	devs, err := snapshot(ctx, s.pool, func(tx pgx.Tx) ([]store.PostedMessage, error) {
		rows, err := queryRows(ctx, tx, scanPosted, latestPostedSQL, limit)
		if err != nil {
			return nil, err
		}
		var devs []store.PostedMessage
		for _, p := range rows {
			names, err := queryRows(ctx, tx, column[string], outletsSQL, p.cluster, p.itemIDs)
			if err != nil {
				return nil, fmt.Errorf("outlets of message %s: %w", p.MessageID, err)
			}
			for _, name := range names {
				if !slices.Contains(p.Outlets, name) {
					p.Outlets = append(p.Outlets, name)
				}
			}
			devs = append(devs, p.PostedMessage)
		}
		return devs, nil
	})
	if err != nil {
		return nil, fmt.Errorf("latest posted: %w", err)
	}
	return devs, nil
}

// posted is a row of latestPostedSQL: a message with its item ids and its
// cluster.
type posted struct {
	store.PostedMessage
	itemIDs []string
	cluster int64
}

// scanPosted reads a row of latestPostedSQL.
func scanPosted(r row) (posted, error) {
	var p posted
	var sent, published int64
	err := r.Scan(&p.Kind, &p.itemIDs, &p.cluster, &sent, &p.ChannelID, &p.MessageID,
		&p.Lead.ID, &p.Lead.Title, &p.Lead.Link, &p.Lead.FeedName, &published)
	p.PostedAt, p.Lead.Published = fromMillis(sent), fromMillis(published)
	p.Items = len(p.itemIDs)
	return p, err
}

// messageItemsSQL finds the items behind message $1: those of the outbox
// entries delivered as it (a post, its edits, a digest, a thread reply),
// those recording it, and those of the cluster it carries. Each part uses
// an index on message_id.
const messageItemsSQL = `
	SELECT unnest(item_ids) FROM outbox WHERE message_id = $1 AND message_id <> ''
	UNION
	SELECT id FROM items WHERE message_id = $1 AND message_id <> ''
	UNION
	SELECT lead_item_id FROM clusters WHERE message_id = $1 AND message_id <> ''`

// relatedSQL lists the items of the clusters of the items $1, other than
// those items, through items_cluster.
const relatedSQL = `
	SELECT i.id, i.title, i.link, i.feed_name, i.published
	FROM items AS i
	WHERE i.cluster_id IN (SELECT cluster_id FROM items WHERE id = ANY ($1) AND cluster_id IS NOT NULL)
	  AND NOT i.id = ANY ($1)
	ORDER BY i.seen_at, i.seq`

// MessageItems returns the items behind the bot's message messageID, read
// in one snapshot.
func (s *Store) MessageItems(ctx context.Context, messageID string) (store.Posting, error) {
	p, err := snapshot(ctx, s.pool, func(tx pgx.Tx) (store.Posting, error) {
		ids, err := queryRows(ctx, tx, column[string], messageItemsSQL, messageID)
		if err != nil || len(ids) == 0 {
			return store.Posting{}, cmpErr(err, store.ErrNotFound)
		}
		var p store.Posting
		p.Records, err = queryRows(ctx, tx, scanRecord, selectRecordsSQL+`WHERE id = ANY ($1) ORDER BY seen_at, seq`, ids)
		if err != nil || len(p.Records) == 0 {
			return store.Posting{}, cmpErr(err, store.ErrNotFound)
		}
		if p.Related, err = queryRows(ctx, tx, scanItemRef, relatedSQL, ids); err != nil {
			return store.Posting{}, fmt.Errorf("related items: %w", err)
		}
		p.Related = orNil(p.Related)
		return p, nil
	})
	if err != nil {
		return store.Posting{}, fmt.Errorf("message items %s: %w", messageID, err)
	}
	return p, nil
}

// cmpErr is err, or otherwise when err is nil.
func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
