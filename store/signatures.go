package store

import (
	"context"
	"encoding/json"
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
	insertBandSQL = `
		INSERT INTO signature_bands (band, at, item_id, cluster_id) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`
	// clusterCandidatesSQL finds the clusters with a report published
	// since ?2 that shares a band key of ?1 (a JSON array), one probe of
	// the primary key of signature_bands per key, then every report of
	// those clusters published since ?2.
	clusterCandidatesSQL = `
		WITH hit AS (
			SELECT DISTINCT cluster_id FROM signature_bands
			WHERE band IN (SELECT value FROM json_each(?1)) AND at >= ?2
		)
		SELECT s.cluster_id, s.item_id, s.at, s.sig, i.actors, i.link
		FROM hit
		JOIN signatures s ON s.cluster_id = hit.cluster_id AND s.at >= ?2
		JOIN items i ON i.id = s.item_id
		ORDER BY s.cluster_id, s.at, s.item_id`
)

// ClusterCandidates returns every report, published since since, of each
// development that has a report published since since sharing one of the
// band keys bands. Reports come ordered by cluster and publication time.
// The cost depends on the reports within the window, not on how many
// items are stored.
func (s *Store) ClusterCandidates(ctx context.Context, bands []int64, since time.Time) ([]Candidate, error) {
	if len(bands) == 0 {
		return nil, nil
	}
	bandsJSON, err := json.Marshal(bands)
	if err != nil {
		return nil, fmt.Errorf("cluster candidates: %w", err)
	}
	rows, err := s.reader.QueryContext(ctx, clusterCandidatesSQL, string(bandsJSON), millis(since))
	if err != nil {
		return nil, fmt.Errorf("cluster candidates: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		var at int64
		var actors string
		if err := rows.Scan(&c.ClusterID, &c.ItemID, &at, &c.Sig, &actors, &c.Link); err != nil {
			return nil, fmt.Errorf("cluster candidates: %w", err)
		}
		c.Published = fromMillis(at)
		if c.Actors, err = decodeList[string](actors); err != nil {
			return nil, fmt.Errorf("cluster candidates: item %q: %w", c.ItemID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cluster candidates: %w", err)
	}
	return out, nil
}

// saveSignatures stores the signature and band keys of each record that
// this batch stored, carries a signature and ended up in a cluster.
func (b *batchTx) saveSignatures(ctx context.Context, records []Record) error {
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
		for _, band := range r.Bands {
			if _, err := b.exec(ctx, insertBandSQL, band, at, r.Item.ID, clusterID); err != nil {
				return fmt.Errorf("band of %q: %w", r.Item.ID, err)
			}
		}
	}
	return nil
}
