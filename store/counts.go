package store

import (
	"cmp"
	"slices"
	"time"
)

// Counts are the mention counts that ActorReport and ActorTrends read
// instead of the mentions themselves, so that their cost follows the window
// asked for, not the reports stored. Commit adds a batch's counts in its
// transaction (see CountMentions); they are kept when Prune drops the
// reports they were counted from.
type Counts struct {
	Hours []HourCount
	Pairs []PairCount
}

// HourCount is how often an actor was named by the reports published in
// one UTC hour.
type HourCount struct {
	Actor string
	// Hour is the start of the hour, in UTC.
	Hour time.Time
	// Mentions counts the reports of the hour that name Actor.
	Mentions int
	// First and Last are the earliest and latest publication times among
	// them.
	First, Last time.Time
}

// PairCount is how many reports published on one UTC day name both Actor
// and Other. Every pair is counted both ways, so that an actor's
// companions are found by looking up the actor alone.
type PairCount struct {
	Actor, Other string
	// Day is the start of the day, in UTC.
	Day     time.Time
	Reports int
}

// NamedWithDays is how many UTC days, ending with the day of
// ActorQuery.Now, ActorReport.With counts companions over: the window of
// the month's count, whatever the number of reports stored.
const NamedWithDays = 30

// CountMentions returns the counts that records add: each record names
// each of its distinct actors once, at its publication time. Hours and
// pairs are sorted (by actor, then time, then other), so that writers
// touch rows in key order.
func CountMentions(records []Record) Counts {
	type hourKey struct {
		actor string
		hour  time.Time
	}
	type pairKey struct {
		actor, other string
		day          time.Time
	}
	hours := make(map[hourKey]*HourCount)
	pairs := make(map[pairKey]int)
	for _, r := range records {
		actors := distinct(r.Match.Actors)
		at := r.Item.Published.UTC()
		hour, day := at.Truncate(time.Hour), at.Truncate(24*time.Hour)
		for _, a := range actors {
			k := hourKey{a, hour}
			h := hours[k]
			if h == nil {
				h = &HourCount{Actor: a, Hour: hour, First: at, Last: at}
				hours[k] = h
			}
			h.Mentions++
			if at.Before(h.First) {
				h.First = at
			}
			if at.After(h.Last) {
				h.Last = at
			}
			for _, other := range actors {
				if other != a {
					pairs[pairKey{a, other, day}]++
				}
			}
		}
	}
	var c Counts
	for _, h := range hours {
		c.Hours = append(c.Hours, *h)
	}
	for k, n := range pairs {
		c.Pairs = append(c.Pairs, PairCount{Actor: k.actor, Other: k.other, Day: k.day, Reports: n})
	}
	slices.SortFunc(c.Hours, func(a, b HourCount) int {
		return cmp.Or(cmp.Compare(a.Actor, b.Actor), a.Hour.Compare(b.Hour))
	})
	slices.SortFunc(c.Pairs, func(a, b PairCount) int {
		return cmp.Or(cmp.Compare(a.Actor, b.Actor), a.Day.Compare(b.Day), cmp.Compare(a.Other, b.Other))
	})
	return c
}

// distinct returns names without repeats, in order.
func distinct(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Window is a range of whole UTC hours, Start included, End excluded: how
// ActorReport and ActorTrends bound their counts.
type Window struct {
	Start, End time.Time
}

// HoursBefore is the window of the n whole UTC hours that end with the
// hour of now, that hour included: "the last n hours" to the hour.
func HoursBefore(now time.Time, n int) Window {
	end := now.UTC().Truncate(time.Hour).Add(time.Hour)
	return Window{Start: end.Add(-time.Duration(n) * time.Hour), End: end}
}

// Shift is w moved back by its own length: the window before it.
func (w Window) Shift() Window {
	return Window{Start: w.Start.Add(-w.End.Sub(w.Start)), End: w.Start}
}

// Hours is the length d in whole hours, at least one: the length of an
// ActorTrends window.
func Hours(d time.Duration) int {
	return max(1, int(d/time.Hour))
}
