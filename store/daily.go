package store

import (
	"fmt"
	"time"
)

// Daily is one queued daily digest: the outbox entry that sends it and the
// period it covers, from Start (included) to End (excluded).
type Daily struct {
	EntryID    int64
	Start, End time.Time
}

// DailyPeriod is the period of the daily digest scheduled at end, given
// the end of the latest digest queued (zero for none): it starts where that
// one ended or, for the first digest, at from. A digest is queued once per
// scheduled time: ErrDailyExists when the latest ended at end or later. A
// period that does not start before its end is an error.
func DailyPeriod(from, end, latestEnd time.Time) (Daily, error) {
	d := Daily{Start: from, End: end}
	if !latestEnd.IsZero() {
		if !latestEnd.Before(end.Truncate(time.Millisecond)) {
			return Daily{}, ErrDailyExists
		}
		d.Start = latestEnd
	}
	if !d.Start.Before(d.End) {
		return Daily{}, fmt.Errorf("period starts at %v, not before its end", d.Start)
	}
	return d, nil
}

// DailyQuery asks DailyReport about the items seen from Start (included)
// to End (excluded).
type DailyQuery struct {
	Start, End time.Time
	// Developments and Actors are how many of each to list at most.
	Developments, Actors int
}

// Development is one development of a period: a cluster with relevant
// reports seen in the period, or a relevant report seen in the period that
// is in no cluster (a development of one report).
type Development struct {
	// ClusterID is zero for a report in no cluster.
	ClusterID int64
	// Title, Link and FeedName are the lead report's: the one the
	// development's message was first posted for.
	Title, Link, FeedName string
	// Outlets counts the distinct sources (feed names) that reported it in
	// the period, Reports its reports in the period.
	Outlets, Reports int
	// Latest is when its latest report in the period was seen.
	Latest time.Time
}

// NamedActor is an actor with the number of a period's relevant items that
// name them.
type NamedActor struct {
	Actor string
	Items int
}

// DailyReport is what a daily digest says about its period.
type DailyReport struct {
	Start, End time.Time
	// Developments are the period's developments, most outlets first, then
	// the most recently reported (then the most reports, then the lead
	// stored first); at most DailyQuery.Developments of them.
	Developments []Development
	// AllDevelopments counts every development of the period, listed or not.
	AllDevelopments int
	// Actors are the actors named by the most relevant items of the period,
	// most first, then by name; at most DailyQuery.Actors of them.
	Actors []NamedActor
	// Items counts the items seen in the period, Relevant those of them
	// about the story.
	Items, Relevant int
}
