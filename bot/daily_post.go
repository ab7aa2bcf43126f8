package bot

import (
	"context"
	"time"

	"storyline/store"
)

// DailyStore is the part of the store the poster reads daily digests from.
type DailyStore interface {
	DailyOf(ctx context.Context, entryID int64) (store.Daily, error)
	DailyReport(ctx context.Context, q store.DailyQuery) (store.DailyReport, error)
}

// daily creates the daily digest message of an entry, rendered from what
// the store holds about the digest's period now.
func (p *Poster) daily(ctx context.Context, e store.OutboxEntry) error {
	d, err := p.store.DailyOf(ctx, e.ID)
	if err != nil {
		return storeFailure(err)
	}
	l, ok := p.landed[e.ID]
	developments := 0
	if !ok {
		report, err := p.store.DailyReport(ctx, store.DailyQuery{
			Start: d.Start, End: d.End, Developments: dailyDevelopments, Actors: dailyActors,
		})
		if err != nil {
			return storeFailure(err)
		}
		developments = report.AllDevelopments
		embed := RenderDaily(p.opts.StoryName, p.opts.DigestZone, report)
		m, err := p.create(ctx, e, p.opts.ChannelID, NewMessage(p.nonce(e.ID), embed))
		if err != nil {
			return err
		}
		l = landing{msg: m}
	}
	if err := p.store.MarkSent(ctx, e.ID, l.msg.ChannelID, l.msg.ID, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	delete(p.landed, e.ID)
	p.logger.Info("daily digest posted", "entry", e.ID, "developments", developments,
		"from", d.Start.Format(time.RFC3339), "to", d.End.Format(time.RFC3339), "message", l.msg.ID)
	return nil
}
