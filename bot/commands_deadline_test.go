package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"storyline/feeds"
	"storyline/internal/discordfake"
	"storyline/store"
	"storyline/store/sqlite"
)

// slowQueries is a store that takes delay over every lookup and does not
// let a cancelled context cut it short, as a slow disk would.
type slowQueries struct {
	Queries
	delay time.Duration
}

func (q slowQueries) ActorReport(ctx context.Context, a store.ActorQuery) (store.ActorReport, error) {
	time.Sleep(q.delay)
	return q.Queries.ActorReport(context.WithoutCancel(ctx), a)
}

func (q slowQueries) ActorTrends(ctx context.Context, actors []string, now time.Time, window time.Duration) ([]store.ActorTrend, error) {
	time.Sleep(q.delay)
	return q.Queries.ActorTrends(context.WithoutCancel(ctx), actors, now, window)
}

func (q slowQueries) LatestPosted(ctx context.Context, limit int) ([]store.PostedMessage, error) {
	time.Sleep(q.delay)
	return q.Queries.LatestPosted(context.WithoutCancel(ctx), limit)
}

func (q slowQueries) Search(ctx context.Context, query string, limit int) (store.SearchResult, error) {
	time.Sleep(q.delay)
	return q.Queries.Search(context.WithoutCancel(ctx), query, limit)
}

func (q slowQueries) MessageItems(ctx context.Context, id string) (store.Posting, error) {
	time.Sleep(q.delay)
	return q.Queries.MessageItems(context.WithoutCancel(ctx), id)
}

func (q slowQueries) FeedStates(ctx context.Context) (map[string]feeds.State, error) {
	time.Sleep(q.delay)
	return q.Queries.FeedStates(context.WithoutCancel(ctx))
}

func (q slowQueries) OutboxStats(ctx context.Context) (store.OutboxStats, error) {
	time.Sleep(q.delay)
	return q.Queries.OutboxStats(context.WithoutCancel(ctx))
}

// TestSlowStoreAnswersInTime: with a store that takes 3.5 s per lookup,
// every command is still acknowledged within Discord's three seconds (the
// fake refuses a later callback with Unknown interaction) and then
// answered; autocomplete, which cannot defer, answers without counts.
func TestSlowStoreAnswersInTime(t *testing.T) {
	def := exampleDefinition(t)
	post := discordfake.Message{ID: seedMessage("a"), ChannelID: discordfake.DefaultChannelID}
	commands := []struct {
		name  string
		build func(*discordfake.Server) map[string]any
		want  string
	}{
		{"actor", func(f *discordfake.Server) map[string]any {
			return f.SlashCommand(cmdActor, map[string]any{"name": "Steve Witkoff"}, member)
		}, "Steve Witkoff"},
		{"actors", func(f *discordfake.Server) map[string]any { return f.SlashCommand(cmdActors, nil, member) }, "Mentions in the last 7 days"},
		{"latest", func(f *discordfake.Server) map[string]any { return f.SlashCommand(cmdLatest, nil, member) }, "Latest developments"},
		{"search", func(f *discordfake.Server) map[string]any {
			return f.SlashCommand(cmdSearch, map[string]any{"query": "plan"}, member)
		}, "Search: plan"},
		{"status", func(f *discordfake.Server) map[string]any { return f.SlashCommand(cmdStatus, nil, manager) }, "Status"},
		{"why", func(f *discordfake.Server) map[string]any { return f.MessageCommand(cmdWhyPost, post, member) }, "Why this was posted"},
		{"autocomplete", func(f *discordfake.Server) map[string]any {
			return f.Autocomplete(cmdActor, map[string]any{"name": "wit"}, "name", member)
		}, ""},
	}
	for _, tc := range commands {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				logger := slog.New(slog.NewTextHandler(t.Output(), nil))
				st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), logger,
					sqlite.WithClock(func() time.Time { return cmdNow }))
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				seed(t, st, def)
				cmds := NewCommands(slowQueries{Queries: st, delay: 3500 * time.Millisecond}, def.Actors, logger,
					CommandOptions{StoryName: def.Name, Started: cmdStarted, Now: func() time.Time { return cmdNow }})
				fake := discordfake.New(t, discordfake.Options{InProcess: true})
				s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
				if err != nil {
					t.Fatal(err)
				}
				useFake(s, fake)
				ic, err := fake.RegisterInteraction(tc.build(fake))
				if err != nil {
					t.Fatal(err)
				}
				cmds.Handle(s, ic)
				// A lookup the answer gave up on finishes in the background.
				time.Sleep(5 * time.Second)
				synctest.Wait()
				cbs := fake.Callbacks(ic.ID)
				if len(cbs) != 1 || cbs[0].Status != 204 {
					t.Fatalf("callbacks %+v, want one acknowledged in time", cbs)
				}
				if tc.want == "" {
					return
				}
				resp := fake.Responses(ic.ID)
				if len(resp) != 1 || !strings.Contains(text(resp[0]), tc.want) {
					t.Errorf("answer %+v, want one containing %q", resp, tc.want)
				}
				for _, err := range fake.ValidationErrors() {
					t.Errorf("invalid request body: %v", err)
				}
			})
		})
	}
}

// deliveryStub reports a fixed delivery state.
type deliveryStub DeliveryStatus

func (d deliveryStub) Status() DeliveryStatus { return DeliveryStatus(d) }

func TestStatusShowsDelivery(t *testing.T) {
	env := newCmdEnv(t, nil)
	env.cmds.opts.Delivery = deliveryStub{
		TokenRejected: true, TokenEnv: "STORY_TOKEN", Since: cmdNow.Add(-5 * time.Minute), NextCheck: cmdNow.Add(3 * time.Minute),
		Paused: []PausedChannel{{ChannelID: "123", Code: 50013, Reason: "Missing Permissions", Since: cmdNow.Add(-time.Hour),
			Until: cmdNow.Add(10 * time.Minute), Fix: "give the bot Send Messages"}},
		Budget:          BudgetState{Invalid: 160, SlowAt: 50, StopAt: 150, Stopped: true, Until: cmdNow.Add(4 * time.Minute)},
		OldEditsHeldTil: cmdNow.Add(20 * time.Minute),
	}
	id := env.dispatch(env.fake.SlashCommand(cmdStatus, nil, manager))
	env.check()
	got := text(env.response(id))
	for _, want := range []string{
		"Discord rejected the bot token in `STORY\\_TOKEN` 5m ago", "Channel <#123> paused** 1h ago: Missing Permissions (50013)",
		"give the bot Send Messages", "160 invalid requests", "Edits of posts older than an hour deferred",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
}
