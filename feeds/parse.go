package feeds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// futureSkew is how far past now a publication date may lie before it is
// treated as bogus and replaced by now.
const futureSkew = 10 * time.Minute

// maxParseTime bounds the parsing of one feed. The structural limits keep
// a 10 MB document under a few seconds; this catches whatever they miss.
const maxParseTime = 30 * time.Second

// errParseTime is the cause of a parse that ran out of maxParseTime.
var errParseTime = fmt.Errorf("parsing took longer than %s: %w", maxParseTime, ErrTooComplex)

// Parse parses an RSS, Atom or JSON feed body into normalised Items, at most
// one per identity, in feed order. A document nested deeper than MaxDepth
// or with too many elements for its size is refused unparsed, as is one
// that takes longer than maxParseTime: a *FetchError of class too_complex.
// A body the parser refuses for its encoding is repaired and parsed once
// more. An HTML page or any other non-feed document gives a *FetchError of
// class not_a_feed, naming the feed the page links when it links one;
// other failures are class parse. Parsing stops soon after ctx ends, with
// ctx's error.
func Parse(ctx context.Context, src Source, body []byte, now time.Time) ([]Item, error) {
	doc, err := parseDocument(ctx, src, body, now)
	return doc.items, err
}

// document is a parsed feed: its items, and what it tells of how often to
// poll it.
type document struct {
	items []Item
	// recent and since are the feed's pace (see paceOf).
	recent int
	since  time.Time
	// ttl is the RSS channel's <ttl>.
	ttl time.Duration
}

// parseDocument is Parse, keeping what the feed tells of its pace.
func parseDocument(ctx context.Context, src Source, body []byte, now time.Time) (document, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, maxParseTime, errParseTime)
	defer cancel()
	now = now.UTC()
	feed, err := parseFeed(ctx, body)
	if err == nil {
		var items []Item
		if items, err = normalise(ctx, src, feed, now); err == nil {
			recent, since := paceOf(feed, now)
			return document{items: items, recent: recent, since: since, ttl: channelTTL(feed, body)}, nil
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		err = context.Cause(ctx)
		return document{}, &FetchError{URL: src.URL, Class: ClassOf(err), Err: err}
	}
	if errors.Is(err, ErrTooComplex) {
		return document{}, &FetchError{URL: src.URL, Class: ClassTooComplex, Err: err}
	}
	return document{}, classifyParseError(src, body, err)
}

// paceOf counts the items of feed dated within paceWindow before now and
// finds the oldest of those dates. since is zero when no item is dated;
// when none is that recent, since is the window's start and recent 0.
func paceOf(feed *gofeed.Feed, now time.Time) (recent int, since time.Time) {
	from := now.Add(-paceWindow)
	dated := false
	for _, fi := range feed.Items {
		if fi == nil {
			continue
		}
		t := fi.PublishedParsed
		if t == nil {
			t = fi.UpdatedParsed
		}
		if t == nil || t.After(now.Add(futureSkew)) {
			continue
		}
		dated = true
		if t.Before(from) {
			continue
		}
		recent++
		if since.IsZero() || t.Before(since) {
			since = t.UTC()
		}
	}
	if dated && recent == 0 {
		since = from
	}
	return recent, since
}

// maxTTL caps a channel's <ttl>; the scheduler caps it further at its
// maximum interval.
const maxTTL = 7 * 24 * time.Hour

// channelTTL returns an RSS feed's <ttl>, which the RSS specification
// counts in minutes, or 0. gofeed's universal feed drops the element, and
// keeping gofeed's RSS document for it would hold every item twice while
// the feed is normalised, so the element is found in the bytes of the
// channel before its first item.
func channelTTL(feed *gofeed.Feed, body []byte) time.Duration {
	if feed.FeedType != "rss" {
		return 0
	}
	head := body
	if i := bytes.Index(head, []byte("<item")); i >= 0 {
		head = head[:i]
	}
	_, rest, ok := bytes.Cut(head, []byte("<ttl>"))
	if !ok {
		return 0
	}
	value, _, ok := bytes.Cut(rest, []byte("</ttl>"))
	if !ok {
		return 0
	}
	minutes, err := strconv.ParseUint(string(bytes.TrimSpace(value)), 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(min(minutes, uint64(maxTTL/time.Minute))) * time.Minute
}

// parseFeed checks the structure of body and runs gofeed on it, retrying
// once on a re-encoded body when the first attempt fails.
func parseFeed(ctx context.Context, body []byte) (*gofeed.Feed, error) {
	feed, err := checkedParse(ctx, body)
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrTooComplex) {
		return feed, err
	}
	repaired, changed := repairEncoding(body)
	if !changed {
		return nil, err
	}
	feed, retryErr := checkedParse(ctx, repaired)
	if retryErr != nil {
		if ctx.Err() != nil || errors.Is(retryErr, ErrTooComplex) {
			return nil, retryErr
		}
		return nil, err
	}
	return feed, nil
}

// checkedParse runs gofeed on body once checkComplexity has let it
// through.
func checkedParse(ctx context.Context, body []byte) (*gofeed.Feed, error) {
	body, err := checkComplexity(ctx, body)
	if err != nil {
		return nil, err
	}
	return gofeedParse(ctx, bytes.NewReader(body))
}

// gofeedParse runs gofeed on body, turning a panic inside the parser into an
// error: a hostile feed must not take the process down. gofeed reads the
// body through a reader that fails once ctx ends, so that it stops within a
// few kilobytes of XML. The RSS translator skips its scan of every item's
// HTML for a first image: storyline posts no images, and the scan is a
// full HTML parse per item, about a third of gofeed's time on a news feed.
func gofeedParse(ctx context.Context, body io.Reader) (feed *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, fmt.Errorf("%w: parser panic: %v", errParserPanic, r)
		}
	}()
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p.Parse(ctxReader{ctx: ctx, r: body})
}

// ctxReader is a reader that fails with its context's error once the
// context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the underlying reader unless the context has ended.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// errParserPanic marks a feed that made gofeed panic.
var errParserPanic = errors.New("gofeed panicked")

// classifyParseError wraps a parser failure as not_a_feed (with the page's
// alternate feed link, if any) or parse.
func classifyParseError(src Source, body []byte, err error) error {
	if !errors.Is(err, gofeed.ErrFeedTypeNotDetected) && !looksLikeHTML(body) {
		return &FetchError{URL: src.URL, Class: ClassParse, Err: err}
	}
	alt := alternateFeed(body, absoluteHTTP(src.URL))
	if alt == "" {
		return &FetchError{URL: src.URL, Class: ClassNotAFeed, Err: ErrNotAFeed}
	}
	return &FetchError{
		URL:       src.URL,
		Class:     ClassNotAFeed,
		Alternate: alt,
		Err:       fmt.Errorf("%w; the page links a feed at %s", ErrNotAFeed, alt),
	}
}

// normaliseCheckEvery is how many items normalise converts between two
// looks at its context.
const normaliseCheckEvery = 256

// normalise converts gofeed's items, dropping empty ones and repeated
// identities. It stops with ctx's error when ctx ends.
func normalise(ctx context.Context, src Source, feed *gofeed.Feed, now time.Time) ([]Item, error) {
	base := feedBase(src.URL, feed.Link)
	lang := feedLanguage(feed)
	seen := make(map[string]bool, len(feed.Items))
	items := make([]Item, 0, len(feed.Items))
	for i, fi := range feed.Items {
		if i%normaliseCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if fi == nil {
			continue
		}
		it := normaliseItem(src, fi, base, lang, now)
		if it.ID == "" || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		items = append(items, it)
	}
	return items, nil
}

// feedBase is the URL relative item links resolve against: the feed's own
// link (itself resolved against the feed URL), else the feed URL, else nil
// for a local file with no absolute link.
func feedBase(feedURL, feedLink string) *url.URL {
	srcURL := absoluteHTTP(feedURL)
	if link := canonicalLink(feedLink, srcURL); link != "" {
		return absoluteHTTP(link)
	}
	return srcURL
}

// feedLanguage returns the feed-level language, if any.
func feedLanguage(feed *gofeed.Feed) string {
	if feed.Language != "" {
		return feed.Language
	}
	if feed.DublinCoreExt != nil && len(feed.DublinCoreExt.Language) > 0 {
		return feed.DublinCoreExt.Language[0]
	}
	return ""
}

// normaliseItem builds one Item. It returns an Item with an empty ID when
// the entry has no title, text or link worth keeping.
func normaliseItem(src Source, fi *gofeed.Item, base *url.URL, feedLang string, now time.Time) Item {
	it := Item{
		FeedName:  src.Name,
		FeedURL:   src.URL,
		GUID:      truncate(strings.ToValidUTF8(strings.TrimSpace(fi.GUID), "\uFFFD"), maxLinkBytes),
		Title:     plainText(fi.Title, maxTitleBytes),
		Text:      itemText(fi),
		Published: published(fi, now),
		Language:  itemLanguage(fi, feedLang),
	}
	it.Link = itemLink(fi, base)
	if it.Title == "" && it.Text == "" && it.Link == "" {
		return Item{}
	}
	it.ID = identity(src.URL, it.GUID, it.Link, hashedText(it), rawDate(fi))
	return it
}

// hashedText is the text an item without GUID or link is identified by:
// its title, or its text when it has no title.
func hashedText(it Item) string {
	if it.Title != "" {
		return it.Title
	}
	return it.Text
}

// itemText returns the longer of the content and the description, as text.
func itemText(fi *gofeed.Item) string {
	desc := plainText(fi.Description, maxTextBytes)
	content := plainText(fi.Content, maxTextBytes)
	if len(content) > len(desc) {
		return content
	}
	return desc
}

// itemLink returns the canonical link: the item's link, else its first
// other link, else a GUID that is an absolute http(s) URL.
func itemLink(fi *gofeed.Item, base *url.URL) string {
	candidates := append([]string{fi.Link}, fi.Links...)
	for _, c := range candidates {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if link := canonicalLink(c, base); link != "" {
			return link
		}
	}
	if absoluteHTTP(fi.GUID) != nil {
		return canonicalLink(fi.GUID, nil)
	}
	return ""
}

// published returns the publication (else update) time in UTC, or now when
// it is missing or lies in the future.
func published(fi *gofeed.Item, now time.Time) time.Time {
	t := fi.PublishedParsed
	if t == nil {
		t = fi.UpdatedParsed
	}
	if t == nil || t.After(now.Add(futureSkew)) {
		return now
	}
	return t.UTC()
}

// rawDate is the date as the feed wrote it, which stays the same across
// polls even when it cannot be parsed.
func rawDate(fi *gofeed.Item) string {
	if fi.Published != "" {
		return fi.Published
	}
	return fi.Updated
}

// itemLanguage returns the item's Dublin Core language, else the feed's.
func itemLanguage(fi *gofeed.Item, feedLang string) string {
	lang := feedLang
	if fi.DublinCoreExt != nil && len(fi.DublinCoreExt.Language) > 0 {
		lang = fi.DublinCoreExt.Language[0]
	}
	return plainText(lang, maxLanguageBytes)
}

// identity derives an item's ID. A GUID that is an http(s) URL is the
// canonical link, so the same article from two feeds is one item; another
// GUID is scoped by the feed URL; without a GUID the canonical link is the
// identity; without either, a hash of feed URL, title (or text) and the
// date as written.
func identity(feedURL, guid, link, title, date string) string {
	switch {
	case guid != "" && absoluteHTTP(guid) != nil && canonicalLink(guid, nil) != "":
		return "link:" + canonicalLink(guid, nil)
	case guid != "":
		return "guid:" + digest(feedURL, guid)
	case link != "":
		return "link:" + link
	}
	return "hash:" + digest(feedURL, title, strings.TrimSpace(date))
}

// digest returns the first 128 bits of the SHA-256 of the NUL-joined parts,
// in hex.
func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// looksLikeHTML reports whether a body starts like an HTML document.
func looksLikeHTML(body []byte) bool {
	head := body[:min(len(body), 1024)]
	if !utf8.Valid(head) {
		head = bytes.ToValidUTF8(head, nil)
	}
	lower := strings.ToLower(string(head))
	return strings.Contains(lower, "<!doctype html") || strings.Contains(lower, "<html")
}
