package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// PostedMessage is one message the bot posted: the post of a development (a
// cluster of reports, or one item) or a digest of several items.
type PostedMessage struct {
	// Kind is KindPost or KindDigest.
	Kind OutboxKind
	// Lead is the item the message was posted for; a digest's first item.
	Lead ItemRef
	// Items counts the items the message was posted for (one for a post).
	Items int
	// Outlets are the feeds that reported the development (every item of
	// its cluster, else the message's items), in the order first seen.
	Outlets []string
	// ChannelID and MessageID locate the message.
	ChannelID, MessageID string
	PostedAt             time.Time
}

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

// LatestPosted returns the latest limit messages posted (posts and
// digests whose message still exists), newest first, read in one snapshot.
func (s *Store) LatestPosted(ctx context.Context, limit int) ([]PostedMessage, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("latest posted: %w", err)
	}
	devs, err := latestPosted(ctx, tx, limit)
	if err != nil {
		return nil, fmt.Errorf("latest posted: %w", rollback(tx, err))
	}
	if err := tx.Rollback(); err != nil {
		return nil, fmt.Errorf("latest posted: %w", err)
	}
	return devs, nil
}

// latestPosted runs LatestPosted's queries in tx.
func latestPosted(ctx context.Context, tx *sql.Tx, limit int) ([]PostedMessage, error) {
	rows, err := tx.QueryContext(ctx, latestPostedSQL, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var devs []PostedMessage
	var itemIDs []string
	var clusters []int64
	for rows.Next() {
		var d PostedMessage
		var ids string
		var cluster, sent, published int64
		if err := rows.Scan(&d.Kind, &ids, &cluster, &sent, &d.ChannelID, &d.MessageID,
			&d.Lead.ID, &d.Lead.Title, &d.Lead.Link, &d.Lead.FeedName, &published); err != nil {
			return nil, err
		}
		d.PostedAt, d.Lead.Published = fromMillis(sent), fromMillis(published)
		var list []string
		if err := json.Unmarshal([]byte(ids), &list); err != nil {
			return nil, fmt.Errorf("item ids of message %s: %w", d.MessageID, err)
		}
		d.Items = len(list)
		devs = append(devs, d)
		itemIDs = append(itemIDs, ids)
		clusters = append(clusters, cluster)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range devs {
		if devs[i].Outlets, err = outlets(ctx, tx, clusters[i], itemIDs[i]); err != nil {
			return nil, fmt.Errorf("outlets of message %s: %w", devs[i].MessageID, err)
		}
	}
	return devs, nil
}

// outlets lists, each once in the order first seen, the feeds of cluster's
// items and of the items whose ids are in the JSON array idsJSON.
func outlets(ctx context.Context, tx *sql.Tx, cluster int64, idsJSON string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, outletsSQL, cluster, idsJSON)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var seen, seq int64
		if err := rows.Scan(&name, &seen, &seq); err != nil {
			return nil, err
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// Posting is what one Discord message of the bot carries.
type Posting struct {
	// Records are the items the message was posted or edited for, in the
	// order they were seen.
	Records []Record
	// Related are the other items of the records' developments (clusters),
	// in the order they were seen.
	Related []ItemRef
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

// MessageItems returns the items behind the bot's message messageID and
// the rest of their developments, or an error wrapping ErrNotFound when the
// message carries no stored item.
func (s *Store) MessageItems(ctx context.Context, messageID string) (Posting, error) {
	tx, err := s.reader.BeginTx(ctx, nil)
	if err != nil {
		return Posting{}, fmt.Errorf("message items %s: %w", messageID, err)
	}
	p, err := messageItems(ctx, tx, messageID)
	if err != nil {
		return Posting{}, fmt.Errorf("message items %s: %w", messageID, rollback(tx, err))
	}
	if err := tx.Rollback(); err != nil {
		return Posting{}, fmt.Errorf("message items %s: %w", messageID, err)
	}
	return p, nil
}

// messageItems runs MessageItems' queries in tx.
func messageItems(ctx context.Context, tx *sql.Tx, messageID string) (Posting, error) {
	ids, err := stringColumn(ctx, tx, messageItemsSQL, messageID)
	if err != nil {
		return Posting{}, err
	}
	if len(ids) == 0 {
		return Posting{}, ErrNotFound
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return Posting{}, err
	}
	var p Posting
	if p.Records, err = recordsIn(ctx, tx, string(idsJSON)); err != nil {
		return Posting{}, err
	}
	if len(p.Records) == 0 {
		return Posting{}, ErrNotFound
	}
	if p.Related, err = itemRefs(ctx, tx, relatedSQL, string(idsJSON)); err != nil {
		return Posting{}, fmt.Errorf("related items: %w", err)
	}
	return p, nil
}

// stringColumn runs a query returning one text column.
func stringColumn(ctx context.Context, db querier, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// recordsIn reads the stored records whose ids are in the JSON array
// idsJSON, in the order they were seen; missing ids are skipped.
func recordsIn(ctx context.Context, db querier, idsJSON string) ([]Record, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT id, feed_url, feed_name, guid, link, title, text, summary, published, seen_at,
		       language, relevant, score, actors, phrases, context, excluded, spans,
		       cluster_id, message_id, channel_id
		FROM items WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seen_at, seq`, idsJSON)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
