package store

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// signed is record id published at pub, carrying a signature.
func signed(id string, pub time.Time) Record {
	r := record(id, "https://wire.example/"+id, "Actor A")
	r.Item.Published = pub
	r.Signature = []byte("sig-" + id)
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

func TestSignatures(t *testing.T) {
	s := openTest(t)
	// Development one: "old" and "lead" posted, "join" added by an edit.
	// Development two: "other". "loose" is relevant but not posted, so it
	// has no cluster and no signature.
	first := commit(t, s, Batch{
		Records: []Record{signed("old", t0.Add(-48*time.Hour)), signed("lead", t0), signed("other", t0.Add(time.Minute))},
		Posts: []Post{
			{Kind: KindPost, ItemIDs: []string{"old", "lead"}, NewCluster: true},
			post("other"),
		},
	})
	lead := clusterOf(t, s, "lead")
	second := commit(t, s, Batch{
		Records: []Record{signed("join", t0.Add(time.Hour)), signed("loose", t0)},
		Posts:   []Post{{Kind: KindEdit, ItemIDs: []string{"join"}, ClusterID: lead}},
	})
	other := clusterOf(t, s, "other")
	wantSigned := map[string]int64{"old": lead, "lead": lead, "other": other}
	if !maps.Equal(first.Signed, wantSigned) {
		t.Errorf("first commit signed %v, want %v", first.Signed, wantSigned)
	}
	if !maps.Equal(second.Signed, map[string]int64{"join": lead}) {
		t.Errorf("second commit signed %v, want join in %d", second.Signed, lead)
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"a window holds its reports oldest first", t0.Add(-36 * time.Hour), t0.Add(2 * time.Hour), []string{"lead", "other", "join"}},
		{"from is inclusive, to exclusive", t0, t0.Add(time.Hour), []string{"lead", "other"}},
		{"an older range", t0.Add(-72 * time.Hour), t0, []string{"old"}},
		{"an empty range", t0.Add(2 * time.Hour), t0.Add(3 * time.Hour), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Signatures(t.Context(), tc.from, tc.to)
			if err != nil {
				t.Fatalf("Signatures: %v", err)
			}
			if ids := candidateIDs(got); !slices.Equal(ids, tc.want) {
				t.Errorf("signatures = %v, want %v", ids, tc.want)
			}
		})
	}
}

func TestSignatureFields(t *testing.T) {
	s := openTest(t)
	r := signed("lead", t0)
	commit(t, s, Batch{Records: []Record{r}, Posts: []Post{post("lead")}})
	got, err := s.Signatures(t.Context(), t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("Signatures: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d signatures, want 1", len(got))
	}
	c := got[0]
	if c.ClusterID != clusterOf(t, s, "lead") || c.ItemID != "lead" || !c.Published.Equal(t0) ||
		string(c.Sig) != "sig-lead" || !slices.Equal(c.Actors, []string{"Actor A"}) ||
		c.Link != "https://wire.example/lead" {
		t.Errorf("signature = %+v", c)
	}
}

func TestSignatureOnlyForNewClusteredItems(t *testing.T) {
	s := openTest(t)
	commit(t, s, Batch{Records: []Record{signed("lead", t0)}, Posts: []Post{post("lead")}})
	// The same item again (already stored) and a digest item that joins no
	// cluster: neither adds a signature.
	again := signed("lead", t0)
	again.Signature = []byte("other")
	c := commit(t, s, Batch{
		Records: []Record{again, signed("digest", t0)},
		Posts:   []Post{{Kind: KindDigest, ItemIDs: []string{"digest"}}},
	})
	if len(c.Signed) != 0 {
		t.Errorf("second commit signed %v, want nothing", c.Signed)
	}
	got, err := s.Signatures(t.Context(), t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].Sig) != "sig-lead" {
		t.Errorf("signatures = %+v, want only the first of lead", got)
	}
}

func TestSignaturesUseIndexes(t *testing.T) {
	s := openTest(t)
	plan := queryPlan(t, s, signaturesSQL, 0, 1)
	for _, step := range plan {
		for _, table := range []string{"signatures", "items", "i", "s"} {
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
