package store

import (
	"errors"
	"testing"
)

func TestMarkReposted(t *testing.T) {
	s := openTest(t)
	first := commit(t, s, Batch{Records: []Record{record("lead", "")}, Posts: []Post{post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	cluster := e.ClusterID
	if err := s.MarkSent(t.Context(), first.Queued[0], "ch", "m-old", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetClusterMessage(t.Context(), cluster, "ch", "m-old", "m-old"); err != nil {
		t.Fatal(err)
	}
	edit := commit(t, s, Batch{
		Records: []Record{record("later", "")},
		Posts:   []Post{{Kind: KindEdit, ItemIDs: []string{"later"}, ClusterID: cluster}},
	})
	if err := s.MarkReposted(t.Context(), edit.Queued[0], cluster, "ch2", "m-new", t0); err != nil {
		t.Fatalf("MarkReposted: %v", err)
	}
	cl, err := s.Cluster(t.Context(), cluster)
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	if cl.ChannelID != "ch2" || cl.MessageID != "m-new" || cl.ThreadID != "" {
		t.Errorf("cluster = %s/%s thread %q, want ch2/m-new and no thread", cl.ChannelID, cl.MessageID, cl.ThreadID)
	}
	records, err := s.Records(t.Context(), []string{"lead", "later"})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	for _, r := range records {
		if r.ChannelID != "ch2" || r.MessageID != "m-new" {
			t.Errorf("item %s carries %s/%s, want ch2/m-new", r.Item.ID, r.ChannelID, r.MessageID)
		}
	}
	if _, err := s.OutboxHead(t.Context()); !errors.Is(err, ErrNoWork) {
		t.Errorf("OutboxHead after repost = %v, want ErrNoWork (the edit is sent)", err)
	}
	st, err := s.OutboxStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 0 || !st.LastSentAt.Equal(t0) {
		t.Errorf("stats = %+v, want nothing pending and last sent at t0", st)
	}
}

func TestMarkRepostedWrongCluster(t *testing.T) {
	s := openTest(t)
	c := commit(t, s, Batch{Records: []Record{record("lead", "")}, Posts: []Post{post("lead")}})
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"unknown entry":   func() error { return s.MarkReposted(t.Context(), 999, e.ClusterID, "ch", "m", t0) },
		"another cluster": func() error { return s.MarkReposted(t.Context(), c.Queued[0], e.ClusterID+1, "ch", "m", t0) },
	} {
		if err := call(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: MarkReposted = %v, want ErrNotFound", name, err)
		}
	}
	cl, err := s.Cluster(t.Context(), e.ClusterID)
	if err != nil {
		t.Fatal(err)
	}
	if cl.MessageID != "" {
		t.Errorf("a refused MarkReposted changed the cluster: %+v", cl)
	}
}
