package story

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// ClusterOptions tunes the Clusterer.
type ClusterOptions struct {
	// Window is how far apart in publication time a report and the
	// nearest report of a development it joins may be.
	Window time.Duration
	// Threshold is the score a report needs to join a development (see
	// Clusterer.Decide).
	Threshold float64
	// MinSharedActors is how many actors a report must share with a
	// development when both name actors; a report or development that
	// names none is judged on its words alone.
	MinSharedActors int
	// Memory is how long a ClusterIndex should keep reports (the caller
	// forgets older ones): the developments of this span are what tells
	// a feature common to the story from one that names an event.
	Memory time.Duration
}

// DefaultClusterOptions returns the options measured on the labelled sets
// in testdata (see cluster_eval_test.go): reports of one development
// arrive over one to three days, so the window is three days; a story's
// developments come a few a week, so the memory is six weeks.
func DefaultClusterOptions() ClusterOptions {
	return ClusterOptions{
		Window:          72 * time.Hour,
		Threshold:       0.073,
		MinSharedActors: 1,
		Memory:          45 * 24 * time.Hour,
	}
}

// The parts of a report's score against a development other than their
// weighted Jaccard similarity, measured with the default options on the
// labelled sets.
const (
	// namesWeight is the weight of the similarity of names alone (actors,
	// capitalised words, numbers), which reports of one event in
	// different languages share when little else is.
	namesWeight = 0.1
	// hoursPenalty is taken from the score as the time between a report
	// and the development's nearest report grows over the first hours,
	// two thirds of it after three hours and all of it within a day:
	// reports of one event come in a burst, and the same people a few
	// hours later are often another event. Further days cost nothing
	// more, so that a follow-up a day or two later joins on the same
	// evidence as one a few hours later.
	hoursPenalty = 0.07
	// newActorsPenalty is taken from the score in proportion to the share
	// of the actors in the report's title (by weight) that the
	// development never names: a new protagonist usually means a new
	// event.
	newActorsPenalty = 0.15
	// minShared is how many features a report must share with a
	// development to join it: one actor or one word in common is no
	// evidence of one event.
	minShared = 2
)

// The prior of the weight of a feature (see idf): before the index has
// seen many developments, a feature counts as if priorDevs more
// developments had been seen, a share priorShare of them with it — or
// storyShare of them for story vocabulary, which most developments of the
// story share by definition.
const (
	priorDevs  = 4
	priorShare = 0.05
	storyShare = 0.8
)

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

// Candidate is a report and the development it belongs to.
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

// Clusterer decides whether a report belongs to a development of a
// ClusterIndex. It holds no state and is safe for concurrent use.
type Clusterer struct {
	opts ClusterOptions
}

// NewClusterer returns a Clusterer deciding with opts.
func NewClusterer(opts ClusterOptions) *Clusterer {
	return &Clusterer{opts: opts}
}

// Options returns the options c decides with.
func (c *Clusterer) Options() ClusterOptions { return c.opts }

// Decide returns the development of x that r joins and true, or false
// when r starts a new development. Only developments with a report (other
// than r itself, by id) published within the window of r count.
//
// A development with a report of r's link decides at once. Otherwise each
// development that shares a feature with r is scored: the weighted Jaccard
// similarity of r's features with the development's profile (the union of
// its reports' features), plus namesWeight times that of names alone,
// less the time and new-actor penalties, all divided by 1+namesWeight so
// that the score is at most 1 (identical reports at the same time). Each feature is weighted by its
// base weight and by how few of the index's developments have it (see
// idf), so the story's common words and people count little and what
// names one event counts much. A development that names actors while r
// names others (fewer than MinSharedActors in common) is skipped. The
// best score at or above Threshold wins; ties go to the lower cluster id.
func (c *Clusterer) Decide(r Report, x *ClusterIndex) (Join, bool) {
	if j, ok := c.sameLink(r, x); ok {
		return j, true
	}
	s := c.scorer(r, x)
	var best Join
	found := false
	for _, cand := range s.candidates() {
		score, ok := s.score(cand)
		if ok && score >= c.opts.Threshold && (!found || score > best.Score ||
			(score == best.Score && cand.dev.id < best.ClusterID)) {
			best, found = Join{ClusterID: cand.dev.id, Score: score}, true
		}
	}
	return best, found
}

// sameLink returns the development of a report in x with r's link,
// published within the window of r; of several, the lowest cluster id.
func (c *Clusterer) sameLink(r Report, x *ClusterIndex) (Join, bool) {
	if r.Link == "" {
		return Join{}, false
	}
	var best Join
	found := false
	for _, e := range x.links[r.Link] {
		if e.ID == r.ID || absDuration(r.Published.Sub(e.Published)) > c.opts.Window {
			continue
		}
		if !found || e.ClusterID < best.ClusterID {
			best, found = Join{ClusterID: e.ClusterID, Score: 1}, true
		}
	}
	return best, found
}

// scorer holds what scoring one report against the developments of an
// index needs: the report's features with their weights.
type scorer struct {
	c     *Clusterer
	r     Report
	x     *ClusterIndex
	feats []feature
	// value[i] is feats[i]'s base weight times its idf.
	value []float64
	// mass and names are the total value of the features and of the
	// names among them; titleActors that of the actors named in the
	// title.
	mass, names, titleActors float64
	// titleActor[i] says feats[i] is an actor named in the title.
	titleActor []bool
}

// candidate is a development that shares features with the report, and
// the value of the report's features it shares.
type candidate struct {
	dev    *devProfile
	shared float64
	// n counts the features shared.
	n int
}

// scorer weighs r's features against x.
func (c *Clusterer) scorer(r Report, x *ClusterIndex) *scorer {
	s := &scorer{c: c, r: r, x: x, feats: reportFeatures(r)}
	s.value = make([]float64, len(s.feats))
	s.titleActor = make([]bool, len(s.feats))
	actors := make([]uint32, len(r.Actors))
	for i, a := range r.Actors {
		actors[i] = actorHash(a)
	}
	for i, f := range s.feats {
		v := float64(f.base()) * x.idf(f)
		s.value[i] = v
		s.mass += v
		if f.is(nameWord) {
			s.names += v
		}
		if f.base() == titleActorWeight && f.is(nameWord) && slices.Contains(actors, f.hash) {
			s.titleActor[i] = true
			s.titleActors += v
		}
	}
	return s
}

// candidates returns the developments of the index that share a feature
// with the report and have a report within the window of it, in cluster
// id order.
func (s *scorer) candidates() []*candidate {
	byID := make(map[int64]*candidate)
	from, to := s.r.Published.Add(-s.c.opts.Window), s.r.Published.Add(s.c.opts.Window)
	for i, f := range s.feats {
		for _, id := range s.x.postings[f.hash] {
			cand := byID[id]
			if cand == nil {
				d := s.x.devs[id]
				if d.members[len(d.members)-1].Published.Before(from) || d.members[0].Published.After(to) {
					continue
				}
				cand = &candidate{dev: d}
				byID[id] = cand
			}
			cand.shared += s.value[i]
			cand.n++
		}
	}
	out := make([]*candidate, 0, len(byID))
	for _, cand := range byID {
		out = append(out, cand)
	}
	slices.SortFunc(out, func(a, b *candidate) int { return cmp.Compare(a.dev.id, b.dev.id) })
	return out
}

// score returns the report's score against cand's development, and false
// when the development is out of the window or its actors rule it out.
func (s *scorer) score(cand *candidate) (float64, bool) {
	gap, ok := s.c.nearest(s.r, cand.dev)
	if !ok || !s.c.actorsAllow(s.r, cand.dev) || cand.n < minShared {
		return 0, false
	}
	hours := gap.Hours()
	penalty := hoursPenalty * (1 - math.Exp(-hours/3))
	// The shared value over the report's own is an upper bound of each
	// similarity: the union is at least the report.
	namesBound := 1.0
	if s.names > 0 {
		namesBound = min(1, cand.shared/s.names)
	}
	bound := ratio(cand.shared, s.mass) + namesWeight*namesBound
	if (bound-penalty)/(1+namesWeight) < s.c.opts.Threshold {
		return 0, true
	}
	all, names := s.similarity(cand.dev)
	return (all + namesWeight*names - penalty - newActorsPenalty*s.newActors(cand.dev)) / (1 + namesWeight), true
}

// similarity returns the weighted Jaccard similarity of the report's
// features and d's profile: the sum over all features of the smaller
// value over the sum of the larger, where a profile feature's value is
// its largest base weight among d's reports times its idf. The second
// result is the same over names alone.
func (s *scorer) similarity(d *devProfile) (float64, float64) {
	var common, union, namesCommon, namesUnion float64
	for i, f := range s.feats {
		p, ok := d.feats[f.hash]
		if !ok {
			continue
		}
		vd := float64(p.weight) * s.value[i] / float64(f.base())
		lo, hi := min(s.value[i], vd), max(s.value[i], vd)
		common += lo
		union += hi - s.value[i]
		if f.is(nameWord) || p.named > 0 {
			namesCommon += lo
			namesUnion += hi
			if f.is(nameWord) {
				namesUnion -= s.value[i]
			}
		}
	}
	union += s.mass
	namesUnion += s.names
	for h, p := range d.feats {
		if s.has(h) {
			continue
		}
		f := p.feature(h)
		v := float64(f.base()) * s.x.idf(f)
		union += v
		if f.is(nameWord) {
			namesUnion += v
		}
	}
	return ratio(common, union), ratio(namesCommon, namesUnion)
}

// newActors returns the share of the actors in the report's title, by
// value, that d does not name.
func (s *scorer) newActors(d *devProfile) float64 {
	if s.titleActors == 0 {
		return 0
	}
	missing := 0.0
	for i, f := range s.feats {
		if _, ok := d.feats[f.hash]; !ok && s.titleActor[i] {
			missing += s.value[i]
		}
	}
	return missing / s.titleActors
}

// has reports whether the report has feature h.
func (s *scorer) has(h uint32) bool {
	_, ok := slices.BinarySearchFunc(s.feats, h, func(f feature, h uint32) int { return cmp.Compare(f.hash, h) })
	return ok
}

// nearest returns the time between r and the nearest other report of d,
// and false when none is within the window.
func (c *Clusterer) nearest(r Report, d *devProfile) (time.Duration, bool) {
	best, ok := time.Duration(0), false
	for _, m := range d.members {
		gap := absDuration(r.Published.Sub(m.Published))
		if m.ID == r.ID || gap > c.opts.Window {
			continue
		}
		if !ok || gap < best {
			best, ok = gap, true
		}
	}
	return best, ok
}

// actorsAllow reports whether r may join d as far as actors go: when both
// name actors they share at least MinSharedActors.
func (c *Clusterer) actorsAllow(r Report, d *devProfile) bool {
	if len(r.Actors) == 0 || len(d.actors) == 0 {
		return true
	}
	shared := 0
	for i, a := range r.Actors {
		if !slices.Contains(r.Actors[:i], a) && d.actors[a] > 0 {
			shared++
		}
	}
	return shared >= c.opts.MinSharedActors
}

// ratio is n/d, or 0 when d is 0.
func ratio(n, d float64) float64 {
	if d == 0 {
		return 0
	}
	return n / d
}

// absDuration returns |d|.
func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
