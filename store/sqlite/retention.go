package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"storyline/store"
)

// pruneSQL drops the oldest ?2 reports the story rejected that were
// published before ?1 and belong to no development, found through
// items_relevant_published. Their mentions and signatures go by their
// foreign keys, their full-text rows by the trigger items_fts_delete; the
// counts stay.
const pruneSQL = `
	DELETE FROM items WHERE seq IN (
		SELECT seq FROM items
		WHERE relevant = 0 AND published < ?1 AND cluster_id IS NULL AND message_id = ''
		  AND NOT EXISTS (SELECT 1 FROM clusters WHERE lead_item_id = items.id)
		ORDER BY published LIMIT ?2)`

// vacuumPages is how many free pages one Prune gives back at most (1 MiB
// of 4 KiB pages): moving a page costs a few microseconds, and a merge of
// the full-text index can free many at once. What is left is given back
// by the next calls, or reused for new reports.
const vacuumPages = 256

// Prune drops at most limit rejected reports published before before, in
// one write transaction, then gives up to vacuumPages free pages back to
// the file system (the database is in incremental auto-vacuum mode).
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, pruneSQL, millis(before), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune reports published before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	if _, err := s.writer.ExecContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, vacuumPages)); err != nil {
		return int(n), fmt.Errorf("prune: give free pages back: %w", err)
	}
	return int(n), nil
}

// sizeSQL reads the size of the database and of its free pages.
const sizeSQL = `
	SELECT c.page_count * s.page_size, f.freelist_count * s.page_size
	FROM pragma_page_count() AS c, pragma_page_size() AS s, pragma_freelist_count() AS f`

// Size returns the size of the database, without its write-ahead log.
func (s *Store) Size(ctx context.Context) (store.Size, error) {
	var sz store.Size
	if err := s.reader.QueryRowContext(ctx, sizeSQL).Scan(&sz.Bytes, &sz.Free); err != nil {
		return store.Size{}, fmt.Errorf("store size: %w", err)
	}
	return sz, nil
}

// The statements of RebuildCounts, the back-fill of migration 0008 limited
// to the hours and days from ?1 on.
var rebuildCountsSQL = []string{
	`DELETE FROM actor_hours WHERE hour >= ?1`,
	`INSERT INTO actor_hours (actor, hour, mentions, first_at, last_at)
	 SELECT actor, at - ((at % 3600000) + 3600000) % 3600000, count(*), min(at), max(at)
	 FROM mentions WHERE at >= ?1 GROUP BY 1, 2`,
	`DELETE FROM actor_pairs WHERE day >= ?1`,
	`INSERT INTO actor_pairs (actor, day, other, reports)
	 SELECT a.actor, a.at - ((a.at % 86400000) + 86400000) % 86400000, b.actor, count(*)
	 FROM mentions AS a CROSS JOIN mentions AS b ON b.item_id = a.item_id AND b.actor != a.actor
	 WHERE a.at >= ?1 GROUP BY 1, 2, 3`,
}

// RebuildCounts counts again the mentions published from the UTC day of
// from on, in one write transaction.
func (s *Store) RebuildCounts(ctx context.Context, from time.Time) error {
	start := millis(from.UTC().Truncate(day))
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range rebuildCountsSQL {
			if _, err := tx.ExecContext(ctx, q, start); err != nil {
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
