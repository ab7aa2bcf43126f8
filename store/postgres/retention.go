package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"storyline/store"
)

// pruneSQL drops the oldest $2 reports the story rejected that were
// published before $1 and belong to no development, found through
// items_rejected. Their mentions and signatures go by their foreign keys,
// their full-text vectors with their rows; the counts stay. SKIP LOCKED
// lets two instances prune at once without waiting on each other.
const pruneSQL = `
	DELETE FROM items WHERE seq IN (
		SELECT seq FROM items
		WHERE NOT relevant AND published < $1 AND cluster_id IS NULL AND message_id = ''
		  AND NOT EXISTS (SELECT 1 FROM clusters WHERE lead_item_id = items.id)
		ORDER BY published LIMIT $2
		FOR UPDATE SKIP LOCKED)`

// Prune drops at most limit rejected reports published before before, in
// one transaction. The server's autovacuum makes the space reusable.
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	tag, err := s.pool.Exec(ctx, pruneSQL, millis(before), limit)
	if err != nil {
		return 0, fmt.Errorf("prune reports published before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return int(tag.RowsAffected()), nil
}

// sizeSQL adds up the tables of the store's schema with their indexes and
// TOAST tables; the space of dead rows that autovacuum has yet to reuse is
// not told apart.
const sizeSQL = `
	SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
	FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
	WHERE n.nspname = current_schema() AND c.relkind = 'r'`

// Size returns the size of the store's tables on disk.
func (s *Store) Size(ctx context.Context) (store.Size, error) {
	var sz store.Size
	if err := s.pool.QueryRow(ctx, sizeSQL).Scan(&sz.Bytes); err != nil {
		return store.Size{}, fmt.Errorf("store size: %w", err)
	}
	return sz, nil
}

// The statements of RebuildCounts, the back-fill of migration 0006 limited
// to the hours and days from $1 on.
var rebuildCountsSQL = []string{
	`DELETE FROM actor_hours WHERE hour >= $1`,
	`INSERT INTO actor_hours (actor, hour, mentions, first_at, last_at)
	 SELECT actor, at - ((at % 3600000) + 3600000) % 3600000, count(*), min(at), max(at)
	 FROM mentions WHERE at >= $1 GROUP BY 1, 2`,
	`DELETE FROM actor_pairs WHERE day >= $1`,
	`INSERT INTO actor_pairs (actor, day, other, reports)
	 SELECT a.actor, a.at - ((a.at % 86400000) + 86400000) % 86400000, b.actor, count(*)
	 FROM mentions AS a JOIN mentions AS b ON b.item_id = a.item_id AND b.actor <> a.actor
	 WHERE a.at >= $1 GROUP BY 1, 2, 3`,
}

// RebuildCounts counts again the mentions published from the UTC day of
// from on, in one transaction that holds the counts' tables, so that no
// Commit adds to them in between.
func (s *Store) RebuildCounts(ctx context.Context, from time.Time) error {
	start := millis(from.UTC().Truncate(day))
	err := s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE actor_hours, actor_pairs IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		for _, q := range rebuildCountsSQL {
			if _, err := tx.Exec(ctx, q, start); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rebuild counts from %s: %w", from.UTC().Format(time.DateOnly), err)
	}
	return nil
}
