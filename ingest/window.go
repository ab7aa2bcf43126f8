package ingest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"storyline/store"
	"storyline/story"
)

// SignatureStore is the part of the store the clustering window loads
// from.
type SignatureStore interface {
	Signatures(ctx context.Context, from, to time.Time) ([]store.Candidate, error)
}

// window holds, decoded and indexed by band key, every clustered report
// published since from: the candidates a new report may join. It is a
// cache of the store's signatures, complete for its range: it loads a
// range once (at the first poll, or when an older report arrives) and
// then learns the reports each commit clusters, so finding a report's
// candidates reads no row and decodes no signature. When other instances
// cluster into the store too (shared), it also loads, before each
// decision, the reports they stored since it last looked. Like the
// Pipeline that owns it, it serves one poll at a time.
type window struct {
	store  SignatureStore
	shared SharedStore
	// mark is how far the shared store's reports are loaded.
	mark int64
	// loaded is true once from is meaningful.
	loaded bool
	from   time.Time
	// ids are the reports in the window, so that one learnt twice (from
	// this instance's commit and from the shared store) is kept once.
	ids    map[string]bool
	byBand map[int64][]*entry
	// byCluster lists each development's reports.
	byCluster map[int64][]*entry
	size      int
}

// entry is one report in the window with its band keys.
type entry struct {
	story.Candidate
	bands []int64
}

// newWindow returns an empty window over st; shared, when not nil, is the
// same store as other instances see it.
func newWindow(st SignatureStore, shared SharedStore) *window {
	return &window{store: st, shared: shared, ids: make(map[string]bool),
		byBand: make(map[int64][]*entry), byCluster: make(map[int64][]*entry)}
}

// sync loads the reports other instances clustered since the window last
// looked, if it is loaded and shared.
func (w *window) sync(ctx context.Context) error {
	if w.shared == nil || !w.loaded {
		return nil
	}
	stored, mark, err := w.shared.SignaturesSince(ctx, w.mark, w.from)
	if err != nil {
		return fmt.Errorf("sync clustering window: %w", err)
	}
	w.mark = mark
	return w.addStored(stored)
}

// cover makes the window hold every clustered report published since
// since, loading from the store what it lacks.
func (w *window) cover(ctx context.Context, since time.Time) error {
	switch {
	case !w.loaded && w.shared != nil:
		stored, mark, err := w.shared.SignaturesSince(ctx, 0, since)
		if err != nil {
			return fmt.Errorf("load clustering window: %w", err)
		}
		w.mark = mark
		if err := w.addStored(stored); err != nil {
			return err
		}
	case !w.loaded:
		// Everything stored since since, however far ahead it was dated.
		if err := w.load(ctx, since, since.AddDate(1000, 0, 0)); err != nil {
			return err
		}
	case since.Before(w.from):
		if err := w.load(ctx, since, w.from); err != nil {
			return err
		}
	default:
		return nil
	}
	w.loaded, w.from = true, since
	return nil
}

// load adds the stored reports published in [from, to).
func (w *window) load(ctx context.Context, from, to time.Time) error {
	stored, err := w.store.Signatures(ctx, from, to)
	if err != nil {
		return fmt.Errorf("load clustering window: %w", err)
	}
	return w.addStored(stored)
}

// addStored decodes and adds stored reports.
func (w *window) addStored(stored []store.Candidate) error {
	for _, c := range stored {
		var sig story.Sig
		if err := sig.UnmarshalBinary(c.Sig); err != nil {
			return fmt.Errorf("load clustering window: item %s: %w", c.ItemID, err)
		}
		w.add(c.ClusterID, story.Report{ID: c.ItemID, Link: c.Link, Published: c.Published, Sig: sig, Actors: c.Actors})
	}
	return nil
}

// add puts report r of development clusterID in the window, unless it is
// there already.
func (w *window) add(clusterID int64, r story.Report) {
	if w.ids[r.ID] {
		return
	}
	w.ids[r.ID] = true
	e := &entry{Candidate: story.Candidate{ClusterID: clusterID, Report: r}, bands: r.Sig.Bands()}
	for _, b := range e.bands {
		w.byBand[b] = append(w.byBand[b], e)
	}
	w.byCluster[clusterID] = append(w.byCluster[clusterID], e)
	w.size++
}

// candidates returns every report, published since since, of each
// development that has a report published since since sharing one of the
// band keys bands, ordered by development, publication and id.
func (w *window) candidates(bands []int64, since time.Time) []story.Candidate {
	var clusters []int64
	for _, b := range bands {
		for _, e := range w.byBand[b] {
			if !e.Published.Before(since) && !slices.Contains(clusters, e.ClusterID) {
				clusters = append(clusters, e.ClusterID)
			}
		}
	}
	slices.Sort(clusters)
	var out []story.Candidate
	for _, id := range clusters {
		start := len(out)
		for _, e := range w.byCluster[id] {
			if !e.Published.Before(since) {
				out = append(out, e.Candidate)
			}
		}
		slices.SortFunc(out[start:], func(a, b story.Candidate) int {
			return cmp.Or(a.Published.Compare(b.Published), cmp.Compare(a.ID, b.ID))
		})
	}
	return out
}

// forget drops the reports published before before, when that is at
// least a quarter of the window, so that the window's memory follows the
// story's recent traffic.
func (w *window) forget(before time.Time) {
	if !w.loaded || !w.from.Before(before) {
		return
	}
	stale := 0
	for _, es := range w.byCluster {
		for _, e := range es {
			if e.Published.Before(before) {
				stale++
			}
		}
	}
	if stale*4 < w.size {
		return
	}
	w.byBand = dropBefore(w.byBand, before)
	w.byCluster = dropBefore(w.byCluster, before)
	w.ids = make(map[string]bool, w.size-stale)
	for _, es := range w.byCluster {
		for _, e := range es {
			w.ids[e.ID] = true
		}
	}
	w.size -= stale
	w.from = before
}

// dropBefore returns m without the entries published before before and
// without the keys left empty.
func dropBefore(m map[int64][]*entry, before time.Time) map[int64][]*entry {
	out := make(map[int64][]*entry, len(m))
	for k, es := range m {
		kept := slices.DeleteFunc(es, func(e *entry) bool { return e.Published.Before(before) })
		if len(kept) > 0 {
			out[k] = kept
		}
	}
	return out
}
