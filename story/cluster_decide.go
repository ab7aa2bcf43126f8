package story

import (
	"cmp"
	"slices"
	"time"
)

// ClusterOptions tunes the Clusterer.
type ClusterOptions struct {
	// Window is how far apart in publication time two reports of one
	// development may be.
	Window time.Duration
	// Threshold is the score a report needs to join a development.
	Threshold float64
	// MinSharedActors is how many actors a report must share with a
	// development when both name actors; a report or development that
	// names none is judged on its words alone.
	MinSharedActors int
	// DecayPerHour is taken from the score for every hour between the
	// report and the nearest report of the development: the same people
	// and places on another day are usually another development.
	DecayPerHour float64
}

// DefaultClusterOptions returns the options measured on the labelled set in
// testdata/clusters.jsonl (see cluster_test.go).
func DefaultClusterOptions() ClusterOptions {
	return ClusterOptions{
		Window:          36 * time.Hour,
		Threshold:       0.10,
		MinSharedActors: 1,
		DecayPerHour:    0.02,
	}
}

// Report is what the Clusterer knows of one relevant item.
type Report struct {
	ID string
	// Link is the canonical link, empty when the item has none.
	Link      string
	Published time.Time
	Sig       Sig
	// Actors are the canonical names the matcher found.
	Actors []string
}

// Candidate is an earlier report and the development it belongs to.
type Candidate struct {
	ClusterID int64
	Report
}

// Join is the Clusterer's verdict that a report belongs to a development.
type Join struct {
	ClusterID int64
	// Score is the evidence that decided: 1 for the same link.
	Score float64
}

// Clusterer decides whether a report belongs to an earlier development. It
// holds no state: the caller finds the candidates (by the band keys of the
// report's signature) and remembers the outcome. It is safe for concurrent
// use.
type Clusterer struct {
	opts ClusterOptions
}

// NewClusterer returns a Clusterer deciding with opts.
func NewClusterer(opts ClusterOptions) *Clusterer {
	return &Clusterer{opts: opts}
}

// Options returns the options c decides with.
func (c *Clusterer) Options() ClusterOptions { return c.opts }

// Decide returns the development r joins among the candidates' and true,
// or false when r starts a new development.
//
// Only candidates published within the window of r count (r itself, by
// ID, never does). A candidate with r's link decides at once. Otherwise
// each development is scored as a whole: the weighted similarity of r's
// signature to the union of its reports' signatures, less DecayPerHour per
// hour between r and its nearest report. A development that names
// actors while r names others (fewer than MinSharedActors in common) is
// skipped. The best score at or above Threshold wins; ties go to the
// lower cluster id.
func (c *Clusterer) Decide(r Report, cands []Candidate) (Join, bool) {
	groups := c.group(r, cands)
	for _, g := range groups {
		if g.sameLink {
			return Join{ClusterID: g.id, Score: 1}, true
		}
	}
	var best Join
	found := false
	for _, g := range groups {
		score, ok := c.score(r, g)
		if ok && score >= c.opts.Threshold && (!found || score > best.Score) {
			best, found = Join{ClusterID: g.id, Score: score}, true
		}
	}
	return best, found
}

// development is the candidates of one cluster within the window.
type development struct {
	id      int64
	members []Candidate
	// nearest is the smallest time between r and a member.
	nearest  time.Duration
	sameLink bool
}

// group collects the candidates within r's window by cluster, in cluster
// id order.
func (c *Clusterer) group(r Report, cands []Candidate) []*development {
	byID := make(map[int64]*development)
	var groups []*development
	for _, cand := range cands {
		gap := absDuration(r.Published.Sub(cand.Published))
		if cand.ID == r.ID || gap > c.opts.Window {
			continue
		}
		g := byID[cand.ClusterID]
		if g == nil {
			g = &development{id: cand.ClusterID, nearest: gap}
			byID[cand.ClusterID] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, cand)
		g.nearest = min(g.nearest, gap)
		g.sameLink = g.sameLink || (r.Link != "" && cand.Link == r.Link)
	}
	slices.SortFunc(groups, func(a, b *development) int { return cmp.Compare(a.id, b.id) })
	return groups
}

// score returns r's score against development g, and false when the
// actors rule it out.
func (c *Clusterer) score(r Report, g *development) (float64, bool) {
	var named []string
	sigs := make([]Sig, len(g.members))
	for i, m := range g.members {
		sigs[i] = m.Sig
		named = append(named, m.Actors...)
	}
	if len(r.Actors) > 0 && len(named) > 0 && shared(r.Actors, named) < c.opts.MinSharedActors {
		return 0, false
	}
	return r.Sig.Similarity(Merge(sigs...)) - c.opts.DecayPerHour*g.nearest.Hours(), true
}

// shared returns how many distinct names of a are also in b.
func shared(a, b []string) int {
	n := 0
	for i, name := range a {
		if !slices.Contains(a[:i], name) && slices.Contains(b, name) {
			n++
		}
	}
	return n
}

// absDuration returns |d|.
func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
