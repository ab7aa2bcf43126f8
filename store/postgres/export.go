package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"storyline/store"
)

// importBatch is how many rows Import sends in one round trip.
const importBatch = 1000

// Import writes snap, the whole content of another store, into this one in
// one transaction, keeping its ids; the outbox's next id follows
// snap.LastOutboxID, so no nonce is handed out twice. It refuses a
// database that holds items or outbox entries already.
func (s *Store) Import(ctx context.Context, snap store.Snapshot) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM items) OR EXISTS (SELECT 1 FROM outbox)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return fmt.Errorf("the database holds items or posts already; import into an empty one")
		}
		for _, step := range []func(context.Context, pgx.Tx, store.Snapshot) error{
			importItems, importClusters, importRest, importCounts,
		} {
			if err := step(ctx, tx, snap); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// sendBatches queues one statement per element of list through queue and
// sends them importBatch at a time.
func sendBatches[T any](ctx context.Context, tx pgx.Tx, list []T, queue func(*pgx.Batch, T) error) error {
	for start := 0; start < len(list); start += importBatch {
		var b pgx.Batch
		for _, v := range list[start:min(start+importBatch, len(list))] {
			if err := queue(&b, v); err != nil {
				return err
			}
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
	}
	return nil
}

// importItems writes the items in their order, without their clusters
// (which reference items) and without mentions.
func importItems(ctx context.Context, tx pgx.Tx, snap store.Snapshot) error {
	err := sendBatches(ctx, tx, snap.Items, func(b *pgx.Batch, r store.Record) error {
		spans, err := json.Marshal(orEmpty(r.Match.Spans))
		if err != nil {
			return fmt.Errorf("item %q: %w", r.Item.ID, err)
		}
		it, m := r.Item, r.Match
		b.Queue(`
			INSERT INTO items (id, feed_url, feed_name, guid, link, title, text, summary, published,
			                   seen_at, language, relevant, score, actors, phrases, context, excluded,
			                   spans, message_id, channel_id, fts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			        setweight(to_tsvector('simple', $21), 'A') || setweight(to_tsvector('simple', $22), 'B'))`,
			it.ID, it.FeedURL, it.FeedName, it.GUID, it.Link, it.Title, it.Text, r.Summary,
			millis(it.Published), millis(r.SeenAt), it.Language, m.Relevant, m.Score,
			orEmpty(m.Actors), orEmpty(m.Phrases), orEmpty(m.Context), orEmpty(m.Excluded), string(spans),
			r.MessageID, r.ChannelID, searchText(it.Title), searchText(it.Text))
		return nil
	})
	if err != nil {
		return fmt.Errorf("items: %w", err)
	}
	err = sendBatches(ctx, tx, snap.Mentions, func(b *pgx.Batch, m store.Mention) error {
		b.Queue(`INSERT INTO mentions (item_id, actor, at) VALUES ($1, $2, $3)`, m.ItemID, m.Actor, millis(m.At))
		return nil
	})
	if err != nil {
		return fmt.Errorf("mentions: %w", err)
	}
	return nil
}

// importClusters writes the clusters with their ids, then puts the items
// in them.
func importClusters(ctx context.Context, tx pgx.Tx, snap store.Snapshot) error {
	err := sendBatches(ctx, tx, snap.Clusters, func(b *pgx.Batch, c store.Cluster) error {
		b.Queue(`
			INSERT INTO clusters (id, lead_item_id, created_at, updated_at, channel_id, message_id, thread_id)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.LeadItemID, millis(c.CreatedAt), millis(c.UpdatedAt), c.ChannelID, c.MessageID, c.ThreadID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	var clustered []store.Record
	for _, r := range snap.Items {
		if r.ClusterID != 0 {
			clustered = append(clustered, r)
		}
	}
	err = sendBatches(ctx, tx, clustered, func(b *pgx.Batch, r store.Record) error {
		b.Queue(`UPDATE items SET cluster_id = $1 WHERE id = $2`, r.ClusterID, r.Item.ID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("cluster of items: %w", err)
	}
	_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('clusters', 'id'), coalesce(max(id), 0) + 1, false) FROM clusters`)
	return err
}

// importRest writes the outbox with its ids, the feed states, the digests
// and the signatures, and moves the outbox's identity past LastOutboxID.
func importRest(ctx context.Context, tx pgx.Tx, snap store.Snapshot) error {
	err := sendBatches(ctx, tx, snap.Outbox, func(b *pgx.Batch, o store.OutboxRow) error {
		b.Queue(`
			INSERT INTO outbox (id, kind, item_ids, cluster_id, status, attempts, next_attempt, error_code,
			                    last_error, channel_id, message_id, created_at, sent_at, failed_at, in_flight_at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			o.ID, string(o.Kind), orEmpty(o.ItemIDs), nullID(o.ClusterID), o.Status, o.Attempts,
			millis(o.NextAttempt), o.ErrorCode, o.LastError, o.ChannelID, o.MessageID, millis(o.CreatedAt),
			nullMillis(o.SentAt), nullMillis(o.FailedAt), nullMillis(o.InFlightAt))
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if snap.StoreID != "" {
		if _, err := tx.Exec(ctx, `UPDATE store_identity SET id = $1`, snap.StoreID); err != nil {
			return fmt.Errorf("store id: %w", err)
		}
	}
	last := snap.LastOutboxID
	for _, o := range snap.Outbox {
		last = max(last, o.ID)
	}
	if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('outbox', 'id'), greatest($1::bigint, 1), $1::bigint > 0)`, last); err != nil {
		return fmt.Errorf("outbox sequence: %w", err)
	}
	for _, st := range snap.FeedStates {
		if err := saveFeedState(ctx, tx, st); err != nil {
			return fmt.Errorf("feed state %q: %w", st.URL, err)
		}
	}
	for _, d := range snap.Digests {
		if _, err := tx.Exec(ctx, `INSERT INTO digests (period_end, period_start, outbox_id) VALUES ($1, $2, $3)`,
			millis(d.End), millis(d.Start), d.EntryID); err != nil {
			return fmt.Errorf("digest %v: %w", d.End, err)
		}
	}
	err = sendBatches(ctx, tx, snap.Signatures, func(b *pgx.Batch, c store.Candidate) error {
		b.Queue(`INSERT INTO signatures (item_id, cluster_id, at, sig) VALUES ($1, $2, $3, $4)`,
			c.ItemID, c.ClusterID, millis(c.Published), c.Sig)
		return nil
	})
	if err != nil {
		return fmt.Errorf("signatures: %w", err)
	}
	return nil
}

// Export reads the whole store in one snapshot, as Import writes it.
func (s *Store) Export(ctx context.Context) (store.Snapshot, error) {
	snap, err := snapshot(ctx, s.pool, func(tx pgx.Tx) (store.Snapshot, error) {
		var snap store.Snapshot
		if err := tx.QueryRow(ctx, `SELECT id FROM store_identity`).Scan(&snap.StoreID); err != nil {
			return snap, fmt.Errorf("store id: %w", err)
		}
		var err error
		if snap.Items, err = queryRows(ctx, tx, scanRecord, selectRecordsSQL+`ORDER BY seq`); err != nil {
			return snap, fmt.Errorf("items: %w", err)
		}
		if snap.Mentions, err = queryRows(ctx, tx, func(r row) (store.Mention, error) {
			var m store.Mention
			var at int64
			err := r.Scan(&m.ItemID, &m.Actor, &at)
			m.At = fromMillis(at)
			return m, err
		}, `SELECT item_id, actor, at FROM mentions ORDER BY item_id COLLATE "C", actor COLLATE "C"`); err != nil {
			return snap, fmt.Errorf("mentions: %w", err)
		}
		if snap.Clusters, err = queryRows(ctx, tx, func(r row) (store.Cluster, error) {
			var c store.Cluster
			var created, updated int64
			err := r.Scan(&c.ID, &c.LeadItemID, &c.ChannelID, &c.MessageID, &c.ThreadID, &created, &updated)
			c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
			return c, err
		}, `SELECT id, lead_item_id, channel_id, message_id, thread_id, created_at, updated_at FROM clusters ORDER BY id`); err != nil {
			return snap, fmt.Errorf("clusters: %w", err)
		}
		if snap.Outbox, err = queryRows(ctx, tx, func(r row) (store.OutboxRow, error) {
			var o store.OutboxRow
			var cluster, inFlight, sent, failed *int64
			var next, created int64
			err := r.Scan(&o.ID, &o.Kind, &o.ItemIDs, &cluster, &o.Status, &o.Attempts, &next, &created,
				&o.ErrorCode, &o.LastError, &o.ChannelID, &o.MessageID, &inFlight, &sent, &failed)
			if cluster != nil {
				o.ClusterID = *cluster
			}
			o.ItemIDs = orNil(o.ItemIDs)
			o.NextAttempt, o.CreatedAt = fromMillis(next), fromMillis(created)
			o.SentAt, o.FailedAt = fromNullMillis(sent), fromNullMillis(failed)
			o.InFlightAt = fromNullMillis(inFlight)
			return o, err
		}, `
			SELECT id, kind, item_ids, cluster_id, status, attempts, next_attempt, created_at,
			       error_code, last_error, channel_id, message_id, in_flight_at, sent_at, failed_at
			FROM outbox ORDER BY id`); err != nil {
			return snap, fmt.Errorf("outbox: %w", err)
		}
		if err := tx.QueryRow(ctx, `
			SELECT greatest(coalesce(pg_sequence_last_value(pg_get_serial_sequence('outbox', 'id')::regclass), 0),
			                (SELECT coalesce(max(id), 0) FROM outbox))`).Scan(&snap.LastOutboxID); err != nil {
			return snap, fmt.Errorf("outbox sequence: %w", err)
		}
		if snap.FeedStates, err = queryRows(ctx, tx, scanFeedState, `SELECT `+feedStateColumns+` FROM feed_state ORDER BY url COLLATE "C"`); err != nil {
			return snap, fmt.Errorf("feed states: %w", err)
		}
		if snap.Digests, err = queryRows(ctx, tx, func(r row) (store.Daily, error) {
			var d store.Daily
			var start, end int64
			err := r.Scan(&d.EntryID, &start, &end)
			d.Start, d.End = fromMillis(start), fromMillis(end)
			return d, err
		}, `SELECT outbox_id, period_start, period_end FROM digests ORDER BY period_end`); err != nil {
			return snap, fmt.Errorf("digests: %w", err)
		}
		if snap.Signatures, err = queryRows(ctx, tx, func(r row) (store.Candidate, error) {
			var c store.Candidate
			var at int64
			err := r.Scan(&c.ItemID, &c.ClusterID, &at, &c.Sig)
			c.Published = fromMillis(at)
			return c, err
		}, `SELECT item_id, cluster_id, at, sig FROM signatures ORDER BY at, item_id COLLATE "C"`); err != nil {
			return snap, fmt.Errorf("signatures: %w", err)
		}
		if snap.Counts.Hours, err = queryRows(ctx, tx, func(r row) (store.HourCount, error) {
			var h store.HourCount
			var hour, first, last int64
			err := r.Scan(&h.Actor, &hour, &h.Mentions, &first, &last)
			h.Hour, h.First, h.Last = fromMillis(hour), fromMillis(first), fromMillis(last)
			return h, err
		}, `SELECT actor, hour, mentions, first_at, last_at FROM actor_hours ORDER BY actor COLLATE "C", hour`); err != nil {
			return snap, fmt.Errorf("hour counts: %w", err)
		}
		if snap.Counts.Pairs, err = queryRows(ctx, tx, func(r row) (store.PairCount, error) {
			var p store.PairCount
			var day int64
			err := r.Scan(&p.Actor, &day, &p.Other, &p.Reports)
			p.Day = fromMillis(day)
			return p, err
		}, `SELECT actor, day, other, reports FROM actor_pairs ORDER BY actor COLLATE "C", day, other COLLATE "C"`); err != nil {
			return snap, fmt.Errorf("pair counts: %w", err)
		}
		snap.Counts.Hours, snap.Counts.Pairs = orNil(snap.Counts.Hours), orNil(snap.Counts.Pairs)
		return snap, nil
	})
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("export: %w", err)
	}
	return snap, nil
}

// importCounts writes the mention counts as they were, those of reports
// the other store no longer holds too.
func importCounts(ctx context.Context, tx pgx.Tx, snap store.Snapshot) error {
	for start := 0; start < len(snap.Counts.Hours) || start < len(snap.Counts.Pairs); start += importBatch {
		c := store.Counts{
			Hours: snap.Counts.Hours[min(start, len(snap.Counts.Hours)):min(start+importBatch, len(snap.Counts.Hours))],
			Pairs: snap.Counts.Pairs[min(start, len(snap.Counts.Pairs)):min(start+importBatch, len(snap.Counts.Pairs))],
		}
		if err := (batchTx{tx}).AddCounts(ctx, c); err != nil {
			return fmt.Errorf("counts: %w", err)
		}
	}
	return nil
}
