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
	report, err := p.store.DailyReport(ctx, store.DailyQuery{
		Start: d.Start, End: d.End, Developments: dailyDevelopments, Actors: dailyActors,
	})
	if err != nil {
		return storeFailure(err)
	}
	embed := RenderDaily(p.opts.StoryName, p.opts.DigestZone, report)
	msg, err := p.discord.Send(ctx, p.opts.ChannelID, NewMessage(e.ID, embed))
	if err != nil {
		return err
	}
	if err := p.store.MarkSent(ctx, e.ID, p.opts.ChannelID, msg, p.opts.Now()); err != nil {
		return storeFailure(err)
	}
	p.logger.Info("daily digest posted", "entry", e.ID, "developments", report.AllDevelopments,
		"from", d.Start.Format(time.RFC3339), "to", d.End.Format(time.RFC3339), "message", msg)
	return nil
}
