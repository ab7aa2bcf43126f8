package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"storyline/config"
	"storyline/feeds"
	"storyline/ingest"
	"storyline/store"
	"storyline/story"
)

// previewOptions are the flags of `storyline preview`.
type previewOptions struct {
	config string
	feed   string
	format string
	all    bool
	since  time.Duration
	store  string
}

// runPreview fetches every configured feed (or one) once, matches and
// summarises the new items and prints what would be posted.
func runPreview(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o previewOptions
	fs := newFlagSet("preview", "[-config FILE] [-feed URL|PATH] [-format text|json] [-all] [-since DUR] [-store PATH]",
		"Fetch every configured feed (or one) once, match and summarise the new items, and\n"+
			"print what would be posted. Nothing is sent to Discord.")
	fs.StringVar(&o.config, "config", "config.toml", "config `file`")
	fs.StringVar(&o.feed, "feed", "", "preview only this feed `URL or path`")
	fs.StringVar(&o.format, "format", "text", "output `format`: text or json")
	fs.BoolVar(&o.all, "all", false, "also print rejected items with their score")
	fs.DurationVar(&o.since, "since", 0, "only items published within this `duration` (default: no limit)")
	fs.StringVar(&o.store, "store", "", "record seen items in the store at `path`, so a second preview shows only what is new (default: a temporary store)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("%w: -format must be text or json, not %q", errUsage, o.format)
	}
	cfg, err := config.Load(o.config, getenv)
	if err != nil {
		return err
	}
	return preview(ctx, cfg, o, stdout, stderr)
}

func preview(ctx context.Context, cfg *config.Config, o previewOptions, stdout, stderr io.Writer) error {
	matcher, err := newMatcher(cfg)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, cleanup, err := openPreviewStore(ctx, cfg, o.store, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	sources := sources(cfg)
	if o.feed != "" {
		sources = []feeds.Source{pickSource(sources, o.feed)}
	}
	fetcher := newFetcher(cfg)
	sched := feeds.NewScheduler(fetcher, sources, nil, nil, logger, schedulerOptions(cfg))
	pipe := ingest.New(st, matcher, logger, ingest.Options{StoreOnly: true, MaxItems: cfg.Fetch.MaxItems, Cluster: clusterOptions(cfg)})
	var records []store.Record
	devIDs := make(map[string]int64)
	var failed []feeds.Poll
	for _, p := range pollAll(ctx, sched, sources, cfg.Poll.Concurrency) {
		if p.Err != nil {
			failed = append(failed, p)
			fmt.Fprintln(stderr, feedFailure(p))
			continue
		}
		res, err := pipe.Process(ctx, p)
		if err != nil {
			return err
		}
		records = append(records, res.Records...)
		maps.Copy(devIDs, res.Developments)
	}
	printer := newPrinter(stdout, o, time.Now(), matcher)
	counts, err := printer.print(records, devIDs)
	if err != nil {
		return err
	}
	if len(failed) < len(sources) {
		fmt.Fprintln(stderr, counts.summary(o))
	}
	if len(failed) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d of %d feeds failed (above): %s", len(failed), len(sources), failureHint(failed, o.config))
	if len(failed) == len(sources) {
		return fmt.Errorf("preview: %s", msg)
	}
	fmt.Fprintln(stderr, "preview: "+msg)
	return nil
}

// feedFailure is the one line that says which feed failed, where and why:
// feed "name" (url): class: cause, where the cause no longer repeats the
// URL.
func feedFailure(p feeds.Poll) string {
	where := fmt.Sprintf("feed %q (%s)", p.Source.Name, p.Source.URL)
	if p.Source.Name == p.Source.URL {
		where = "feed " + p.Source.URL
	}
	cause := p.Err
	var fe *feeds.FetchError
	if errors.As(cause, &fe) && fe.Err != nil {
		cause = fe.Err
	}
	// The HTTP client's and the file system's errors name the URL or
	// path again: keep what they wrap.
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	var pe *fs.PathError
	if errors.As(cause, &pe) {
		cause = pe.Err
	}
	line := fmt.Sprintf("%s: %s: %v", where, feeds.ClassOf(p.Err), cause)
	if fe != nil && fe.RetryAfter > 0 {
		line += fmt.Sprintf(" (retry after %s)", fe.RetryAfter)
	}
	return line
}

// failureHint says what to try about the failures in polls, by their
// classes, ending with how to preview without network.
func failureHint(polls []feeds.Poll, cfgPath string) string {
	classes := make(map[feeds.Class]bool)
	for _, p := range polls {
		classes[feeds.ClassOf(p.Err)] = true
	}
	var hints []string
	if classes[feeds.ClassDNS] || classes[feeds.ClassConnect] || classes[feeds.ClassTimeout] || classes[feeds.ClassTLS] {
		hints = append(hints, "check the network connection (and HTTPS_PROXY if you need a proxy)")
	}
	if classes[feeds.ClassForbidden] {
		hints = append(hints, "feeds on private or loopback addresses need [fetch] allow_private = true")
	}
	if classes[feeds.ClassHTTP4xx] || classes[feeds.ClassNotAFeed] || classes[feeds.ClassParse] {
		hints = append(hints, "a feed whose address answers 4xx or no feed has moved: open it in a browser and fix its url")
	}
	if classes[feeds.ClassHTTP5xx] {
		hints = append(hints, "a site answering 5xx is failing: try again later")
	}
	hints = append(hints, fmt.Sprintf("to try storyline without network, preview a feed file with -feed PATH, "+
		"e.g. the repository's sample: storyline preview -config %s -feed testdata/sample.xml", cfgPath))
	return strings.Join(hints, "; ")
}

// openPreviewStore opens the store named by path, or a temporary one. It
// refuses the bot's own store: previewed items would count as seen there and
// never be posted.
func openPreviewStore(ctx context.Context, cfg *config.Config, path string, logger *slog.Logger) (store.Store, func(), error) {
	cleanup := func() {}
	if path == "" {
		dir, err := os.MkdirTemp("", "storyline-preview-")
		if err != nil {
			return nil, nil, fmt.Errorf("preview: temporary store: %w", err)
		}
		path = filepath.Join(dir, "preview.db")
		cleanup = func() { os.RemoveAll(dir) }
	} else if samePath(path, cfg.Store.Path) {
		return nil, nil, fmt.Errorf("preview: -store %s is the bot's own store ([store] path); previewed items would never be posted", path)
	}
	st, err := openSQLite(ctx, path, logger)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return st, func() { st.Close(); cleanup() }, nil
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// pickSource returns the configured feed with that URL, or a new source.
func pickSource(sources []feeds.Source, url string) feeds.Source {
	for _, s := range sources {
		if s.URL == url {
			return s
		}
	}
	return feeds.Source{Name: url, URL: url}
}

// pollAll polls every source once with at most n at a time, returning the
// polls in the order of sources.
func pollAll(ctx context.Context, sched *feeds.Scheduler, sources []feeds.Source, n int) []feeds.Poll {
	polls := make([]feeds.Poll, len(sources))
	sem := make(chan struct{}, max(n, 1))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			polls[i] = sched.PollNow(ctx, src, feeds.State{URL: src.URL})
		})
	}
	wg.Wait()
	return polls
}

// previewItem is one line of `preview -format json`.
type previewItem struct {
	Feed      string    `json:"feed"`
	ID        string    `json:"id"`
	Link      string    `json:"link"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
	Relevant  bool      `json:"relevant"`
	Score     float64   `json:"score"`
	Actors    []string  `json:"actors"`
	Phrases   []string  `json:"phrases"`
	Summary   string    `json:"summary"`
	// Development numbers the post a relevant item would be posted as
	// or join, from 1 in publication order; absent for the others.
	Development int `json:"development,omitempty"`
}

// printer writes preview records in the chosen format.
type printer struct {
	w   io.Writer
	o   previewOptions
	now time.Time
	// matcher summarises rejected items, which the pipeline does not.
	matcher *story.Matcher
}

func newPrinter(w io.Writer, o previewOptions, now time.Time, m *story.Matcher) *printer {
	return &printer{w: w, o: o, now: now, matcher: m}
}

// previewCounts is what a preview read and printed.
type previewCounts struct {
	// read counts the new items, old those left out by -since.
	read, old int
	// relevant items are about the story, in developments posts.
	relevant, developments int
}

// summary is the closing line of a preview, on stderr.
func (c previewCounts) summary(o previewOptions) string {
	s := fmt.Sprintf("preview: %d new %s", c.read, plural(int64(c.read), "item", "items"))
	if c.old > 0 {
		s += fmt.Sprintf(", %d older than -since %s left out", c.old, o.since)
	}
	s += fmt.Sprintf("; %d about the story, as %d %s", c.relevant, c.developments, plural(int64(c.developments), "post", "posts"))
	if others := c.read - c.old - c.relevant; others > 0 && !o.all {
		s += fmt.Sprintf("; %d %s not about the story left out (-all shows them)", others, plural(int64(others), "item", "items"))
	}
	return s
}

// print writes records, given the development the pipeline put each
// clustered one in by item id: in text, each development as the post it
// would make with the reports that would join it, then (with -all) the
// rejected items; in JSON, one object per item in feed order.
func (p *printer) print(records []store.Record, devIDs map[string]int64) (previewCounts, error) {
	counts := previewCounts{read: len(records)}
	var kept []store.Record
	for _, r := range records {
		if p.o.since > 0 && r.Item.Published.Before(p.now.Add(-p.o.since)) {
			counts.old++
			continue
		}
		if r.Match.Relevant {
			counts.relevant++
		}
		kept = append(kept, r)
	}
	devs := developments(kept, devIDs)
	counts.developments = slices.Max(append(slices.Clone(devs), 0))
	var err error
	if p.o.format == "json" {
		err = p.json(kept, devs)
	} else {
		err = p.text(kept, devs, counts.developments)
	}
	if err != nil {
		return counts, fmt.Errorf("preview: write: %w", err)
	}
	return counts, nil
}

// json writes one object per record, in feed order.
func (p *printer) json(records []store.Record, devs []int) error {
	enc := json.NewEncoder(p.w)
	for i, r := range records {
		if !r.Match.Relevant && !p.o.all {
			continue
		}
		it := toPreviewItem(p.summarized(r))
		it.Development = devs[i]
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

func toPreviewItem(r store.Record) previewItem {
	return previewItem{
		Feed:      r.Item.FeedName,
		ID:        r.Item.ID,
		Link:      r.Item.Link,
		Title:     r.Item.Title,
		Published: r.Item.Published,
		Relevant:  r.Match.Relevant,
		Score:     math.Round(r.Match.Score*100) / 100,
		Actors:    nonNil(r.Match.Actors),
		Phrases:   nonNil(r.Match.Phrases),
		Summary:   r.Summary,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// summarized returns r with a summary: the pipeline summarises only the
// relevant items.
func (p *printer) summarized(r store.Record) store.Record {
	if r.Summary == "" {
		r.Summary = p.matcher.Summarize(r.Item.Title, r.Item.Text, 0)
	}
	return r
}

// text writes the n developments as the posts they would make, each led
// by its first report and followed by the reports that would join it, in
// publication order; then the rejected records when -all asks for them.
func (p *printer) text(records []store.Record, devs []int, n int) error {
	groups := make([][]store.Record, n)
	for i, r := range records {
		if d := devs[i]; d > 0 {
			groups[d-1] = append(groups[d-1], r)
		}
	}
	var b strings.Builder
	for _, g := range groups {
		slices.SortStableFunc(g, func(a, b store.Record) int { return a.Item.Published.Compare(b.Item.Published) })
		writeRecord(&b, "POST", g[0])
		for _, r := range g[1:] {
			fmt.Fprintf(&b, "  also reported: %s — %s · %s\n", r.Item.Title, r.Item.FeedName, previewTime(r.Item.Published))
		}
		b.WriteString("\n")
	}
	if p.o.all {
		for i, r := range records {
			if devs[i] == 0 {
				writeRecord(&b, "skip", p.summarized(r))
				b.WriteString("\n")
			}
		}
	}
	_, err := io.WriteString(p.w, b.String())
	return err
}

// writeRecord writes one item: verdict, score, source and time, then its
// title, link, actors, matched phrases and summary.
func writeRecord(b *strings.Builder, verdict string, r store.Record) {
	fmt.Fprintf(b, "%s  score %.2f  %s · %s\n", verdict, r.Match.Score, r.Item.FeedName, previewTime(r.Item.Published))
	fmt.Fprintf(b, "  %s\n", r.Item.Title)
	if r.Item.Link != "" {
		fmt.Fprintf(b, "  %s\n", r.Item.Link)
	}
	if len(r.Match.Actors) > 0 {
		fmt.Fprintf(b, "  actors:  %s\n", strings.Join(r.Match.Actors, " · "))
	}
	if len(r.Match.Phrases) > 0 {
		fmt.Fprintf(b, "  matched: %s\n", strings.Join(r.Match.Phrases, " · "))
	}
	if r.Summary != "" {
		fmt.Fprintf(b, "  %s\n", r.Summary)
	}
}

// previewTime writes a publication time in UTC.
func previewTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// developments numbers the developments of records from 1, in order of
// their first report's publication, given the development the pipeline
// put each clustered record in by item id. It returns each record's
// number, 0 for a record in none (not about the story).
func developments(records []store.Record, devIDs map[string]int64) []int {
	order := make([]int, len(records))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return records[a].Item.Published.Compare(records[b].Item.Published) })
	numbers := make(map[int64]int)
	devs := make([]int, len(records))
	for _, i := range order {
		id, ok := devIDs[records[i].Item.ID]
		if !ok {
			continue
		}
		if numbers[id] == 0 {
			numbers[id] = len(numbers) + 1
		}
		devs[i] = numbers[id]
	}
	return devs
}

// newMatcher builds the story matcher from the config.
func newMatcher(cfg *config.Config) (*story.Matcher, error) {
	m, err := story.NewMatcher(cfg.Definition())
	if err != nil {
		return nil, fmt.Errorf("story %q: %w", cfg.Story.Name, err)
	}
	return m, nil
}
