package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// seenAt is record id seen at t.
func seenAt(id string, t time.Time) Record {
	r := record(id, "")
	r.SeenAt = t
	return r
}

func TestClusterItemsInSeenOrder(t *testing.T) {
	s := openTest(t)
	commit(t, s, Batch{Records: []Record{seenAt("lead", t0)}, Posts: []Post{post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	commit(t, s, Batch{
		Records: []Record{seenAt("late", t0.Add(2*time.Minute)), seenAt("early", t0.Add(time.Minute))},
		Posts:   []Post{{Kind: KindEdit, ItemIDs: []string{"late", "early"}, ClusterID: e.ClusterID}},
	})
	cl, err := s.Cluster(t.Context(), e.ClusterID)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if want := []string{"lead", "early", "late"}; !slices.Equal(cl.ItemIDs, want) {
		t.Errorf("cluster items = %v, want %v", cl.ItemIDs, want)
	}
	records, err := s.Records(t.Context(), cl.ItemIDs)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	for _, r := range records {
		if r.ClusterID != e.ClusterID {
			t.Errorf("item %s in cluster %d, want %d", r.Item.ID, r.ClusterID, e.ClusterID)
		}
	}
}

func TestClusterMessage(t *testing.T) {
	s := openTest(t)
	c := commit(t, s, Batch{
		Records: []Record{record("lead", "")},
		Posts:   []Post{post("lead")},
	})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	id := e.ClusterID
	if err := errors.Join(
		s.MarkSent(t.Context(), c.Queued[0], "ch", "m-lead", t0),
		s.SetClusterMessage(t.Context(), id, "ch", "m-lead", "thread-1"),
	); err != nil {
		t.Fatal(err)
	}
	cl, err := s.Cluster(t.Context(), id)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.ChannelID != "ch" || cl.MessageID != "m-lead" || cl.ThreadID != "thread-1" {
		t.Errorf("cluster = %+v, want ch/m-lead in thread-1", cl)
	}
}

func TestClusterNotFound(t *testing.T) {
	s := openTest(t)
	for name, call := range map[string]func() error{
		"Cluster": func() error {
			_, err := s.Cluster(t.Context(), 42)
			return err
		},
		"SetClusterMessage": func() error { return s.SetClusterMessage(t.Context(), 42, "ch", "m", "") },
	} {
		if err := call(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a missing cluster: err = %v, want ErrNotFound", name, err)
		}
	}
}
