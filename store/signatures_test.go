package store

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// signed is record id published at pub, carrying a signature and the band
// keys bands.
func signed(id string, pub time.Time, bands ...int64) Record {
	r := record(id, "https://wire.example/"+id, "Actor A")
	r.Item.Published = pub
	r.Signature = []byte("sig-" + id)
	r.Bands = bands
	return r
}

// candidateIDs lists the item ids of cs in order.
func candidateIDs(cs []Candidate) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ItemID
	}
	return ids
}

func TestClusterCandidates(t *testing.T) {
	s := openTest(t)
	old := t0.Add(-48 * time.Hour)
	// Development one: "lead" posted, "join" added by an edit, "old"
	// published before the window. Development two: "other". "loose" is
	// relevant but not posted, so it has no cluster and no signature.
	commit(t, s, Batch{
		Records: []Record{signed("old", old, 8), signed("lead", t0, 1, 2), signed("other", t0, 7)},
		Posts: []Post{
			{Kind: KindPost, ItemIDs: []string{"old", "lead"}, NewCluster: true},
			post("other"),
		},
	})
	lead := clusterOf(t, s, "lead")
	commit(t, s, Batch{
		Records: []Record{signed("join", t0.Add(time.Hour), 3), signed("loose", t0, 1)},
		Posts:   []Post{{Kind: KindEdit, ItemIDs: []string{"join"}, ClusterID: lead}},
	})
	since := t0.Add(-36 * time.Hour)
	tests := []struct {
		name  string
		bands []int64
		want  []string
	}{
		{"band of the lead finds the whole development in the window", []int64{2}, []string{"lead", "join"}},
		{"band of the joined report", []int64{3, 99}, []string{"lead", "join"}},
		{"band only of a report before the window", []int64{8}, nil},
		{"band shared with an unclustered report", []int64{1}, []string{"lead", "join"}},
		{"two developments", []int64{3, 7}, []string{"lead", "join", "other"}},
		{"no shared band", []int64{99}, nil},
		{"no bands", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ClusterCandidates(t.Context(), tc.bands, since)
			if err != nil {
				t.Fatalf("ClusterCandidates: %v", err)
			}
			ids := candidateIDs(got)
			slices.Sort(ids)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("candidates = %v, want %v", ids, want)
			}
		})
	}
}

func TestClusterCandidateFields(t *testing.T) {
	s := openTest(t)
	r := signed("lead", t0, 5)
	commit(t, s, Batch{Records: []Record{r}, Posts: []Post{post("lead")}})
	got, err := s.ClusterCandidates(t.Context(), []int64{5}, t0.Add(-time.Hour))
	if err != nil {
		t.Fatalf("ClusterCandidates: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d candidates, want 1", len(got))
	}
	c := got[0]
	if c.ClusterID != clusterOf(t, s, "lead") || c.ItemID != "lead" || !c.Published.Equal(t0) ||
		string(c.Sig) != "sig-lead" || !slices.Equal(c.Actors, []string{"Actor A"}) ||
		c.Link != "https://wire.example/lead" {
		t.Errorf("candidate = %+v", c)
	}
}

func TestSignatureOnlyForNewClusteredItems(t *testing.T) {
	s := openTest(t)
	commit(t, s, Batch{Records: []Record{signed("lead", t0, 5)}, Posts: []Post{post("lead")}})
	// The same item again (already stored) and a digest item that joins no
	// cluster: neither adds a signature.
	commit(t, s, Batch{
		Records: []Record{signed("lead", t0, 6), signed("digest", t0, 5)},
		Posts:   []Post{{Kind: KindDigest, ItemIDs: []string{"digest"}}},
	})
	var sigs, bands int
	if err := s.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM signatures`).Scan(&sigs); err != nil {
		t.Fatal(err)
	}
	if err := s.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM signature_bands`).Scan(&bands); err != nil {
		t.Fatal(err)
	}
	if sigs != 1 || bands != 1 {
		t.Errorf("%d signatures and %d bands stored, want 1 and 1", sigs, bands)
	}
}

func TestClusterCandidatesUseIndexes(t *testing.T) {
	s := openTest(t)
	plan := queryPlan(t, s, clusterCandidatesSQL, `[1,2]`, 0)
	for _, step := range plan {
		for _, table := range []string{"signature_bands", "signatures", "items", "i", "s"} {
			if strings.HasPrefix(step, "SCAN "+table+" ") || step == "SCAN "+table {
				t.Errorf("plan scans %s:\n%s", table, strings.Join(plan, "\n"))
			}
		}
	}
	t.Logf("plan:\n%s", strings.Join(plan, "\n"))
}

// clusterOf returns the cluster of stored item id.
func clusterOf(t *testing.T, s *Store, id string) int64 {
	t.Helper()
	rs, err := s.Records(t.Context(), []string{id})
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if rs[0].ClusterID == 0 {
		t.Fatalf("item %s has no cluster", id)
	}
	return rs[0].ClusterID
}
