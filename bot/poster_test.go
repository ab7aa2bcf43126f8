package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"storyline/store"
	"storyline/store/sqlite"
)

// request is one call the fake Discord received.
type request struct {
	Op               string // "send", "edit" or "thread"
	Channel, Message string
	Body             any
	At               time.Time
}

// fakeDiscord is an in-memory Discord for poster tests. Errors queued with
// failNext answer the next requests, one each; a create repeating a nonce
// gives back the first message, as enforce_nonce does.
type fakeDiscord struct {
	mu       sync.Mutex
	requests []request
	failures []error
	// hold, when set, makes requests wait until it is closed or their
	// context ends.
	hold    chan struct{}
	nextID  int
	live    map[string]bool   // message ids not deleted
	byNonce map[string]string // nonce → message id
	threads map[string]string // message id → thread id
}

func newFakeDiscord() *fakeDiscord {
	return &fakeDiscord{live: map[string]bool{}, byNonce: map[string]string{}, threads: map[string]string{}}
}

func (f *fakeDiscord) failNext(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, errs...)
}

// begin records a request and returns the error to answer, if any.
func (f *fakeDiscord) begin(ctx context.Context, r request) error {
	f.mu.Lock()
	r.At = time.Now()
	f.requests = append(f.requests, r)
	hold := f.hold
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return fmt.Errorf("request: %w", ctx.Err())
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.failures) > 0 {
		err := f.failures[0]
		f.failures = f.failures[1:]
		return err
	}
	return nil
}

func (f *fakeDiscord) Send(ctx context.Context, channelID string, body MessageBody) (string, error) {
	if err := f.begin(ctx, request{Op: "send", Channel: channelID, Body: body}); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.byNonce[body.Nonce]; ok && body.EnforceNonce {
		return id, nil
	}
	f.nextID++
	id := fmt.Sprint("m", f.nextID)
	f.live[id] = true
	f.byNonce[body.Nonce] = id
	return id, nil
}

func (f *fakeDiscord) Edit(ctx context.Context, channelID, messageID string, body EditBody) error {
	if err := f.begin(ctx, request{Op: "edit", Channel: channelID, Message: messageID, Body: body}); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.live[messageID] {
		return &RefusedError{Status: 404, Code: codeUnknownMessage, Message: "Unknown Message"}
	}
	return nil
}

func (f *fakeDiscord) StartThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	if err := f.begin(ctx, request{Op: "thread", Channel: channelID, Message: messageID, Body: name}); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.threads[messageID]; ok {
		return "", &RefusedError{Status: 400, Code: codeThreadExists, Message: "A thread has already been created for this message"}
	}
	f.threads[messageID] = messageID
	return messageID, nil
}

func (f *fakeDiscord) delete(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.live[id] = false
}

func (f *fakeDiscord) calls() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// sends returns the nonces of the creates received, in order.
func (f *fakeDiscord) sends() []string {
	var out []string
	for _, r := range f.calls() {
		if r.Op == "send" {
			out = append(out, r.Body.(MessageBody).Nonce)
		}
	}
	return out
}

// posterEnv is a poster over a real store and a fake Discord, running in
// a synctest bubble.
type posterEnv struct {
	t       *testing.T
	store   store.Store
	discord *fakeDiscord
	logs    *syncBuffer
	poster  *Poster
	wake    chan struct{}
	cancel  context.CancelFunc
	done    chan error
}

const testChannel = "chan-1"

// newPosterEnv opens a store in t's temporary directory and a poster on
// it; opts.ChannelID, StoryName, Rand and Wake are filled in.
func newPosterEnv(t *testing.T, opts PosterOptions) *posterEnv {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	env := &posterEnv{t: t, store: st, discord: newFakeDiscord(), logs: logs, wake: make(chan struct{}, 1)}
	opts.ChannelID = testChannel
	opts.StoryName = "Harbour bridge"
	opts.Rand = func() float64 { return 0 }
	opts.Wake = env.wake
	env.poster = NewPoster(st, env.discord, logger, opts)
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

func TestPosterDeliversInOrderWithNonces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		ids := env.postEach("a", "b", "c")
		env.start()
		synctest.Wait()
		env.stop()
		want := []string{Nonce(ids[0]), Nonce(ids[1]), Nonce(ids[2])}
		if got := env.discord.sends(); !slices.Equal(got, want) {
			t.Errorf("creates = %v, want %v", got, want)
		}
		for i, r := range env.discord.calls() {
			body := r.Body.(MessageBody)
			if r.Channel != testChannel || !body.EnforceNonce || body.Embeds[0].Title != "Report "+string(rune('a'+i)) {
				t.Errorf("request %d = %+v", i, r)
			}
		}
		records, err := env.store.Records(t.Context(), []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range records {
			if want := fmt.Sprint("m", i+1); r.MessageID != want || r.ChannelID != testChannel {
				t.Errorf("item %s carries %s/%s, want %s/%s", r.Item.ID, r.ChannelID, r.MessageID, testChannel, want)
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
		env.discord.failNext(&RateLimitedError{RetryAfter: 3 * time.Second})
		start := time.Now()
		env.start()
		synctest.Wait()
		time.Sleep(3*time.Second - time.Millisecond)
		synctest.Wait()
		if n := len(env.discord.calls()); n != 1 {
			t.Fatalf("%d requests before retry_after ended, want 1", n)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		env.stop()
		calls := env.discord.calls()
		if want := []string{Nonce(ids[0]), Nonce(ids[0]), Nonce(ids[1])}; !slices.Equal(env.discord.sends(), want) {
			t.Fatalf("creates = %v, want %v", env.discord.sends(), want)
		}
		if got := calls[1].At.Sub(start); got != 3*time.Second {
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
		env.discord.failNext(
			&TransientError{Status: 502, Err: errors.New("bad gateway")},
			&TransientError{Err: errors.New("connection reset")},
			&TransientError{Status: 503, Err: errors.New("unavailable")},
		)
		start := time.Now()
		env.start()
		time.Sleep(time.Minute)
		env.stop()
		var offsets []time.Duration
		for _, r := range env.discord.calls() {
			offsets = append(offsets, r.At.Sub(start))
		}
		// Rand is 0: the waits are the lower halves, 0.5 s, 1 s and 2 s.
		want := []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond, 3500 * time.Millisecond}
		if !slices.Equal(offsets, want) {
			t.Errorf("requests at %v, want %v", offsets, want)
		}
		if got, want := env.discord.sends(), []string{Nonce(ids[0]), Nonce(ids[0]), Nonce(ids[0]), Nonce(ids[0]), Nonce(ids[1])}; !slices.Equal(got, want) {
			t.Errorf("creates = %v, want the first entry until it succeeds, then the second: %v", got, want)
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want all sent", st)
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
		calls := env.discord.calls()
		if got, want := env.discord.sends(), []string{Nonce(ids[0]), Nonce(ids[1])}; !slices.Equal(got, want) {
			t.Fatalf("creates = %v, want %v", got, want)
		}
		if at := calls[0].At.Sub(start); at != 10*time.Second {
			t.Errorf("first create at %v, want when it fell due (10s)", at)
		}
	})
}

func TestPosterKeepsRefusalsUntilRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Idle: time.Second})
		ids := env.postEach("a", "b")
		env.discord.failNext(&RefusedError{Status: 403, Code: 50013, Message: "Missing Permissions"})
		env.start()
		synctest.Wait()
		st := env.stats()
		if st.Failed != 1 || st.LastFailureCode != 50013 || !strings.Contains(st.LastFailure, "Missing Permissions") {
			t.Errorf("stats = %+v, want one failure 50013 Missing Permissions", st)
		}
		if got := strings.Count(env.logs.String(), "level=ERROR"); got != 1 {
			t.Errorf("%d error lines, want the refusal logged once:\n%s", got, env.logs.String())
		}
		if n, err := env.store.RetryFailed(t.Context(), time.Now()); err != nil || n != 1 {
			t.Fatalf("RetryFailed = %d, %v", n, err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		env.stop()
		if got, want := env.discord.sends(), []string{Nonce(ids[0]), Nonce(ids[1]), Nonce(ids[0])}; !slices.Equal(got, want) {
			t.Errorf("creates = %v, want %v", got, want)
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want all sent after the retry", st)
		}
	})
}

func TestPosterEditsClusterMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{})
		env.postEach("a")
		env.start()
		synctest.Wait()
		c := env.cluster("a")
		env.commit([]store.Record{rec("b", "Evening Post", "https://post.example/b", time.Now())},
			store.Post{Kind: store.KindEdit, ItemIDs: []string{"b"}, ClusterID: c.ID})
		env.wake <- struct{}{}
		synctest.Wait()
		env.stop()
		calls := env.discord.calls()
		if len(calls) != 2 || calls[1].Op != "edit" || calls[1].Message != c.MessageID || calls[1].Channel != testChannel {
			t.Fatalf("requests = %+v, want a send then an edit of %s", calls, c.MessageID)
		}
		embed := calls[1].Body.(EditBody).Embeds[0]
		if got := field(embed, "Also reported by"); got != "[Evening Post](https://post.example/b)" {
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
		env.discord.failNext(&RefusedError{Status: 403, Code: 50013, Message: "Missing Permissions"})
		env.start()
		synctest.Wait()
		c := env.cluster("a")
		env.commit([]store.Record{rec("b", "Evening Post", "https://post.example/b", time.Now())},
			store.Post{Kind: store.KindEdit, ItemIDs: []string{"b"}, ClusterID: c.ID})
		env.wake <- struct{}{}
		synctest.Wait()
		if n := len(env.discord.calls()); n != 1 {
			t.Fatalf("%d requests, want only the refused post: the edit has no message to edit", n)
		}
		if _, err := env.store.RetryFailed(t.Context(), time.Now()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		env.stop()
		calls := env.discord.calls()
		if len(calls) != 2 {
			t.Fatalf("requests = %+v, want the post sent again", calls)
		}
		if got := field(calls[1].Body.(MessageBody).Embeds[0], "Also reported by"); !strings.Contains(got, "Evening Post") {
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
		env.discord.delete(old.MessageID)
		queued := env.commit([]store.Record{rec("b", "Evening Post", "https://post.example/b", time.Now())},
			store.Post{Kind: store.KindEdit, ItemIDs: []string{"b"}, ClusterID: old.ID})
		env.wake <- struct{}{}
		synctest.Wait()
		env.stop()
		calls := env.discord.calls()
		if len(calls) != 3 || calls[1].Op != "edit" || calls[2].Op != "send" {
			t.Fatalf("requests = %+v, want send, edit, send", calls)
		}
		if got := calls[2].Body.(MessageBody).Nonce; got != Nonce(queued[0]) {
			t.Errorf("repost nonce = %q, want the edit entry's %q", got, Nonce(queued[0]))
		}
		c := env.cluster("a")
		if c.MessageID == old.MessageID || c.MessageID == "" {
			t.Errorf("cluster message = %q, want the new message", c.MessageID)
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
		queued := env.commit([]store.Record{
			rec("b", "Evening Post", "https://post.example/b", time.Now()),
			rec("y", "Evening Post", "https://post.example/y", time.Now()),
		},
			store.Post{Kind: store.KindReply, ItemIDs: []string{"b"}, ClusterID: a.ID},
			store.Post{Kind: store.KindReply, ItemIDs: []string{"y"}, ClusterID: x.ID})
		env.wake <- struct{}{}
		synctest.Wait()
		env.stop()
		var ops []string
		for _, r := range env.discord.calls() {
			ops = append(ops, r.Op+" "+r.Channel)
		}
		want := []string{
			"send " + testChannel, "thread " + testChannel, "send " + testChannel, "thread " + testChannel,
			"send " + a.ThreadID, "thread " + testChannel, "send " + x.MessageID,
		}
		if !slices.Equal(ops, want) {
			t.Errorf("requests:\n%s\nwant\n%s", strings.Join(ops, "\n"), strings.Join(want, "\n"))
		}
		if got := env.cluster("x"); got.ThreadID != x.MessageID {
			t.Errorf("cluster x thread = %q, want %q recovered", got.ThreadID, x.MessageID)
		}
		if st := env.stats(); st.Pending != 0 || st.Failed != 0 {
			t.Errorf("stats = %+v, want replies %v sent", st, queued)
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
		calls := env.discord.calls()
		if len(calls) != 1 {
			t.Fatalf("%d requests, want one digest", len(calls))
		}
		if got := calls[0].Body.(MessageBody).Embeds[0].Title; got != "12 new reports on Harbour bridge" {
			t.Errorf("digest title = %q", got)
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
		env.wake <- struct{}{}
		synctest.Wait()
		env.stop()
		calls := env.discord.calls()
		if len(calls) != 1 || !calls[0].At.Equal(start) {
			t.Errorf("requests = %+v, want one at once (%v)", calls, start)
		}
	})
}

func TestPosterShutdownFinishesRequestInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newPosterEnv(t, PosterOptions{Grace: 5 * time.Second})
		env.discord.hold = make(chan struct{})
		ids := env.postEach("a", "b")
		env.start()
		synctest.Wait()
		env.cancel()
		time.Sleep(time.Second)
		synctest.Wait()
		select {
		case err := <-env.done:
			t.Fatalf("Run returned %v with a request in flight", err)
		default:
		}
		close(env.discord.hold)
		if err := <-env.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
		if got := env.discord.sends(); !slices.Equal(got, []string{Nonce(ids[0])}) {
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
		env.discord.hold = make(chan struct{})
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
		if err != nil || e.ID != ids[0] || e.Attempts != 1 {
			t.Errorf("entry = %+v, %v; want it pending with the cut attempt counted", e, err)
		}
	})
}
