package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
)

// OutboxStore is the part of the store the poster reads and writes.
type OutboxStore interface {
	OutboxHead(ctx context.Context) (store.OutboxEntry, error)
	MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error
	MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error
	MarkFailed(ctx context.Context, id int64, code int, reason string, at time.Time) error
	MarkReposted(ctx context.Context, id, clusterID int64, channelID, messageID string, at time.Time) error
	Records(ctx context.Context, ids []string) ([]store.Record, error)
	Cluster(ctx context.Context, id int64) (store.Cluster, error)
	SetClusterMessage(ctx context.Context, id int64, channelID, messageID, threadID string) error
	DailyStore
}

// Discord is what the poster needs from Discord; *Client implements it.
// Failures are *RateLimitedError, *RefusedError or anything else, which
// counts as transient.
type Discord interface {
	Send(ctx context.Context, channelID string, body MessageBody) (string, error)
	Edit(ctx context.Context, channelID, messageID string, body EditBody) error
	StartThread(ctx context.Context, channelID, messageID, name string) (string, error)
}

// PosterOptions configures a Poster. Zero fields take defaults.
type PosterOptions struct {
	// ChannelID is the channel posts and digests go to.
	ChannelID string
	// Threads starts a thread under every post; replies go there.
	Threads bool
	// StoryName heads digests.
	StoryName string
	// DigestZone is the time zone daily digests show their period in
	// (default UTC).
	DigestZone *time.Location
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Rand returns numbers in [0, 1) that place the jitter (default
	// math/rand/v2).
	Rand func() float64
	// BaseBackoff is the wait after an entry's first transient failure
	// (default 1 s); it doubles per failure up to MaxBackoff (default
	// 5 min).
	BaseBackoff, MaxBackoff time.Duration
	// Idle is how often the outbox is looked at when nothing is due
	// (default 1 s).
	Idle time.Duration
	// Grace bounds the request in flight when Run's context ends (default
	// 5 s).
	Grace time.Duration
	// Wake, when it delivers, makes an idle poster look at once (ingest
	// signals new work on it).
	Wake <-chan struct{}
	// RetryCommand is the command that queues refused entries again,
	// named in the log line of a refusal (default "storyline outbox
	// retry").
	RetryCommand string
}

func (o PosterOptions) withDefaults() PosterOptions {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.Idle <= 0 {
		o.Idle = time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 5 * time.Second
	}
	if o.RetryCommand == "" {
		o.RetryCommand = "storyline outbox retry"
	}
	return o
}

// Poster delivers the outbox to Discord strictly in order, one request at
// a time: it sends the oldest pending entry and nothing else until that
// one is sent or refused. It renders each entry when it sends it, so a post shows every
// outlet known by then.
//
// Outcomes: success records the message; a 429 pauses all sending for
// retry_after, then the same entry is tried again; a transient failure
// (5xx, network, timeout) makes the entry due again after an exponential
// backoff with jitter, and the entries behind it wait; a
// refusal (any other 4xx) marks the entry failed with Discord's code and
// message, logged once, kept until `storyline outbox retry`. A create is
// sent with the entry's nonce and enforce_nonce, so repeating it after a
// crash or a lost answer gives back the same message.
type Poster struct {
	store   OutboxStore
	discord Discord
	logger  *slog.Logger
	opts    PosterOptions
	// pauseUntil holds all sending back (after a 429 or a store failure); it is
	// owned by the Run goroutine.
	pauseUntil time.Time
}

// NewPoster returns a Poster delivering outbox's entries to discord.
func NewPoster(outbox OutboxStore, discord Discord, logger *slog.Logger, opts PosterOptions) *Poster {
	return &Poster{store: outbox, discord: discord, logger: logger, opts: opts.withDefaults()}
}

// Run delivers entries until ctx ends. When it ends, the request in flight
// is finished (for at most Grace) and its outcome recorded; Run then
// returns ctx's error. Store failures are logged and retried, never fatal.
// Run must not be called concurrently with itself.
func (p *Poster) Run(ctx context.Context) error {
	for {
		if err := sleep(ctx, p.pauseUntil.Sub(p.opts.Now())); err != nil {
			return err
		}
		e, err := p.store.OutboxHead(ctx)
		wait := e.NextAttempt.Sub(p.opts.Now())
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, store.ErrNoWork):
			err = p.idle(ctx, p.opts.Idle)
		case err != nil:
			p.logger.Error("outbox read failed", "error", err)
			p.pause(p.opts.Idle)
		case wait > 0:
			// The oldest entry backs off; later ones wait behind it, so
			// that order holds, across restarts too.
			err = p.idle(ctx, min(wait, p.opts.Idle))
		default:
			p.deliver(ctx, e)
		}
		if err != nil {
			return err
		}
	}
}

// idle waits for d, for Wake or for ctx to end.
func (p *Poster) idle(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-p.opts.Wake:
	}
	return nil
}

// pause holds sending back for d from now.
func (p *Poster) pause(d time.Duration) {
	p.pauseUntil = p.opts.Now().Add(d)
}

// deliver sends one entry and records the outcome. Once ctx has ended the
// request in flight still finishes (within Grace) and is recorded.
func (p *Poster) deliver(ctx context.Context, e store.OutboxEntry) {
	rctx, cancel := p.requestContext(ctx)
	defer cancel()
	var err error
	switch e.Kind {
	case store.KindPost:
		err = p.post(rctx, e)
	case store.KindDigest:
		err = p.digest(rctx, e)
	case store.KindEdit:
		err = p.edit(rctx, e)
	case store.KindReply:
		err = p.reply(rctx, e)
	case store.KindDaily:
		err = p.daily(rctx, e)
	default:
		err = &RefusedError{Message: fmt.Sprintf("unknown outbox kind %q", e.Kind)}
	}
	if err != nil {
		p.settle(context.WithoutCancel(ctx), e, err)
	}
}

// requestContext is ctx without its cancellation, cancelled Grace after
// ctx ends.
func (p *Poster) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		select {
		case <-rctx.Done():
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(p.opts.Grace)
		defer t.Stop()
		select {
		case <-rctx.Done():
		case <-t.C:
			cancel()
		}
	}()
	return rctx, cancel
}

// storeError marks a failure of the store rather than of Discord.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// storeFailure wraps a store failure; nil stays nil.
func storeFailure(err error) error {
	if err == nil {
		return nil
	}
	return &storeError{err: err}
}

// settle records a failed attempt at e.
func (p *Poster) settle(ctx context.Context, e store.OutboxEntry, err error) {
	now := p.opts.Now()
	log := p.logger.With("entry", e.ID, "kind", e.Kind)
	var limited *RateLimitedError
	var refused *RefusedError
	var storeErr *storeError
	switch {
	case errors.As(err, &limited):
		p.pause(limited.RetryAfter)
		log.Warn("discord rate limit", "retry_after", limited.RetryAfter)
		return
	case errors.As(err, &refused), errors.Is(err, store.ErrNotFound):
		code := 0
		if refused != nil {
			code = refused.Code
			if code == 0 {
				code = refused.Status
			}
		}
		reason := err.Error()
		err = p.store.MarkFailed(ctx, e.ID, code, reason, now)
		if refused != nil {
			log.Error("outbox entry refused", "code", code, "error", reason, "fix", refusalFix(refused, p.opts.RetryCommand))
		} else {
			log.Error("outbox entry refused", "code", code, "error", reason)
		}
	case errors.As(err, &storeErr):
		log.Error("outbox store failed", "error", err)
		p.pause(p.opts.Idle)
		return
	default:
		delay := backoff(p.opts.BaseBackoff, p.opts.MaxBackoff, e.Attempts, p.opts.Rand())
		log.Warn("outbox entry will be retried", "attempts", e.Attempts+1, "retry_in", delay, "error", err)
		err = p.store.MarkRetry(ctx, e.ID, now.Add(delay), err.Error())
	}
	if err != nil {
		log.Error("outbox store failed", "error", err)
		p.pause(p.opts.Idle)
	}
}

// refusalFix says how to recover from a refusal: what to fix, for the
// refusals whose cause is known, then the command that sends the refused
// entries again.
func refusalFix(r *RefusedError, retry string) string {
	cause := "fix the cause"
	switch {
	case r.Code == codeMissingAccess || r.Code == codeMissingPermissions || r.Status == http.StatusForbidden:
		cause = "give the bot View Channel, Send Messages and Embed Links in the channel (README: Scopes and permissions)"
	case r.Code == codeUnknownChannel:
		cause = "check [discord] channel_id"
	case r.Status == http.StatusUnauthorized:
		cause = "check the bot token"
	}
	return cause + ", then run: " + retry
}

// post creates the message of a post, records it and, with Threads,
// starts its thread.
func (p *Poster) post(ctx context.Context, e store.OutboxEntry) error {
	lead, cluster, err := p.postRecords(ctx, e)
	if err != nil {
		return err
	}
	msg, err := p.discord.Send(ctx, p.opts.ChannelID, NewMessage(e.ID, RenderPost(lead, cluster)))
	if err != nil {
		return err
	}
	if err := p.store.MarkSent(ctx, e.ID, p.opts.ChannelID, msg, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("posted", "entry", e.ID, "item", lead.Item.ID, "message", msg)
	p.startThread(ctx, e.ClusterID, p.opts.ChannelID, msg, lead)
	return nil
}

// postRecords returns the lead record of a post and every record of its
// cluster (just the lead when it has none).
func (p *Poster) postRecords(ctx context.Context, e store.OutboxEntry) (store.Record, []store.Record, error) {
	records, err := p.store.Records(ctx, e.ItemIDs)
	if err != nil {
		return store.Record{}, nil, storeFailure(err)
	}
	if len(records) == 0 {
		return store.Record{}, nil, fmt.Errorf("entry %d has no items: %w", e.ID, store.ErrNotFound)
	}
	if e.ClusterID == 0 {
		return records[0], records, nil
	}
	c, err := p.store.Cluster(ctx, e.ClusterID)
	if err != nil {
		return store.Record{}, nil, storeFailure(err)
	}
	cluster, err := p.store.Records(ctx, c.ItemIDs)
	if err != nil {
		return store.Record{}, nil, storeFailure(err)
	}
	return records[0], cluster, nil
}

// startThread starts the thread of a cluster's new message and records
// it. It is best effort: a failure is logged (a 429 still pauses sending),
// and the next reply to the cluster tries again.
func (p *Poster) startThread(ctx context.Context, clusterID int64, channelID, messageID string, lead store.Record) {
	if !p.opts.Threads || clusterID == 0 {
		return
	}
	thread, err := p.openThread(ctx, channelID, messageID, lead)
	if err == nil {
		err = p.store.SetClusterMessage(ctx, clusterID, channelID, messageID, thread)
	}
	var limited *RateLimitedError
	if errors.As(err, &limited) {
		p.pause(limited.RetryAfter)
	}
	if err != nil {
		p.logger.Warn("thread not started", "cluster", clusterID, "message", messageID, "error", err)
	}
}

// openThread starts a thread on a message. A message that has a thread
// already (started before a crash) gives that thread, whose id Discord
// makes the message's own.
func (p *Poster) openThread(ctx context.Context, channelID, messageID string, lead store.Record) (string, error) {
	thread, err := p.discord.StartThread(ctx, channelID, messageID, ThreadName(lead))
	var refused *RefusedError
	if errors.As(err, &refused) && refused.Code == codeThreadExists {
		return messageID, nil
	}
	return thread, err
}

// digest creates one message listing the entry's items.
func (p *Poster) digest(ctx context.Context, e store.OutboxEntry) error {
	records, err := p.store.Records(ctx, e.ItemIDs)
	if err != nil {
		return storeFailure(err)
	}
	msg, err := p.discord.Send(ctx, p.opts.ChannelID, NewMessage(e.ID, RenderDigest(p.opts.StoryName, records)))
	if err != nil {
		return err
	}
	if err := p.store.MarkSent(ctx, e.ID, p.opts.ChannelID, msg, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("digest posted", "entry", e.ID, "items", len(records), "message", msg)
	return nil
}

// edit re-renders a cluster's message with every report known now. A
// cluster without a message yet needs nothing: its pending post renders
// everything when sent. A message that is gone is posted afresh.
func (p *Poster) edit(ctx context.Context, e store.OutboxEntry) error {
	c, err := p.store.Cluster(ctx, e.ClusterID)
	if err != nil {
		return storeFailure(err)
	}
	if c.MessageID == "" {
		return storeFailure(p.store.MarkSent(ctx, e.ID, "", "", p.opts.Now()))
	}
	lead, cluster, err := p.clusterRecords(ctx, c)
	if err != nil {
		return err
	}
	embed := RenderPost(lead, cluster)
	err = p.discord.Edit(ctx, c.ChannelID, c.MessageID, NewEdit(embed))
	if errors.Is(err, ErrUnknownMessage) {
		return p.repost(ctx, e, c, lead, embed)
	}
	if err != nil {
		return err
	}
	if err := p.store.MarkSent(ctx, e.ID, c.ChannelID, c.MessageID, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("post edited", "entry", e.ID, "cluster", c.ID, "message", c.MessageID)
	return nil
}

// repost posts a cluster whose message is gone as a new message, with the
// edit entry's nonce, and records it as the cluster's message.
func (p *Poster) repost(ctx context.Context, e store.OutboxEntry, c store.Cluster, lead store.Record, embed *discordgo.MessageEmbed) error {
	msg, err := p.discord.Send(ctx, p.opts.ChannelID, NewMessage(e.ID, embed))
	if err != nil {
		return err
	}
	if err := p.store.MarkReposted(ctx, e.ID, c.ID, p.opts.ChannelID, msg, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("post was gone, posted again", "entry", e.ID, "cluster", c.ID, "old_message", c.MessageID, "message", msg)
	p.startThread(ctx, c.ID, p.opts.ChannelID, msg, lead)
	return nil
}

// clusterRecords returns a cluster's lead record and all its records.
func (p *Poster) clusterRecords(ctx context.Context, c store.Cluster) (store.Record, []store.Record, error) {
	records, err := p.store.Records(ctx, c.ItemIDs)
	if err != nil {
		return store.Record{}, nil, storeFailure(err)
	}
	for _, r := range records {
		if r.Item.ID == c.LeadItemID {
			return r, records, nil
		}
	}
	if len(records) == 0 {
		return store.Record{}, nil, fmt.Errorf("cluster %d has no items: %w", c.ID, store.ErrNotFound)
	}
	return records[0], records, nil
}

// reply posts the entry's items in its cluster's thread, starting the
// thread if it is missing. Without threads, or while the cluster has no
// message, there is nothing to do: the cluster's post or its edits show
// every report.
func (p *Poster) reply(ctx context.Context, e store.OutboxEntry) error {
	c, err := p.store.Cluster(ctx, e.ClusterID)
	if err != nil {
		return storeFailure(err)
	}
	if !p.opts.Threads || c.MessageID == "" {
		return storeFailure(p.store.MarkSent(ctx, e.ID, "", "", p.opts.Now()))
	}
	records, err := p.store.Records(ctx, e.ItemIDs)
	if err != nil {
		return storeFailure(err)
	}
	thread, err := p.ensureThread(ctx, c)
	if err != nil {
		return err
	}
	embed := RenderDigest("", records)
	if len(records) == 1 {
		embed = RenderPost(records[0], nil)
	}
	msg, err := p.discord.Send(ctx, thread, NewMessage(e.ID, embed))
	if err != nil {
		return err
	}
	if err := p.store.MarkSent(ctx, e.ID, thread, msg, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("replied in thread", "entry", e.ID, "cluster", c.ID, "thread", thread, "message", msg)
	return nil
}

// ensureThread returns the cluster's thread, starting it when missing.
func (p *Poster) ensureThread(ctx context.Context, c store.Cluster) (string, error) {
	if c.ThreadID != "" {
		return c.ThreadID, nil
	}
	lead, _, err := p.clusterRecords(ctx, c)
	if err != nil {
		return "", err
	}
	thread, err := p.openThread(ctx, c.ChannelID, c.MessageID, lead)
	if err != nil {
		return "", err
	}
	if err := p.store.SetClusterMessage(ctx, c.ID, c.ChannelID, c.MessageID, thread); err != nil {
		return "", storeFailure(err)
	}
	return thread, nil
}
