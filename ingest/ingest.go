// Package ingest turns one polled feed into stored items and queued posts: it
// drops what the store has already seen, matches and summarises the rest,
// decides what is posted (backlog window, per-cycle digest) and commits the
// whole poll in one store transaction. It must not know HTTP or Discord.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

// Store is the part of the store the pipeline writes to.
type Store interface {
	Unseen(ctx context.Context, items []feeds.Item) ([]feeds.Item, error)
	Commit(ctx context.Context, b store.Batch) (store.Committed, error)
}

// Options tunes what gets posted.
type Options struct {
	// BacklogWindow is how old an item may be and still be posted; on a
	// feed's first poll or after an outage longer than this, only items
	// newer than the window are posted.
	BacklogWindow time.Duration
	// BacklogMax caps the posts from a first poll or after an outage.
	BacklogMax int
	// MaxPerCycle is how many posts one poll may queue before they are
	// folded into one digest.
	MaxPerCycle int
	// SummaryMax is the summary length in characters.
	SummaryMax int
	// StoreOnly stores items without queuing any post (used by preview).
	StoreOnly bool
	// Now is the clock.
	Now func() time.Time
	// Notify, when set, is called after a commit that queued posts, so
	// that the poster can start at once.
	Notify func()
}

// Pipeline processes polls. It is safe for concurrent use; polls are
// processed one at a time so that two feeds carrying the same item cannot
// both queue it.
type Pipeline struct {
	store   Store
	matcher *story.Matcher
	logger  *slog.Logger
	opts    Options
	mu      sync.Mutex
}

// New returns a Pipeline writing to st and matching with m.
func New(st Store, m *story.Matcher, logger *slog.Logger, opts Options) *Pipeline {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SummaryMax <= 0 {
		opts.SummaryMax = 350
	}
	return &Pipeline{store: st, matcher: m, logger: logger, opts: opts}
}

// Result is what one poll added.
type Result struct {
	// Records are the items not seen before, in feed order.
	Records []store.Record
	// Posted are the ids of the items queued for posting.
	Posted []string
	// Digest is true when the posts were folded into one digest.
	Digest bool
}

// HandlePoll processes p; it makes Pipeline a feeds.Sink.
func (p *Pipeline) HandlePoll(ctx context.Context, poll feeds.Poll) error {
	_, err := p.Process(ctx, poll)
	return err
}

// Process stores the new items of one poll and queues their posts, all in
// one transaction together with the feed's new state.
func (p *Pipeline) Process(ctx context.Context, poll feeds.Poll) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if poll.Err != nil || poll.NotModified {
		if _, err := p.store.Commit(ctx, store.Batch{State: poll.State}); err != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
		}
		return Result{}, nil
	}
	fresh, err := p.store.Unseen(ctx, poll.Items)
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
	}
	now := p.opts.Now()
	records := make([]store.Record, 0, len(fresh))
	for _, it := range fresh {
		r := store.Record{Item: it, Match: p.matcher.Match(it.Title, it.Text), SeenAt: now}
		if r.Match.Relevant {
			// Only items about the story are shown with a summary; the
			// rest are kept for search and mention counts.
			r.Summary = p.matcher.Summarize(it.Title, it.Text, p.opts.SummaryMax)
		}
		records = append(records, r)
	}
	res := Result{Records: records}
	var posts []store.Post
	if !p.opts.StoreOnly {
		posts = p.plan(poll.Prev, records, now)
	}
	for _, post := range posts {
		res.Posted = append(res.Posted, post.ItemIDs...)
		res.Digest = res.Digest || post.Kind == store.KindDigest
	}
	committed, err := p.store.Commit(ctx, store.Batch{State: poll.State, Records: records, Posts: posts})
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
	}
	if len(committed.Queued) > 0 && p.opts.Notify != nil {
		p.opts.Notify()
	}
	if len(res.Posted) > 0 {
		p.logger.Info("queued posts", "feed", poll.Source.Name, "items", len(res.Posted), "digest", res.Digest)
	}
	return res, nil
}

// plan decides which relevant records are posted. Items older than the
// backlog window are never posted (they are stored for lookups); on a
// feed's first poll, or after an outage longer than the window, at most
// BacklogMax of the newest are; more than MaxPerCycle become one digest.
func (p *Pipeline) plan(prev feeds.State, records []store.Record, now time.Time) []store.Post {
	cutoff := now.Add(-p.opts.BacklogWindow)
	var due []store.Record
	for _, r := range records {
		if r.Match.Relevant && (p.opts.BacklogWindow <= 0 || !r.Item.Published.Before(cutoff)) {
			due = append(due, r)
		}
	}
	slices.SortStableFunc(due, func(a, b store.Record) int { return a.Item.Published.Compare(b.Item.Published) })
	if catchingUp(prev, now, p.opts.BacklogWindow) && len(due) > p.opts.BacklogMax {
		due = due[len(due)-p.opts.BacklogMax:]
	}
	if len(due) == 0 {
		return nil
	}
	if p.opts.MaxPerCycle > 0 && len(due) > p.opts.MaxPerCycle {
		ids := make([]string, len(due))
		for i, r := range due {
			ids[i] = r.Item.ID
		}
		return []store.Post{{Kind: store.KindDigest, ItemIDs: ids}}
	}
	posts := make([]store.Post, len(due))
	for i, r := range due {
		posts[i] = store.Post{Kind: store.KindPost, ItemIDs: []string{r.Item.ID}, NewCluster: true}
	}
	return posts
}

// catchingUp reports whether a feed is polled for the first time or after a
// gap longer than the backlog window.
func catchingUp(prev feeds.State, now time.Time, window time.Duration) bool {
	return prev.LastSuccess.IsZero() || now.Sub(prev.LastSuccess) > window
}
