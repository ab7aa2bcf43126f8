package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"storyline/feeds"
)

// batchOf is batch n of size records, each posted.
func batchOf(n, size int) Batch {
	b := Batch{State: feedState(fmt.Sprintf("https://feed%d.example/rss", n%7))}
	for i := range size {
		id := fmt.Sprintf("b%d-i%d", n, i)
		b.Records = append(b.Records, record(id, "https://wire.example/"+id, "Actor A", "Actor B"))
		b.Posts = append(b.Posts, post(id))
	}
	return b
}

func TestConcurrentReadersWhileWriting(t *testing.T) {
	s := openTest(t)
	const batches, size, readers = 40, 10, 4
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		defer done.Store(true)
		for n := range batches {
			if _, err := s.Commit(t.Context(), batchOf(n, size)); err != nil {
				t.Errorf("Commit %d: %v", n, err)
				return
			}
		}
	})
	first := batchOf(0, size)
	var probe []feeds.Item
	for _, r := range first.Records {
		probe = append(probe, r.Item)
	}
	for range readers {
		wg.Go(func() {
			last := 0
			for !done.Load() {
				st, err := s.OutboxStats(t.Context())
				if err != nil {
					t.Errorf("OutboxStats: %v", err)
					return
				}
				n := st.Pending
				if n < last || n%size != 0 {
					t.Errorf("pending = %d after %d: a reader saw a partial or vanished batch", n, last)
				}
				last = n
				unseen, err := s.Unseen(t.Context(), probe)
				if err != nil {
					t.Errorf("Unseen: %v", err)
					return
				}
				if n > 0 && len(unseen) != 0 {
					t.Errorf("Unseen of the first batch = %d items once %d are stored, want 0", len(unseen), n)
				}
			}
		})
	}
	wg.Wait()
	st, err := s.OutboxStats(t.Context())
	if err != nil || st.Pending != batches*size {
		t.Errorf("pending = %d, %v; want %d", st.Pending, err, batches*size)
	}
}
