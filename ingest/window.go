package ingest

import (
	"context"
	"fmt"
	"time"

	"storyline/store"
	"storyline/story"
)

// SignatureStore is the part of the store the clustering window loads
// from.
type SignatureStore interface {
	Signatures(ctx context.Context, from, to time.Time) ([]store.Candidate, error)
}

// window holds, in a story.ClusterIndex, every clustered report published
// since from: the developments a new report may join, and the memory that
// tells the story's common words from those that name an event. It is a
// cache of the store's signatures, complete for its range: it loads a
// range once (at the first poll, or when an older report arrives) and
// then learns the reports each poll clusters, so clustering a report
// reads no row and decodes no signature. When other instances cluster
// into the store too (shared), it also loads, before each poll's
// decisions, the reports they stored since it last looked. Like the
// Pipeline that owns it, it serves one poll at a time.
type window struct {
	store  SignatureStore
	shared SharedStore
	// mark is how far the shared store's reports are loaded.
	mark int64
	// loaded is true once from is meaningful.
	loaded bool
	from   time.Time
	index  *story.ClusterIndex
}

// newWindow returns an empty window over st; shared, when not nil, is the
// same store as other instances see it.
func newWindow(st SignatureStore, shared SharedStore) *window {
	return &window{store: st, shared: shared, index: story.NewClusterIndex()}
}

// sync loads the reports other instances clustered since the window last
// looked, if it is loaded and shared. A report it holds already (this
// instance's own) is replaced by the stored one.
func (w *window) sync(ctx context.Context) error {
	if w.shared == nil || !w.loaded {
		return nil
	}
	stored, mark, err := w.shared.SignaturesSince(ctx, w.mark, w.from)
	if err != nil {
		return fmt.Errorf("sync clustering window: %w", err)
	}
	if err := w.addStored(stored); err != nil {
		return err
	}
	w.mark = mark
	return nil
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
		if err := w.addStored(stored); err != nil {
			return err
		}
		w.mark = mark
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

// addStored decodes and adds stored reports. A signature of an older
// version is read as that version (see story.Sig); one that cannot be
// read fails, naming its item, and nothing is added.
func (w *window) addStored(stored []store.Candidate) error {
	reports := make([]story.Candidate, len(stored))
	for i, c := range stored {
		var sig story.Sig
		if err := sig.UnmarshalBinary(c.Sig); err != nil {
			return fmt.Errorf("load clustering window: item %s: %w", c.ItemID, err)
		}
		reports[i] = story.Candidate{ClusterID: c.ClusterID, Report: story.Report{
			ID: c.ItemID, Link: c.Link, Published: c.Published, Sig: sig, Actors: c.Actors,
		}}
	}
	for _, c := range reports {
		w.index.Add(c.ClusterID, c.Report)
	}
	return nil
}

// add puts report r of development clusterID in the window, replacing a
// report with its id.
func (w *window) add(clusterID int64, r story.Report) { w.index.Add(clusterID, r) }

// remove takes the report with that id out of the window.
func (w *window) remove(id string) { w.index.Remove(id) }

// forget drops the reports published before before, so that the window's
// memory follows the story's recent traffic.
func (w *window) forget(before time.Time) {
	if !w.loaded || !w.from.Before(before) {
		return
	}
	w.index.Forget(before)
	w.from = before
}
