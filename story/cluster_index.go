package story

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// ClusterIndex holds the recent reports of developments for the
// Clusterer: each development's profile (which word keys and actors its
// reports carry, and how many of them do), an inverted index from those
// features to the developments that have them, and the reports by id and
// by link. How many developments carry a feature is what tells a key that
// names one event (a venue, a number, a negotiator) from one every
// development of the story shares (the story's own name, its heads of
// state, its common words in any language): see idf. It is not safe for
// concurrent use.
type ClusterIndex struct {
	devs    map[int64]*devProfile
	reports map[string]*indexed
	links   map[string][]*indexed
	// postings lists, for each feature, the developments that have it.
	postings map[uint32][]int64
	// byTime lists the reports by publication, then id.
	byTime []*indexed
}

// indexed is one report in the index with the features it adds to its
// development.
type indexed struct {
	Candidate
	feats []feature
}

// devProfile is what the index knows of one development.
type devProfile struct {
	id int64
	// members are its reports in the index, by publication then id.
	members []*indexed
	// feats counts, for each feature, the members that have it.
	feats map[uint32]profileFeature
	// actors counts, for each actor, the members that name it.
	actors map[string]int32
}

// profileFeature is one feature of a development's profile: how many
// members have it, how many of those mark it as story vocabulary and as a
// name, and its largest base weight among them.
type profileFeature struct {
	count, marked, named int32
	weight               uint8
}

// feature returns p as a feature with hash h: its largest base weight,
// marked as story vocabulary when every member that has it marks it so,
// and as a name when any does.
func (p profileFeature) feature(h uint32) feature {
	f := feature{hash: h, weight: p.weight}
	if p.marked == p.count {
		f.weight |= storyWord
	}
	if p.named > 0 {
		f.weight |= nameWord
	}
	return f
}

// NewClusterIndex returns an empty index.
func NewClusterIndex() *ClusterIndex {
	return &ClusterIndex{
		devs:     make(map[int64]*devProfile),
		reports:  make(map[string]*indexed),
		links:    make(map[string][]*indexed),
		postings: make(map[uint32][]int64),
	}
}

// Len returns the number of reports in the index.
func (x *ClusterIndex) Len() int { return len(x.reports) }

// Add puts report r in development clusterID, replacing a report with
// r's id already in the index.
func (x *ClusterIndex) Add(clusterID int64, r Report) {
	x.Remove(r.ID)
	e := &indexed{Candidate: Candidate{ClusterID: clusterID, Report: r}, feats: reportFeatures(r)}
	x.reports[r.ID] = e
	at, _ := slices.BinarySearchFunc(x.byTime, e, compareIndexed)
	x.byTime = slices.Insert(x.byTime, at, e)
	if r.Link != "" {
		x.links[r.Link] = append(x.links[r.Link], e)
	}
	d := x.devs[clusterID]
	if d == nil {
		d = &devProfile{id: clusterID, feats: make(map[uint32]profileFeature, len(e.feats)), actors: make(map[string]int32)}
		x.devs[clusterID] = d
	}
	at, _ = slices.BinarySearchFunc(d.members, e, compareIndexed)
	d.members = slices.Insert(d.members, at, e)
	for _, f := range e.feats {
		p := d.feats[f.hash]
		if p.count == 0 {
			x.postings[f.hash] = append(x.postings[f.hash], clusterID)
		}
		p.count++
		p.marked += mark(f, storyWord)
		p.named += mark(f, nameWord)
		p.weight = max(p.weight, f.base())
		d.feats[f.hash] = p
	}
	for _, a := range distinct(r.Actors) {
		d.actors[a]++
	}
}

// mark returns 1 when f carries mark, else 0.
func mark(f feature, mark uint8) int32 {
	if f.is(mark) {
		return 1
	}
	return 0
}

// distinct returns names without repeats, in order.
func distinct(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// compareIndexed orders reports by publication, then id.
func compareIndexed(a, b *indexed) int {
	return cmp.Or(a.Published.Compare(b.Published), cmp.Compare(a.ID, b.ID))
}

// Remove takes the report with that id out of the index, if it is there.
func (x *ClusterIndex) Remove(id string) {
	e := x.reports[id]
	if e == nil {
		return
	}
	delete(x.reports, id)
	if at, ok := slices.BinarySearchFunc(x.byTime, e, compareIndexed); ok {
		x.byTime = slices.Delete(x.byTime, at, at+1)
	}
	if e.Link != "" {
		if rest := slices.DeleteFunc(x.links[e.Link], func(o *indexed) bool { return o == e }); len(rest) > 0 {
			x.links[e.Link] = rest
		} else {
			delete(x.links, e.Link)
		}
	}
	d := x.devs[e.ClusterID]
	d.members = slices.DeleteFunc(d.members, func(o *indexed) bool { return o == e })
	for _, f := range e.feats {
		p := d.feats[f.hash]
		if p.count--; p.count == 0 {
			delete(d.feats, f.hash)
			x.unpost(f.hash, d.id)
			continue
		}
		p.marked -= mark(f, storyWord)
		p.named -= mark(f, nameWord)
		if p.weight == f.base() {
			p.weight = 0
			for _, m := range d.members {
				if w, ok := m.baseOf(f.hash); ok {
					p.weight = max(p.weight, w)
				}
			}
		}
		d.feats[f.hash] = p
	}
	for _, a := range distinct(e.Actors) {
		if d.actors[a]--; d.actors[a] == 0 {
			delete(d.actors, a)
		}
	}
	if len(d.members) == 0 {
		delete(x.devs, d.id)
	}
}

// baseOf returns the base weight of feature h in e.
func (e *indexed) baseOf(h uint32) (uint8, bool) {
	i, ok := slices.BinarySearchFunc(e.feats, h, func(f feature, h uint32) int { return cmp.Compare(f.hash, h) })
	if !ok {
		return 0, false
	}
	return e.feats[i].base(), true
}

// unpost removes development id from the postings of feature h.
func (x *ClusterIndex) unpost(h uint32, id int64) {
	if rest := slices.DeleteFunc(x.postings[h], func(d int64) bool { return d == id }); len(rest) > 0 {
		x.postings[h] = rest
	} else {
		delete(x.postings, h)
	}
}

// Forget removes the reports published before before and returns how many
// it removed.
func (x *ClusterIndex) Forget(before time.Time) int {
	n := 0
	for len(x.byTime) > 0 && x.byTime[0].Published.Before(before) {
		x.Remove(x.byTime[0].ID)
		n++
	}
	return n
}

// Members returns the reports of development clusterID in the index, by
// publication then id.
func (x *ClusterIndex) Members(clusterID int64) []Candidate {
	d := x.devs[clusterID]
	if d == nil {
		return nil
	}
	out := make([]Candidate, len(d.members))
	for i, e := range d.members {
		out[i] = e.Candidate
	}
	return out
}

// idf returns the weight, from 0 to 1, that feature f has for telling
// developments apart: the information in finding it in a development,
// -ln q, where q is the share of the index's developments that have it,
// relative to that of a feature only one development has. Before the
// index knows many developments, q leans on a prior of priorDevs
// developments of which a share priorShare has the feature, or storyShare
// for story vocabulary: so on a first day the story's own phrases and
// context terms count little and every other feature about fully.
func (x *ClusterIndex) idf(f feature) float64 {
	n := float64(len(x.devs)) + priorDevs
	share := priorShare
	if f.is(storyWord) {
		share = storyShare
	}
	q := (float64(len(x.postings[f.hash])) + priorDevs*share) / n
	rare := (1 + priorDevs*priorShare) / n
	return min(1, math.Log(q)/math.Log(rare))
}
