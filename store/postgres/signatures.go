package postgres

import (
	"context"
	"fmt"
	"time"

	"storyline/store"
)

// signaturesSQL lists the clustered reports published in [$1, $2), through
// signatures_at.
const signaturesSQL = `
	SELECT s.cluster_id, s.item_id, s.at, s.sig, i.actors, i.link
	FROM signatures AS s JOIN items AS i ON i.id = s.item_id
	WHERE s.at >= $1 AND s.at < $2
	ORDER BY s.at, s.item_id`

// Signatures returns the clustered reports published in [from, to).
func (s *Store) Signatures(ctx context.Context, from, to time.Time) ([]store.Candidate, error) {
	out, err := queryRows(ctx, s.pool, scanCandidate, signaturesSQL, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	return out, nil
}

// scanCandidate reads a row of cluster_id, item_id, at, sig, actors, link.
func scanCandidate(r row) (store.Candidate, error) {
	var c store.Candidate
	var at int64
	err := r.Scan(&c.ClusterID, &c.ItemID, &at, &c.Sig, &c.Actors, &c.Link)
	c.Published = fromMillis(at)
	c.Actors = orNil(c.Actors)
	return c, err
}
