package bot

import (
	"context"
	"errors"
	"time"

	"storyline/store"
)

// editGroup is every pending edit of one cluster: they become one edit of
// its message.
type editGroup struct {
	cluster int64
	entries []store.OutboxEntry
}

// upTo is the newest entry of the group.
func (g editGroup) upTo() int64 {
	return g.entries[len(g.entries)-1].ID
}

// groupEdits groups pending edits by cluster, in the order of each
// cluster's oldest edit.
func groupEdits(edits []store.OutboxEntry) []editGroup {
	var groups []editGroup
	at := map[int64]int{}
	for _, e := range edits {
		i, ok := at[e.ClusterID]
		if !ok {
			i = len(groups)
			at[e.ClusterID] = i
			groups = append(groups, editGroup{cluster: e.ClusterID})
		}
		groups[i].entries = append(groups[i].entries, e)
	}
	return groups
}

// nextEdit sends the first edit that is ready, if any, and returns how
// long until the next one is, with true; false when it did something (an
// edit, or recording edits that need no request), so that the caller looks
// again at once. An edit is ready when the cluster has a message, its
// channel is not paused, its message was not posted or edited within
// EditSpacing, edits of old messages are not deferred, and its route is
// free.
func (p *Poster) nextEdit(ctx context.Context, now time.Time) (time.Duration, bool) {
	edits, err := p.store.OutboxEdits(ctx)
	if err != nil {
		return p.storeFailed(nil, err), true
	}
	wait := p.opts.Idle
	for _, g := range groupEdits(edits) {
		c, err := p.store.Cluster(ctx, g.cluster)
		if err != nil {
			return p.storeFailed(&g.entries[0], err), true
		}
		if c.MessageID == "" {
			if p.postLanding(g.cluster) {
				continue // posted, not recorded yet: the edit waits for the record
			}
			// Not posted yet: its post will render every report.
			if err := p.store.MarkEditsSent(ctx, g.cluster, g.upTo(), "", "", now); err != nil {
				return p.storeFailed(&g.entries[0], err), true
			}
			return 0, false
		}
		ready := p.editReady(c, now)
		if ready.After(now) {
			wait = min(wait, ready.Sub(now))
			continue
		}
		rctx, cancel := p.requestContext(ctx)
		p.deliverEdit(rctx, context.WithoutCancel(ctx), g, c)
		cancel()
		return 0, false
	}
	return wait, true
}

// postLanding reports whether a post of cluster was taken by Discord and
// not recorded yet.
func (p *Poster) postLanding(cluster int64) bool {
	for id := range p.landed {
		if l := p.landed[id]; l.lead.ClusterID == cluster && cluster != 0 {
			return true
		}
	}
	return false
}

// editReady is when the edit of cluster c's message may go.
func (p *Poster) editReady(c store.Cluster, now time.Time) time.Time {
	ready := now
	if r, ok := p.editRetry[c.ID]; ok {
		ready = later(ready, r.until)
	}
	ready = later(ready, p.lastEdit[c.MessageID].Add(p.opts.EditSpacing))
	p.mu.Lock()
	if pause := p.paused[c.ChannelID]; pause != nil {
		ready = later(ready, pause.until)
	}
	if old := p.oldEdits[c.ChannelID]; old != nil && messageAge(c.MessageID, now) >= time.Hour {
		ready = later(ready, old.until)
	}
	p.mu.Unlock()
	return later(ready, now.Add(p.discord.Delay(RouteEditMessage, c.ChannelID)))
}

// deliverEdit edits cluster c's message with every report known now and
// records the group's edits. A message that is gone is posted afresh.
// rctx carries the request; ctx records its outcome.
func (p *Poster) deliverEdit(rctx, ctx context.Context, g editGroup, c store.Cluster) {
	lead, records, err := p.clusterRecords(rctx, c)
	if err == nil {
		embed := RenderPost(lead, records)
		err = p.discord.Edit(rctx, c.ChannelID, c.MessageID, NewEdit(embed))
		if errors.Is(err, ErrUnknownMessage) {
			err = p.repost(rctx, g, c, lead, NewMessage(p.nonce(g.entries[0].ID), embed))
		} else if err == nil {
			p.clearPause(c.ChannelID)
			p.lastEdit[c.MessageID] = p.opts.Now()
			delete(p.editRetry, g.cluster)
			p.clearOldEdits(c.ChannelID, c.MessageID)
			err = storeFailure(p.store.MarkEditsSent(ctx, g.cluster, g.upTo(), c.ChannelID, c.MessageID, p.opts.Now()))
			if err == nil {
				p.logger.Info("post edited", "cluster", c.ID, "message", c.MessageID, "edits", len(g.entries))
			}
		}
	}
	if err != nil {
		p.settleEdit(ctx, g, c, err)
	}
}

// repost posts a cluster whose message is gone as a new message, with the
// nonce of its oldest pending edit, and records it as the cluster's
// message.
func (p *Poster) repost(ctx context.Context, g editGroup, c store.Cluster, lead store.Record, body MessageBody) error {
	first := g.entries[0]
	m, err := p.create(ctx, first, p.opts.ChannelID, body)
	if err != nil {
		return err
	}
	now := p.opts.Now()
	if err := p.store.MarkReposted(ctx, first.ID, c.ID, m.ChannelID, m.ID, now); err != nil {
		return storeFailure(err)
	}
	delete(p.landed, first.ID)
	p.lastEdit[m.ID] = now
	if err := p.store.MarkEditsSent(ctx, c.ID, g.upTo(), m.ChannelID, m.ID, now); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("post was gone, posted again", "entry", first.ID, "cluster", c.ID, "old_message", c.MessageID, "message", m.ID)
	p.startThread(ctx, c.ID, m.ChannelID, m.ID, lead)
	return nil
}

// settleEdit records a failed edit of cluster c's message.
func (p *Poster) settleEdit(ctx context.Context, g editGroup, c store.Cluster, err error) {
	now := p.opts.Now()
	log := p.logger.With("cluster", c.ID, "message", c.MessageID)
	var limited *RateLimitedError
	var refused *RefusedError
	var storeErr *storeError
	switch {
	case errors.Is(err, ErrTokenRejected):
		p.tokenRejected(now)
	case errors.As(err, &limited) && limited.Code == codeOldMessageEdits:
		p.deferOldEdits(c.ChannelID, limited.RetryAfter, now)
	case errors.As(err, &limited):
		p.logLimit(log, limited)
	case errors.As(err, &storeErr):
		p.storeFailed(&g.entries[0], err)
	case errors.As(err, &refused) && refused.channelLevel():
		p.pauseEdits(c.ChannelID, refused, now)
	case errors.As(err, &refused), errors.Is(err, store.ErrNotFound):
		for _, e := range g.entries {
			if ferr := p.refuse(ctx, log, e, err, refused); ferr != nil {
				p.storeFailed(&e, ferr)
				return
			}
		}
	default:
		r := p.editRetry[g.cluster]
		r.until = now.Add(backoff(p.opts.BaseBackoff, p.opts.MaxBackoff, r.failures, p.opts.Rand()))
		r.failures++
		p.editRetry[g.cluster] = r
		log.Warn("post edit will be retried", "attempts", r.failures, "retry_in", r.until.Sub(now), "error", err)
	}
}

// deferOldEdits holds the edits of messages older than an hour in channel
// after Discord's 30046, for its wait or a floor that doubles per 30046 in
// a row; new posts and edits of younger messages go on. The first of a
// row is logged.
func (p *Poster) deferOldEdits(channel string, retryAfter time.Duration, now time.Time) {
	p.mu.Lock()
	old := p.oldEdits[channel]
	if old == nil {
		old = &retryAt{}
		p.oldEdits[channel] = old
	}
	floor := min(p.opts.OldEditPause<<min(old.failures, 10), maxOldEditPause)
	old.until = now.Add(max(retryAfter, floor))
	old.failures++
	failures, until := old.failures, old.until
	p.mu.Unlock()
	if failures == 1 {
		p.logger.Warn("edits of posts older than an hour deferred: Discord limits them (code 30046); new posts are not held",
			"channel", channel, "until", until)
	}
}

// clearOldEdits ends the deferral of old edits in channel once an edit of
// an old message there went through.
func (p *Poster) clearOldEdits(channel, messageID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oldEdits[channel] != nil && messageAge(messageID, p.opts.Now()) >= time.Hour {
		delete(p.oldEdits, channel)
	}
}

// messageAge is how old a message is, from its snowflake id; zero when
// the id is not one.
func messageAge(id string, now time.Time) time.Duration {
	at, ok := snowflakeTime(id)
	if !ok {
		return 0
	}
	return now.Sub(at)
}
