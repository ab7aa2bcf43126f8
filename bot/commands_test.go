package bot

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/config"
	"storyline/feeds"
	"storyline/internal/discordfake"
	"storyline/store"
	"storyline/store/sqlite"
	"storyline/story"
)

// cmdNow is the fixed clock of the command tests.
var cmdNow = time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)

// cmdStarted is when the bot under test started.
var cmdStarted = cmdNow.Add(-3*time.Hour - 12*time.Minute)

// Members invoking the test interactions.
var (
	member  = discordfake.Member{Permissions: "0"}
	manager = discordfake.Member{Permissions: "32"} // MANAGE_GUILD
	admin   = discordfake.Member{Permissions: "8"}  // ADMINISTRATOR
)

// exampleDefinition is the story of ../config.example.toml.
func exampleDefinition(t testing.TB) story.Definition {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "config.example.toml"), func(string) string { return "" })
	if err != nil {
		t.Fatalf("load example config: %v", err)
	}
	return cfg.Definition()
}

// seedItem is an item the command tests store.
type seedItem struct {
	id, feed, title, text, link string
	age                         time.Duration
	// message is the Discord message the item's post was delivered as;
	// empty when not posted. joins is the item whose cluster it joins.
	message, joins string
}

// seedItems are the stored reports: posted, joined to a development, not
// posted, and one whose title tries markdown, mentions and a script link.
var seedItems = []seedItem{
	{id: "a", feed: "Wire", age: time.Hour, message: "1300000000000000001", link: "https://wire.example/a",
		title: "Witkoff flies to Moscow with the 28-point plan",
		text:  "Special envoy Steve Witkoff will meet Vladimir Putin to discuss the 28-point plan for Ukraine."},
	{id: "b", feed: "Daily", age: 50 * time.Minute, joins: "a", link: "https://daily.example/b",
		title: "Envoy Witkoff heads to the Kremlin",
		text:  "Witkoff is expected to present the 28-point peace plan to Putin."},
	{id: "c", feed: "Kyiv Post", age: 3 * time.Hour, message: "1300000000000000002", link: "https://kyiv.example/c",
		title: "Zelensky receives the 28-point plan from Driscoll in Kyiv",
		text:  "Volodymyr Zelensky met Army Secretary Dan Driscoll, who delivered the 28-point plan."},
	{id: "d", feed: "Wire", age: 2 * 24 * time.Hour, link: "https://wire.example/d",
		title: "Rubio leads talks in Geneva on the revised peace plan",
		text:  "Marco Rubio and Rustem Umerov met in Geneva to revise the 28-point plan."},
	{id: "e", feed: "Sport", age: 5 * time.Hour, link: "https://sport.example/e",
		title: "Local derby ends in a draw", text: "A football match with no story at all."},
	{id: "f", feed: "Rumours", age: 4 * time.Hour, message: "1300000000000000003", link: "javascript:alert(1)",
		title: "@everyone <@123> **Witkoff** [click](https://evil.example) plan",
		text:  "Witkoff and the 28-point plan, again. @here"},
}

// cmdEnv is a bot answering commands through the fake Discord's gateway,
// over a store seeded with seedItems.
type cmdEnv struct {
	t     *testing.T
	fake  *discordfake.Server
	store store.Store
	cmds  *Commands
	logs  *syncBuffer
}

// newCmdEnv starts the fake Discord, seeds a store with seedItems, and
// connects a discordgo session whose interactions cmds handles for the
// example story. wrap, when set, wraps the store the commands read.
func newCmdEnv(t *testing.T, wrap func(Queries) Queries) *cmdEnv {
	t.Helper()
	return newCmdEnvWith(t, cmdSetup{wrap: wrap})
}

// cmdSetup varies the bot under test; zero fields take the defaults.
type cmdSetup struct {
	// def is the story; the example config's when it has no actors.
	def story.Definition
	// seed fills the store; seedItems when nil.
	seed func(*testing.T, store.Store, story.Definition)
	// feeds are the configured feeds; Wire and Daily when nil.
	feeds []feeds.Source
	// wrap wraps the store the commands read.
	wrap func(Queries) Queries
	// instances lists the instances sharing the store; none when nil.
	instances func(context.Context) ([]store.Instance, error)
	// suggest answers /suggest; not available when nil.
	suggest func(context.Context) (story.Suggestions, error)
}

// newCmdEnvWith is newCmdEnv as setup says.
func newCmdEnvWith(t *testing.T, setup cmdSetup) *cmdEnv {
	t.Helper()
	def := setup.def
	if len(def.Actors) == 0 {
		def = exampleDefinition(t)
	}
	if setup.seed == nil {
		setup.seed = seed
	}
	if setup.feeds == nil {
		setup.feeds = []feeds.Source{{Name: "Wire", URL: "https://wire.example/feed"}, {Name: "Daily", URL: "https://daily.example/feed"}}
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), logger,
		sqlite.WithClock(func() time.Time { return cmdNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	setup.seed(t, st, def)
	var q Queries = st
	if setup.wrap != nil {
		q = setup.wrap(st)
	}
	cmds := NewCommands(q, def.Actors, logger, CommandOptions{
		StoryName: def.Name, Threshold: def.Threshold, Version: "v1.2.3", Started: cmdStarted,
		Feeds: setup.feeds, Now: func() time.Time { return cmdNow }, Instances: setup.instances,
		Suggest: setup.suggest, SuggestSince: 30 * 24 * time.Hour,
	})
	// Interactions are acknowledged long before Discord's three seconds;
	// the deadline is checked on a fake clock (TestSlowStoreAnswersInTime),
	// not here on a shared machine's wall clock.
	fake := discordfake.New(t, discordfake.Options{InteractionDeadline: 10 * time.Second})
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	s.AddHandler(cmds.Handle)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := fake.WaitConnected(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := cmds.Register(s, discordfake.DefaultApplicationID, discordfake.DefaultGuildID); err != nil {
		t.Fatalf("Register: %v", err)
	}
	return &cmdEnv{t: t, fake: fake, store: st, cmds: cmds, logs: logs}
}

// testCtx bounds a wait in a test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// seed stores seedItems, matched by def's matcher, posts the items with a
// message and records their delivery; feed states for /status.
func seed(t *testing.T, st store.Store, def story.Definition) {
	t.Helper()
	m, err := story.NewMatcher(def)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range seedItems {
		rec := store.Record{
			Item: feeds.Item{
				FeedName: it.feed, FeedURL: "https://" + strings.ToLower(it.feed) + ".example/feed", ID: it.id,
				GUID: it.id, Link: it.link, Title: it.title, Text: it.text, Published: cmdNow.Add(-it.age),
			},
			Match:  m.Match(it.title, it.text),
			SeenAt: cmdNow.Add(-it.age),
		}
		var posts []store.Post
		switch {
		case it.message != "":
			posts = []store.Post{{Kind: store.KindPost, ItemIDs: []string{it.id}, NewCluster: true}}
		case it.joins != "":
			lead, err := st.MessageItems(t.Context(), seedMessage(it.joins))
			if err != nil {
				t.Fatal(err)
			}
			posts = []store.Post{{Kind: store.KindEdit, ItemIDs: []string{it.id}, ClusterID: lead.Records[0].ClusterID}}
		}
		c, err := st.Commit(t.Context(), store.Batch{Records: []store.Record{rec}, Posts: posts})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range c.Queued {
			if err := st.MarkSent(t.Context(), id, discordfake.DefaultChannelID, cmp.Or(it.message, seedMessage(it.joins)), rec.SeenAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	failing := feeds.State{URL: "https://daily.example/feed", Failures: 3, ErrorClass: feeds.ClassHTTP5xx,
		LastError: "fetch: 503 Service Unavailable <@everyone>", FailingSince: cmdNow.Add(-2 * time.Hour),
		NextPoll: cmdNow.Add(10 * time.Minute)}
	healthy := feeds.State{URL: "https://wire.example/feed", LastSuccess: cmdNow.Add(-3 * time.Minute),
		NextPoll: cmdNow.Add(12 * time.Minute), Interval: 15 * time.Minute}
	for _, fs := range []feeds.State{failing, healthy} {
		if _, err := st.Commit(t.Context(), store.Batch{State: fs}); err != nil {
			t.Fatal(err)
		}
	}
}

// seedMessage is the message seed item id was posted as.
func seedMessage(id string) string {
	for _, it := range seedItems {
		if it.id == id {
			return it.message
		}
	}
	return ""
}

// dispatch sends interaction i through the gateway and waits until the bot
// has acknowledged it and, when the acknowledgement was a deferral, until
// it has edited (or deleted) the deferred response.
func (env *cmdEnv) dispatch(i map[string]any) string {
	env.t.Helper()
	id, _ := i["id"].(string)
	token, _ := i["token"].(string)
	if err := env.fake.DispatchInteraction(i); err != nil {
		env.t.Fatal(err)
	}
	err := env.fake.WaitFor(testCtx(env.t), func(s *discordfake.Server) bool {
		cbs := s.Callbacks(id)
		if len(cbs) == 0 || cbs[0].Status == 0 {
			return false
		}
		if callbackType(cbs[0]) != 5 {
			return true
		}
		return answered(s, discordfake.RouteEditOriginal, token) || answered(s, discordfake.RouteFollowup, token)
	})
	if err != nil {
		env.t.Fatalf("interaction %s not answered: %v", id, err)
	}
	return id
}

// answered reports whether a request to route for the interaction token
// was answered.
func answered(s *discordfake.Server, route, token string) bool {
	for _, r := range s.RequestsTo(route) {
		if r.Params["interaction_token"] == token && r.Status != 0 {
			return true
		}
	}
	return false
}

// callbackType is the type of a callback request.
func callbackType(r discordfake.Request) int {
	t, _ := r.Object()["type"].(float64)
	return int(t)
}

// check asserts that every request so far validated, sent no mention and
// succeeded.
func (env *cmdEnv) check() {
	env.t.Helper()
	for _, err := range env.fake.ValidationErrors() {
		env.t.Errorf("invalid request body: %v", err)
	}
	for _, r := range env.fake.Requests() {
		if r.Status >= 400 {
			env.t.Errorf("%s %s answered %d", r.Method, r.Path, r.Status)
		}
		if r.Route != discordfake.RouteCallback && r.Route != discordfake.RouteEditOriginal && r.Route != discordfake.RouteFollowup {
			continue
		}
		if callbackType(r) == 8 {
			continue // autocomplete results carry no message
		}
		am, ok := r.AllowedMentions()
		parse, isList := am["parse"].([]any)
		if !ok || !isList || len(parse) != 0 {
			env.t.Errorf("%s: allowed_mentions = %v, want {\"parse\": []}", r.Route, am)
		}
	}
}

// response returns the interaction's answer as the channel shows it: the
// original response, or the follow-up when the original was deleted.
func (env *cmdEnv) response(id string) discordfake.Message {
	env.t.Helper()
	msgs := env.fake.Responses(id)
	if len(msgs) != 1 {
		env.t.Fatalf("interaction %s has %d responses, want 1: %+v", id, len(msgs), msgs)
	}
	return msgs[0]
}

// text is everything a message shows as text.
func text(m discordfake.Message) string {
	parts := []string{m.Content}
	for _, e := range m.Embeds {
		parts = append(parts, e.Title, e.Description)
		for _, f := range e.Fields {
			parts = append(parts, f.Name, f.Value)
		}
		if e.Footer != nil {
			parts = append(parts, e.Footer.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func TestRegisterDefinitions(t *testing.T) {
	env := newCmdEnv(t, nil)
	env.check()
	cmds := env.fake.Commands(discordfake.DefaultGuildID)
	var names []string
	for _, c := range cmds {
		obj, _ := c.(map[string]any)
		name, _ := obj["name"].(string)
		names = append(names, name)
		switch name {
		case cmdStatus, cmdSuggest:
			if obj["default_member_permissions"] != "32" {
				t.Errorf("/%s default_member_permissions = %v, want \"32\"", name, obj["default_member_permissions"])
			}
		case cmdWhyPost:
			if obj["type"] != 3.0 {
				t.Errorf("%q type = %v, want 3 (message)", name, obj["type"])
			}
		case cmdActor:
			opts, _ := obj["options"].([]any)
			opt, _ := opts[0].(map[string]any)
			if opt["autocomplete"] != true || opt["required"] != true {
				t.Errorf("/actor name option = %v, want required and autocomplete", opt)
			}
		}
	}
	want := []string{cmdActor, cmdActors, cmdLatest, cmdSearch, cmdStatus, cmdSuggest, cmdWhyPost}
	if !slices.Equal(names, want) {
		t.Errorf("registered %v, want %v", names, want)
	}
}

func TestAutocomplete(t *testing.T) {
	env := newCmdEnv(t, nil)
	tests := []struct{ typed, want string }{
		{"wit", "Steve Witkoff"},
		{"зел", "Volodymyr Zelensky"},
		{"Zelenskyy", "Volodymyr Zelensky"},
		{"zelenskyy", "Volodymyr Zelensky"},
		{"vitkov", "Steve Witkoff"},
		{"путин", "Vladimir Putin"},
		{"ZELÉNSKY", "Volodymyr Zelensky"},
		{"witkof", "Steve Witkoff"},
		{"Wtikoff", "Steve Witkoff"}, // nothing matches: the closest names
		{"", "Steve Witkoff"},        // nothing typed: busiest first
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			id := env.dispatch(env.fake.Autocomplete(cmdActor, map[string]any{"name": tc.typed}, "name", member))
			cb := env.fake.Callbacks(id)[0]
			data, _ := cb.Object()["data"].(map[string]any)
			choices, _ := data["choices"].([]any)
			if callbackType(cb) != 8 || len(choices) == 0 || len(choices) > 25 {
				t.Fatalf("callback %v", cb.Object())
			}
			first, _ := choices[0].(map[string]any)
			if first["value"] != tc.want {
				t.Errorf("first choice for %q = %v, want %s (all: %v)", tc.typed, first, tc.want, choices)
			}
			for _, c := range choices {
				ch, _ := c.(map[string]any)
				name, _ := ch["name"].(string)
				if n := len([]rune(name)); n == 0 || n > 100 {
					t.Errorf("choice name %q has %d characters", name, n)
				}
			}
		})
	}
	env.check()
}

func TestActorCard(t *testing.T) {
	env := newCmdEnv(t, nil)
	id := env.dispatch(env.fake.SlashCommand(cmdActor, map[string]any{"name": "Steve Witkoff"}, member))
	env.check()
	if cb := env.fake.Callbacks(id)[0]; callbackType(cb) != 5 {
		t.Errorf("callback type %d, want 5 (deferred)", callbackType(cb))
	}
	msg := env.response(id)
	got := text(msg)
	for _, want := range []string{
		"Steve Witkoff", "US Special Envoy for Peace Missions", "Witkoff flies to Moscow with the 28\\-point plan",
		"Envoy Witkoff heads to the Kremlin", "[Witkoff flies to Moscow with the 28\\-point plan](https://wire.example/a)",
		"**3** in 24 h", "Vladimir Putin", "Стив Уиткофф", "1h ago",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("answer lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "javascript:") || strings.Contains(got, "@everyone") || strings.Contains(got, "<@123>") {
		t.Errorf("answer carries hostile text unescaped:\n%s", got)
	}
	if len(msg.Embeds) != 1 || msg.Embeds[0].Image == nil || msg.Embeds[0].Image.URL != "attachment://mentions.png" {
		t.Fatalf("embed image: %+v", msg.Embeds)
	}
	if len(msg.Files) != 1 || msg.Files[0].Name != "mentions.png" {
		t.Fatalf("files: %+v", msg.Files)
	}
	img, err := png.Decode(bytes.NewReader(msg.Files[0].Data))
	if err != nil {
		t.Fatalf("attachment is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 300 {
		t.Errorf("chart is %v, want 800×300", b)
	}
}

func TestActorUnknownSuggests(t *testing.T) {
	env := newCmdEnv(t, nil)
	tests := []struct{ name, want string }{
		{"Stev Witkof**", "I don't follow anyone called “Stev Witkof\\*\\*”. Did you mean **Steve Witkoff**? `/actors` lists everyone."},
		{"Zelenskyyy", "Did you mean **Volodymyr Zelensky**?"},
		{"Nobody Atall", "I don't follow anyone called “Nobody Atall”. `/actors` lists everyone."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := env.dispatch(env.fake.SlashCommand(cmdActor, map[string]any{"name": tc.name}, member))
			msg := env.response(id)
			if msg.Flags&64 == 0 || !strings.Contains(msg.Content, tc.want) {
				t.Errorf("answer %q (flags %d), want it private with %q", msg.Content, msg.Flags, tc.want)
			}
		})
	}
	env.check()
}

func TestActorsRanking(t *testing.T) {
	env := newCmdEnv(t, nil)
	id := env.dispatch(env.fake.SlashCommand(cmdActors, nil, member))
	env.check()
	got := text(env.response(id))
	witkoff, putin := strings.Index(got, "1. **Steve Witkoff** — 3 (new)"), strings.Index(got, "2. **Vladimir Putin** — 2 (new)")
	if witkoff < 0 || putin < witkoff {
		t.Errorf("Witkoff should lead with 3 new mentions, then Putin with 2:\n%s", got)
	}
	if !strings.Contains(got, "Not named in 14 days") || !strings.Contains(got, "Keir Starmer") {
		t.Errorf("quiet actors missing:\n%s", got)
	}
}

func TestLatest(t *testing.T) {
	env := newCmdEnv(t, nil)
	guild, channel := discordfake.DefaultGuildID, discordfake.DefaultChannelID
	tests := []struct {
		count         int
		want, notWant []string
	}{
		{2, []string{
			"[Witkoff flies to Moscow with the 28\\-point plan](https://wire.example/a)",
			"Wire · posted 1h ago · 2 outlets",
			"[open post](https://discord.com/channels/" + guild + "/" + channel + "/1300000000000000001)",
			"[Zelensky receives the 28\\-point plan from Driscoll in Kyiv](https://kyiv.example/c)",
		}, []string{"Witkoff\\*\\*"}},
		{10, []string{"＠everyone \\<＠123\\> \\*\\*Witkoff\\*\\* \\[click\\]\\(https://evil.example\\) plan"},
			[]string{"javascript", "Local derby", "Envoy Witkoff heads"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.count), func(t *testing.T) {
			id := env.dispatch(env.fake.SlashCommand(cmdLatest, map[string]any{"count": tc.count}, member))
			got := text(env.response(id))
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("answer lacks %q:\n%s", want, got)
				}
			}
			for _, not := range tc.notWant {
				if strings.Contains(got, not) {
					t.Errorf("answer has %q:\n%s", not, got)
				}
			}
		})
	}
	env.check()
}

func TestSearch(t *testing.T) {
	env := newCmdEnv(t, nil)
	tests := []struct {
		query     string
		want      []string
		ephemeral bool
	}{
		{"kremlin", []string{"Envoy Witkoff heads to the **Kremlin**", "[Envoy Witkoff heads to the Kremlin](https://daily.example/b)"}, false},
		{"derby", []string{"Local derby ends in a draw"}, false},
		{"AND OR (", []string{"No stored report matches."}, false},
		{`"28-point plan" geneva`, []string{"[Rubio leads talks in Geneva on the revised peace plan](https://wire.example/d)", "**Geneva**"}, false},
		{"   ", []string{"Type some words"}, true},
		{strings.Repeat("plan ", 13), []string{"search for at most 12"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			id := env.dispatch(env.fake.SlashCommand(cmdSearch, map[string]any{"query": tc.query}, member))
			msg := env.response(id)
			got := text(msg)
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("answer lacks %q:\n%s", want, got)
				}
			}
			if (msg.Flags&64 != 0) != tc.ephemeral {
				t.Errorf("flags %d, ephemeral want %v", msg.Flags, tc.ephemeral)
			}
		})
	}
	env.check()
}

// moreQueries is a store whose searches say older reports match too.
type moreQueries struct{ Queries }

func (m moreQueries) Search(ctx context.Context, query string, limit int) (store.SearchResult, error) {
	res, err := m.Queries.Search(ctx, query, limit)
	res.More = true
	return res, err
}

func TestSearchSaysWhenOlderReportsMatch(t *testing.T) {
	for _, more := range []bool{false, true} {
		t.Run(fmt.Sprint("more=", more), func(t *testing.T) {
			var wrap func(Queries) Queries
			if more {
				wrap = func(q Queries) Queries { return moreQueries{q} }
			}
			env := newCmdEnv(t, wrap)
			got := text(env.response(env.dispatch(env.fake.SlashCommand(cmdSearch, map[string]any{"query": "kremlin"}, member))))
			if !strings.Contains(got, "Envoy Witkoff heads to the **Kremlin**") {
				t.Errorf("answer lacks the hit:\n%s", got)
			}
			hint := fmt.Sprintf("Older reports match too: these are the best of the latest %d.", store.SearchRanked)
			if strings.Contains(got, hint) != more {
				t.Errorf("hint shown = %v, want %v:\n%s", !more, more, got)
			}
			env.check()
		})
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.00 KiB", 1536: "1.50 KiB", 12_900_000: "12.3 MiB",
		1_074_843_648: "1.00 GiB", 300 << 30: "300 GiB", 5 << 50: "5.00 PiB",
	} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStatusNeedsManageServer(t *testing.T) {
	env := newCmdEnv(t, nil)
	tests := []struct {
		name    string
		m       discordfake.Member
		want    []string
		refused bool
	}{
		{"member", member, []string{refusedText}, true},
		{"manager", manager, []string{
			"Version **v1.2.3**", "Up **3h 12m**", "Last post: 25 Nov 2025 11:10 UTC (50m ago)",
			"Feeds: 1 ok, 1 failing", "**Daily** — `http_5xx` since 2h ago, 3 tries, next try in 10m",
			"503 Service Unavailable \\<＠everyone\\>", "**Wire** — ok, fetched 3m ago, every 15m, next in 12m", "0 pending · 0 failed",
			"Store: ", " KiB",
		}, false},
		{"administrator", admin, []string{"Feeds: 1 ok, 1 failing"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := env.dispatch(env.fake.SlashCommand(cmdStatus, nil, tc.m))
			msg := env.response(id)
			got := text(msg)
			if msg.Flags&64 == 0 {
				t.Errorf("status answer is not ephemeral: flags %d", msg.Flags)
			}
			if refused := len(msg.Embeds) == 0; refused != tc.refused {
				t.Errorf("refused = %v, want %v:\n%s", refused, tc.refused, got)
			}
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("answer lacks %q:\n%s", want, got)
				}
			}
		})
	}
	env.check()
}

// TestStatusListsInstances shows the instances sharing the store, the
// leader and each one's last heartbeat.
func TestStatusListsInstances(t *testing.T) {
	env := newCmdEnvWith(t, cmdSetup{instances: func(context.Context) ([]store.Instance, error) {
		return []store.Instance{
			{ID: "a-1-x", Host: "bot-a", PID: 41, Version: "v1.2.3", Started: cmdNow.Add(-2 * time.Hour), Heartbeat: cmdNow.Add(-3 * time.Second), Leader: true},
			{ID: "b-2-y", Host: "bot_b", PID: 42, Version: "v1.2.3", Started: cmdNow.Add(-5 * time.Minute), Heartbeat: cmdNow.Add(-40 * time.Minute)},
		}, nil
	}})
	got := text(env.response(env.dispatch(env.fake.SlashCommand(cmdStatus, nil, manager))))
	for _, want := range []string{
		"Instances (2)",
		"bot\\-a pid 41 — **leader**: posts and answers commands · heartbeat 3s ago · v1.2.3 · up 2h 0m",
		"bot\\_b pid 42 — polls feeds · heartbeat 40m ago · v1.2.3 · up 5m",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("answer lacks %q:\n%s", want, got)
		}
	}
	env.check()
}

func TestWhyPosted(t *testing.T) {
	env := newCmdEnv(t, nil)
	tests := []struct {
		name, message string
		want          []string
	}{
		{"a post joined by a second report", "1300000000000000001", []string{
			"Witkoff flies to Moscow with the 28-point plan", "Envoy Witkoff heads to the Kremlin",
			"Phrases: 28\\-point plan", "Actors: Steve Witkoff · Vladimir Putin",
			"title: **Witkoff** flies to Moscow", "with the **28\\-point plan**",
			"From [Wire](https://wire.example/a) · published 1h ago", "Reported by", "Wire · Daily",
		}},
		{"not one of ours", "1300000000000000099", []string{notOursText}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := env.dispatch(env.fake.MessageCommand(cmdWhyPost,
				discordfake.Message{ID: tc.message, ChannelID: discordfake.DefaultChannelID}, member))
			msg := env.response(id)
			got := text(msg)
			if msg.Flags&64 == 0 {
				t.Errorf("answer is not ephemeral: flags %d", msg.Flags)
			}
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("answer lacks %q:\n%s", want, got)
				}
			}
		})
	}
	env.check()
}

// failingQueries is a store whose lookups fail or panic.
type failingQueries struct {
	Queries
	panics bool
}

var errStoreDown = errors.New("store down")

func (f failingQueries) ActorReport(context.Context, store.ActorQuery) (store.ActorReport, error) {
	if f.panics {
		panic("boom")
	}
	return store.ActorReport{}, errStoreDown
}

func (f failingQueries) LatestPosted(context.Context, int) ([]store.PostedMessage, error) {
	if f.panics {
		panic("boom")
	}
	return nil, errStoreDown
}

func (f failingQueries) ActorTrends(context.Context, []string, time.Time, time.Duration) ([]store.ActorTrend, error) {
	return nil, errStoreDown
}

func (f failingQueries) MessageItems(context.Context, string) (store.Posting, error) {
	if f.panics {
		panic("boom")
	}
	return store.Posting{}, errStoreDown
}

// TestFailuresReplaceTheDeferredAnswer: every command that reads the store
// defers first, so a failure is reported by editing the deferred original
// with the apology (its visibility set by the deferral), never by deleting
// it and sending a follow-up, which Discord would turn into that edit
// anyway, ephemeral flag ignored.
func TestFailuresReplaceTheDeferredAnswer(t *testing.T) {
	target := discordfake.Message{ID: "1100000000000000077", ChannelID: discordfake.DefaultChannelID, Content: "hello"}
	tests := []struct {
		name    string
		panics  bool
		command func(*discordfake.Server) map[string]any
		private bool
	}{
		{"error", false, func(f *discordfake.Server) map[string]any { return f.SlashCommand(cmdLatest, nil, member) }, false},
		{"panic", true, func(f *discordfake.Server) map[string]any { return f.SlashCommand(cmdLatest, nil, member) }, false},
		{"error in /actor", false, func(f *discordfake.Server) map[string]any {
			return f.SlashCommand(cmdActor, map[string]any{"name": "Witkoff"}, member)
		}, false},
		{"panic in a private answer", true, func(f *discordfake.Server) map[string]any {
			return f.MessageCommand(cmdWhyPost, target, member)
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newCmdEnv(t, func(q Queries) Queries { return failingQueries{Queries: q, panics: tc.panics} })
			id := env.dispatch(tc.command(env.fake))
			env.check()
			msg := env.response(id)
			if msg.Content != failedText || (msg.Flags&64 != 0) != tc.private {
				t.Errorf("answer %+v, want the apology in place of the answer (private %v)", msg, tc.private)
			}
			if n := len(env.fake.RequestsTo(discordfake.RouteDeleteOriginal)) + len(env.fake.RequestsTo(discordfake.RouteFollowup)); n != 0 {
				t.Errorf("%d deletes or follow-ups, want the deferred original edited", n)
			}
			logs := env.logs.String()
			want := errStoreDown.Error()
			if tc.panics {
				want = "panic: boom"
			}
			if !strings.Contains(logs, "command failed") || !strings.Contains(logs, want) {
				t.Errorf("logs lack the failure %q:\n%s", want, logs)
			}
		})
	}
}

func TestAutocompleteWithoutCounts(t *testing.T) {
	env := newCmdEnv(t, func(q Queries) Queries { return failingQueries{Queries: q} })
	id := env.dispatch(env.fake.Autocomplete(cmdActor, map[string]any{"name": "wit"}, "name", member))
	env.check()
	data, _ := env.fake.Callbacks(id)[0].Object()["data"].(map[string]any)
	choices, _ := data["choices"].([]any)
	if len(choices) == 0 {
		t.Fatalf("no choices: %v", data)
	}
	if first, _ := choices[0].(map[string]any); first["name"] != "Steve Witkoff (Witkoff)" || first["value"] != "Steve Witkoff" {
		t.Errorf("first choice %v, want Steve Witkoff found as Witkoff", first)
	}
}

// repeatTo is s repeated to n bytes at least.
func repeatTo(s string, n int) string {
	return strings.Repeat(s, n/len(s)+1)
}

func TestHugeAnswersStayValid(t *testing.T) {
	long := func(s string) string { return repeatTo(s+" ", 3000) }
	var aliases []string
	for i := range 200 {
		aliases = append(aliases, fmt.Sprintf("Alias number %d of a person with a very long list of names", i))
	}
	def := story.Definition{
		Name: long("A story"), Threshold: 1,
		Phrases: []story.Term{{Text: "plan", Weight: 2}},
		Actors: []story.Actor{
			{Name: "Person One", Role: long("role"), Description: long("description *with* markdown"), Aliases: append([]string{"Person One"}, aliases...)},
			{Name: "Person Two", Aliases: []string{"Two"}},
		},
	}
	var sources []feeds.Source
	for i := range 60 {
		sources = append(sources, feeds.Source{Name: fmt.Sprintf("%s %d", repeatTo("Feed name ", 150), i), URL: fmt.Sprintf("https://f%d.example/feed", i)})
	}
	setup := cmdSetup{def: def, feeds: sources, seed: func(t *testing.T, st store.Store, def story.Definition) {
		m, err := story.NewMatcher(def)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			id := fmt.Sprint("big", i)
			title := long("Person One plan Person Two **[x](y)** @everyone")
			text := long("Person One and Person Two discuss the plan <@1> ||spoiler||")
			rec := store.Record{
				Item: feeds.Item{FeedName: repeatTo("Outlet ", 300) + id, FeedURL: sources[i].URL, ID: id, GUID: id,
					Link: "https://example.com/" + repeatTo("a", 2000) + id, Title: title, Text: text, Published: cmdNow.Add(-time.Duration(i) * time.Hour)},
				Match:  m.Match(title, text),
				SeenAt: cmdNow.Add(-time.Duration(i) * time.Hour),
			}
			c, err := st.Commit(t.Context(), store.Batch{Records: []store.Record{rec},
				Posts: []store.Post{{Kind: store.KindPost, ItemIDs: []string{id}, NewCluster: true}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.MarkSent(t.Context(), c.Queued[0], "1100000000000000003", fmt.Sprint(1400000000000000000+i), cmdNow); err != nil {
				t.Fatal(err)
			}
		}
		for i, src := range sources {
			state := feeds.State{URL: src.URL, Failures: i % 2, ErrorClass: feeds.ClassTimeout,
				LastError: long("timeout <@&1>"), FailingSince: cmdNow.Add(-time.Hour), NextPoll: cmdNow.Add(time.Minute)}
			if _, err := st.Commit(t.Context(), store.Batch{State: state}); err != nil {
				t.Fatal(err)
			}
		}
	}}
	env := newCmdEnvWith(t, setup)
	for _, i := range []map[string]any{
		env.fake.SlashCommand(cmdActor, map[string]any{"name": "Person One"}, member),
		env.fake.SlashCommand(cmdActors, nil, member),
		env.fake.SlashCommand(cmdLatest, map[string]any{"count": 10}, member),
		env.fake.SlashCommand(cmdSearch, map[string]any{"query": "plan"}, member),
		env.fake.SlashCommand(cmdSearch, map[string]any{"query": repeatTo("plan ", 190)}, member),
		env.fake.SlashCommand(cmdStatus, nil, manager),
		env.fake.MessageCommand(cmdWhyPost, discordfake.Message{ID: "1400000000000000000", ChannelID: discordfake.DefaultChannelID}, member),
		env.fake.Autocomplete(cmdActor, map[string]any{"name": "alias"}, "name", member),
		env.fake.Autocomplete(cmdActor, map[string]any{"name": "person"}, "name", member),
	} {
		id := env.dispatch(i)
		if msgs := env.fake.Responses(id); len(msgs) == 1 && msgs[0].Content == failedText {
			t.Errorf("%v failed: %s", i["data"], env.logs.String())
		}
	}
	env.check()
}
