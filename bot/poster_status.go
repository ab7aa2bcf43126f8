package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"storyline/store"
)

// discordEpoch is the first millisecond of 2015, where snowflakes start.
const discordEpoch = 1420070400000

// snowflake is the smallest snowflake of a message made at t.
func snowflake(t time.Time) string {
	return strconv.FormatUint(uint64(max(t.UnixMilli()-discordEpoch, 0))<<22, 10)
}

// snowflakeTime is when the object with snowflake id was made.
func snowflakeTime(id string) (time.Time, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(n>>22) + discordEpoch).UTC(), true
}

// snowflakeAfter reports whether snowflake a is later than b.
func snowflakeAfter(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x > y
}

// tokenHalt is a rejected token: sending is stopped until a check passes.
type tokenHalt struct {
	since, next time.Time
	checks      int
}

// channelPause is a channel Discord refused as a whole (Missing Access,
// Missing Permissions, Unknown Channel).
type channelPause struct {
	since, until time.Time
	code         int
	reason       string
	// entry is the entry whose refusal paused the channel; 0 for an edit.
	entry int64
	tries int
}

// tokenRejected stops all sending: the first rejection logs one error
// naming the variable (never the token); a check follows after
// TokenCheck, doubling per rejection.
func (p *Poster) tokenRejected(now time.Time) {
	p.mu.Lock()
	first := p.halt == nil
	if first {
		p.halt = &tokenHalt{since: now}
	}
	wait := min(p.opts.TokenCheck<<min(p.halt.checks, 10), maxTokenCheck)
	p.halt.next = now.Add(wait)
	p.halt.checks++
	p.mu.Unlock()
	if first {
		p.logger.Error("Discord rejected the bot token: sending stopped, every queued post is kept",
			"variable", p.opts.TokenEnv,
			"fix", "put the bot's current token (developer portal → Bot → Reset Token) in "+p.opts.TokenEnv+
				" and restart storyline; it also checks the token again by itself, first in "+wait.String())
	}
}

// tokenWait reports whether sending is stopped by a rejected token and for
// how long to wait; when a check is due it makes it, and a token Discord
// accepts again resumes sending.
func (p *Poster) tokenWait(ctx context.Context, now time.Time) (time.Duration, bool) {
	p.mu.Lock()
	halt := p.halt
	var next time.Time
	if halt != nil {
		next = halt.next
	}
	p.mu.Unlock()
	if halt == nil {
		return 0, false
	}
	if now.Before(next) {
		return next.Sub(now), true
	}
	_, err := p.discord.CheckToken(ctx)
	switch {
	case err == nil:
		p.mu.Lock()
		p.halt = nil
		p.mu.Unlock()
		p.logger.Info("Discord accepts the bot token again: sending resumes", "variable", p.opts.TokenEnv, "stopped_for", now.Sub(halt.since))
		return 0, false
	case errors.Is(err, ErrTokenRejected):
		p.tokenRejected(now)
	default:
		p.mu.Lock()
		p.halt.next = now.Add(p.opts.TokenCheck)
		p.mu.Unlock()
		p.logger.Warn("token check failed", "error", err)
	}
	return 0, true
}

// pauseChannel pauses the channel of entry e, which Discord refused as a
// whole: e waits (and the entries behind it) until a recheck after Recheck
// (doubling per refusal) or `outbox retry`. The first refusal of a pause
// is logged as an error with what to fix; rechecks that fail, as
// information.
func (p *Poster) pauseChannel(ctx context.Context, e store.OutboxEntry, refused *RefusedError) error {
	now := p.opts.Now()
	channel := p.opts.ChannelID
	wait := backoff(p.opts.Recheck, maxRecheck, e.Attempts, p.opts.Rand())
	first := p.notePause(channel, refused, e.ID, now, now.Add(wait))
	log := p.logger.With("entry", e.ID, "kind", e.Kind, "channel", channel)
	if first {
		log.Error("channel paused: Discord refuses the bot there; its posts wait in the outbox",
			"code", refused.Code, "error", refused.Error(), "fix", refusalFix(refused, p.opts.RetryCommand), "recheck_in", wait)
	} else {
		log.Info("channel still paused", "code", refused.Code, "recheck_in", wait)
	}
	return p.store.MarkRetry(ctx, e.ID, now.Add(wait), refused.Error())
}

// pauseEdits pauses the edits of a channel Discord refused as a whole; the
// pause is in memory only, since edits have no place in the queue.
func (p *Poster) pauseEdits(channel string, refused *RefusedError, now time.Time) {
	p.mu.Lock()
	tries := 0
	if pause := p.paused[channel]; pause != nil {
		tries = pause.tries
	}
	p.mu.Unlock()
	wait := backoff(p.opts.Recheck, maxRecheck, tries, p.opts.Rand())
	if p.notePause(channel, refused, 0, now, now.Add(wait)) {
		p.logger.Error("channel paused: Discord refuses the bot there; its edits wait",
			"channel", channel, "code", refused.Code, "error", refused.Error(),
			"fix", refusalFix(refused, p.opts.RetryCommand), "recheck_in", wait)
	}
}

// notePause records a pause of channel until until, and reports whether it
// is a new one.
func (p *Poster) notePause(channel string, refused *RefusedError, entry int64, now, until time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	pause := p.paused[channel]
	first := pause == nil
	if first {
		pause = &channelPause{since: now}
		p.paused[channel] = pause
	}
	pause.until, pause.code, pause.reason, pause.tries = until, refused.Code, refused.Message, pause.tries+1
	if entry != 0 {
		pause.entry = entry
	}
	return first
}

// clearPause ends the pause of channel once Discord took a request there.
func (p *Poster) clearPause(channel string) {
	p.mu.Lock()
	pause := p.paused[channel]
	delete(p.paused, channel)
	p.mu.Unlock()
	if pause != nil {
		p.logger.Info("channel resumed: Discord takes the bot's posts again", "channel", channel, "paused_for", p.opts.Now().Sub(pause.since))
	}
}

// noteBudget logs when the invalid-request budget slows or stops sending,
// and when it lets it go again.
func (p *Poster) noteBudget() {
	b := p.discord.Budget()
	state := "ok"
	switch {
	case b.Stopped:
		state = "stopped"
	case b.Slowed:
		state = "slowed"
	}
	if state == p.budgetLogged || (state == "ok" && p.budgetLogged == "") {
		return
	}
	p.budgetLogged = state
	attrs := []any{"invalid_requests", b.Invalid, "window", invalidWindow, "slow_at", b.SlowAt, "stop_at", b.StopAt, "discord_bans_at", 10000}
	switch state {
	case "stopped":
		p.logger.Error("sending stopped: too many invalid Discord requests (401, 403, 429) in ten minutes", append(attrs, "resume_at", b.Until)...)
	case "slowed":
		p.logger.Warn("sending slowed: many invalid Discord requests (401, 403, 429) in ten minutes", attrs...)
	default:
		p.logger.Info("sending at full speed again", attrs...)
	}
}

// DeliveryStatus is the poster's state for /status.
type DeliveryStatus struct {
	// TokenRejected: Discord rejected the token in TokenEnv Since then;
	// sending is stopped and checked again at NextCheck.
	TokenRejected   bool
	TokenEnv        string
	Since           time.Time
	NextCheck       time.Time
	Paused          []PausedChannel
	OldEditsHeldTil time.Time
	Budget          BudgetState
}

// PausedChannel is a channel whose posts wait because Discord refuses the
// bot there.
type PausedChannel struct {
	ChannelID    string
	Code         int
	Reason       string
	Since, Until time.Time
	Fix          string
}

// Status returns the poster's state; it is safe to call from any
// goroutine.
func (p *Poster) Status() DeliveryStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := DeliveryStatus{TokenEnv: p.opts.TokenEnv, Budget: p.discord.Budget()}
	if p.halt != nil {
		s.TokenRejected, s.Since, s.NextCheck = true, p.halt.since, p.halt.next
	}
	for id, pause := range p.paused {
		s.Paused = append(s.Paused, PausedChannel{
			ChannelID: id, Code: pause.code, Reason: pause.reason, Since: pause.since, Until: pause.until,
			Fix: refusalFix(&RefusedError{Status: 403, Code: pause.code, Message: pause.reason}, p.opts.RetryCommand),
		})
	}
	slices.SortFunc(s.Paused, func(a, b PausedChannel) int { return a.Since.Compare(b.Since) })
	for _, old := range p.oldEdits {
		s.OldEditsHeldTil = later(s.OldEditsHeldTil, old.until)
	}
	return s
}
