package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/store"
)

// OutboxStore is the part of the store the poster reads and writes.
type OutboxStore interface {
	StoreID(ctx context.Context) (string, error)
	OutboxHead(ctx context.Context) (store.OutboxEntry, error)
	OutboxEdits(ctx context.Context) ([]store.OutboxEntry, error)
	MarkInFlight(ctx context.Context, id int64, at time.Time) error
	MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error
	MarkEditsSent(ctx context.Context, clusterID, upTo int64, channelID, messageID string, at time.Time) error
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
	Send(ctx context.Context, channelID string, body MessageBody) (Message, error)
	Edit(ctx context.Context, channelID, messageID string, body EditBody) error
	StartThread(ctx context.Context, channelID, messageID, name string) (string, error)
	Messages(ctx context.Context, channelID, after string, limit int) ([]Message, error)
	Access(ctx context.Context, channelID string) (Access, error)
	BotID(ctx context.Context) (string, error)
	CheckToken(ctx context.Context) (*discordgo.User, error)
	Delay(route, channelID string) time.Duration
	Budget() BudgetState
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
	// TokenEnv names the variable holding the bot token, for the error of
	// a rejected token (default DISCORD_TOKEN). The token itself is never
	// logged.
	TokenEnv string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Rand returns numbers in [0, 1) that place the jitter (default
	// math/rand/v2).
	Rand func() float64
	// BaseBackoff is the wait after an entry's first transient failure
	// (default 1 s); it doubles per failure up to MaxBackoff (default
	// 5 min).
	BaseBackoff, MaxBackoff time.Duration
	// NonceWindow is how long after a create was first sent a resend may
	// count on Discord's enforce_nonce to give back the message it made
	// (default 1 min, under the "few minutes" Discord keeps nonces). Past
	// it the channel is read for the message before sending again.
	NonceWindow time.Duration
	// EditSpacing is the least time between two edits of one message
	// (default 30 s); the joins that arrive meanwhile go in one edit.
	EditSpacing time.Duration
	// Recheck is the wait before a paused channel is tried again (default
	// 10 min); it doubles per failed try up to an hour.
	Recheck time.Duration
	// TokenCheck is the wait before a rejected token is checked again
	// (default 1 min); it doubles per rejection up to 30 min.
	TokenCheck time.Duration
	// OldEditPause is the least time edits of messages older than an hour
	// are deferred after Discord's 30046 (default 5 min); it doubles per
	// 30046 in a row up to an hour.
	OldEditPause time.Duration
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
	if o.TokenEnv == "" {
		o.TokenEnv = "DISCORD_TOKEN"
	}
	defaults := []struct {
		d   *time.Duration
		def time.Duration
	}{
		{&o.BaseBackoff, time.Second}, {&o.MaxBackoff, 5 * time.Minute}, {&o.NonceWindow, time.Minute},
		{&o.EditSpacing, 30 * time.Second}, {&o.Recheck, 10 * time.Minute}, {&o.TokenCheck, time.Minute},
		{&o.OldEditPause, 5 * time.Minute}, {&o.Idle, time.Second}, {&o.Grace, 5 * time.Second},
	}
	for _, d := range defaults {
		if *d.d <= 0 {
			*d.d = d.def
		}
	}
	if o.RetryCommand == "" {
		o.RetryCommand = "storyline outbox retry"
	}
	return o
}

// Ceilings of the poster's own escalating waits.
const (
	maxRecheck      = time.Hour
	maxTokenCheck   = 30 * time.Minute
	maxOldEditPause = time.Hour
	// findPages bounds how many pages of 100 messages are read looking
	// for a post that may have landed.
	findPages = 10
)

// Poster delivers the outbox to Discord, one request at a time. Posts,
// digests, replies and daily digests go strictly in order: the oldest
// pending one is sent and nothing after it until it is sent or refused.
// Edits go beside them, never ahead of a post that may go: all the pending
// edits of one message become one edit, rendered from the latest state
// when it is sent, at most one per EditSpacing. Every message is rendered
// when it is sent, so it shows every outlet known by then.
//
// Outcomes: success records the message. A 429 holds only the route (or,
// if global, everything) it names, for its retry_after raised to a floor
// that grows with every 429 in a row (the Client's); a 429 of code 30046
// defers edits of messages older than an hour, never posts. A transient
// failure (5xx, network, timeout) makes the entry due again after an
// exponential backoff with jitter. Missing Access, Missing Permissions or
// Unknown Channel pauses the channel: the entry waits, logged once, tried
// again after Recheck or at `storyline outbox retry`, and the entries
// behind it wait too. Any other refusal marks the entry failed with
// Discord's code and message, logged once, kept until `outbox retry`. A
// rejected token (401) stops all sending at once, queue kept, with one
// error naming the variable; the token is checked again now and then.
//
// Exactly once: a create carries a nonce made of the store's identity and
// the entry's id, with enforce_nonce, so a resend soon after gives back
// the same message; an answer that is not the message sent (another
// message with that nonce) does not count. The entry is marked in flight
// before it is first sent; past NonceWindow, a resend first reads the
// channel's recent messages by the bot for it. Once Discord has taken a
// message its id is kept in memory until the store records it, so a store
// that cannot write never makes the poster send it again.
type Poster struct {
	store   OutboxStore
	discord Discord
	logger  *slog.Logger
	opts    PosterOptions

	// The Run goroutine's own state.
	storeID string
	// pauseUntil holds all sending back after a store failure.
	pauseUntil time.Time
	// landed are messages Discord took whose entries the store has not
	// recorded yet, by entry id.
	landed map[int64]landing
	// lastEdit is when each message was last posted or edited.
	lastEdit map[string]time.Time
	// editRetry backs off the edits of a cluster after transient
	// failures.
	editRetry map[int64]retryAt
	// historyOK remembers until when a channel's history is known to be
	// readable.
	historyOK map[string]time.Time
	// budgetLogged is the budget state last logged.
	budgetLogged string

	// mu guards what Status reads.
	mu       sync.Mutex
	halt     *tokenHalt
	paused   map[string]*channelPause
	oldEdits map[string]*retryAt
}

// landing is a message Discord took for an entry.
type landing struct {
	msg Message
	// lead is the post's lead record, for its thread.
	lead store.Record
}

// retryAt is a wait that grows with the failures behind it.
type retryAt struct {
	until    time.Time
	failures int
}

// NewPoster returns a Poster delivering outbox's entries to discord.
func NewPoster(outbox OutboxStore, discord Discord, logger *slog.Logger, opts PosterOptions) *Poster {
	return &Poster{
		store: outbox, discord: discord, logger: logger, opts: opts.withDefaults(),
		landed: map[int64]landing{}, lastEdit: map[string]time.Time{}, editRetry: map[int64]retryAt{},
		historyOK: map[string]time.Time{}, paused: map[string]*channelPause{}, oldEdits: map[string]*retryAt{},
	}
}

// Run delivers entries until ctx ends. When it ends, the request in flight
// is finished (for at most Grace) and its outcome recorded; Run then
// returns ctx's error. Store failures are logged and retried, never fatal.
// Run must not be called concurrently with itself.
func (p *Poster) Run(ctx context.Context) error {
	for {
		wait := p.step(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if wait > 0 {
			if err := p.idle(ctx, wait); err != nil {
				return err
			}
		}
	}
}

// step does the one thing due next and returns how long to wait before
// looking again: delivers the head of the outbox if it is due and its
// route is free, else the edit that is ready, else nothing.
func (p *Poster) step(ctx context.Context) time.Duration {
	now := p.opts.Now()
	if d := p.pauseUntil.Sub(now); d > 0 {
		return d
	}
	if p.storeID == "" {
		id, err := p.store.StoreID(ctx)
		if err != nil {
			return p.storeFailed(nil, err)
		}
		p.storeID = id
	}
	if d, halted := p.tokenWait(ctx, now); halted {
		return d
	}
	p.noteBudget()
	headWait := p.opts.Idle
	e, err := p.store.OutboxHead(ctx)
	switch {
	case errors.Is(err, store.ErrNoWork):
	case err != nil:
		return p.storeFailed(nil, err)
	case e.NextAttempt.After(now):
		// The oldest entry backs off, or its channel is paused; later
		// ones wait behind it, so that order holds, across restarts too.
		headWait = e.NextAttempt.Sub(now)
	default:
		if d := p.discord.Delay(RouteCreateMessage, p.opts.ChannelID); d > 0 {
			headWait = d
			break
		}
		p.deliver(ctx, e)
		return 0
	}
	editWait, ok := p.nextEdit(ctx, now)
	if !ok {
		return 0
	}
	return min(headWait, editWait, p.opts.Idle)
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

// storeFailed logs a store failure (of entry e, if any) and holds all
// sending for Idle; it returns that wait.
func (p *Poster) storeFailed(e *store.OutboxEntry, err error) time.Duration {
	log := p.logger
	if e != nil {
		log = log.With("entry", e.ID, "kind", e.Kind)
	}
	log.Error("outbox store failed", "error", err)
	p.pauseUntil = p.opts.Now().Add(p.opts.Idle)
	return p.opts.Idle
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

// notOursError is a create Discord answered with a message that is not the
// one sent: another message made with the same nonce within Discord's
// window (a copied store, another instance). The post is not there.
type notOursError struct {
	nonce, messageID string
}

func (e *notOursError) Error() string {
	return fmt.Sprintf("discord answered the create with nonce %s with message %s, which is not this post: "+
		"another message used that nonce within Discord's nonce window", e.nonce, e.messageID)
}

// settle records a failed attempt at e.
func (p *Poster) settle(ctx context.Context, e store.OutboxEntry, err error) {
	now := p.opts.Now()
	log := p.logger.With("entry", e.ID, "kind", e.Kind)
	var limited *RateLimitedError
	var refused *RefusedError
	var storeErr *storeError
	var notOurs *notOursError
	switch {
	case errors.Is(err, ErrTokenRejected):
		p.tokenRejected(now)
		return
	case errors.As(err, &limited):
		p.logLimit(log, limited)
		return
	case errors.As(err, &storeErr):
		p.storeFailed(&e, err)
		return
	case errors.As(err, &notOurs):
		delay := max(backoff(p.opts.BaseBackoff, p.opts.MaxBackoff, e.Attempts, p.opts.Rand()), p.opts.NonceWindow)
		log.Warn("post not made: Discord gave back another message for its nonce; sending again once the nonce has expired",
			"error", err, "retry_in", delay)
		err = p.store.MarkRetry(ctx, e.ID, now.Add(delay), err.Error())
	case errors.As(err, &refused) && refused.channelLevel() && e.Kind != store.KindReply:
		err = p.pauseChannel(ctx, e, refused)
	case errors.As(err, &refused), errors.Is(err, store.ErrNotFound):
		err = p.refuse(ctx, log, e, err, refused)
	default:
		delay := backoff(p.opts.BaseBackoff, p.opts.MaxBackoff, e.Attempts, p.opts.Rand())
		log.Warn("outbox entry will be retried", "attempts", e.Attempts+1, "retry_in", delay, "error", err)
		err = p.store.MarkRetry(ctx, e.ID, now.Add(delay), err.Error())
	}
	if err != nil {
		p.storeFailed(&e, err)
	}
}

// refuse marks e failed for good with Discord's code (the status when it
// has none), logged once with how to recover.
func (p *Poster) refuse(ctx context.Context, log *slog.Logger, e store.OutboxEntry, err error, refused *RefusedError) error {
	code := 0
	if refused != nil {
		code = refused.Code
		if code == 0 {
			code = refused.Status
		}
	}
	reason := err.Error()
	if refused != nil {
		log.Error("outbox entry refused", "code", code, "error", reason, "fix", refusalFix(refused, p.opts.RetryCommand))
	} else {
		log.Error("outbox entry refused", "code", code, "error", reason)
	}
	return p.store.MarkFailed(ctx, e.ID, code, reason, p.opts.Now())
}

// logLimit logs a 429 (or a request held for one) at the level it
// deserves: a held request quietly, a shared limit as information.
func (p *Poster) logLimit(log *slog.Logger, limited *RateLimitedError) {
	switch limited.Scope {
	case scopeLocal:
		log.Debug("request held", "wait", limited.RetryAfter, "reason", limited.Message)
	case scopeShared:
		log.Info("discord rate limit on the channel (shared, not counted against the bot)", "retry_after", limited.RetryAfter)
	default:
		log.Warn("discord rate limit", "scope", limited.Scope, "retry_after", limited.RetryAfter, "code", limited.Code)
	}
}

// refusalFix says how to recover from a refusal: what to fix, for the
// refusals whose cause is known, then the command that sends the refused
// entries again.
func refusalFix(r *RefusedError, retry string) string {
	cause := "fix the cause"
	switch {
	case r.Code == codeUnknownChannel:
		cause = "check [discord] channel_id: the channel is gone or was never there"
	case r.Code == codeNonTextChannel:
		cause = "set [discord] channel_id to a text or announcement channel"
	case r.Code == codeMissingAccess || r.Code == codeMissingPermissions || r.Status == 403:
		cause = "give the bot " + names(RequiredPermissions(Features{})) +
			" in the channel (README: Scopes and permissions; storyline check -online names what is missing)"
	case r.Status == 401:
		cause = "check the bot token"
	}
	return cause + ", then run: " + retry
}

// nonce is the nonce of outbox entry id.
func (p *Poster) nonce(id int64) string {
	return Nonce(p.storeID, id)
}

// create sends the create of entry e to channel, exactly once: a message
// Discord took already is not sent again; an entry first sent longer ago
// than NonceWindow is looked for in the channel before it is sent again;
// an entry is marked in flight before it is first sent; and an answer that
// is not the message sent is a *notOursError.
func (p *Poster) create(ctx context.Context, e store.OutboxEntry, channel string, body MessageBody) (Message, error) {
	if l, ok := p.landed[e.ID]; ok {
		return l.msg, nil
	}
	now := p.opts.Now()
	if !e.InFlightAt.IsZero() && now.Sub(e.InFlightAt) > p.opts.NonceWindow {
		m, found, err := p.findPosted(ctx, channel, e, body)
		if err != nil {
			return Message{}, err
		}
		if found {
			p.logger.Info("the post of an interrupted send is in the channel already; not sending it again",
				"entry", e.ID, "message", m.ID, "first_sent", e.InFlightAt)
			p.landed[e.ID] = landing{msg: m}
			return m, nil
		}
	}
	if e.InFlightAt.IsZero() {
		if err := p.store.MarkInFlight(ctx, e.ID, now); err != nil {
			return Message{}, storeFailure(err)
		}
	}
	m, err := p.discord.Send(ctx, channel, body)
	if err != nil {
		return Message{}, err
	}
	if !sameMessage(m, body) {
		return Message{}, &notOursError{nonce: body.Nonce, messageID: m.ID}
	}
	if m.ChannelID == "" {
		m.ChannelID = channel
	}
	p.landed[e.ID] = landing{msg: m}
	p.clearPause(channel)
	return m, nil
}

// sameMessage reports whether m is the message body creates: the nonce,
// when Discord echoes one, and the first embed's title, link, timestamp
// and description, which do not change between renders of an entry.
func sameMessage(m Message, body MessageBody) bool {
	if m.Nonce != "" && m.Nonce != body.Nonce {
		return false
	}
	if len(m.Embeds) == 0 || len(body.Embeds) == 0 {
		return len(m.Embeds) == len(body.Embeds)
	}
	a, b := m.Embeds[0], body.Embeds[0]
	return a.Title == b.Title && a.URL == b.URL && a.Description == b.Description && sameTime(a.Timestamp, b.Timestamp)
}

// sameTime compares two ISO 8601 timestamps as times (Discord may write
// them differently), or as text when one does not parse.
func sameTime(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ta.Equal(tb)
}

// findPosted looks for the message of entry e among the bot's messages in
// channel since shortly before it was first sent. An answer without it is
// only trusted when the bot may read the channel's history (Discord lists
// nothing otherwise); if it may not, the channel is refused as Missing
// Permissions, which pauses it until the permission is given.
func (p *Poster) findPosted(ctx context.Context, channel string, e store.OutboxEntry, body MessageBody) (Message, bool, error) {
	botID, err := p.discord.BotID(ctx)
	if err != nil {
		return Message{}, false, err
	}
	after := snowflake(e.InFlightAt.Add(-time.Minute))
	for range findPages {
		msgs, err := p.discord.Messages(ctx, channel, after, 100)
		if err != nil {
			return Message{}, false, err
		}
		for _, m := range msgs {
			if m.AuthorID == botID && sameMessage(m, body) {
				return m, true, nil
			}
			if snowflakeAfter(m.ID, after) {
				after = m.ID
			}
		}
		if len(msgs) < 100 {
			break
		}
	}
	if err := p.historyReadable(ctx, channel); err != nil {
		return Message{}, false, err
	}
	return Message{}, false, nil
}

// historyReadable checks, at most every ten minutes per channel, that the
// bot has Read Message History there.
func (p *Poster) historyReadable(ctx context.Context, channel string) error {
	if p.opts.Now().Before(p.historyOK[channel]) {
		return nil
	}
	a, err := p.discord.Access(ctx, channel)
	if err != nil {
		return err
	}
	if a.Permissions&permReadHistory.Bit == 0 {
		return &RefusedError{Status: 403, Code: codeMissingPermissions,
			Message: "Missing Permissions: Read Message History, needed to check whether a post interrupted by a restart reached the channel"}
	}
	p.historyOK[channel] = p.opts.Now().Add(10 * time.Minute)
	return nil
}

// post creates the message of a post, records it and, with Threads,
// starts its thread.
func (p *Poster) post(ctx context.Context, e store.OutboxEntry) error {
	l, ok := p.landed[e.ID]
	if !ok {
		lead, cluster, err := p.postRecords(ctx, e)
		if err != nil {
			return err
		}
		m, err := p.create(ctx, e, p.opts.ChannelID, NewMessage(p.nonce(e.ID), RenderPost(lead, cluster)))
		if err != nil {
			return err
		}
		l = landing{msg: m, lead: lead}
		p.landed[e.ID] = l
	}
	if err := p.store.MarkSent(ctx, e.ID, l.msg.ChannelID, l.msg.ID, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	delete(p.landed, e.ID)
	p.lastEdit[l.msg.ID] = p.opts.Now()
	p.logger.Info("posted", "entry", e.ID, "item", l.lead.Item.ID, "message", l.msg.ID)
	p.startThread(ctx, e.ClusterID, l.msg.ChannelID, l.msg.ID, l.lead)
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
// it. It is best effort: a failure is logged, and the next reply to the
// cluster tries again.
func (p *Poster) startThread(ctx context.Context, clusterID int64, channelID, messageID string, lead store.Record) {
	if !p.opts.Threads || clusterID == 0 {
		return
	}
	thread, err := p.openThread(ctx, channelID, messageID, lead)
	if err == nil {
		err = p.store.SetClusterMessage(ctx, clusterID, channelID, messageID, thread)
	}
	if errors.Is(err, ErrTokenRejected) {
		p.tokenRejected(p.opts.Now())
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
	l, ok := p.landed[e.ID]
	if !ok {
		records, err := p.store.Records(ctx, e.ItemIDs)
		if err != nil {
			return storeFailure(err)
		}
		m, err := p.create(ctx, e, p.opts.ChannelID, NewMessage(p.nonce(e.ID), RenderDigest(p.opts.StoryName, records)))
		if err != nil {
			return err
		}
		l = landing{msg: m}
	}
	if err := p.store.MarkSent(ctx, e.ID, l.msg.ChannelID, l.msg.ID, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	delete(p.landed, e.ID)
	p.logger.Info("digest posted", "entry", e.ID, "items", len(e.ItemIDs), "message", l.msg.ID)
	return nil
}

// reply posts the entry's items in its cluster's thread, starting the
// thread if it is missing. Without threads, or while the cluster has no
// message, there is nothing to do: the cluster's post or its edits show
// every report.
func (p *Poster) reply(ctx context.Context, e store.OutboxEntry) error {
	l, ok := p.landed[e.ID]
	if !ok {
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
		m, err := p.create(ctx, e, thread, NewMessage(p.nonce(e.ID), embed))
		if err != nil {
			return err
		}
		l = landing{msg: m}
	}
	if err := p.store.MarkSent(ctx, e.ID, l.msg.ChannelID, l.msg.ID, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	delete(p.landed, e.ID)
	p.logger.Info("replied in thread", "entry", e.ID, "cluster", e.ClusterID, "thread", l.msg.ChannelID, "message", l.msg.ID)
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
