package store

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// dailyAt is the daily digest time on day d of December 2025, UTC.
func dailyAt(d int) time.Time { return time.Date(2025, 12, d, 18, 0, 0, 0, time.UTC) }

func TestQueueDailyPeriods(t *testing.T) {
	s := openTest(t)
	steps := []struct {
		name      string
		from, end time.Time
		wantStart time.Time
		wantErr   error
	}{
		{"the first digest starts at from", dailyAt(1).Add(-24 * time.Hour), dailyAt(1), dailyAt(1).Add(-24 * time.Hour), nil},
		{"the next starts where the last ended", dailyAt(1), dailyAt(2), dailyAt(1), nil},
		{"the same occurrence again", dailyAt(1), dailyAt(2), time.Time{}, ErrDailyExists},
		{"an earlier occurrence", dailyAt(0), dailyAt(1), time.Time{}, ErrDailyExists},
		{"after missed days the gap is covered", dailyAt(4), dailyAt(5), dailyAt(2), nil},
	}
	for _, step := range steps {
		d, err := s.QueueDaily(t.Context(), step.from, step.end)
		if !errors.Is(err, step.wantErr) {
			t.Fatalf("%s: QueueDaily err = %v, want %v", step.name, err, step.wantErr)
		}
		if err != nil {
			continue
		}
		if !d.Start.Equal(step.wantStart) || !d.End.Equal(step.end) || d.EntryID == 0 {
			t.Errorf("%s: QueueDaily = %+v, want %v to %v", step.name, d, step.wantStart, step.end)
		}
		got, err := s.DailyOf(t.Context(), d.EntryID)
		if err != nil || got != d {
			t.Errorf("%s: DailyOf = %+v, %v; want %+v", step.name, got, err, d)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE kind = 'daily' AND item_ids = '[]'`); n != 3 {
		t.Errorf("%d daily entries, want 3", n)
	}
}

func TestQueueDailyEntryIsDueAtOnce(t *testing.T) {
	s := openTest(t)
	d, err := s.QueueDaily(t.Context(), dailyAt(1).Add(-24*time.Hour), dailyAt(1))
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.OutboxHead(t.Context())
	if err != nil {
		t.Fatalf("OutboxHead: %v", err)
	}
	if e.ID != d.EntryID || e.Kind != KindDaily || len(e.ItemIDs) != 0 || e.ClusterID != 0 {
		t.Errorf("OutboxHead = %+v, want daily entry %d without items", e, d.EntryID)
	}
	if err := s.MarkSent(t.Context(), e.ID, "ch", "m1", t0); err != nil {
		t.Errorf("MarkSent of a daily entry: %v", err)
	}
}

func TestQueueDailyRefusesAnEmptyPeriod(t *testing.T) {
	s := openTest(t)
	_, err := s.QueueDaily(t.Context(), dailyAt(1), dailyAt(1))
	if err == nil || errors.Is(err, ErrDailyExists) {
		t.Errorf("QueueDaily of an empty period: err = %v, want a plain error", err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("%d outbox entries after a refused digest, want 0", n)
	}
}

func TestDailyOfUnknownEntry(t *testing.T) {
	s := openTest(t)
	ids := queueThree(t, s)
	for _, id := range []int64{ids[0], 999} {
		if _, err := s.DailyOf(t.Context(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("DailyOf(%d) err = %v, want ErrNotFound", id, err)
		}
	}
}

// dayRecord is a record of item id from feed, seen at, naming actors.
func dayRecord(id, feed string, at time.Time, relevant bool, actors ...string) Record {
	r := record(id, "https://news.example/"+id, actors...)
	r.Item.FeedName = feed
	r.Item.FeedURL = "https://" + strings.ToLower(feed) + ".example/rss"
	r.Match.Relevant = relevant
	r.SeenAt = at
	return r
}

// dailyDevelopment commits lead as a new cluster and others as its reports,
// and returns the cluster id.
func dailyDevelopment(t *testing.T, s *Store, lead Record, others ...Record) int64 {
	t.Helper()
	commit(t, s, Batch{Records: []Record{lead}, Posts: []Post{post(lead.Item.ID)}})
	rs, err := s.Records(t.Context(), []string{lead.Item.ID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range others {
		others[i].ClusterID = rs[0].ClusterID
	}
	commit(t, s, Batch{Records: others})
	return rs[0].ClusterID
}

func TestDailyReport(t *testing.T) {
	s := openTest(t)
	start, end := dailyAt(1), dailyAt(2)
	in := func(h time.Duration) time.Time { return start.Add(h * time.Hour) }
	// Three outlets, the lead seen before the period: the lead still titles it.
	wide := dailyDevelopment(t, s, dayRecord("w0", "Alpha", start.Add(-time.Hour), true, "Ann"),
		dayRecord("w1", "Beta", in(1), true, "Ann", "Bob"),
		dayRecord("w2", "Gamma", in(2), true, "Ann"),
		dayRecord("w3", "Delta", in(3), true, "Ann"),
		dayRecord("w4", "Delta", in(4), true))
	// Two outlets, reported later than the next one.
	late := dailyDevelopment(t, s, dayRecord("l0", "Alpha", in(5), true, "Bob"),
		dayRecord("l1", "Beta", in(20), true))
	// Two outlets, earlier.
	early := dailyDevelopment(t, s, dayRecord("e0", "Alpha", in(2), true),
		dayRecord("e1", "Gamma", in(6), true, "Cy"))
	// Reported only outside the period.
	dailyDevelopment(t, s, dayRecord("o0", "Alpha", start.Add(-2*time.Hour), true, "Ann"),
		dayRecord("o1", "Beta", end, true, "Ann"))
	// A relevant report in no cluster, and items off the story.
	commit(t, s, Batch{Records: []Record{
		dayRecord("lone", "Epsilon", in(7), true, "Cy"),
		dayRecord("off1", "Alpha", in(8), false, "Ann", "Dee"),
		dayRecord("off2", "Beta", in(9), false, "Dee"),
	}})

	r, err := s.DailyReport(t.Context(), DailyQuery{Start: start, End: end, Developments: 3, Actors: 2})
	if err != nil {
		t.Fatalf("DailyReport: %v", err)
	}
	want := []Development{
		{ClusterID: wide, Title: "Title w0", Link: "https://news.example/w0", FeedName: "Alpha", Outlets: 3, Reports: 4, Latest: in(4)},
		{ClusterID: late, Title: "Title l0", Link: "https://news.example/l0", FeedName: "Alpha", Outlets: 2, Reports: 2, Latest: in(20)},
		{ClusterID: early, Title: "Title e0", Link: "https://news.example/e0", FeedName: "Alpha", Outlets: 2, Reports: 2, Latest: in(6)},
	}
	if !reflect.DeepEqual(r.Developments, want) {
		t.Errorf("Developments =\n%+v\nwant\n%+v", r.Developments, want)
	}
	if r.AllDevelopments != 4 {
		t.Errorf("AllDevelopments = %d, want 4 (three clusters and a lone report)", r.AllDevelopments)
	}
	wantActors := []NamedActor{{"Ann", 3}, {"Bob", 2}}
	if !reflect.DeepEqual(r.Actors, wantActors) {
		t.Errorf("Actors = %+v, want %+v", r.Actors, wantActors)
	}
	if r.Items != 11 || r.Relevant != 9 {
		t.Errorf("Items, Relevant = %d, %d; want 11, 9", r.Items, r.Relevant)
	}
	if !r.Start.Equal(start) || !r.End.Equal(end) {
		t.Errorf("period = %v to %v, want %v to %v", r.Start, r.End, start, end)
	}

	all, err := s.DailyReport(t.Context(), DailyQuery{Start: start, End: end, Developments: 10, Actors: 10})
	if err != nil {
		t.Fatal(err)
	}
	lone := all.Developments[len(all.Developments)-1]
	if len(all.Developments) != 4 || lone.ClusterID != 0 || lone.Title != "Title lone" || lone.Outlets != 1 {
		t.Errorf("all developments = %+v, want the lone report last, in no cluster", all.Developments)
	}
	if got := len(all.Actors); got != 3 {
		t.Errorf("all actors = %+v, want Ann, Bob, Cy (Dee is named only off the story)", all.Actors)
	}

	none, err := s.DailyReport(t.Context(), DailyQuery{Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Developments) != 0 || none.AllDevelopments != 4 || len(none.Actors) != 0 {
		t.Errorf("with no room: %+v, want nothing listed and 4 counted", none)
	}
}

func TestDailyReportOfAQuietPeriod(t *testing.T) {
	s := openTest(t)
	r, err := s.DailyReport(t.Context(), DailyQuery{Start: dailyAt(1), End: dailyAt(2), Developments: 5, Actors: 5})
	if err != nil {
		t.Fatalf("DailyReport: %v", err)
	}
	if r.Items != 0 || r.Relevant != 0 || r.AllDevelopments != 0 || r.Developments != nil || r.Actors != nil {
		t.Errorf("quiet period report = %+v, want zeros", r)
	}
}

// TestDailyQueriesUseIndexes checks that the digest's queries read the
// period's items through an index and every other table by key, so their
// cost follows the day's items, not the store's.
func TestDailyQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	period := []any{millis(dailyAt(1)), millis(dailyAt(2))}
	tests := []struct {
		name  string
		query string
		args  []any
		// want must be in the plan.
		want string
	}{
		{"developments", dailyDevelopmentsSQL, append(period, 10), "items USING INDEX items_seen (relevant=? AND seen_at>? AND seen_at<?)"},
		{"actors", dailyActorsSQL, append(period, 10), "i USING INDEX items_seen (relevant=? AND seen_at>? AND seen_at<?)"},
		{"counts", dailyCountsSQL, period, "items USING COVERING INDEX items_seen (relevant=? AND seen_at>? AND seen_at<?)"},
		{"digest of an entry", dailyOfSQL, []any{1}, "digests USING INDEX sqlite_autoindex_digests_1 (outbox_id=?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, s, tc.query, tc.args...)
			text := strings.Join(plan, "\n")
			for _, step := range plan {
				if dailyScans(step) {
					t.Errorf("plan reads a whole table:\n%s", text)
				}
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("plan does not use %q:\n%s", tc.want, text)
			}
		})
	}
}

// TestLatestDailyIsOneSeek checks that finding where the next digest
// starts jumps to the last row of digests. Its plan says only "SEARCH
// digests" whether it seeks or reads the table, so the bytecode is read:
// a seek positions with Last, a scan loops from Rewind.
func TestLatestDailyIsOneSeek(t *testing.T) {
	s := openTest(t)
	ops, err := queryRows(t.Context(), s.reader, func(r row) (string, error) {
		var addr int
		var op string
		var p1, p2, p3, p4, p5, comment any
		return op, r.Scan(&addr, &op, &p1, &p2, &p3, &p4, &p5, &comment)
	}, "EXPLAIN "+latestDailySQL)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ops, "Last") || slices.Contains(ops, "Rewind") {
		t.Errorf("latest digest bytecode %v, want a seek to the last row (Last) and no scan (Rewind)", ops)
	}
}

// dailyScans reports whether a plan step reads all of a stored table (by
// its name or the digest queries' aliases of it): a SCAN, or a SEARCH that
// uses no index.
func dailyScans(step string) bool {
	f := strings.Fields(step)
	if len(f) < 2 || !slices.Contains([]string{"items", "outbox", "mentions", "clusters", "digests", "i", "l", "c", "m"}, f[1]) {
		return false
	}
	return f[0] == "SCAN" || f[0] == "SEARCH" && len(f) == 2
}

// migrateTo opens the database at path migrated up to, not including, the
// migration whose name ends with suffix, and returns it with a function
// that applies the rest.
func migrateTo(t *testing.T, path, suffix string) (*sql.DB, func()) {
	t.Helper()
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(migs, func(m migration) bool { return strings.HasSuffix(m.name, suffix) })
	if i < 0 {
		t.Fatalf("no migration named *%s", suffix)
	}
	db, err := openDB(t.Context(), dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	if err := migrate(t.Context(), db, migs[:i], logger); err != nil {
		t.Fatal(err)
	}
	return db, func() {
		if err := migrate(t.Context(), db, migs, logger); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDailyMigrationKeepsTheOutbox checks that rebuilding the outbox to
// accept the daily kind keeps its rows, its indexes and its id counter:
// ids are message nonces and must never be handed out twice.
func TestDailyMigrationKeepsTheOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, apply := migrateTo(t, path, "_daily.sql")
	exec := func(query string, args ...any) error {
		_, err := db.ExecContext(t.Context(), query, args...)
		return err
	}
	for i := range 5 {
		if err := exec(`INSERT INTO outbox (kind, item_ids, next_attempt, created_at, status, message_id)
			VALUES ('post', '[]', ?, ?, ?, ?)`, i, i, []string{"pending", "sent"}[i%2], fmt.Sprint("m", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := exec(`DELETE FROM outbox WHERE id > 3`); err != nil {
		t.Fatal(err)
	}
	before := outboxDump(t, db)
	if len(before) < 5 {
		t.Fatalf("old outbox = %v, want 3 rows and its indexes", before)
	}
	if err := exec(`INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES ('daily', '[]', 0, 0)`); err == nil {
		t.Fatal("the old outbox accepted kind daily; the test proves nothing")
	}
	apply()

	if after := outboxDump(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("outbox after the migration:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if err := exec(`INSERT INTO outbox (kind, item_ids, next_attempt, created_at) VALUES ('other', '[]', 0, 0)`); err == nil {
		t.Error("the outbox accepts an unknown kind")
	}
	s := openAt(t, path)
	defer s.Close()
	d, err := s.QueueDaily(t.Context(), dailyAt(1), dailyAt(2))
	if err != nil {
		t.Fatalf("QueueDaily after the migration: %v", err)
	}
	if d.EntryID != 6 {
		t.Errorf("first new entry id = %d, want 6: ids 4 and 5 were handed out before", d.EntryID)
	}
}

// outboxDump lists the outbox's rows and indexes.
func outboxDump(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out, err := queryRows(t.Context(), db, column[string], `
		SELECT 'row ' || id || ' ' || kind || ' ' || status || ' ' || message_id FROM outbox
		UNION ALL
		SELECT 'index ' || name || ': ' || sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'outbox'
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
