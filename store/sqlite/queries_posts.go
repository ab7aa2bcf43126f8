package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"storyline/store"
)

// latestPostedSQL reads the delivered posts and digests through
// outbox_sent, newest first, skipping those whose message is gone (its
// lead item no longer carries it).
const latestPostedSQL = `
	SELECT o.kind, o.item_ids, coalesce(o.cluster_id, 0), o.sent_at, i.channel_id, i.message_id,
	       i.id, i.title, i.link, i.feed_name, i.published
	FROM outbox AS o JOIN items AS i ON i.id = json_extract(o.item_ids, '$[0]')
	WHERE o.sent_at IS NOT NULL AND o.kind IN ('post', 'digest')
	  AND i.message_id = o.message_id AND i.message_id != ''
	ORDER BY o.sent_at DESC, o.id DESC LIMIT ?`

// outletsSQL lists the feeds of the items of cluster ?1 and of the items
// whose ids are in the JSON array ?2, through items_cluster and the id
// index.
const outletsSQL = `
	SELECT feed_name, seen_at, seq FROM items WHERE cluster_id = ?1
	UNION ALL
	SELECT feed_name, seen_at, seq FROM items WHERE id IN (SELECT value FROM json_each(?2))
	ORDER BY 2, 3`

// LatestPosted returns the latest limit messages posted, read in one
// snapshot.
func (s *Store) LatestPosted(ctx context.Context, limit int) ([]store.PostedMessage, error) {
	devs, err := snapshot(ctx, s.reader, func(tx *sql.Tx) ([]store.PostedMessage, error) { return latestPosted(ctx, tx, limit) })
	if err != nil {
		return nil, fmt.Errorf("latest posted: %w", err)
	}
	return devs, nil
}

// posted is a row of latestPostedSQL: a message with the JSON array of its
// item ids and its cluster.
type posted struct {
	store.PostedMessage
	itemIDs string
	cluster int64
}

// scanPosted reads a row of latestPostedSQL.
func scanPosted(r row) (posted, error) {
	var p posted
	var sent, published int64
	if err := r.Scan(&p.Kind, &p.itemIDs, &p.cluster, &sent, &p.ChannelID, &p.MessageID,
		&p.Lead.ID, &p.Lead.Title, &p.Lead.Link, &p.Lead.FeedName, &published); err != nil {
		return p, err
	}
	p.PostedAt, p.Lead.Published = fromMillis(sent), fromMillis(published)
	var list []string
	if err := json.Unmarshal([]byte(p.itemIDs), &list); err != nil {
		return p, fmt.Errorf("item ids of message %s: %w", p.MessageID, err)
	}
	p.Items = len(list)
	return p, nil
}

// latestPosted runs LatestPosted's queries in tx.
func latestPosted(ctx context.Context, tx *sql.Tx, limit int) ([]store.PostedMessage, error) {
	rows, err := queryRows(ctx, tx, scanPosted, latestPostedSQL, limit)
	if err != nil {
		return nil, err
	}
	var devs []store.PostedMessage
	for _, p := range rows {
		if p.Outlets, err = outlets(ctx, tx, p.cluster, p.itemIDs); err != nil {
			return nil, fmt.Errorf("outlets of message %s: %w", p.MessageID, err)
		}
		devs = append(devs, p.PostedMessage)
	}
	return devs, nil
}

// outlets lists, each once in the order first seen, the feeds of cluster's
// items and of the items whose ids are in the JSON array idsJSON.
func outlets(ctx context.Context, tx *sql.Tx, cluster int64, idsJSON string) ([]string, error) {
	names, err := queryRows(ctx, tx, func(r row) (string, error) {
		var name string
		var seen, seq int64
		return name, r.Scan(&name, &seen, &seq)
	}, outletsSQL, cluster, idsJSON)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// messageItemsSQL finds the items behind message ?1: those of the outbox
// entries delivered as it (a post, its edits, a digest, a thread reply),
// those recording it, and those of the cluster it carries. Each part uses
// an index on message_id.
const messageItemsSQL = `
	SELECT j.value FROM outbox AS o, json_each(o.item_ids) AS j
	WHERE o.message_id = ?1 AND o.message_id != ''
	UNION
	SELECT id FROM items WHERE message_id = ?1 AND message_id != ''
	UNION
	SELECT lead_item_id FROM clusters WHERE message_id = ?1 AND message_id != ''`

// relatedSQL lists the items of the clusters of the items in the JSON array
// ?1, other than those items, through items_cluster.
const relatedSQL = `
	SELECT i.id, i.title, i.link, i.feed_name, i.published
	FROM (SELECT DISTINCT cluster_id FROM items
	      WHERE id IN (SELECT value FROM json_each(?1)) AND cluster_id IS NOT NULL) AS c
	CROSS JOIN items AS i ON i.cluster_id = c.cluster_id
	WHERE i.id NOT IN (SELECT value FROM json_each(?1))
	ORDER BY i.seen_at, i.seq`

// MessageItems returns the items behind the bot's message messageID, read
// in one snapshot.
func (s *Store) MessageItems(ctx context.Context, messageID string) (store.Posting, error) {
	p, err := snapshot(ctx, s.reader, func(tx *sql.Tx) (store.Posting, error) { return messageItems(ctx, tx, messageID) })
	if err != nil {
		return store.Posting{}, fmt.Errorf("message items %s: %w", messageID, err)
	}
	return p, nil
}

// messageItems runs MessageItems' queries in tx.
func messageItems(ctx context.Context, tx *sql.Tx, messageID string) (store.Posting, error) {
	ids, err := queryRows(ctx, tx, column[string], messageItemsSQL, messageID)
	if err != nil {
		return store.Posting{}, err
	}
	if len(ids) == 0 {
		return store.Posting{}, store.ErrNotFound
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return store.Posting{}, err
	}
	var p store.Posting
	if p.Records, err = recordsIn(ctx, tx, string(idsJSON)); err != nil {
		return store.Posting{}, err
	}
	if len(p.Records) == 0 {
		return store.Posting{}, store.ErrNotFound
	}
	if p.Related, err = queryRows(ctx, tx, scanItemRef, relatedSQL, string(idsJSON)); err != nil {
		return store.Posting{}, fmt.Errorf("related items: %w", err)
	}
	return p, nil
}

// recordsIn reads the stored records whose ids are in the JSON array
// idsJSON, in the order they were seen; missing ids are skipped.
func recordsIn(ctx context.Context, db querier, idsJSON string) ([]store.Record, error) {
	return queryRows(ctx, db, scanRecord,
		selectRecordsSQL+`WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seen_at, seq`, idsJSON)
}
