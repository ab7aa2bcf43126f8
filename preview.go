package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
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
	pipe := ingest.New(st, matcher, logger, ingest.Options{StoreOnly: true})
	printer := newPrinter(stdout, o, time.Now(), matcher)
	polls := pollAll(ctx, sched, sources, cfg.Poll.Concurrency)
	failed := 0
	for _, p := range polls {
		if p.Err != nil {
			failed++
			fmt.Fprintf(stderr, "feed %q: %s: %v\n", p.Source.Name, feeds.ClassOf(p.Err), p.Err)
			continue
		}
		res, err := pipe.Process(ctx, p)
		if err != nil {
			return err
		}
		if err := printer.print(res.Records); err != nil {
			return err
		}
	}
	if failed == len(polls) && failed > 0 {
		return fmt.Errorf("preview: all %d feeds failed", failed)
	}
	return nil
}

// openPreviewStore opens the store named by path, or a temporary one. It
// refuses the bot's own store: previewed items would count as seen there and
// never be posted.
func openPreviewStore(ctx context.Context, cfg *config.Config, path string, logger *slog.Logger) (*store.Store, func(), error) {
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
	st, err := store.Open(ctx, path, logger)
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
}

// printer writes preview records in the chosen format.
type printer struct {
	w   io.Writer
	o   previewOptions
	now time.Time
	enc *json.Encoder
	// matcher summarises rejected items, which the pipeline does not.
	matcher *story.Matcher
}

func newPrinter(w io.Writer, o previewOptions, now time.Time, m *story.Matcher) *printer {
	return &printer{w: w, o: o, now: now, enc: json.NewEncoder(w), matcher: m}
}

func (p *printer) print(records []store.Record) error {
	for _, r := range records {
		if !r.Match.Relevant && !p.o.all {
			continue
		}
		if p.o.since > 0 && r.Item.Published.Before(p.now.Add(-p.o.since)) {
			continue
		}
		if r.Summary == "" {
			r.Summary = p.matcher.Summarize(r.Item.Title, r.Item.Text, 0)
		}
		var err error
		if p.o.format == "json" {
			err = p.enc.Encode(toPreviewItem(r))
		} else {
			err = p.text(r)
		}
		if err != nil {
			return fmt.Errorf("preview: write: %w", err)
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

func (p *printer) text(r store.Record) error {
	verdict := "POST"
	if !r.Match.Relevant {
		verdict = "skip"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  score %.2f  %s · %s\n", verdict, r.Match.Score, r.Item.FeedName, r.Item.Published.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "  %s\n", r.Item.Title)
	if r.Item.Link != "" {
		fmt.Fprintf(&b, "  %s\n", r.Item.Link)
	}
	if len(r.Match.Actors) > 0 {
		fmt.Fprintf(&b, "  actors:  %s\n", strings.Join(r.Match.Actors, " · "))
	}
	if len(r.Match.Phrases) > 0 {
		fmt.Fprintf(&b, "  matched: %s\n", strings.Join(r.Match.Phrases, " · "))
	}
	if r.Summary != "" {
		fmt.Fprintf(&b, "  %s\n", r.Summary)
	}
	b.WriteString("\n")
	_, err := io.WriteString(p.w, b.String())
	return err
}

// newMatcher builds the story matcher from the config.
func newMatcher(cfg *config.Config) (*story.Matcher, error) {
	m, err := story.NewMatcher(cfg.Definition())
	if err != nil {
		return nil, fmt.Errorf("story %q: %w", cfg.Story.Name, err)
	}
	return m, nil
}
