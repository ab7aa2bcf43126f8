package ingest_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"storyline/config"
	"storyline/feeds"
	"storyline/ingest"
	"storyline/store"
	"storyline/store/sqlite"
	"storyline/story"
)

// benchFeed builds an RSS feed of n news-like items, about one in four
// about the example story, with HTML in the descriptions as real feeds have.
// Each item carries extra paragraphs of body text, as feeds that publish
// whole articles do.
func benchFeed(n, extra int) []byte {
	leads := []string{
		"Envoy Steve Witkoff met Kirill Dmitriev in Miami to discuss the 28-point plan, officials said.",
		"The central bank held rates steady on Thursday as inflation eased for a third month.",
		"Volodymyr Zelensky said Kyiv would study the US peace plan &ldquo;calmly&rdquo; with its partners.",
		"Heavy rain flooded parts of the coast, and officials urged residents to stay indoors overnight.",
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title><link>https://news.example/</link><description>bench</description>`)
	start := time.Date(2025, 11, 20, 8, 0, 0, 0, time.UTC)
	body := strings.Repeat("<p>Diplomats from several countries met again on Tuesday to compare notes on the draft, which has been revised twice since it was first shown to reporters. Several officials, speaking on condition of anonymity, said the main points of disagreement had not changed.</p>", extra)
	for i := range n {
		lead := leads[i%len(leads)]
		fmt.Fprintf(&b, `<item><title>Report %d: %s</title><link>https://news.example/story/%d?utm_source=rss</link><guid>https://news.example/story/%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>%s</p><p>Analysts said the talks could take weeks. <a href="https://news.example/more">Read more</a></p><p>The statement was published after a meeting of ministers in the capital. Officials declined to give details of the schedule.</p>%s]]></description></item>`,
			i, strings.SplitN(lead, ",", 2)[0], i, i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), lead, body)
	}
	b.WriteString("</channel></rss>")
	return b.Bytes()
}

// BenchmarkProcessFeed compares the whole pipeline on a 200-item feed —
// parse, normalise, match, summarise, cluster and store in one transaction —
// with gofeed parsing the same bytes alone (as gofeed.NewParser does, and
// without the image scan the pipeline turns off), for short items (a title
// and a paragraph, like news-search feeds) and for whole articles (about
// 3 KB of text an item). The floor is the least work that stores and
// indexes the items at all. Every iteration stores 200 new items (their identities are
// made unique) published two days after the previous iteration's, so no
// work is skipped as seen and clustering sees a steady window.
func BenchmarkProcessFeed(b *testing.B) {
	for _, shape := range []struct {
		name  string
		extra int
	}{{"short", 0}, {"article", 12}} {
		body := benchFeed(200, shape.extra)
		b.Run(shape.name+"/baseline=gofeed-parse", func(b *testing.B) {
			benchGofeed(b, body, gofeed.NewParser())
		})
		b.Run(shape.name+"/baseline=gofeed-parse-no-image-scan", func(b *testing.B) {
			p := gofeed.NewParser()
			p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
			benchGofeed(b, body, p)
		})
		b.Run(shape.name+"/floor=parse+bare-insert+fts", func(b *testing.B) {
			benchFloor(b, body)
		})
		b.Run(shape.name+"/pipeline", func(b *testing.B) {
			benchPipeline(b, body)
		})
		b.Run(shape.name+"/pipeline-nothing-new", func(b *testing.B) {
			benchRepoll(b, body)
		})
	}
}

// benchFloor measures the least any pipeline meeting the issue could do:
// gofeed parses body (without its image scan), and each item's raw title
// and description go into a one-index SQLite table and its FTS5 index in
// one transaction — no normalising, matching, summarising, clustering,
// mentions or outbox. Its ratio to the gofeed baseline bounds the
// pipeline's from below.
func benchFloor(b *testing.B, body []byte) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "floor.db")+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{
		`CREATE TABLE items (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, text TEXT NOT NULL)`,
		`CREATE VIRTUAL TABLE items_fts USING fts5 (title, text, content = 'items', content_rowid = 'seq')`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			b.Fatal(err)
		}
	}
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	b.SetBytes(int64(len(body)))
	round := 0
	for b.Loop() {
		round++
		feed, err := p.Parse(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if err := floorInsert(ctx, db, feed.Items, round); err != nil {
			b.Fatal(err)
		}
	}
}

// floorInsert stores items in one transaction, their ids made unique by
// round, and indexes them for full-text search.
func floorInsert(ctx context.Context, db *sql.DB, items []*gofeed.Item, round int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var first int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM items`).Scan(&first); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO items (id, title, text) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, it := range items {
		if _, err := st.ExecContext(ctx, fmt.Sprintf("%s#%d", it.GUID, round), it.Title, it.Description); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts (rowid, title, text) SELECT seq, title, text FROM items WHERE seq >= ?`, first); err != nil {
		return err
	}
	return tx.Commit()
}

// benchGofeed measures p parsing body alone.
func benchGofeed(b *testing.B, body []byte, p *gofeed.Parser) {
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := p.Parse(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStore opens a store in a temporary directory and a matcher for the
// example story.
func benchStore(b *testing.B) (store.Store, *story.Matcher) {
	cfg, err := config.Load(filepath.Join("..", "config.example.toml"), func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	m, err := story.NewMatcher(cfg.Definition())
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st, m
}

// benchRepoll measures the common poll: a feed whose items are all stored
// already is parsed, found seen and its state saved.
func benchRepoll(b *testing.B, body []byte) {
	st, m := benchStore(b)
	ctx := context.Background()
	now := time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC)
	p := ingest.New(st, m, slog.New(slog.DiscardHandler), ingest.Options{Now: func() time.Time { return now }})
	src := feeds.Source{Name: "Bench", URL: "https://news.example/rss"}
	poll := func() ingest.Result {
		items, err := feeds.Parse(ctx, src, body, now)
		if err != nil {
			b.Fatal(err)
		}
		state := feeds.State{URL: src.URL, LastSuccess: now}
		res, err := p.Process(ctx, feeds.Poll{Source: src, Items: items, State: state, Prev: state})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	poll()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if res := poll(); len(res.Records) != 0 {
			b.Fatalf("%d items new again", len(res.Records))
		}
	}
}

func benchPipeline(b *testing.B, body []byte) {
	st, m := benchStore(b)
	ctx := context.Background()
	round := 0
	now := time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now.Add(time.Duration(round) * 48 * time.Hour) }
	p := ingest.New(st, m, slog.New(slog.DiscardHandler), ingest.Options{BacklogWindow: 12 * time.Hour, BacklogMax: 3, MaxPerCycle: 5, Now: clock})
	src := feeds.Source{Name: "Bench", URL: "https://news.example/rss"}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		round++
		items, err := feeds.Parse(ctx, src, body, clock())
		if err != nil {
			b.Fatal(err)
		}
		shift := time.Duration(round) * 48 * time.Hour
		for i := range items {
			items[i].ID = fmt.Sprintf("%s#%d", items[i].ID, round)
			items[i].Link = fmt.Sprintf("%s?r=%d", items[i].Link, round)
			items[i].Published = items[i].Published.Add(shift)
		}
		prev := feeds.State{URL: src.URL, LastSuccess: clock()}
		res, err := p.Process(ctx, feeds.Poll{Source: src, Items: items, State: prev, Prev: prev})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Records) != len(items) {
			b.Fatalf("stored %d of %d items", len(res.Records), len(items))
		}
	}
}
