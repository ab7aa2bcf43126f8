package storetest

import (
	"fmt"
	"testing"
	"time"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

// T0 is the fixed "now" of the suite: 20 November 2025, 14:05 UTC.
var T0 = time.Date(2025, 11, 20, 14, 5, 0, 0, time.UTC)

// day is one UTC day.
const day = 24 * time.Hour

// Record is a relevant record of item id at link, from the feed "Wire",
// published an hour before T0 and seen at T0, naming actors.
func Record(id, link string, actors ...string) store.Record {
	return store.Record{
		Item: feeds.Item{
			FeedName:  "Wire",
			FeedURL:   "https://wire.example/feed",
			ID:        id,
			GUID:      id,
			Link:      link,
			Title:     "Title " + id,
			Text:      "Text of " + id,
			Published: T0.Add(-time.Hour),
			Language:  "en",
		},
		Match: story.Match{
			Relevant: true,
			Score:    3.5,
			Actors:   actors,
			Phrases:  []string{"peace plan"},
			Spans: []story.Span{
				{Field: story.FieldTitle, Start: 0, End: 5, Kind: story.KindPhrase, Term: "peace plan"},
			},
		},
		Summary: "Summary of " + id,
		SeenAt:  T0,
	}
}

// Post is a post of item id in a new cluster.
func Post(id string) store.Post {
	return store.Post{Kind: store.KindPost, ItemIDs: []string{id}, NewCluster: true}
}

// FeedState is the state of a healthy feed at url, polled at T0.
func FeedState(url string) feeds.State {
	return feeds.State{
		URL:          url,
		ETag:         `"v1"`,
		LastModified: "Thu, 20 Nov 2025 14:00:00 GMT",
		NextPoll:     T0.Add(5 * time.Minute),
		LastPoll:     T0,
		LastSuccess:  T0,
		Interval:     5 * time.Minute,
		RecentItems:  24,
		RecentSince:  T0.Add(-6 * time.Hour),
		TTL:          3 * time.Minute,
	}
}

// Batch is batch n of size new records, each posted on its own.
func Batch(n, size int) store.Batch {
	b := store.Batch{State: FeedState(fmt.Sprintf("https://feed%d.example/rss", n%7))}
	for i := range size {
		id := fmt.Sprintf("b%d-i%d", n, i)
		b.Records = append(b.Records, Record(id, "https://wire.example/"+id, "Actor A", "Actor B"))
		b.Posts = append(b.Posts, Post(id))
	}
	return b
}

// Commit commits b to s, failing the test on error.
func Commit(t testing.TB, s store.Store, b store.Batch) store.Committed {
	t.Helper()
	c, err := s.Commit(t.Context(), b)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return c
}

// clusterOf returns the cluster of stored item id.
func clusterOf(t *testing.T, s store.Store, id string) int64 {
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
