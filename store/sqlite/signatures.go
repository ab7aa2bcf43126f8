package sqlite

import (
	"context"
	"fmt"
	"time"

	"storyline/store"
)

// signaturesSQL lists the clustered reports published in [?1, ?2).
const signaturesSQL = `
		SELECT s.cluster_id, s.item_id, s.at, s.sig, i.actors, i.link
		FROM signatures s JOIN items i ON i.id = s.item_id
		WHERE s.at >= ?1 AND s.at < ?2
		ORDER BY s.at, s.item_id`

// Signatures returns the clustered reports published in [from, to),
// through the index signatures_at.
func (s *Store) Signatures(ctx context.Context, from, to time.Time) ([]store.Candidate, error) {
	out, err := queryRows(ctx, s.reader, scanCandidate, signaturesSQL, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	return out, nil
}

// scanCandidate reads a row of signaturesSQL.
func scanCandidate(r row) (store.Candidate, error) {
	var c store.Candidate
	var at int64
	var actors string
	if err := r.Scan(&c.ClusterID, &c.ItemID, &at, &c.Sig, &actors, &c.Link); err != nil {
		return c, err
	}
	c.Published = fromMillis(at)
	var err error
	if c.Actors, err = decodeList[string](actors); err != nil {
		return c, fmt.Errorf("item %q: %w", c.ItemID, err)
	}
	return c, nil
}
