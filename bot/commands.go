package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"storyline/feeds"
	"storyline/store"
	"storyline/story"
)

// Queries is what the slash commands read from the store.
type Queries interface {
	ActorReport(ctx context.Context, q store.ActorQuery) (store.ActorReport, error)
	ActorTrends(ctx context.Context, actors []string, now time.Time, window time.Duration) ([]store.ActorTrend, error)
	LatestPosted(ctx context.Context, limit int) ([]store.PostedMessage, error)
	Search(ctx context.Context, query string, limit int) (store.SearchResult, error)
	MessageItems(ctx context.Context, messageID string) (store.Posting, error)
	FeedStates(ctx context.Context) (map[string]feeds.State, error)
	OutboxStats(ctx context.Context) (store.OutboxStats, error)
	Size(ctx context.Context) (store.Size, error)
}

// DeliveryReporter tells /status how delivery goes; *Poster is one.
type DeliveryReporter interface {
	Status() DeliveryStatus
}

// CommandOptions describes the running bot to the commands.
type CommandOptions struct {
	// StoryName is shown in footers.
	StoryName string
	// Threshold is the story's relevance threshold, shown next to scores.
	Threshold float64
	// Version and Started are shown by /status.
	Version string
	Started time.Time
	// Feeds are the configured feeds, listed by /status with their state.
	Feeds []feeds.Source
	// Instances, when set, lists the instances of the bot sharing the
	// store, shown by /status with the leader and their last heartbeats.
	Instances func(context.Context) ([]store.Instance, error)
	// Delivery, when set, reports the poster's state to /status: a
	// rejected token, paused channels, deferred edits, the invalid-request
	// budget.
	Delivery DeliveryReporter
	// Suggest returns the candidate additions to the story's definition
	// that /suggest shows, drawn from the reports of the last
	// SuggestSince; /suggest says it is not available when nil.
	Suggest      func(ctx context.Context) (story.Suggestions, error)
	SuggestSince time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// The names of the commands.
const (
	cmdActor   = "actor"
	cmdActors  = "actors"
	cmdLatest  = "latest"
	cmdSearch  = "search"
	cmdStatus  = "status"
	cmdSuggest = "suggest"
	cmdWhyPost = "Why was this posted?"
)

// Command timing. Discord drops an interaction not acknowledged within
// three seconds; a deferred one may be answered for 15 minutes. So every
// command that reads the store defers first, and autocomplete, which
// cannot defer, gives the store at most a second.
const (
	// suggestTimeout bounds the store work of an autocomplete answer.
	suggestTimeout = time.Second
	// deferredTimeout bounds the work of a deferred answer.
	deferredTimeout = 30 * time.Second
	// restTimeout bounds one request to Discord.
	restTimeout = 10 * time.Second
)

// Texts of the answers that are not about the story.
const (
	failedText  = "Something went wrong while answering. It has been logged; please try again in a moment."
	unknownText = "I don't know that command. It may have been removed; try again after Discord refreshes the command list."
)

// commandColor is the colour of command answers.
const commandColor = 0x5865f2

// noMentions is the allowed_mentions of every answer: it parses nothing,
// so no answer can ever ping anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// Commands answers the slash commands and the "Why was this posted?"
// message command. It is safe for concurrent use: discordgo runs each
// interaction's handler in its own goroutine.
type Commands struct {
	q      Queries
	index  *actorIndex
	logger *slog.Logger
	opts   CommandOptions
}

// NewCommands returns the commands over the store q for the story's actors.
func NewCommands(q Queries, actors []story.Actor, logger *slog.Logger, opts CommandOptions) *Commands {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Commands{q: q, index: newActorIndex(actors), logger: logger, opts: opts}
}

// Definitions returns the commands to register: /actor, /actors, /latest,
// /search, /status and /suggest (shown to members with Manage Server only) and the
// "Why was this posted?" message command. All work in guilds only.
func (c *Commands) Definitions() []*discordgo.ApplicationCommand {
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	manageServer := int64(discordgo.PermissionManageGuild)
	one := 1.0
	return []*discordgo.ApplicationCommand{
		{
			Name: cmdActor, Description: "Look up a person the story follows: mentions, trend, latest reports",
			Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "name", Required: true, Autocomplete: true,
				Description: "Any spelling of their name, in any script", MaxLength: maxChoiceName,
			}},
		},
		{
			Name: cmdActors, Description: "Everyone the story follows, ranked by mentions in the last 7 days",
			Contexts: guildOnly,
		},
		{
			Name: cmdLatest, Description: "The latest developments posted", Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionInteger, Name: "count",
				Description: fmt.Sprintf("How many (1 to %d, default %d)", maxLatest, defaultLatest),
				MinValue:    &one, MaxValue: maxLatest,
			}},
		},
		{
			Name: cmdSearch, Description: "Search every stored report, relevant or not", Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "query", Required: true,
				Description: `Words to find, "an exact phrase", or word OR word`, MaxLength: maxQuery,
			}},
		},
		{
			Name: cmdStatus, Description: "Feeds, outbox, last post and uptime of the bot",
			Contexts: guildOnly, DefaultMemberPermissions: &manageServer,
		},
		{
			Name: cmdSuggest, Description: "Names, phrases and ambiguous aliases the story's definition may be missing",
			Contexts: guildOnly, DefaultMemberPermissions: &manageServer,
		},
		{Name: cmdWhyPost, Type: discordgo.MessageApplicationCommand, Contexts: guildOnly},
	}
}

// Register replaces the application's commands with Definitions in one
// bulk overwrite: in guildID when it is set (instant), else globally. Call
// it when the gateway is READY, with the application id READY carries.
func (c *Commands) Register(s *discordgo.Session, appID, guildID string) error {
	ctx, cancel := context.WithTimeout(context.Background(), restTimeout)
	defer cancel()
	defs := c.Definitions()
	if _, err := s.ApplicationCommandBulkOverwrite(appID, guildID, defs, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("register commands (guild %q): %w", guildID, SentTo(s, err))
	}
	c.logger.Info("commands registered", "commands", len(defs), "guild", guildID)
	return nil
}

// Attach answers s's interactions with c and registers the commands with
// Register on the first READY that lets it, with appID or, when it is
// empty, the application id READY carries. A failed registration is
// logged and tried again on the next READY (a new gateway session).
func (c *Commands) Attach(s *discordgo.Session, appID, guildID string) {
	s.AddHandler(c.Handle)
	var registered atomic.Bool
	s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) {
		if registered.Load() {
			return
		}
		id := appID
		if id == "" && r.Application != nil {
			id = r.Application.ID
		}
		if err := c.Register(s, id, guildID); err != nil {
			c.logger.Error("register commands", "error", err, "retry", "on the next gateway session")
			return
		}
		registered.Store(true)
	})
}

// Handle answers one interaction; Attach adds it to a session. It always
// answers: a failure or a panic becomes a short ephemeral apology and a
// log line.
func (c *Commands) Handle(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	x := &exchange{s: s, in: ic.Interaction, logger: c.logger}
	defer func() {
		if v := recover(); v != nil {
			x.fail(fmt.Errorf("panic: %v", v), string(debug.Stack()))
		}
	}()
	var err error
	switch ic.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		err = c.autocomplete(x)
	case discordgo.InteractionApplicationCommand:
		err = c.command(x)
	default:
		return
	}
	if err != nil {
		x.fail(err, "")
	}
}

// command runs the command the interaction names.
func (c *Commands) command(x *exchange) error {
	data := x.in.ApplicationCommandData()
	x.name = data.Name
	switch data.Name {
	case cmdActor:
		return c.actor(x, data)
	case cmdActors:
		return c.actors(x)
	case cmdLatest:
		return c.latest(x, data)
	case cmdSearch:
		return c.search(x, data)
	case cmdStatus:
		return c.status(x)
	case cmdSuggest:
		return c.suggest(x)
	case cmdWhyPost:
		return c.whyPosted(x, data)
	}
	c.logger.Warn("unknown command", "command", data.Name, "interaction", x.in.ID)
	return x.respond(answer{content: unknownText, ephemeral: true})
}

// work returns a context for the store work of a deferred answer.
func work() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), deferredTimeout)
}

// answer is what a command replies.
type answer struct {
	content   string
	embeds    []*discordgo.MessageEmbed
	files     []*discordgo.File
	ephemeral bool
}

// exchange is one interaction being answered: it remembers whether the
// interaction was acknowledged, so that a failure is reported the only way
// still open.
type exchange struct {
	s      *discordgo.Session
	in     *discordgo.Interaction
	logger *slog.Logger
	// name is the command's name, for logs.
	name string
	// deferred is set once a deferred response was sent; answered once
	// the answer was.
	deferred, answered bool
}

// respond sends a, as the interaction's response or, when it was
// deferred, as the edit of the deferred response (whose visibility the
// deferral decided).
func (x *exchange) respond(a answer) error {
	if x.deferred {
		if err := x.editOriginal(a); err != nil {
			return err
		}
		x.answered = true
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), restTimeout)
	defer cancel()
	data := &discordgo.InteractionResponseData{
		Content: a.content, Embeds: a.embeds, Files: a.files, AllowedMentions: noMentions(),
	}
	if a.ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := x.s.InteractionRespond(x.in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	x.answered = true
	return nil
}

// originalEdit is the body of an edit of the original response. API v10
// wants every attachment the message keeps listed, new uploads included
// (files[n] as id "n"); an empty list removes any.
type originalEdit struct {
	Content         *string                           `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	Attachments     []attachmentRef                   `json:"attachments"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// attachmentRef lists one attachment of an edit.
type attachmentRef struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
}

// editOriginal replaces the deferred original response with a, uploading
// its files.
func (x *exchange) editOriginal(a answer) error {
	ctx, cancel := context.WithTimeout(context.Background(), restTimeout)
	defer cancel()
	body := originalEdit{Content: &a.content, Embeds: a.embeds, Attachments: []attachmentRef{}, AllowedMentions: noMentions()}
	if body.Embeds == nil {
		body.Embeds = []*discordgo.MessageEmbed{}
	}
	for i, f := range a.files {
		body.Attachments = append(body.Attachments, attachmentRef{ID: strconv.Itoa(i), Filename: f.Name})
	}
	endpoint := discordgo.EndpointWebhookMessage(x.in.AppID, x.in.Token, "@original")
	var err error
	if len(a.files) > 0 {
		var contentType string
		var data []byte
		contentType, data, err = discordgo.MultipartBodyWithJSON(body, a.files)
		if err == nil {
			_, err = x.s.RequestRaw(http.MethodPatch, endpoint, contentType, data, endpoint, 0, discordgo.WithContext(ctx))
		}
	} else {
		_, err = x.s.RequestWithBucketID(http.MethodPatch, endpoint, body, endpoint, discordgo.WithContext(ctx))
	}
	if err != nil {
		return fmt.Errorf("edit deferred response: %w", err)
	}
	return nil
}

// deferAnswer acknowledges the interaction with a "thinking…" response,
// to be replaced by respond within 15 minutes; ephemeral makes it, and so
// the answer, private.
func (x *exchange) deferAnswer(ephemeral bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), restTimeout)
	defer cancel()
	data := &discordgo.InteractionResponseData{AllowedMentions: noMentions()}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := x.s.InteractionRespond(x.in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("defer response: %w", err)
	}
	x.deferred = true
	return nil
}

// suggest answers an autocomplete interaction with choices.
func (x *exchange) suggest(choices []*discordgo.ApplicationCommandOptionChoice) error {
	ctx, cancel := context.WithTimeout(context.Background(), restTimeout)
	defer cancel()
	err := x.s.InteractionRespond(x.in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("autocomplete response: %w", err)
	}
	x.answered = true
	return nil
}

// fail logs err and tells the user that something went wrong: privately
// as the response if there was none yet, else as the edit of the deferred
// response (the first follow-up after a deferral would be that edit
// anyway, ephemeral flag ignored). An autocomplete that failed gets no
// choices.
func (x *exchange) fail(err error, stack string) {
	attrs := []any{"command", x.name, "interaction", x.in.ID, "error", SentTo(x.s, err)}
	if stack != "" {
		attrs = append(attrs, "stack", stack)
	}
	x.logger.Error("command failed", attrs...)
	if x.answered {
		return
	}
	if rerr := x.apologise(); rerr != nil {
		x.logger.Error("command failure not reported", "command", x.name, "interaction", x.in.ID, "error", SentTo(x.s, rerr))
	}
}

// apologise sends the failure notice the way still open.
func (x *exchange) apologise() error {
	if x.in.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return x.suggest(nil)
	}
	return x.respond(answer{content: failedText, ephemeral: true})
}
