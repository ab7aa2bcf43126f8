package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/bot"
	"storyline/config"
	"storyline/feeds"
	"storyline/fleet"
	"storyline/ingest"
	"storyline/store"
	"storyline/story"
)

// Delivery settings of `run`.
const (
	// postBackoff and postMaxBackoff space the retries of a post that
	// failed with a 5xx, a timeout or a network error.
	postBackoff    = 500 * time.Millisecond
	postMaxBackoff = 2 * time.Minute
	// gatewayCloseWait bounds how long shutdown waits for the gateway: an
	// open in progress cannot be interrupted.
	gatewayCloseWait = 3 * time.Second
)

// runBot runs the bot: it polls the feeds, stores and queues what is new,
// posts the queue to Discord and keeps the gateway open, until ctx ends.
func runBot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "[-config FILE] [-log-format text|json] [-log-level LEVEL]",
		"Run the bot: poll the feeds, store and post to Discord, answer slash commands, until\n"+
			"stopped (Ctrl-C or SIGTERM). The bot token is read from the variable named by\n"+
			"[discord] token_env (default DISCORD_TOKEN).")
	cfgPath := fs.String("config", "config.toml", "config `file`")
	logFormat := fs.String("log-format", "text", "log `format`: text or json")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, getenv)
	if err != nil {
		return err
	}
	if cfg.Discord.ChannelID == "" {
		return fmt.Errorf("run: discord.channel_id is not set in %s; set it to the channel to post in", cfg.Path)
	}
	token, err := cfg.Token(getenv)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	session, err := bot.NewSession(token, cfg.Discord.APIURL, logger)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	client := bot.NewClient(session, bot.LimitOptions{})
	if err := checkToken(ctx, client, cfg, logger); err != nil {
		return err
	}
	checkChannel(ctx, client, cfg, logger)
	st, err := openStore(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, cfg, st, session, client, logger)
}

// checkToken asks Discord who the bot is. A rejected token stops the bot
// with an error naming the variable that holds it; Discord being
// unreachable does not (the outbox waits for it).
func checkToken(ctx context.Context, client *bot.Client, cfg *config.Config, logger *slog.Logger) error {
	user, err := client.CheckToken(ctx)
	switch {
	case errors.Is(err, bot.ErrTokenRejected):
		return fmt.Errorf("run: %w", rejectedToken(cfg))
	case err != nil:
		logger.Warn("discord unreachable at start", "error", err)
	default:
		logger.Info("discord token accepted", "bot", user.Username, "bot_id", user.ID)
	}
	return nil
}

// checkChannel checks, as check -online does, that the channel exists and
// takes posts and that the bot has every permission it needs there. A
// problem is logged as an error, once, in words a server admin can act
// on; the bot runs on (its posts wait, and /status shows why, until the
// admin fixes it).
func checkChannel(ctx context.Context, client *bot.Client, cfg *config.Config, logger *slog.Logger) {
	check, err := client.CheckChannel(ctx, cfg.Discord.ChannelID, bot.Features{Threads: cfg.Discord.Threads})
	if err != nil {
		logger.Warn("channel not checked at start", "channel", cfg.Discord.ChannelID, "error", err)
		return
	}
	for _, p := range check.Problems {
		logger.Error("discord channel problem", "channel", cfg.Discord.ChannelID, "problem", p)
	}
	if len(check.Problems) == 0 {
		logger.Info("discord channel ok", "channel", cfg.Discord.ChannelID, "name", check.Access.Name, "type", bot.TypeName(check.Access.Type))
	}
}

// serve wires the scheduler, the ingest pipeline, the poster, the retention
// of rejected reports and the gateway, and runs them until ctx ends. Every
// instance polls feeds (with a shared store, each feed is leased to one at a
// time); only the leader posts, sends the daily digest, drops old rejected
// reports and holds the gateway, which answers the commands. Shutdown lets
// the polls and the request in flight finish, so nothing fetched or sent is
// lost.
func serve(ctx context.Context, cfg *config.Config, st store.Store, session *discordgo.Session, client *bot.Client, logger *slog.Logger) error {
	matcher, err := newMatcher(cfg)
	if err != nil {
		return err
	}
	states, err := st.FeedStates(ctx)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	member := newMember(st, cfg, logger)
	wake := make(chan struct{}, 1)
	pipe := ingest.New(st, matcher, logger, ingestOptions(cfg, wake, st))
	schedOpts := schedulerOptions(cfg)
	if member.Shared() {
		schedOpts.Lease = member
	}
	sched := feeds.NewScheduler(newFetcher(cfg), sources(cfg), states, pipe, logger, schedOpts)
	zone, err := time.LoadLocation(cfg.Digest.Timezone)
	if err != nil {
		return fmt.Errorf("run: digest.timezone: %w", err)
	}
	poster := bot.NewPoster(st, client, logger, posterOptions(cfg, zone, wake))
	daily, err := bot.NewDailyScheduler(st, logger, dailyOptions(cfg, zone, wake))
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	retention := store.NewRetention(st, logger, store.RetentionOptions{Keep: cfg.Store.KeepUnrelated.Duration})
	addCommands(session, st, poster, cfg, logger, member, matcher)
	lead := func(ctx context.Context) {
		gateway := make(chan struct{})
		go func() {
			defer close(gateway)
			bot.RunGateway(ctx, session, logger, bot.GatewayOptions{})
		}()
		var wg sync.WaitGroup
		wg.Go(func() { _ = poster.Run(ctx) })
		wg.Go(func() { _ = daily.Run(ctx) })
		wg.Go(func() { _ = retention.Run(ctx) })
		wg.Wait()
		select {
		case <-gateway:
		case <-time.After(gatewayCloseWait):
			logger.Warn("gateway still opening at shutdown")
		}
	}
	logger.Info("storyline running", "story", cfg.Story.Name, "feeds", len(cfg.Feeds), "channel", cfg.Discord.ChannelID,
		"shared_store", member.Shared())
	var wg sync.WaitGroup
	wg.Go(func() { _ = sched.Run(ctx) })
	wg.Go(func() { _ = member.Run(ctx, lead) })
	wg.Wait()
	logger.Info("storyline stopped")
	return nil
}

// newMember makes this process a member of the fleet sharing st: alone
// with SQLite, one of several with a store that implements store.Fleet. A
// feed's lease outlasts its fetch.
func newMember(st store.Store, cfg *config.Config, logger *slog.Logger) *fleet.Member {
	f, _ := st.(store.Fleet)
	return fleet.New(f, fleet.Self(programVersion(), time.Now()), logger, fleet.Options{
		FeedLease: 2*cfg.Fetch.Timeout.Duration + time.Minute,
	})
}

// addCommands answers the slash commands from the store (and /status from
// the poster too) and registers them on READY, in [discord] guild_id when
// it is set; /suggest judges the stored reports with matcher.
func addCommands(session *discordgo.Session, st store.Store, poster *bot.Poster, cfg *config.Config, logger *slog.Logger, member *fleet.Member, matcher *story.Matcher) {
	scope := botSuggestScope()
	opts := bot.CommandOptions{
		StoryName: cfg.Story.Name,
		Threshold: cfg.Story.Threshold,
		Version:   programVersion(),
		Started:   time.Now(),
		Feeds:     sources(cfg),
		Delivery:  poster,
		Suggest: func(ctx context.Context) (story.Suggestions, error) {
			return suggestions(ctx, st, matcher, time.Now(), scope)
		},
		SuggestSince: scope.Since,
	}
	if member.Shared() {
		opts.Instances = member.Instances
	}
	cmds := bot.NewCommands(st, cfg.Definition().Actors, logger, opts)
	cmds.Attach(session, cfg.Discord.ApplicationID, cfg.Discord.GuildID)
}

// ingestOptions maps the backlog and per-cycle limits to the pipeline's
// options; a commit that queued posts wakes the poster. A store that other
// instances share serialises their clustering.
func ingestOptions(cfg *config.Config, wake chan<- struct{}, st store.Store) ingest.Options {
	var shared ingest.SharedStore
	if f, ok := st.(store.Fleet); ok {
		shared = f
	}
	return ingest.Options{
		Shared:        shared,
		BacklogWindow: cfg.Backlog.Window.Duration,
		BacklogMax:    cfg.Backlog.MaxPosts,
		MaxPerCycle:   cfg.Discord.MaxPostsPerCycle,
		Cluster:       clusterOptions(cfg),
		Threads:       cfg.Discord.Threads,
		MaxItems:      cfg.Fetch.MaxItems,
		KeepUnrelated: cfg.Store.KeepUnrelated.Duration,
		Notify:        func() { nudge(wake) },
	}
}

// clusterOptions maps the [cluster] settings to the clusterer's options.
func clusterOptions(cfg *config.Config) story.ClusterOptions {
	o := story.DefaultClusterOptions()
	o.Window = cfg.Cluster.Window.Duration
	o.Threshold = cfg.Cluster.Similarity
	o.MinSharedActors = cfg.Cluster.MinSharedActors
	return o
}

// posterOptions maps the [discord] settings to the poster's options;
// daily digests show their period in zone.
func posterOptions(cfg *config.Config, zone *time.Location, wake <-chan struct{}) bot.PosterOptions {
	return bot.PosterOptions{
		ChannelID:    cfg.Discord.ChannelID,
		Threads:      cfg.Discord.Threads,
		StoryName:    cfg.Story.Name,
		DigestZone:   zone,
		BaseBackoff:  postBackoff,
		MaxBackoff:   postMaxBackoff,
		Wake:         wake,
		TokenEnv:     cfg.Discord.TokenVariable(),
		EditSpacing:  cfg.Discord.EditSpacing.Duration,
		RetryCommand: "storyline outbox retry -config " + cfg.Path,
	}
}

// dailyOptions maps the [digest] settings, with digest.timezone loaded as
// zone, to the daily digest scheduler's options; a queued digest wakes the
// poster.
func dailyOptions(cfg *config.Config, zone *time.Location, wake chan<- struct{}) bot.DailyOptions {
	return bot.DailyOptions{
		At:     cfg.Digest.Time,
		Zone:   zone,
		Notify: func() { nudge(wake) },
	}
}

// nudge wakes whoever waits on ch, without blocking when a wake is
// already pending.
func nudge(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// newLogger returns a logger writing text or JSON at level to w.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: -log-level %q: want debug, info, warn or error", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: -log-format %q: want text or json", errUsage, format)
}
