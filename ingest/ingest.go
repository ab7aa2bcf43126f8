// Package ingest turns one polled feed into stored items and queued posts: it
// drops what the store has already seen, matches and summarises the rest,
// groups the relevant ones into developments (a report of a development
// already posted grows its message; a new one is posted; a report that
// scores below the story's threshold but plainly reports a known
// development joins it), decides what is posted (backlog window, per-cycle
// digest) and commits the whole poll in one store transaction. It must not
// know HTTP or Discord.
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
	// StoreOnly stores items without queuing any post (used by preview):
	// reports are still grouped into developments, known only to this
	// Pipeline, and Result.Developments tells which.
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
	// KeepUnrelated is how long the store keeps reports the story rejected
	// (zero: for ever); one published longer ago is not stored, so that
	// one retention dropped is not stored and counted again.
	KeepUnrelated time.Duration
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
	// lastTemp is the last id given to a development not stored yet; such
	// ids are negative.
	lastTemp int64
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
	// Developments gives, by item id, the development each record of the
	// poll that was clustered joined or started: a stored cluster's id,
	// or with StoreOnly a negative id this Pipeline gave the development.
	Developments map[string]int64
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
	g, err := p.plan(ctx, poll.Prev, records, now)
	if err != nil {
		p.unindex(g)
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
	}
	res := Result{Records: records}
	var posts []store.Post
	if !p.opts.StoreOnly {
		posts = g.posts(p.opts.MaxPerCycle, p.joinKind())
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
		p.unindex(g)
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, context.Cause(ctx))
	}
	committed, err := p.store.Commit(ctx, store.Batch{
		State: poll.State, Records: records, Posts: posts,
		UnrelatedBefore: store.UnrelatedHorizon(now, p.opts.KeepUnrelated),
	})
	if err != nil {
		p.unindex(g)
		return Result{}, fmt.Errorf("ingest %s: %w", poll.Source.URL, err)
	}
	res.Developments = p.settle(g, committed)
	p.window.forget(now.Add(-p.opts.Cluster.Memory))
	if len(committed.Queued) > 0 && p.opts.Notify != nil {
		p.opts.Notify()
	}
	if len(res.Posted) > 0 || len(res.Joined) > 0 {
		p.logger.Info("queued posts", "feed", poll.Source.Name, "items", len(res.Posted),
			"joined", len(res.Joined), "digest", res.Digest)
	}
	return res, nil
}

// settle gives the reports g clustered their place in the window once the
// poll is committed, and returns their developments by item id. A report
// the store now keeps in a cluster is filed under it; one it does not
// (an item another feed stored first) leaves the window. With StoreOnly
// nothing is stored as a development, so the reports keep the ids the
// Pipeline gave them.
func (p *Pipeline) settle(g *grouping, committed store.Committed) map[string]int64 {
	if len(g.reports) == 0 {
		return nil
	}
	devs := make(map[string]int64, len(g.reports))
	for _, c := range g.reports {
		if p.opts.StoreOnly {
			devs[c.ID] = c.ClusterID
			continue
		}
		clusterID, ok := committed.Signed[c.ID]
		if !ok {
			p.window.remove(c.ID)
			continue
		}
		p.window.add(clusterID, c.Report)
		devs[c.ID] = clusterID
	}
	return devs
}

// unindex takes the reports g put in the window out again, after a poll
// that did not commit.
func (p *Pipeline) unindex(g *grouping) {
	if g == nil {
		return
	}
	for _, c := range g.reports {
		p.window.remove(c.ID)
	}
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
// than MaxPerCycle become one digest. Then the records that scored below
// the story's threshold but may report a known development (see
// lowScoreJoins) are tried, and those that join become relevant. The
// grouping it returns lists the reports it put in the window, also when
// it fails.
func (p *Pipeline) plan(ctx context.Context, prev feeds.State, records []store.Record, now time.Time) (*grouping, error) {
	cutoff := now.Add(-p.opts.BacklogWindow)
	var relevant, low []*store.Record
	for i := range records {
		switch {
		case records[i].Match.Relevant:
			relevant = append(relevant, &records[i])
		case mayJoin(records[i].Match):
			low = append(low, &records[i])
		}
	}
	byPublished := func(a, b *store.Record) int { return a.Item.Published.Compare(b.Item.Published) }
	slices.SortStableFunc(relevant, byPublished)
	slices.SortStableFunc(low, byPublished)
	g := &grouping{joins: make(map[int64][]string), temp: make(map[int64]int)}
	for _, r := range relevant {
		due := p.opts.StoreOnly || p.opts.BacklogWindow <= 0 || !r.Item.Published.Before(cutoff)
		if err := p.cluster(ctx, g, r, due); err != nil {
			return g, err
		}
	}
	for _, r := range low {
		joined, err := p.lowScoreJoin(ctx, g, r)
		if err != nil {
			return g, err
		}
		if joined {
			r.Match.Relevant = true
			r.Summary = p.matcher.Summarize(r.Item.Title, r.Item.Text, p.opts.SummaryMax)
			p.logger.Debug("report below the threshold joins a development", "item", r.Item.ID, "score", r.Match.Score)
		}
	}
	if catchingUp(prev, now, p.opts.BacklogWindow) && len(g.developments) > p.opts.BacklogMax {
		g.developments = g.developments[len(g.developments)-p.opts.BacklogMax:]
	}
	return g, nil
}

// lowScoreFactor is how much higher than the clustering threshold the
// score of a report that is not relevant on its own must be for it to
// join a development.
const lowScoreFactor = 2

// mayJoin reports whether a record that scored below the story's
// threshold has enough of the story to join a development already known:
// it names an actor or a story phrase and no other story's phrase. A
// paraphrase or a report in a language the definition covers thinly
// scores low on its own but still names the people of the event.
func mayJoin(m story.Match) bool {
	return !m.Relevant && len(m.Excluded) == 0 && (len(m.Actors) > 0 || len(m.Phrases) > 0)
}

// lowScoreJoin clusters a record that is not relevant on its own: it joins
// a development known to the window or started in this poll when its
// score there reaches lowScoreFactor times the threshold, when it shares
// an actor with the development (if it names any), and when its words
// alone, without its actors, point to the same development; it never
// starts one. The same people on another track (other talks, another
// year's summit, a visit elsewhere) share the actors but not the rest of
// the report, so they stay out.
func (p *Pipeline) lowScoreJoin(ctx context.Context, g *grouping, r *store.Record) (bool, error) {
	rep := p.report(r)
	if err := p.window.cover(ctx, rep.Published.Add(-p.opts.Cluster.Memory)); err != nil {
		return false, err
	}
	strict := p.clusterer.Options()
	strict.Threshold *= lowScoreFactor
	strict.MinSharedActors = max(strict.MinSharedActors, 1)
	join, ok := story.NewClusterer(strict).Decide(rep, p.window.index)
	if !ok {
		return false, nil
	}
	words := rep
	words.Sig, words.Actors = rep.Sig.WithoutActors(rep.Actors), nil
	if byWords, ok := p.clusterer.Decide(words, p.window.index); !ok || byWords.ClusterID != join.ClusterID {
		return false, nil
	}
	return true, p.place(g, r, rep, join.ClusterID)
}

// grouping is how the relevant reports of one poll are clustered.
type grouping struct {
	// developments are the new developments, in order of their first
	// report; each lists its reports' ids.
	developments [][]string
	// temp maps the ids the Pipeline gave the new developments to their
	// index in developments.
	temp map[int64]int
	// joins lists, per development known before, the reports that join
	// it; joined keeps those developments in order of first join.
	joins  map[int64][]string
	joined []int64
	// reports are the poll's reports clustered so far, each with the id
	// of its development, which the window holds until the poll commits.
	reports []story.Candidate
}

// report returns what the Clusterer knows of record r.
func (p *Pipeline) report(r *store.Record) story.Report {
	return story.Report{
		ID: r.Item.ID, Link: r.Item.Link, Published: r.Item.Published,
		Sig: story.Signature(r.Item.Title, r.Item.Text, r.Match), Actors: r.Match.Actors,
	}
}

// cluster finds relevant record r's development: one known before, one
// started earlier in this poll, or, when r is due, a new one.
func (p *Pipeline) cluster(ctx context.Context, g *grouping, r *store.Record, due bool) error {
	rep := p.report(r)
	if err := p.window.cover(ctx, rep.Published.Add(-p.opts.Cluster.Memory)); err != nil {
		return err
	}
	join, ok := p.clusterer.Decide(rep, p.window.index)
	switch {
	case ok:
		return p.place(g, r, rep, join.ClusterID)
	case due:
		p.lastTemp--
		g.temp[p.lastTemp] = len(g.developments)
		g.developments = append(g.developments, nil)
		return p.place(g, r, rep, p.lastTemp)
	}
	return nil
}

// place records that r, clustered as rep, belongs to development
// clusterID: it is given its signature and listed with the development's
// new reports or joins, and put in the window at once, so that the next
// reports of the poll can join its development.
func (p *Pipeline) place(g *grouping, r *store.Record, rep story.Report, clusterID int64) error {
	blob, err := rep.Sig.MarshalBinary()
	if err != nil {
		return fmt.Errorf("signature of %s: %w", r.Item.ID, err)
	}
	r.Signature = blob
	switch dev, started := g.temp[clusterID]; {
	case started:
		g.developments[dev] = append(g.developments[dev], rep.ID)
	case clusterID > 0:
		if g.joins[clusterID] == nil {
			g.joined = append(g.joined, clusterID)
		}
		g.joins[clusterID] = append(g.joins[clusterID], rep.ID)
	}
	// A negative id not started in this poll is a development of an
	// earlier StoreOnly poll: there is nothing to queue.
	p.window.add(clusterID, rep)
	g.reports = append(g.reports, story.Candidate{ClusterID: clusterID, Report: rep})
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
