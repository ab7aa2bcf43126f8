package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"storyline/store"
)

// signed is record id published at pub, carrying a signature.
func signed(id string, pub time.Time) store.Record {
	r := Record(id, "https://wire.example/"+id, "Actor A")
	r.Item.Published = pub
	r.Signature = []byte("sig-" + id)
	return r
}

// candidateIDs lists the item ids of cs in order.
func candidateIDs(cs []store.Candidate) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ItemID
	}
	return ids
}

func testSignatures(t *testing.T, db NewDB) {
	s := fresh(t, db)
	// store.Development one: "old" and "lead" posted, "join" added by an edit.
	// store.Development two: "other". "loose" is relevant but not posted, so it
	// has no cluster and no signature.
	first := Commit(t, s, store.Batch{
		Records: []store.Record{signed("old", T0.Add(-48*time.Hour)), signed("lead", T0), signed("other", T0.Add(time.Minute))},
		Posts: []store.Post{
			{Kind: store.KindPost, ItemIDs: []string{"old", "lead"}, NewCluster: true},
			Post("other"),
		},
	})
	lead := clusterOf(t, s, "lead")
	second := Commit(t, s, store.Batch{
		Records: []store.Record{signed("join", T0.Add(time.Hour)), signed("loose", T0)},
		Posts:   []store.Post{{Kind: store.KindEdit, ItemIDs: []string{"join"}, ClusterID: lead}},
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
		{"a window holds its reports oldest first", T0.Add(-36 * time.Hour), T0.Add(2 * time.Hour), []string{"lead", "other", "join"}},
		{"from is inclusive, to exclusive", T0, T0.Add(time.Hour), []string{"lead", "other"}},
		{"an older range", T0.Add(-72 * time.Hour), T0, []string{"old"}},
		{"an empty range", T0.Add(2 * time.Hour), T0.Add(3 * time.Hour), nil},
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

func testSignatureFields(t *testing.T, db NewDB) {
	s := fresh(t, db)
	r := signed("lead", T0)
	Commit(t, s, store.Batch{Records: []store.Record{r}, Posts: []store.Post{Post("lead")}})
	got, err := s.Signatures(t.Context(), T0.Add(-time.Hour), T0.Add(time.Hour))
	if err != nil {
		t.Fatalf("Signatures: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d signatures, want 1", len(got))
	}
	c := got[0]
	if c.ClusterID != clusterOf(t, s, "lead") || c.ItemID != "lead" || !c.Published.Equal(T0) ||
		string(c.Sig) != "sig-lead" || !slices.Equal(c.Actors, []string{"Actor A"}) ||
		c.Link != "https://wire.example/lead" {
		t.Errorf("signature = %+v", c)
	}
}

func testSignatureOnlyForNewClusteredItems(t *testing.T, db NewDB) {
	s := fresh(t, db)
	Commit(t, s, store.Batch{Records: []store.Record{signed("lead", T0)}, Posts: []store.Post{Post("lead")}})
	// The same item again (already stored) and a digest item that joins no
	// cluster: neither adds a signature.
	again := signed("lead", T0)
	again.Signature = []byte("other")
	c := Commit(t, s, store.Batch{
		Records: []store.Record{again, signed("digest", T0)},
		Posts:   []store.Post{{Kind: store.KindDigest, ItemIDs: []string{"digest"}}},
	})
	if len(c.Signed) != 0 {
		t.Errorf("second commit signed %v, want nothing", c.Signed)
	}
	got, err := s.Signatures(t.Context(), T0.Add(-time.Hour), T0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].Sig) != "sig-lead" {
		t.Errorf("signatures = %+v, want only the first of lead", got)
	}
}
