package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/internal/discordfake"
	"storyline/store"
	"storyline/store/sqlite"
)

// testChannel is the channel the poster tests post in.
const testChannel = discordfake.DefaultChannelID

// present moves a synctest bubble's clock, which starts in 2000, to
// t0: snowflakes then carry real times, as Discord's do.
func present() {
	time.Sleep(time.Until(t0))
}

// useFake sends s's REST requests to an in-process fake at its v10 API,
// through the session's own address rewriting.
func useFake(s *discordgo.Session, fake *discordfake.Server) {
	s.Client.Transport = apiTransport{from: discordgo.EndpointAPI, to: fake.APIURL(), base: fake.Transport()}
}

// posterEnv is a poster over a real store and the in-process fake Discord,
// through the real Client, running in a synctest bubble.
type posterEnv struct {
	t       *testing.T
	store   store.Store
	fake    *discordfake.Server
	client  *Client
	logs    *syncBuffer
	logger  *slog.Logger
	opts    PosterOptions
	poster  *Poster
	storeID string
	wake    chan struct{}
	cancel  context.CancelFunc
	done    chan error
}

// newPosterEnv opens a store in t's temporary directory, an in-process
// fake with fakeOpts, and a poster on both; opts.ChannelID, StoryName, Rand
// and Wake are filled in. It moves the bubble's clock to t0 first.
func newPosterEnv(t *testing.T, opts PosterOptions, fakeOpts ...discordfake.Options) *posterEnv {
	t.Helper()
	present()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	var fo discordfake.Options
	if len(fakeOpts) > 0 {
		fo = fakeOpts[0]
	}
	fo.InProcess = true
	fake := discordfake.New(t, fo)
	t.Cleanup(func() { checkValid(t, fake) })
	session, err := NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	useFake(session, fake)
	id, err := st.StoreID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	env := &posterEnv{t: t, store: st, fake: fake, client: NewClient(session, LimitOptions{}), logs: logs, logger: logger,
		storeID: id, wake: make(chan struct{}, 1)}
	opts.ChannelID = testChannel
	opts.StoryName = "Harbour bridge"
	opts.Rand = func() float64 { return 0 }
	opts.Wake = env.wake
	env.opts = opts
	env.poster = NewPoster(st, env.client, logger, opts)
	return env
}

// start runs the poster until stop.
func (env *posterEnv) start() {
	ctx, cancel := context.WithCancel(env.t.Context())
	env.cancel = cancel
	env.done = make(chan error, 1)
	go func() { env.done <- env.poster.Run(ctx) }()
}

// stop cancels the poster and waits for Run to return.
func (env *posterEnv) stop() {
	env.t.Helper()
	env.cancel()
	if err := <-env.done; !errors.Is(err, context.Canceled) {
		env.t.Errorf("Run = %v, want context.Canceled", err)
	}
}

// nudge wakes the poster and waits until the bubble is idle.
func (env *posterEnv) nudge() {
	select {
	case env.wake <- struct{}{}:
	default:
	}
	synctest.Wait()
}

// nonce is the nonce of entry id.
func (env *posterEnv) nonce(id int64) string { return Nonce(env.storeID, id) }

// commit stores records and queues posts, failing the test on error.
func (env *posterEnv) commit(records []store.Record, posts ...store.Post) []int64 {
	env.t.Helper()
	c, err := env.store.Commit(env.t.Context(), store.Batch{Records: records, Posts: posts})
	if err != nil {
		env.t.Fatal(err)
	}
	return c.Queued
}

// postEach commits one record per id, each posted in a new cluster.
func (env *posterEnv) postEach(ids ...string) []int64 {
	var records []store.Record
	var posts []store.Post
	for _, id := range ids {
		records = append(records, rec(id, "Wire "+id, "https://wire.example/"+id, time.Now()))
		posts = append(posts, store.Post{Kind: store.KindPost, ItemIDs: []string{id}, NewCluster: true})
	}
	return env.commit(records, posts...)
}

// join commits a report of feed joining item's cluster and queues the edit
// of its message.
func (env *posterEnv) join(item, id, feed string) {
	env.t.Helper()
	c := env.cluster(item)
	r := rec(id, feed, "https://"+strings.ToLower(strings.ReplaceAll(feed, " ", ""))+".example/"+id, time.Now())
	r.ClusterID = c.ID
	env.commit([]store.Record{r}, store.Post{Kind: store.KindEdit, ItemIDs: []string{id}, ClusterID: c.ID})
}

// cluster returns the cluster of item id.
func (env *posterEnv) cluster(itemID string) store.Cluster {
	env.t.Helper()
	rs, err := env.store.Records(env.t.Context(), []string{itemID})
	if err != nil {
		env.t.Fatal(err)
	}
	c, err := env.store.Cluster(env.t.Context(), rs[0].ClusterID)
	if err != nil {
		env.t.Fatal(err)
	}
	return c
}

// stats returns the outbox stats.
func (env *posterEnv) stats() store.OutboxStats {
	env.t.Helper()
	st, err := env.store.OutboxStats(env.t.Context())
	if err != nil {
		env.t.Fatal(err)
	}
	return st
}

// creates returns the create requests the fake received, in order.
func (env *posterEnv) creates() []discordfake.Request {
	return env.fake.RequestsTo(discordfake.RouteCreateMessage)
}

// nonces returns the nonces of the creates the fake received.
func (env *posterEnv) nonces() []string {
	var out []string
	for _, r := range env.creates() {
		n, _ := r.Object()["nonce"].(string)
		out = append(out, n)
	}
	return out
}

// titles returns the titles of the channel's messages, oldest first.
func (env *posterEnv) titles() []string {
	var out []string
	for _, m := range env.fake.Messages(testChannel) {
		out = append(out, m.Embeds[0].Title)
	}
	return out
}

// logCount counts the log lines containing s.
func (env *posterEnv) logCount(s string) int {
	return strings.Count(env.logs.String(), s)
}

func TestPosterDeliversInOrderWithNonces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		ids := env.postEach("a", "b", "c")
		env.start()
		synctest.Wait()
		env.stop()
		want := []string{env.nonce(ids[0]), env.nonce(ids[1]), env.nonce(ids[2])}
		if got := env.nonces(); !slices.Equal(got, want) {
			t.Errorf("creates = %v, want %v", got, want)
		}
		for i, r := range env.creates() {
			if r.Object()["enforce_nonce"] != true || r.Params["channel_id"] != testChannel {
				t.Errorf("create %d = %v", i, r.Object())
			}
		}
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b", "Report c"}) {
			t.Errorf("channel = %v", got)
		}
		msgs := env.fake.Messages(testChannel)
		records, err := env.store.Records(t.Context(), []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range records {
			if r.MessageID != msgs[i].ID || r.ChannelID != testChannel {
				t.Errorf("item %s carries %s/%s, want %s/%s", r.Item.ID, r.ChannelID, r.MessageID, testChannel, msgs[i].ID)
			}
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want all sent", st)
		}
	})
}

func TestPosterWaitsOutRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		ids := env.postEach("a", "b")
		env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 3, Times: 1})
		start := time.Now()
		env.start()
		synctest.Wait()
		time.Sleep(3*time.Second - time.Millisecond)
		synctest.Wait()
		if n := len(env.creates()); n != 1 {
			t.Fatalf("%d requests before retry_after ended, want 1", n)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		env.stop()
		creates := env.creates()
		if want := []string{env.nonce(ids[0]), env.nonce(ids[0]), env.nonce(ids[1])}; !slices.Equal(env.nonces(), want) {
			t.Fatalf("creates = %v, want %v", env.nonces(), want)
		}
		if got := creates[1].At.Sub(start); got != 3*time.Second {
			t.Errorf("retried after %v, want exactly retry_after 3s", got)
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want all sent", st)
		}
	})
}

func TestPosterBacksOffOnTransientFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{BaseBackoff: time.Second, MaxBackoff: time.Minute})
		ids := env.postEach("a", "b")
		for _, status := range []int{502, 500, 503} {
			env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: status, Times: 1})
		}
		start := time.Now()
		env.start()
		time.Sleep(time.Minute)
		env.stop()
		var offsets []time.Duration
		for _, r := range env.creates() {
			offsets = append(offsets, r.At.Sub(start))
		}
		// Rand is 0: the waits are the lower halves, 0.5 s, 1 s and 2 s.
		want := []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond, 3500 * time.Millisecond}
		if !slices.Equal(offsets, want) {
			t.Errorf("requests at %v, want %v", offsets, want)
		}
		a, b := env.nonce(ids[0]), env.nonce(ids[1])
		if got, want := env.nonces(), []string{a, a, a, a, b}; !slices.Equal(got, want) {
			t.Errorf("creates = %v, want the first entry until it succeeds, then the second: %v", got, want)
		}
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b"}) {
			t.Errorf("channel = %v", got)
		}
	})
}

func TestPosterKeepsOrderBehindABackingOffEntry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		ids := env.postEach("a", "b")
		// A previous run left the first entry backing off for 10 s.
		start := time.Now()
		if err := env.store.MarkRetry(t.Context(), ids[0], start.Add(10*time.Second), "502"); err != nil {
			t.Fatal(err)
		}
		env.start()
		time.Sleep(time.Minute)
		env.stop()
		if got, want := env.nonces(), []string{env.nonce(ids[0]), env.nonce(ids[1])}; !slices.Equal(got, want) {
			t.Fatalf("creates = %v, want %v", got, want)
		}
		if at := env.creates()[0].At.Sub(start); at != 10*time.Second {
			t.Errorf("first create at %v, want when it fell due (10s)", at)
		}
	})
}

func TestPosterKeepsRefusalsUntilRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Idle: time.Second})
		ids := env.postEach("a", "b")
		env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 400, Times: 1})
		env.start()
		synctest.Wait()
		st := env.stats()
		if st.Failed != 1 || st.LastFailureCode != 50035 || !strings.Contains(st.LastFailure, "Invalid Form Body") {
			t.Errorf("stats = %+v, want one failure 50035 Invalid Form Body", st)
		}
		if got := env.logCount("level=ERROR"); got != 1 {
			t.Errorf("%d error lines, want the refusal logged once:\n%s", got, env.logs)
		}
		if n, err := env.store.RetryFailed(t.Context(), time.Now()); err != nil || n != 1 {
			t.Fatalf("RetryFailed = %d, %v", n, err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		env.stop()
		a, b := env.nonce(ids[0]), env.nonce(ids[1])
		if got, want := env.nonces(), []string{a, b, a}; !slices.Equal(got, want) {
			t.Errorf("creates = %v, want %v", got, want)
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want all sent after the retry", st)
		}
	})
}

func TestPosterEditsClusterMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{EditSpacing: 30 * time.Second})
		env.postEach("a")
		env.start()
		synctest.Wait()
		posted := time.Now()
		env.join("a", "b", "Evening Post")
		env.nudge()
		time.Sleep(time.Minute)
		env.stop()
		c := env.cluster("a")
		edits := env.fake.RequestsTo(discordfake.RouteEditMessage)
		if len(edits) != 1 || edits[0].Params["message_id"] != c.MessageID || edits[0].Params["channel_id"] != testChannel {
			t.Fatalf("edits = %+v, want one edit of %s", edits, c.MessageID)
		}
		if at := edits[0].At.Sub(posted); at != 30*time.Second {
			t.Errorf("edited %v after the post, want the 30s spacing", at)
		}
		embed := env.fake.Messages(testChannel)[0].Embeds[0]
		if got := field(embed, "Also reported by"); got != "[Evening Post](https://eveningpost.example/b)" {
			t.Errorf("edited post: also reported by %q", got)
		}
		if st := env.stats(); st.Pending != 0 {
			t.Errorf("stats = %+v, want the edit sent", st)
		}
	})
}

func TestPosterEditBeforePostIsNoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Idle: time.Second})
		env.postEach("a")
		env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 400, Times: 1})
		env.start()
		synctest.Wait()
		env.join("a", "b", "Evening Post")
		env.nudge()
		if n := len(env.fake.Requests()); n != 1 {
			t.Fatalf("%d requests, want only the refused post: the edit has no message to edit", n)
		}
		if _, err := env.store.RetryFailed(t.Context(), time.Now()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		env.stop()
		msgs := env.fake.Messages(testChannel)
		if len(msgs) != 1 || len(env.fake.RequestsTo(discordfake.RouteEditMessage)) != 0 {
			t.Fatalf("messages = %+v, want the post sent again and no edit", msgs)
		}
		if got := field(msgs[0].Embeds[0], "Also reported by"); !strings.Contains(got, "Evening Post") {
			t.Errorf("retried post: also reported by %q, want the report that joined meanwhile", got)
		}
	})
}

func TestPosterRepostsGoneMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		env.postEach("a")
		env.start()
		synctest.Wait()
		old := env.cluster("a")
		if err := env.fake.DeleteMessage(testChannel, old.MessageID); err != nil {
			t.Fatal(err)
		}
		env.join("a", "b", "Evening Post")
		edits, err := env.store.OutboxEdits(t.Context())
		if err != nil || len(edits) != 1 {
			t.Fatalf("OutboxEdits = %v, %v", edits, err)
		}
		env.nudge()
		time.Sleep(time.Minute)
		env.stop()
		if got := env.nonces(); len(got) != 2 || got[1] != env.nonce(edits[0].ID) {
			t.Fatalf("creates = %v, want the post and its repost with the edit entry's nonce %s", got, env.nonce(edits[0].ID))
		}
		c := env.cluster("a")
		msgs := env.fake.Messages(testChannel)
		if len(msgs) != 1 || c.MessageID != msgs[0].ID || c.MessageID == old.MessageID {
			t.Errorf("cluster message = %q, channel %+v; want the new message", c.MessageID, msgs)
		}
		rs, err := env.store.Records(t.Context(), []string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.MessageID != c.MessageID {
				t.Errorf("item %s carries message %q, want %q", r.Item.ID, r.MessageID, c.MessageID)
			}
		}
		if st := env.stats(); st.Pending != 0 {
			t.Errorf("stats = %+v, want nothing pending", st)
		}
	})
}

func TestPosterThreadsAndReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Threads: true})
		env.postEach("a", "x")
		env.start()
		synctest.Wait()
		a := env.cluster("a")
		if a.ThreadID == "" || a.ThreadID != a.MessageID {
			t.Fatalf("cluster = %+v, want a thread on its message", a)
		}
		// Cluster x lost its thread record (a crash after the thread was
		// started): the reply finds it again.
		x := env.cluster("x")
		if err := env.store.SetClusterMessage(t.Context(), x.ID, x.ChannelID, x.MessageID, ""); err != nil {
			t.Fatal(err)
		}
		env.commit([]store.Record{
			rec("b", "Evening Post", "https://post.example/b", time.Now()),
			rec("y", "Evening Post", "https://post.example/y", time.Now()),
		},
			store.Post{Kind: store.KindReply, ItemIDs: []string{"b"}, ClusterID: a.ID},
			store.Post{Kind: store.KindReply, ItemIDs: []string{"y"}, ClusterID: x.ID})
		env.nudge()
		env.stop()
		var ops []string
		for _, r := range env.fake.Requests() {
			ops = append(ops, r.Route+" "+r.Params["channel_id"])
		}
		send, thread := discordfake.RouteCreateMessage+" ", discordfake.RouteStartThread+" "
		want := []string{
			send + testChannel, thread + testChannel, send + testChannel, thread + testChannel,
			send + a.ThreadID, thread + testChannel, send + x.MessageID,
		}
		if !slices.Equal(ops, want) {
			t.Errorf("requests:\n%s\nwant\n%s", strings.Join(ops, "\n"), strings.Join(want, "\n"))
		}
		if got := env.cluster("x"); got.ThreadID != x.MessageID {
			t.Errorf("cluster x thread = %q, want %q recovered", got.ThreadID, x.MessageID)
		}
		if n := len(env.fake.Messages(a.ThreadID)); n != 1 {
			t.Errorf("thread a holds %d messages, want the reply", n)
		}
	})
}

func TestPosterDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		var records []store.Record
		var ids []string
		for i := range 12 {
			id := fmt.Sprint("d", i)
			records = append(records, rec(id, "Wire", "https://wire.example/"+id, time.Now()))
			ids = append(ids, id)
		}
		env.commit(records, store.Post{Kind: store.KindDigest, ItemIDs: ids})
		env.start()
		synctest.Wait()
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"12 new reports on Harbour bridge"}) {
			t.Errorf("channel = %v, want one digest", got)
		}
	})
}

func TestPosterWakesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Idle: time.Hour})
		env.start()
		synctest.Wait()
		start := time.Now()
		env.postEach("a")
		env.nudge()
		env.stop()
		creates := env.creates()
		if len(creates) != 1 || !creates[0].At.Equal(start) {
			t.Errorf("requests = %+v, want one at once (%v)", creates, start)
		}
	})
}

func TestPosterShutdownFinishesRequestInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Grace: 5 * time.Second}, discordfake.Options{Latency: 3 * time.Second})
		ids := env.postEach("a", "b")
		env.start()
		time.Sleep(time.Second)
		env.cancel()
		time.Sleep(time.Second)
		select {
		case err := <-env.done:
			t.Fatalf("Run returned %v with a request in flight", err)
		default:
		}
		if err := <-env.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
		if got := env.nonces(); !slices.Equal(got, []string{env.nonce(ids[0])}) {
			t.Errorf("creates = %v, want only the one in flight", got)
		}
		if st := env.stats(); st.Pending != 1 || st.LastSentAt.IsZero() {
			t.Errorf("stats = %+v, want the in-flight post recorded as sent, the other pending", st)
		}
	})
}

func TestPosterShutdownGivesUpAfterGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Grace: 5 * time.Second})
		env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Hang: true})
		ids := env.postEach("a")
		env.start()
		synctest.Wait()
		env.cancel()
		stopped := time.Now()
		if err := <-env.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
		if waited := time.Since(stopped); waited != 5*time.Second {
			t.Errorf("Run returned %v after its context ended, want the 5s grace", waited)
		}
		e, err := env.store.OutboxHead(t.Context())
		if err != nil || e.ID != ids[0] || e.Attempts != 1 || e.InFlightAt.IsZero() {
			t.Errorf("entry = %+v, %v; want it pending, in flight, with the cut attempt counted", e, err)
		}
	})
}

// TestPosterNoTightLoopOnZeroRetryAfter: 429s that ask for no wait at
// all, without reset headers, for ten minutes. The old poster resent at
// once, over a thousand times a second; the floor and its doubling keep it
// to a handful.
func TestPosterNoTightLoopOnZeroRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Idle: time.Minute})
		start := time.Now()
		env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 0, NoResetHeaders: true,
			Until: start.Add(10 * time.Minute)})
		env.postEach("a")
		env.start()
		time.Sleep(15 * time.Minute)
		env.stop()
		limited := 0
		var last time.Time
		for _, r := range env.creates() {
			if r.Status == 429 {
				limited++
				last = r.At
			}
		}
		// Waits of 1, 2, 4 … 64 s, then 120 s (MaxFloor): 11 429s in ten
		// minutes.
		if limited > 12 || limited < 8 {
			t.Errorf("%d creates answered 429 in ten minutes, want about ten (floor 1s, doubling to 2 min)", limited)
		}
		if n := len(env.fake.InvalidRequests()); n != limited {
			t.Errorf("the fake counted %d invalid requests, want %d", n, limited)
		}
		if got := env.titles(); !slices.Equal(got, []string{"Report a"}) {
			t.Errorf("channel = %v, want the post once the 429s ended", got)
		}
		if msgs := env.fake.Messages(testChannel); len(msgs) == 1 {
			if created, ok := snowflakeTime(msgs[0].ID); !ok || created.Sub(last) > 2*time.Minute {
				t.Errorf("posted %v after the last 429, want within the 2 min ceiling of the floor", created.Sub(last))
			}
		}
	})
}

// TestPosterInvalidRequestBudget: every request is refused with a 429 that
// the floor cannot space enough (a tiny floor here): the Client slows down,
// then stops, says so in the log and in Status, and resumes once the
// window has room.
func TestPosterInvalidRequestBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond, Idle: time.Minute})
		env.client = NewClient(env.clientSession(), LimitOptions{Floor: time.Millisecond, MaxFloor: time.Millisecond, SlowAt: 10, StopAt: 20})
		env.poster = NewPoster(env.store, env.client, env.logger, env.opts)
		start := time.Now()
		env.fake.Fail(discordfake.AllRoutes, discordfake.Fault{Status: 429, RetryAfter: 0, Until: start.Add(30 * time.Minute)})
		env.postEach("a")
		env.start()
		time.Sleep(9 * time.Minute)
		synctest.Wait()
		if got := env.fake.MaxInvalidIn(10 * time.Minute); got != 20 {
			t.Errorf("%d invalid requests within ten minutes, want the stop at 20", got)
		}
		st := env.poster.Status()
		if !st.Budget.Stopped || st.Budget.Invalid != 20 {
			t.Errorf("Status().Budget = %+v, want stopped at 20", st.Budget)
		}
		if env.logCount("sending stopped: too many invalid Discord requests") != 1 || env.logCount("sending slowed") != 1 {
			t.Errorf("log lacks one 'slowed' and one 'stopped' line:\n%s", env.logs)
		}
		time.Sleep(60 * time.Minute)
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Report a"}) {
			t.Errorf("channel = %v, want the post once Discord takes it", got)
		}
		if got := env.fake.MaxInvalidIn(10 * time.Minute); got > 20 {
			t.Errorf("%d invalid requests within some ten minutes, want at most 20", got)
		}
		if env.logCount("sending at full speed again") == 0 {
			t.Errorf("log lacks the resumption:\n%s", env.logs)
		}
	})
}

// clientSession is a new session on the env's fake.
func (env *posterEnv) clientSession() *discordgo.Session {
	env.t.Helper()
	s, err := NewSession(discordfake.DefaultToken, env.fake.APIURL(), env.logger)
	if err != nil {
		env.t.Fatal(err)
	}
	useFake(s, env.fake)
	return s
}

// TestPosterSharedLimitIsNotCounted: a 429 of scope shared asks for a long
// wait on the channel; the bot waits it out and does not count it.
func TestPosterSharedLimitIsNotCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		env.fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 120, Scope: "shared", Times: 1})
		env.postEach("a")
		start := time.Now()
		env.start()
		time.Sleep(5 * time.Minute)
		env.stop()
		creates := env.creates()
		if len(creates) != 2 || creates[1].At.Sub(start) != 120*time.Second {
			t.Errorf("creates at %v, want the retry after the shared limit's 120s", creates)
		}
		if b := env.client.Budget(); b.Invalid != 0 {
			t.Errorf("budget counts %d invalid requests, want none for a shared 429", b.Invalid)
		}
	})
}

// TestPosterPostsAreNotHeldBehindEdits: the edits of a message older than
// an hour meet Discord's 30046 limit; new posts go out at once meanwhile,
// and the old message's edit is deferred (and said so), not retried in a
// loop, and goes once the limit allows.
func TestPosterPostsAreNotHeldBehindEdits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{EditSpacing: time.Second, Idle: time.Minute}, discordfake.Options{RateLimits: true, OldEditLimit: 1, OldEditWindow: 5 * time.Minute})
		env.postEach("old")
		env.start()
		synctest.Wait()
		time.Sleep(2 * time.Hour)
		// Two joins: the first edit of the old message passes, the
		// second meets 30046.
		env.join("old", "j1", "Feed One")
		env.nudge()
		time.Sleep(2 * time.Second)
		env.join("old", "j2", "Feed Two")
		env.nudge()
		start := time.Now()
		env.postEach("new1")
		env.nudge()
		time.Sleep(10 * time.Second)
		env.postEach("new2")
		env.nudge()
		time.Sleep(20 * time.Minute)
		env.stop()
		var limited []discordfake.Request
		for _, r := range env.fake.RequestsTo(discordfake.RouteEditMessage) {
			if r.Status == 429 {
				limited = append(limited, r)
			}
		}
		if len(limited) < 1 || len(limited) > 3 {
			t.Errorf("%d edits met 30046 in 20 minutes, want one or two: the edits wait, they do not loop", len(limited))
		}
		byTitle := map[string]discordfake.Message{}
		for _, m := range env.fake.Messages(testChannel) {
			byTitle[m.Embeds[0].Title] = m
		}
		for _, r := range env.creates() {
			if n, _ := r.Object()["embeds"].([]any); len(n) > 0 && n[0].(map[string]any)["title"] == "Report new1" {
				if d := r.At.Sub(start); d != 0 {
					t.Errorf("new1 sent %v after it was queued, want at once", d)
				}
			}
		}
		if _, ok := byTitle["Report new2"]; !ok {
			t.Error("new2 was not posted")
		}
		if env.logCount("edits of posts older than an hour deferred") != 1 {
			t.Errorf("the deferral is not logged once:\n%s", env.logs)
		}
		if got := field(byTitle["Report old"].Embeds[0], "Also reported by"); !strings.Contains(got, "Feed Two") {
			t.Errorf("the deferred edit never went: also reported by %q", got)
		}
	})
}

// TestPosterCoalescesEditStorms: twenty reports join one development in
// twenty seconds; the message is edited at most once per EditSpacing, the
// last edit rendered from the latest state.
func TestPosterCoalescesEditStorms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{EditSpacing: 30 * time.Second})
		env.postEach("a")
		env.start()
		synctest.Wait()
		for i := range 20 {
			env.join("a", fmt.Sprint("j", i), fmt.Sprint("Feed ", i))
			env.nudge()
			time.Sleep(time.Second)
		}
		time.Sleep(2 * time.Minute)
		env.stop()
		edits := env.fake.RequestsTo(discordfake.RouteEditMessage)
		if len(edits) == 0 || len(edits) > 2 {
			t.Fatalf("%d edits for 20 joins in 20 s, want one or two", len(edits))
		}
		for i := 1; i < len(edits); i++ {
			if gap := edits[i].At.Sub(edits[i-1].At); gap < 30*time.Second {
				t.Errorf("edits %v apart, want at least the 30s spacing", gap)
			}
		}
		footer := env.fake.Messages(testChannel)[0].Embeds[0].Footer.Text
		if !strings.Contains(footer, "21 outlets") {
			t.Errorf("footer %q, want all 21 outlets after the last edit", footer)
		}
		if st := env.stats(); st.Pending != 0 {
			t.Errorf("stats = %+v, want every edit entry recorded", st)
		}
	})
}

// TestPosterStopsOnRevokedToken: the token is reset while the bot runs.
// Sending stops at the first 401, the queue is kept (nothing failed), one
// error names the variable and never the token, Status says so, the token
// is checked now and then (few invalid requests), and sending resumes when
// the token works again.
func TestPosterStopsOnRevokedToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{TokenEnv: "STORY_BOT_TOKEN", Idle: time.Minute})
		env.postEach("a")
		env.start()
		synctest.Wait()
		env.fake.SetToken("a-new-token")
		env.postEach("b", "c", "d")
		env.nudge()
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		if got := env.titles(); !slices.Equal(got, []string{"Report a"}) {
			t.Fatalf("channel = %v, want only the post before the reset", got)
		}
		if st := env.stats(); st.Pending != 3 || st.Failed != 0 {
			t.Errorf("stats = %+v, want the three posts pending, none failed", st)
		}
		rejected := 0
		for _, r := range env.fake.Requests() {
			if r.Status == http.StatusUnauthorized {
				rejected++
			}
		}
		if rejected > 6 {
			t.Errorf("%d requests answered 401 in 30 minutes, want a few checks", rejected)
		}
		logs := env.logs.String()
		if env.logCount("Discord rejected the bot token") != 1 || !strings.Contains(logs, "STORY_BOT_TOKEN") ||
			strings.Contains(logs, discordfake.DefaultToken) {
			t.Errorf("want one error naming STORY_BOT_TOKEN and never the token:\n%s", logs)
		}
		st := env.poster.Status()
		if !st.TokenRejected || st.TokenEnv != "STORY_BOT_TOKEN" {
			t.Errorf("Status = %+v, want the rejected token", st)
		}
		env.fake.SetToken(discordfake.DefaultToken)
		time.Sleep(31 * time.Minute)
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b", "Report c", "Report d"}) {
			t.Errorf("channel = %v, want every post once the token works", got)
		}
		if env.poster.Status().TokenRejected {
			t.Error("Status still says the token is rejected")
		}
	})
}

// TestPosterPausesARefusingChannel: the bot loses Send Messages in its
// channel. One post is refused and the channel paused, reported once; the
// others wait (not failed); after the permission is given back a recheck
// sends them all, in order.
func TestPosterPausesARefusingChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Recheck: 10 * time.Minute, Idle: time.Minute})
		env.fake.SetOverwrites(testChannel, discordfake.Overwrite{ID: discordfake.DefaultGuildID, Deny: discordfake.PermSendMessages})
		env.postEach("a", "b", "c")
		env.start()
		// Rand is 0: the recheck comes after half of Recheck.
		time.Sleep(4 * time.Minute)
		synctest.Wait()
		if n := len(env.creates()); n != 1 {
			t.Errorf("%d creates while the channel refuses, want 1", n)
		}
		if st := env.stats(); st.Pending != 3 || st.Failed != 0 {
			t.Errorf("stats = %+v, want all three waiting", st)
		}
		if env.logCount("channel paused") != 1 || env.logCount("level=ERROR") != 1 {
			t.Errorf("want one error line for the pause:\n%s", env.logs)
		}
		st := env.poster.Status()
		if len(st.Paused) != 1 || st.Paused[0].ChannelID != testChannel || st.Paused[0].Code != 50013 {
			t.Errorf("Status().Paused = %+v", st.Paused)
		}
		env.fake.SetOverwrites(testChannel)
		time.Sleep(2 * time.Minute)
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b", "Report c"}) {
			t.Errorf("channel = %v, want all three in order after the recheck", got)
		}
		if len(env.poster.Status().Paused) != 0 {
			t.Error("the channel is still reported paused")
		}
	})
}

// TestPosterResumesOnOutboxRetry: `outbox retry` wakes a paused channel at
// once instead of at the recheck.
func TestPosterResumesOnOutboxRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Recheck: time.Hour}, discordfake.Options{StrictChannels: true})
		env.fake.DeleteChannel(testChannel)
		env.postEach("a", "b")
		env.start()
		time.Sleep(time.Minute)
		synctest.Wait()
		if st := env.poster.Status(); len(st.Paused) != 1 || st.Paused[0].Code != 10003 {
			t.Fatalf("Status().Paused = %+v, want Unknown Channel", st.Paused)
		}
		env.fake.AddChannel(discordfake.Channel{ID: testChannel})
		if n, err := env.store.RetryFailed(t.Context(), time.Now()); err != nil || n != 1 {
			t.Fatalf("RetryFailed = %d, %v; want the waiting entry", n, err)
		}
		time.Sleep(2 * time.Second)
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b"}) {
			t.Errorf("channel = %v, want both within seconds of the retry", got)
		}
	})
}

// failingWrites is a store whose MarkSent fails while failing is set, as a
// read-only or full disk would, or a crash between Discord's answer and
// the record.
type failingWrites struct {
	OutboxStore
	failing func() bool
}

func (f failingWrites) MarkSent(ctx context.Context, id int64, channelID, messageID string, at time.Time) error {
	if f.failing() {
		return errors.New("attempt to write a readonly database")
	}
	return f.OutboxStore.MarkSent(ctx, id, channelID, messageID, at)
}

// TestPosterNeverResendsWhatDiscordTook: the store cannot record a post
// Discord accepted; the poster retries only the store write, for as long
// as it takes, and never sends the post again.
func TestPosterNeverResendsWhatDiscordTook(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		var readOnly atomic.Bool
		readOnly.Store(true)
		env.poster = NewPoster(failingWrites{env.store, readOnly.Load}, env.client, env.logger, env.opts)
		env.postEach("a", "b")
		env.start()
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := len(env.creates()); n != 1 {
			t.Errorf("%d creates while the store could not record the first, want 1", n)
		}
		readOnly.Store(false)
		time.Sleep(5 * time.Second)
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b"}) {
			t.Errorf("channel = %v, want each post once", got)
		}
		if st := env.stats(); st.Pending != 0 {
			t.Errorf("stats = %+v, want both recorded", st)
		}
	})
}

// TestPosterFindsAPostThatLandedBeforeACrash: Discord took a post, the
// process died before the store recorded it, and it restarts after
// Discord's nonce window: the post is found in the channel and recorded,
// not sent again.
func TestPosterFindsAPostThatLandedBeforeACrash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{}, discordfake.Options{NonceWindow: 2 * time.Minute})
		crashed := true
		env.poster = NewPoster(failingWrites{env.store, func() bool { return crashed }}, env.client, env.logger, env.opts)
		ids := env.postEach("a", "b")
		env.start()
		synctest.Wait()
		env.stop()
		crashed = false
		time.Sleep(10 * time.Minute)
		env.poster = NewPoster(env.store, env.client, env.logger, env.opts) // nothing in memory
		env.start()
		synctest.Wait()
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Report a", "Report b"}) {
			t.Errorf("channel = %v, want each post once", got)
		}
		if got := env.nonces(); !slices.Equal(got, []string{env.nonce(ids[0]), env.nonce(ids[1])}) {
			t.Errorf("creates = %v, want a single create of each entry", got)
		}
		if len(env.fake.RequestsTo(discordfake.RouteGetMessages)) == 0 {
			t.Error("the channel was not read before deciding")
		}
		rs, err := env.store.Records(t.Context(), []string{"a"})
		if err != nil || rs[0].MessageID != env.fake.Messages(testChannel)[0].ID {
			t.Errorf("item a = %+v, %v; want it recorded with the message found", rs, err)
		}
	})
}

// TestPosterWithoutHistoryDoesNotGuess: as above, but the bot may not read
// the channel's history, so Discord lists nothing: the poster does not
// take that for "not posted"; it pauses the channel and names the
// permission.
func TestPosterWithoutHistoryDoesNotGuess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{}, discordfake.Options{NonceWindow: 2 * time.Minute})
		crashed := true
		env.poster = NewPoster(failingWrites{env.store, func() bool { return crashed }}, env.client, env.logger, env.opts)
		env.postEach("a")
		env.start()
		synctest.Wait()
		env.stop()
		crashed = false
		env.fake.SetOverwrites(testChannel, discordfake.Overwrite{ID: discordfake.DefaultGuildID, Deny: discordfake.PermReadMessageHistory})
		time.Sleep(10 * time.Minute)
		env.poster = NewPoster(env.store, env.client, env.logger, env.opts)
		env.start()
		time.Sleep(time.Minute)
		env.stop()
		if n := len(env.creates()); n != 1 {
			t.Errorf("%d creates, want only the first: the second could be a duplicate", n)
		}
		if st := env.poster.Status(); len(st.Paused) != 1 || !strings.Contains(st.Paused[0].Reason, "Read Message History") {
			t.Errorf("Status().Paused = %+v, want the channel paused for Read Message History", st.Paused)
		}
	})
}

// TestPosterNoncesDifferAcrossStores: two stores (a new database, another
// bot) post to one channel within the nonce window; their entry ids are
// the same, their nonces not, so every post appears.
func TestPosterNoncesDifferAcrossStores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		env.postEach("a", "b", "c")
		env.start()
		synctest.Wait()
		env.stop()
		other, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "other.db"), env.logger)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		for _, id := range []string{"x", "y", "z"} {
			if _, err := other.Commit(t.Context(), store.Batch{Records: []store.Record{rec(id, "Wire", "https://wire.example/"+id, time.Now())},
				Posts: []store.Post{{Kind: store.KindPost, ItemIDs: []string{id}, NewCluster: true}}}); err != nil {
				t.Fatal(err)
			}
		}
		env.poster = NewPoster(other, env.client, env.logger, env.opts)
		env.start()
		synctest.Wait()
		env.stop()
		if got := env.titles(); len(got) != 6 {
			t.Errorf("channel = %v, want all six posts", got)
		}
	})
}

// TestPosterRejectsAnAnswerThatIsNotItsPost: Discord answers a create with
// another message made with the same nonce. The post does not count as
// posted; it is sent again once the nonce has expired.
func TestPosterRejectsAnAnswerThatIsNotItsPost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{}, discordfake.Options{NonceWindow: 2 * time.Minute})
		ids := env.postEach("a")
		env.fake.PostAs(testChannel, time.Now(), env.nonce(ids[0]), &discordgo.MessageEmbed{Title: "Somebody else's post"})
		env.start()
		synctest.Wait()
		if st := env.stats(); st.Pending != 1 || !st.LastSentAt.IsZero() {
			t.Errorf("stats = %+v, want the post still pending", st)
		}
		time.Sleep(10 * time.Minute)
		env.stop()
		if got := env.titles(); !slices.Equal(got, []string{"Somebody else's post", "Report a"}) {
			t.Errorf("channel = %v, want the post made after the nonce expired", got)
		}
		rs, err := env.store.Records(t.Context(), []string{"a"})
		if err != nil || rs[0].MessageID != env.fake.Messages(testChannel)[1].ID {
			t.Errorf("item a = %+v, %v; want its own message recorded", rs, err)
		}
	})
}
