// Package config owns storyline's TOML configuration: the schema, its
// defaults, strict decoding with file:line:col errors, environment overrides
// and validation. It must not know about feeds, HTTP or Discord beyond the
// plain settings it hands over.
//
// Decoding is strict: an unknown key is an error, so a misspelt key never
// passes silently and the bot token can never be written in the file (it is
// read from the environment variable named by discord.token_env).
//
// Relative paths in the file are relative to the directory of the file.
//
// These environment variables, when set and not empty, override the file:
//
//	STORYLINE_STORE_PATH           store.path (used as given, relative to the working directory)
//	STORYLINE_DISCORD_CHANNEL_ID   discord.channel_id
//	STORYLINE_DISCORD_GUILD_ID     discord.guild_id
//	STORYLINE_DISCORD_API_URL      discord.api_url
//
// Overridden values are validated like values from the file.
package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // digest.timezone must load on machines without a zoneinfo database.

	"storyline/story"
)

// ErrNoToken reports that the environment variable named by
// discord.token_env is unset or empty.
var ErrNoToken = errors.New("no discord token")

// Config is a whole, validated configuration.
type Config struct {
	// Path is the file the configuration was read from.
	Path    string  `toml:"-"`
	Story   Story   `toml:"story"`
	Actors  []Actor `toml:"actors"`
	Feeds   []Feed  `toml:"feeds"`
	Discord Discord `toml:"discord"`
	Store   Store   `toml:"store"`
	Poll    Poll    `toml:"poll"`
	Fetch   Fetch   `toml:"fetch"`
	Backlog Backlog `toml:"backlog"`
	Cluster Cluster `toml:"cluster"`
	Digest  Digest  `toml:"digest"`
}

// Story describes what the bot follows and how items are scored.
//
// An item's score adds the weights of the strong phrases found, of the
// weak phrases (at most WeakCap together), of the generic phrases (at most
// GenericCap), of the actors named (at most ActorCap) and of the context
// concepts (at most ContextCap), and subtracts the exclusions. The item is
// relevant when the score reaches Threshold and it has story evidence: a
// strong or weak phrase, or CoreQuorum core actors (weight at least
// CoreWeight) with a context term or a generic phrase, or one more core
// actor without.
type Story struct {
	Name      string  `toml:"name"`
	Threshold float64 `toml:"threshold"`
	// Phrases are strong phrases: each adds PhraseWeight.
	Phrases []string `toml:"phrases"`
	// WeakPhrases need support: each adds WeakWeight.
	WeakPhrases []string `toml:"weak_phrases"`
	// GenericPhrases are every such story's words: each adds
	// GenericWeight and is evidence only with a quorum of core actors.
	GenericPhrases []string `toml:"generic_phrases"`
	// Context terms each add ContextWeight once per concept.
	Context []string `toml:"context"`
	// Exclude lists other stories' phrases: each subtracts ExcludeWeight.
	Exclude       []string `toml:"exclude"`
	PhraseWeight  float64  `toml:"phrase_weight"`
	WeakWeight    float64  `toml:"weak_weight"`
	GenericWeight float64  `toml:"generic_weight"`
	ContextWeight float64  `toml:"context_weight"`
	ExcludeWeight float64  `toml:"exclude_weight"`
	// The caps: the most each class adds together; 0 means no cap.
	WeakCap    float64 `toml:"weak_cap"`
	GenericCap float64 `toml:"generic_cap"`
	ContextCap float64 `toml:"context_cap"`
	ActorCap   float64 `toml:"actor_cap"`
	// CoreWeight is the weight from which an actor is a core actor;
	// CoreQuorum core actors are evidence on their own (0: never).
	CoreWeight float64 `toml:"core_weight"`
	CoreQuorum int     `toml:"core_quorum"`
	// Inflect matches the inflected forms of phrase, context and alias
	// words.
	Inflect bool `toml:"inflect"`
	// PhraseSlack lets multi-word phrases and context terms match in any
	// order with that many other words among theirs (0: exact order).
	PhraseSlack int `toml:"phrase_slack"`
	// TypoLetters lets alias words of that many letters match a capitalised
	// word one edit away (0: off).
	TypoLetters int `toml:"typo_letters"`
	// LowerCaseLetters lets capitalised words of that many letters in a
	// script other than Latin match in lower case (0: off).
	LowerCaseLetters int `toml:"lower_case_letters"`
}

// Actor is a person the story follows, with every spelling of their name.
type Actor struct {
	Name        string `toml:"name"`
	Role        string `toml:"role"`
	Description string `toml:"description"`
	// Aliases are whole-word spellings in any script.
	Aliases []string `toml:"aliases"`
	// Stems are word-initial prefixes for inflected forms.
	Stems []string `toml:"stems"`
	// Exclude lists longer look-alike patterns that are not this actor.
	Exclude []string `toml:"exclude"`
	Weight  float64  `toml:"weight"`
}

// Feed is one news feed to poll.
type Feed struct {
	Name string `toml:"name"`
	// URL is an http(s):// or file:// URL, or a plain path.
	URL string `toml:"url"`
	// Interval is the time between polls; it defaults to Poll.Interval.
	Interval Duration `toml:"interval"`
	// Adapt is true when the feed has no interval of its own: its pace
	// then sets it, within Poll.MinInterval and Poll.MaxInterval, from
	// Poll.Interval.
	Adapt bool `toml:"-"`
}

// Discord holds the bot's Discord settings. The token itself is never part
// of the configuration; see Config.Token.
type Discord struct {
	// TokenEnv names the environment variable that holds the bot token.
	TokenEnv string `toml:"token_env"`
	// ChannelID is the channel posts go to; `run` needs it.
	ChannelID string `toml:"channel_id"`
	// GuildID, when set, registers slash commands in that guild only.
	GuildID string `toml:"guild_id"`
	// ApplicationID, when empty, is learned from the gateway.
	ApplicationID    string `toml:"application_id"`
	APIURL           string `toml:"api_url"`
	MaxPostsPerCycle int    `toml:"max_posts_per_cycle"`
	Threads          bool   `toml:"threads"`
	// EditSpacing is the least time between two edits of one message:
	// reports joining a development meanwhile go in one edit.
	EditSpacing Duration `toml:"edit_spacing"`
}

// Store says where the database lives and what it keeps.
type Store struct {
	// Path is the SQLite file, already resolved against the config file's
	// directory when it was relative. It is not used when URLEnv is set.
	Path string `toml:"path"`
	// URLEnv, when set, names the environment variable holding the
	// postgres:// URL of a PostgreSQL database, which several instances
	// of the bot may share; the URL (and its password) is never in the file.
	URLEnv string `toml:"url_env"`
	// KeepUnrelated is how long reports the story rejected are kept after
	// their publication, for /search and /actor's latest reports; zero
	// keeps them for ever. Mention counts are kept regardless.
	KeepUnrelated Duration `toml:"keep_unrelated"`
}

// Poll holds the scheduler's settings.
type Poll struct {
	// Interval is where a feed without its own interval starts.
	Interval Duration `toml:"interval"`
	// MinInterval and MaxInterval bound the interval of a feed that
	// follows its pace; they default to 5m and 1h, widened to include
	// Interval.
	MinInterval Duration `toml:"min_interval"`
	MaxInterval Duration `toml:"max_interval"`
	// Concurrency bounds the polls in flight; 0 lets the scheduler follow
	// the load.
	Concurrency int `toml:"concurrency"`
	PerHost     int `toml:"per_host"`
	// Jitter is a fraction of the interval, 0 to 0.5.
	Jitter float64 `toml:"jitter"`
}

// Fetch holds the HTTP fetcher's limits.
type Fetch struct {
	Timeout   Duration `toml:"timeout"`
	MaxBytes  int64    `toml:"max_bytes"`
	UserAgent string   `toml:"user_agent"`
	// AllowPrivate allows feeds on private, loopback and link-local addresses.
	AllowPrivate bool `toml:"allow_private"`
	// MaxItems caps the items taken from one poll of a feed: the newest
	// by date.
	MaxItems int `toml:"max_items"`
}

// Backlog limits what is posted on a first run or after an outage.
type Backlog struct {
	Window   Duration `toml:"window"`
	MaxPosts int      `toml:"max_posts"`
}

// Cluster holds the near-duplicate grouping settings.
type Cluster struct {
	Window Duration `toml:"window"`
	// Similarity is the near-duplicate threshold, in (0, 1].
	Similarity      float64 `toml:"similarity"`
	MinSharedActors int     `toml:"min_shared_actors"`
}

// Digest configures the daily digest.
type Digest struct {
	// Time is "HH:MM"; empty disables the digest.
	Time string `toml:"time"`
	// Timezone is an IANA zone name.
	Timezone string `toml:"timezone"`
}

// Duration is a time.Duration written in Go syntax ("15m", "1h30m"),
// which may start with a number of days ("30d", "1d12h").
type Duration struct {
	time.Duration
}

// UnmarshalText parses a duration string.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := parseDuration(string(text))
	if err != nil {
		return fmt.Errorf(`%w (write durations like "90s", "15m", "1h30m" or "30d")`, err)
	}
	d.Duration = v
	return nil
}

// maxDays is the most days a Duration holds.
const maxDays = math.MaxInt64 / int64(24*time.Hour)

// parseDuration is time.ParseDuration that also reads a leading number of
// days: "30d", "1d12h".
func parseDuration(s string) (time.Duration, error) {
	days, rest, ok := strings.Cut(s, "d")
	if !ok || days == "" || strings.IndexFunc(days, notDigit) >= 0 {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseInt(days, 10, 64)
	if err != nil || n > maxDays {
		return 0, fmt.Errorf("time: invalid duration %q: too many days", s)
	}
	var more time.Duration
	if rest != "" {
		if more, err = time.ParseDuration(rest); err != nil || more < 0 {
			return 0, fmt.Errorf("time: invalid duration %q", s)
		}
	}
	total := time.Duration(n) * 24 * time.Hour
	if more > math.MaxInt64-total {
		return 0, fmt.Errorf("time: invalid duration %q: too long", s)
	}
	return total + more, nil
}

// MarshalText writes the duration in Go syntax.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// Load reads, decodes and validates the configuration file at path. getenv
// (os.Getenv in production) supplies the environment overrides.
func Load(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(path, data, getenv)
}

// Token returns the bot token from the environment variable named by
// Discord.TokenEnv. An empty value is an error wrapping ErrNoToken that names
// the variable; the token itself never appears in an error, nor does a
// token_env value that may be one.
func (c *Config) Token(getenv func(string) string) (string, error) {
	token := strings.TrimSpace(getenv(c.Discord.TokenEnv))
	if token == "" {
		return "", fmt.Errorf("discord token: environment variable %s is empty: %w", c.Discord.TokenVariable(), ErrNoToken)
	}
	return token, nil
}

// ErrNoStoreURL is returned by StoreURL when the variable named by [store]
// url_env is empty.
var ErrNoStoreURL = errors.New("no database URL")

// StoreURL returns the PostgreSQL URL held by the variable [store] url_env
// names, or "" when url_env is not set (the store is the SQLite file Path).
// Its errors name the variable and the file, never the URL's value.
func (c *Config) StoreURL(getenv func(string) string) (string, error) {
	if c.Store.URLEnv == "" {
		return "", nil
	}
	u := strings.TrimSpace(getenv(c.Store.URLEnv))
	if u == "" {
		return "", fmt.Errorf("store: environment variable %s ([store] url_env in %s) is empty; set it to the postgres://user:password@host/database URL: %w",
			c.Store.URLEnv, c.Path, ErrNoStoreURL)
	}
	if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return "", fmt.Errorf("store: environment variable %s ([store] url_env in %s) does not hold a postgres:// URL", c.Store.URLEnv, c.Path)
	}
	return u, nil
}

// Summary describes the configuration in one line, for `check`.
func (c *Config) Summary() string {
	aliases := 0
	for _, a := range c.Actors {
		aliases += len(a.Aliases) + len(a.Stems)
	}
	phrases := len(c.Story.Phrases) + len(c.Story.WeakPhrases) + len(c.Story.GenericPhrases)
	return fmt.Sprintf("story %q: %s, %s, %s, %s", c.Story.Name,
		count(len(c.Feeds), "feed"), count(len(c.Actors), "actor"),
		count(aliases, "alias"), count(phrases, "phrase"))
}

// count writes n and the noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Definition converts the story and its actors to the matcher's type,
// with the evidence rule on.
func (c *Config) Definition() story.Definition {
	s := c.Story
	d := story.Definition{
		Name:      s.Name,
		Phrases:   terms(s.Phrases, s.PhraseWeight),
		Weak:      terms(s.WeakPhrases, s.WeakWeight),
		Generic:   terms(s.GenericPhrases, s.GenericWeight),
		Context:   terms(s.Context, s.ContextWeight),
		Exclude:   terms(s.Exclude, s.ExcludeWeight),
		Threshold: s.Threshold,
		Actors:    make([]story.Actor, 0, len(c.Actors)),
		Rules: story.Rules{
			Evidence:         true,
			CoreWeight:       s.CoreWeight,
			CoreQuorum:       s.CoreQuorum,
			WeakCap:          s.WeakCap,
			GenericCap:       s.GenericCap,
			ContextCap:       s.ContextCap,
			ActorCap:         s.ActorCap,
			Inflect:          s.Inflect,
			PhraseSlack:      s.PhraseSlack,
			TypoLetters:      s.TypoLetters,
			LowerCaseLetters: s.LowerCaseLetters,
		},
	}
	for _, a := range c.Actors {
		d.Actors = append(d.Actors, story.Actor{
			Name:        a.Name,
			Role:        a.Role,
			Description: a.Description,
			Aliases:     slices.Clone(a.Aliases),
			Stems:       slices.Clone(a.Stems),
			Exclude:     slices.Clone(a.Exclude),
			Weight:      a.Weight,
		})
	}
	return d
}

// terms gives every text the same weight.
func terms(texts []string, weight float64) []story.Term {
	out := make([]story.Term, 0, len(texts))
	for _, t := range texts {
		out = append(out, story.Term{Text: t, Weight: weight})
	}
	return out
}
