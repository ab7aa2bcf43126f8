package store

import (
	"context"
	"fmt"
	"time"
)

// Candidate is a stored report of a development that a new report may
// join: what the clustering decision needs of it.
type Candidate struct {
	ClusterID int64
	ItemID    string
	// Published is the item's publication time.
	Published time.Time
	// Sig is the item's signature as Record.Signature stored it.
	Sig []byte
	// Actors are the canonical names the matcher found in the item.
	Actors []string
	// Link is the item's canonical link, empty when it has none.
	Link string
}

// The statements that write and read signatures.
const (
	insertSignatureSQL = `
		INSERT INTO signatures (item_id, cluster_id, at, sig) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`
	// signaturesSQL lists the clustered reports published in [?1, ?2).
	signaturesSQL = `
		SELECT s.cluster_id, s.item_id, s.at, s.sig, i.actors, i.link
		FROM signatures s JOIN items i ON i.id = s.item_id
		WHERE s.at >= ?1 AND s.at < ?2
		ORDER BY s.at, s.item_id`
)

// Signatures returns every report that belongs to a development and was
// published at or after from and before to, oldest first. The cost
// depends on the reports in the range, not on how many items are stored.
func (s *Store) Signatures(ctx context.Context, from, to time.Time) ([]Candidate, error) {
	out, err := queryRows(ctx, s.reader, scanCandidate, signaturesSQL, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("signatures: %w", err)
	}
	return out, nil
}

// scanCandidate reads a row of signaturesSQL.
func scanCandidate(r row) (Candidate, error) {
	var c Candidate
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

// saveSignatures stores the signature of each record that this batch
// stored, carries a signature and ended up in a cluster, and records that
// cluster in c.
func (b *batchTx) saveSignatures(ctx context.Context, records []Record, c *Committed) error {
	for _, r := range records {
		clusterID := b.clusterOf[r.Item.ID]
		if clusterID == 0 {
			clusterID = r.ClusterID
		}
		if len(r.Signature) == 0 || clusterID == 0 || !b.inserted[r.Item.ID] {
			continue
		}
		at := millis(r.Item.Published)
		if _, err := b.exec(ctx, insertSignatureSQL, r.Item.ID, clusterID, at, r.Signature); err != nil {
			return fmt.Errorf("signature of %q: %w", r.Item.ID, err)
		}
		if c.Signed == nil {
			c.Signed = make(map[string]int64)
		}
		c.Signed[r.Item.ID] = clusterID
	}
	return nil
}
