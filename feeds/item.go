// Package feeds fetches news feeds over HTTP or from local files, parses them
// with gofeed into normalised Items, and schedules polls with per-feed state
// (validators, backoff, error class). It must not know about story matching,
// SQL or Discord.
package feeds

import "time"

// Item is one normalised feed entry. All text fields are plain text: HTML is
// stripped, entities decoded, whitespace folded.
type Item struct {
	// FeedName is the configured name of the feed the item came from.
	FeedName string
	// FeedURL is the configured URL (or path) of that feed.
	FeedURL string
	// ID is the item's identity: derived from the GUID, else the canonical
	// link, else a hash of title and date. It is stable across polls.
	ID string
	// GUID is the feed's own identifier, if any.
	GUID string
	// Link is the canonical http(s) link (tracking parameters and fragment
	// removed), or empty when the item has no usable link.
	Link string
	// Title is the item's title as plain text.
	Title string
	// Text is the item's description or content as plain text.
	Text string
	// Published is the publication time in UTC; a missing or future date is
	// replaced by the time the item was first seen.
	Published time.Time
	// Language is the item's or feed's language tag, if given.
	Language string
}

// Source is one feed to poll.
type Source struct {
	Name string
	URL  string
	// Interval is the time between polls; zero means DefaultInterval.
	Interval time.Duration
	// Adapt lets the feed's pace set its interval instead, within the
	// scheduler's MinInterval and MaxInterval: Interval is then only where
	// a feed starts before its first parse. See State.Interval.
	Adapt bool
}

// State is what the scheduler remembers about a feed between polls.
type State struct {
	URL          string
	ETag         string
	LastModified string
	// NextPoll is when the feed is due again.
	NextPoll time.Time
	// LastPoll is when the feed was last fetched, successfully or not.
	LastPoll time.Time
	// LastSuccess is when the feed was last fetched without error.
	LastSuccess time.Time
	// Failures counts consecutive failed polls; zero when the last succeeded.
	Failures int
	// ErrorClass is the class of the last failure, empty when healthy.
	ErrorClass Class
	// LastError is the text of the last failure.
	LastError string
	// FailingSince is when the current run of failures began.
	FailingSince time.Time
	// Interval is the time between polls the feed was given at its last
	// successful poll: its source's interval or, when it adapts, its pace;
	// at least what its server asked for (Cache-Control max-age, RSS ttl).
	// Zero until the first success.
	Interval time.Duration
	// RecentItems counts the feed's items dated within the week before
	// its last parse that found dated items, and RecentSince is the oldest
	// of those dates (a week before that parse when none was that recent);
	// together they are the feed's pace. RecentSince is zero while no
	// parse has found a dated item.
	RecentItems int
	RecentSince time.Time
	// TTL is the RSS channel's <ttl> at the last parse, zero when it has
	// none.
	TTL time.Duration
}

// Class names the kind of a fetch or parse failure.
type Class string

// The failure classes kept per feed.
const (
	ClassDNS        Class = "dns"
	ClassConnect    Class = "connect"
	ClassTimeout    Class = "timeout"
	ClassTLS        Class = "tls"
	ClassHTTP4xx    Class = "http_4xx"
	ClassHTTP5xx    Class = "http_5xx"
	ClassTooLarge   Class = "too_large"
	ClassNotAFeed   Class = "not_a_feed"
	ClassParse      Class = "parse"
	ClassTooComplex Class = "too_complex" // too deep, too many elements or too slow: see MaxDepth
	ClassForbidden  Class = "forbidden_address"
	ClassOther      Class = "other"
)
