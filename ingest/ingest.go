// Package ingest turns one polled feed into stored items and queued posts: it
// drops what the store has already seen, matches and summarises the rest,
// groups the relevant ones into developments (a report of a development
// already posted grows its message; a new one is posted), decides what is
// posted (backlog window, per-cycle digest) and commits the whole poll in
// one store transaction. It must not know HTTP or Discord.
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

// Store is the part of the store the pipeline reads and writes.
type Store interface {
	Unseen(ctx context.Context, items []feeds.Item) ([]feeds.Item, error)
	SignatureStore
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
	// MaxPerCycle is how many new developments one poll may post before
	// they are folded into one digest. Reports of developments already
	// posted do not count: they edit (or reply to) the existing message.
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
	// Cluster tunes how reports are grouped into developments; the zero
	// value means story.DefaultClusterOptions().
	Cluster story.ClusterOptions
	// Threads makes further reports of a development replies in its
	// thread instead of edits of its message.
	Threads bool
	// MaxItems caps the items one poll of a feed may bring: the newest
	// by publication date are taken, the others left (and logged), so
	// that a feed cannot grow the store by more than this per poll; 0
	// means DefaultMaxItems.
	MaxItems int
	// Shared, when set, is the store's side of clustering shared with other
	// instances: each poll's clustering decision and commit happen under
	// its lock, after the window has loaded what the others clustered.
	Shared SharedStore
}

// SharedStore is what the pipeline needs of a store that other instances
// cluster reports into as well (store.Fleet has it).
type SharedStore interface {
	// LockClustering waits for the lock one clustering commit in all the
	// fleet holds at a time.
	LockClustering(ctx context.Context) (unlock func(), err error)
	// SignaturesSince returns the clustered reports stored after mark and
	// published at or after from, and the latest mark.
	SignaturesSince(ctx context.Context, mark int64, from time.Time) ([]store.Candidate, int64, error)
}

// DefaultMaxItems is the items taken from one poll of a feed when
// Options.MaxItems is 0.
const DefaultMaxItems = 500

// checkEvery is how many items Process handles between two looks at its
// context.
const checkEvery = 64

// Pipeline processes polls. It is safe for concurrent use; polls are
// processed one at a time so that two feeds carrying the same item cannot
// both queue it, and with Options.Shared their clustering and commits are
// serialised with those of the other instances too.
type Pipeline struct {
	store     Store
	matcher   *story.Matcher
	clusterer *story.Clusterer
	logger    *slog.Logger
	opts      Options
	mu        sync.Mutex
	// window holds the recent reports of developments.
	window *window
}

// New returns a Pipeline writing to st and matching with m. Without
// opts.Shared it must be the only Pipeline clustering reports into st: it
// keeps the recent ones in memory and learns only its own.
func New(st Store, m *story.Matcher, logger *slog.Logger, opts Options) *Pipeline {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SummaryMax <= 0 {
		opts.SummaryMax = 350
	}
	if opts.MaxItems <= 0 {
		opts.MaxItems = DefaultMaxItems
	}
	if opts.Cluster == (story.ClusterOptions{}) {
		opts.Cluster = story.DefaultClusterOptions()
	}
	return &Pipeline{
		store: st, matcher: m, clusterer: story.NewClusterer(opts.Cluster), logger: logger, opts: opts,
		window: newWindow(st, opts.Shared),
	}
}

// Result is what one poll added.
type Result struct {
	// Records are the items not seen before, in feed order.
	Records []store.Record
	// Posted are the ids of the items queued for posting as new
	// developments (or in a digest).
	Posted []string
	// Joined are the ids of the items queued as further reports of
	// developments posted before: edits, or replies in threads mode.
	Joined []string
	// Digest is true when the posts were folded into one digest.
	Digest bool
}

// HandlePoll processes p; it makes Pipeline a feeds.Sink.
func (p *Pipeline) HandlePoll(ctx context.Context, poll feeds.Poll) error {
	_, err := p.Process(ctx, poll)
	return err
}

// Process stores the new items of one poll and queues their posts, all in
// one transaction together with the feed's new state. Of a poll with more
// than MaxItems items, the newest MaxItems are taken. When ctx ends first,
// it stops between items with ctx's error and stores nothing.
func (p *Pipeline) Process(ctx context.Context, poll feeds.Poll) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if poll.Err != nil || poll.NotModified {
		if _, err := p.store.Commit(ctx, store.Batch{State: poll.State}); err != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
		}
		return Result{}, nil
	}
	fresh, err := p.store.Unseen(ctx, p.newest(poll))
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
	}
	now := p.opts.Now()
	records := make([]store.Record, 0, len(fresh))
	for i, it := range fresh {
		if i%checkEvery == 0 && ctx.Err() != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, context.Cause(ctx))
		}
		r := store.Record{Item: it, Match: p.matcher.Match(it.Title, it.Text), SeenAt: now}
		if r.Match.Relevant {
			// Only items about the story are shown with a summary; the
			// rest are kept for search and mention counts.
			r.Summary = p.matcher.Summarize(it.Title, it.Text, p.opts.SummaryMax)
		}
		records = append(records, r)
	}
	if p.opts.Shared != nil && !p.opts.StoreOnly {
		unlock, err := p.opts.Shared.LockClustering(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
		}
		defer unlock()
		if records, err = p.stillUnseen(ctx, records); err != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
		}
		if err := p.window.sync(ctx); err != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
		}
	}
	res := Result{Records: records}
	var posts []store.Post
	var reports map[string]story.Report
	if !p.opts.StoreOnly {
		if posts, reports, err = p.plan(ctx, poll.Prev, records, now); err != nil {
			return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
		}
	}
	for _, post := range posts {
		if post.Kind == store.KindEdit || post.Kind == store.KindReply {
			res.Joined = append(res.Joined, post.ItemIDs...)
			continue
		}
		res.Posted = append(res.Posted, post.ItemIDs...)
		res.Digest = res.Digest || post.Kind == store.KindDigest
	}
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, context.Cause(ctx))
	}
	committed, err := p.store.Commit(ctx, store.Batch{State: poll.State, Records: records, Posts: posts})
	if err != nil {
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
	}
	for id, clusterID := range committed.Signed {
		if r, ok := reports[id]; ok {
			p.window.add(clusterID, r)
		}
	}
	p.window.forget(now.Add(-2 * p.opts.Cluster.Window))
	if len(committed.Queued) > 0 && p.opts.Notify != nil {
		p.opts.Notify()
	}
	if len(res.Posted) > 0 || len(res.Joined) > 0 {
		p.logger.Info("queued posts", "feed", poll.Source.Name, "items", len(res.Posted),
			"joined", len(res.Joined), "digest", res.Digest)
	}
	return res, nil
}

// stillUnseen returns the records whose items are still not stored: another
// instance may have stored some since Unseen was asked.
func (p *Pipeline) stillUnseen(ctx context.Context, records []store.Record) ([]store.Record, error) {
	items := make([]feeds.Item, len(records))
	for i, r := range records {
		items[i] = r.Item
	}
	fresh, err := p.store.Unseen(ctx, items)
	if err != nil || len(fresh) == len(records) {
		return records, err
	}
	keep := make(map[string]bool, len(fresh))
	for _, it := range fresh {
		keep[it.ID] = true
	}
	return slices.DeleteFunc(records, func(r store.Record) bool { return !keep[r.Item.ID] }), nil
}

// newest returns the poll's items when they are at most MaxItems, else the
// MaxItems published last (the earlier of equal dates first), in feed
// order, and logs what was left.
func (p *Pipeline) newest(poll feeds.Poll) []feeds.Item {
	items := poll.Items
	if len(items) <= p.opts.MaxItems {
		return items
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[b].Published.Compare(items[a].Published) })
	kept := order[:p.opts.MaxItems]
	oldest := items[kept[len(kept)-1]].Published
	slices.Sort(kept)
	out := make([]feeds.Item, len(kept))
	for i, idx := range kept {
		out[i] = items[idx]
	}
	p.logger.Info("feed over the item cap: took the newest", "feed", poll.Source.Name, "items", len(items),
		"taken", len(out), "oldest_taken", oldest, "fix", "raise [fetch] max_items to take more per poll")
	return out
}

// plan decides what the relevant records of a poll queue (records are
// given their signatures on the way). Each is clustered in publication
// order: a report of a development posted before joins it, and the joins
// to one development become one edit (or reply); a report of no known
// development starts a new one when it is due, and later reports of the
// same poll can join it. Items older than the backlog window are never
// due (they are stored for lookups, and only join developments already
// posted); on a feed's first poll, or after an outage longer than the
// window, at most BacklogMax of the newest developments are posted; more
// than MaxPerCycle become one digest. It also returns the reports it
// clustered, by id.
func (p *Pipeline) plan(ctx context.Context, prev feeds.State, records []store.Record, now time.Time) ([]store.Post, map[string]story.Report, error) {
	cutoff := now.Add(-p.opts.BacklogWindow)
	var relevant []*store.Record
	for i := range records {
		if records[i].Match.Relevant {
			relevant = append(relevant, &records[i])
		}
	}
	slices.SortStableFunc(relevant, func(a, b *store.Record) int { return a.Item.Published.Compare(b.Item.Published) })
	g := grouping{joins: make(map[int64][]string)}
	for _, r := range relevant {
		due := p.opts.BacklogWindow <= 0 || !r.Item.Published.Before(cutoff)
		if err := p.cluster(ctx, &g, r, due); err != nil {
			return nil, nil, err
		}
	}
	if catchingUp(prev, now, p.opts.BacklogWindow) && len(g.developments) > p.opts.BacklogMax {
		g.developments = g.developments[len(g.developments)-p.opts.BacklogMax:]
	}
	reports := make(map[string]story.Report, len(g.reports))
	for _, c := range g.reports {
		reports[c.ID] = c.Report
	}
	return g.posts(p.opts.MaxPerCycle, p.joinKind()), reports, nil
}

// grouping is how the relevant reports of one poll are clustered.
type grouping struct {
	// developments are the new developments, in order of their first
	// report; each lists its reports' ids.
	developments [][]string
	// joins lists, per development posted before, the reports that join
	// it; joined keeps those developments in order of first join.
	joins  map[int64][]string
	joined []int64
	// reports are the poll's reports clustered so far, as candidates for
	// the next: a new development has the cluster id -(its index + 1).
	reports []story.Candidate
}

// cluster gives r its signature and finds its development: one posted
// before, one started earlier in this poll, or, when r is due, a new one.
func (p *Pipeline) cluster(ctx context.Context, g *grouping, r *store.Record, due bool) error {
	rep := story.Report{
		ID: r.Item.ID, Link: r.Item.Link, Published: r.Item.Published,
		Sig: story.Signature(r.Item.Title, r.Item.Text), Actors: r.Match.Actors,
	}
	blob, err := rep.Sig.MarshalBinary()
	if err != nil {
		return fmt.Errorf("signature of %s: %w", r.Item.ID, err)
	}
	r.Signature = blob
	since := rep.Published.Add(-p.opts.Cluster.Window)
	if err := p.window.cover(ctx, since); err != nil {
		return err
	}
	join, ok := p.clusterer.Decide(rep, append(p.window.candidates(rep.Sig.Bands(), since), g.reports...))
	switch {
	case ok && join.ClusterID > 0:
		if g.joins[join.ClusterID] == nil {
			g.joined = append(g.joined, join.ClusterID)
		}
		g.joins[join.ClusterID] = append(g.joins[join.ClusterID], rep.ID)
	case ok:
		dev := -join.ClusterID - 1
		g.developments[dev] = append(g.developments[dev], rep.ID)
	case due:
		g.developments = append(g.developments, []string{rep.ID})
		join.ClusterID = -int64(len(g.developments))
	default:
		return nil
	}
	g.reports = append(g.reports, story.Candidate{ClusterID: join.ClusterID, Report: rep})
	return nil
}

// joinKind is the outbox kind of further reports of a posted development.
func (p *Pipeline) joinKind() store.OutboxKind {
	if p.opts.Threads {
		return store.KindReply
	}
	return store.KindEdit
}

// posts turns g into outbox work: a post per new development, or one
// digest of them all when there are more than maxPerCycle (and
// maxPerCycle is positive), then one edit or reply per development joined.
// A digest's developments still become developments, so later reports of
// them join them instead of being posted as new.
func (g *grouping) posts(maxPerCycle int, joinKind store.OutboxKind) []store.Post {
	var posts []store.Post
	if maxPerCycle > 0 && len(g.developments) > maxPerCycle {
		posts = append(posts, store.Post{
			Kind: store.KindDigest, ItemIDs: slices.Concat(g.developments...), Developments: g.developments,
		})
	} else {
		for _, ids := range g.developments {
			posts = append(posts, store.Post{Kind: store.KindPost, ItemIDs: ids, NewCluster: true})
		}
	}
	for _, id := range g.joined {
		posts = append(posts, store.Post{Kind: joinKind, ClusterID: id, ItemIDs: g.joins[id]})
	}
	return posts
}

// catchingUp reports whether a feed is polled for the first time or after a
// gap longer than the backlog window.
func catchingUp(prev feeds.State, now time.Time, window time.Duration) bool {
	return prev.LastSuccess.IsZero() || now.Sub(prev.LastSuccess) > window
}
