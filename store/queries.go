package store

import "time"

// ItemRef is what a listing shows of one item.
type ItemRef struct {
	ID, Title, Link, FeedName string
	Published                 time.Time
}

// ActorCount is how often an actor is named.
type ActorCount struct {
	Actor string
	Count int
}

// ActorQuery asks ActorReport about one actor.
type ActorQuery struct {
	// Actor is the canonical name stored in mentions.
	Actor string
	// Now ends every window.
	Now time.Time
	// Days is how many UTC days Daily covers, ending with the day of Now.
	Days int
	// Latest is how many of the latest items to return; With how many of
	// the actors most often named with Actor.
	Latest, With int
}

// ActorReport is what is known about one actor's mentions. Mentions count
// every item stored that names the actor, relevant to the story or not
// (rejected ones too, even after Prune dropped them), dated by publication:
// the report says how often a person is in the news the bot reads, not how
// often the bot posted about them.
type ActorReport struct {
	Actor string
	// Day, Week and Month count the mentions in the last 24 hours, 7 days
	// and 30 days to the hour: the windows HoursBefore(Now, 24), (Now,
	// 7×24) and (Now, 30×24). PrevWeek counts those in the 7 days before
	// Week's.
	Day, Week, Month, PrevWeek int
	// FirstSeen and LastSeen date the earliest and latest mentions ever;
	// zero when the actor was never named.
	FirstSeen, LastSeen time.Time
	// With are the actors most often named in the same items published in
	// the NamedWithDays UTC days ending with the day of Now; most often
	// first, then by name.
	With []ActorCount
	// Latest are the latest items naming the actor, newest first.
	Latest []ItemRef
	// Daily counts mentions per UTC day, oldest first; the last entry is the
	// day of Now.
	Daily []int
}

// ActorTrend compares an actor's mentions in two consecutive windows.
type ActorTrend struct {
	Actor string
	// Current counts the mentions in the window up to now, to the hour;
	// Previous those in the window of the same length before it.
	Current, Previous int
}

// PostedMessage is one message the bot posted: the post of a development (a
// cluster of reports, or one item) or a digest of several items.
type PostedMessage struct {
	// Kind is KindPost or KindDigest.
	Kind OutboxKind
	// Lead is the item the message was posted for; a digest's first item.
	Lead ItemRef
	// Items counts the items the message was posted for (one for a post).
	Items int
	// Outlets are the feeds that reported the development (every item of
	// its cluster, else the message's items), in the order first seen.
	Outlets []string
	// ChannelID and MessageID locate the message.
	ChannelID, MessageID string
	PostedAt             time.Time
}

// Posting is what one Discord message of the bot carries.
type Posting struct {
	// Records are the items the message was posted or edited for, in the
	// order they were seen.
	Records []Record
	// Related are the other items of the records' developments (clusters),
	// in the order they were seen.
	Related []ItemRef
}
