package config

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"storyline/story"
)

// Problem is one thing wrong with a configuration file: a syntax error, a
// value of the wrong type, an unknown key or a broken rule. Parse joins all
// the problems it finds; errors.As finds the first.
type Problem struct {
	File string
	// Line and Column are 1-based; zero when not known.
	Line   int
	Column int
	// Key is the key path, such as "actors[4].aliases[2]"; empty for syntax
	// errors.
	Key     string
	Message string
}

// Error formats the problem as "file:line:col: key: message", leaving out
// what is not known.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// The environment variables that override the file.
const (
	envStorePath = "STORYLINE_STORE_PATH"
	envChannelID = "STORYLINE_DISCORD_CHANNEL_ID"
	envGuildID   = "STORYLINE_DISCORD_GUILD_ID"
	envAPIURL    = "STORYLINE_DISCORD_API_URL"
)

// defaultActorWeight is an actor's weight when the file gives none.
const defaultActorWeight = 0.3

// document is the file as decoded. Actors and feeds have their own types so
// that a key left out can be told from a zero written in the file.
type document struct {
	Story   Story      `toml:"story"`
	Actors  []actorDoc `toml:"actors"`
	Feeds   []feedDoc  `toml:"feeds"`
	Discord Discord    `toml:"discord"`
	Store   Store      `toml:"store"`
	Poll    pollDoc    `toml:"poll"`
	Fetch   Fetch      `toml:"fetch"`
	Backlog Backlog    `toml:"backlog"`
	Cluster Cluster    `toml:"cluster"`
	Digest  Digest     `toml:"digest"`
}

// actorDoc is an actor as written, with an optional weight.
type actorDoc struct {
	Name        string   `toml:"name"`
	Role        string   `toml:"role"`
	Description string   `toml:"description"`
	Aliases     []string `toml:"aliases"`
	Stems       []string `toml:"stems"`
	Exclude     []string `toml:"exclude"`
	Weight      *float64 `toml:"weight"`
}

// pollDoc is the [poll] table as written, with optional bounds.
type pollDoc struct {
	Interval    Duration  `toml:"interval"`
	MinInterval *Duration `toml:"min_interval"`
	MaxInterval *Duration `toml:"max_interval"`
	Concurrency int       `toml:"concurrency"`
	PerHost     int       `toml:"per_host"`
	Jitter      float64   `toml:"jitter"`
}

// Interval bounds a feed's pace stays within unless the file says
// otherwise; poll.interval widens them when it lies outside.
const (
	defaultMinInterval = 5 * time.Minute
	defaultMaxInterval = time.Hour
)

// poll returns the [poll] settings, the bounds the file leaves out derived
// from poll.interval.
func (d pollDoc) poll() Poll {
	p := Poll{
		Interval:    d.Interval,
		MinInterval: Duration{min(defaultMinInterval, max(d.Interval.Duration, time.Second))},
		MaxInterval: Duration{max(defaultMaxInterval, d.Interval.Duration)},
		Concurrency: d.Concurrency,
		PerHost:     d.PerHost,
		Jitter:      d.Jitter,
	}
	if d.MinInterval != nil {
		p.MinInterval = *d.MinInterval
	}
	if d.MaxInterval != nil {
		p.MaxInterval = *d.MaxInterval
	}
	return p
}

// feedDoc is a feed as written, with an optional interval.
type feedDoc struct {
	Name     string    `toml:"name"`
	URL      string    `toml:"url"`
	Interval *Duration `toml:"interval"`
}

// defaults returns a document holding every default; decoding writes the
// file's values over it.
func defaults() document {
	return document{
		Story: Story{
			Threshold:        1.0,
			PhraseWeight:     1.0,
			WeakWeight:       0.5,
			GenericWeight:    0.2,
			ContextWeight:    0.15,
			ExcludeWeight:    1.0,
			WeakCap:          0.8,
			GenericCap:       0.4,
			ContextCap:       0.3,
			ActorCap:         1.0,
			CoreWeight:       0.5,
			CoreQuorum:       2,
			Inflect:          true,
			PhraseSlack:      2,
			TypoLetters:      8,
			LowerCaseLetters: 5,
		},
		Discord: Discord{
			TokenEnv:         "DISCORD_TOKEN",
			APIURL:           "https://discord.com/api/v10/",
			MaxPostsPerCycle: 5,
			EditSpacing:      Duration{30 * time.Second},
		},
		Store:   Store{Path: "storyline.db", KeepUnrelated: Duration{30 * 24 * time.Hour}},
		Poll:    pollDoc{Interval: Duration{15 * time.Minute}, PerHost: 2, Jitter: 0.1},
		Fetch:   Fetch{Timeout: Duration{20 * time.Second}, MaxBytes: 10 << 20, MaxItems: 500, UserAgent: "storyline/0.1 (+https://github.com/storyline)"},
		Backlog: Backlog{Window: Duration{12 * time.Hour}, MaxPosts: 3},
		Cluster: defaultCluster(),
		Digest:  Digest{Timezone: "UTC"},
	}
}

// defaultCluster is the [cluster] section's default: the clusterer's own
// defaults.
func defaultCluster() Cluster {
	o := story.DefaultClusterOptions()
	return Cluster{Window: Duration{o.Window}, Similarity: o.Threshold, MinSharedActors: o.MinSharedActors}
}

// Parse decodes and validates a configuration. filename names the data in
// errors and anchors relative paths; getenv supplies the environment
// overrides. The error joins every problem found, each a *Problem.
func Parse(filename string, data []byte, getenv func(string) string) (*Config, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	keys := indexKeys(data)
	keys.checkTypes(reflect.TypeFor[document]())
	if err := keys.flags(filename); err != nil {
		return nil, err
	}
	doc := defaults()
	if err := decode(data, &doc); err != nil {
		return nil, decodeProblems(filename, err, keys)
	}
	cfg := doc.config(filename)
	env := overrideFromEnv(cfg, getenv)
	if err := validate(cfg, keys, env); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decode decodes data strictly into doc.
func decode(data []byte, doc *document) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(doc)
}

// config turns the decoded document into a Config, filling the defaults
// that depend on other settings and resolving the store path.
func (doc *document) config(filename string) *Config {
	cfg := &Config{
		Path:    filename,
		Story:   doc.Story,
		Discord: doc.Discord,
		Store:   doc.Store,
		Poll:    doc.Poll.poll(),
		Fetch:   doc.Fetch,
		Backlog: doc.Backlog,
		Cluster: doc.Cluster,
		Digest:  doc.Digest,
	}
	for _, a := range doc.Actors {
		weight := defaultActorWeight
		if a.Weight != nil {
			weight = *a.Weight
		}
		cfg.Actors = append(cfg.Actors, Actor{
			Name: a.Name, Role: a.Role, Description: a.Description,
			Aliases: a.Aliases, Stems: a.Stems, Exclude: a.Exclude, Weight: weight,
		})
	}
	for _, f := range doc.Feeds {
		feed := Feed{Name: f.Name, URL: f.URL, Interval: doc.Poll.Interval, Adapt: f.Interval == nil}
		if f.Interval != nil {
			feed.Interval = *f.Interval
		}
		cfg.Feeds = append(cfg.Feeds, feed)
	}
	if cfg.Store.Path != "" && !filepath.IsAbs(cfg.Store.Path) {
		cfg.Store.Path = filepath.Join(filepath.Dir(filename), cfg.Store.Path)
	}
	return cfg
}

// overrideFromEnv applies the environment overrides and returns, for each
// key it set, the variable that set it.
func overrideFromEnv(cfg *Config, getenv func(string) string) map[string]string {
	fields := []struct {
		env, key string
		dst      *string
	}{
		{envStorePath, "store.path", &cfg.Store.Path},
		{envChannelID, "discord.channel_id", &cfg.Discord.ChannelID},
		{envGuildID, "discord.guild_id", &cfg.Discord.GuildID},
		{envAPIURL, "discord.api_url", &cfg.Discord.APIURL},
	}
	set := make(map[string]string)
	for _, f := range fields {
		if v := getenv(f.env); v != "" {
			*f.dst = v
			set[f.key] = f.env
		}
	}
	return set
}

// decodeProblems turns a go-toml error into problems carrying the file, the
// position and, where it can be found, the key.
func decodeProblems(filename string, err error, keys *keyIndex) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		problems := make([]error, 0, len(strict.Errors))
		for _, e := range strict.Errors {
			problems = append(problems, unknownKey(filename, &e, keys))
		}
		return errors.Join(problems...)
	}
	if dups := keys.duplicates(filename); dups != nil {
		// go-toml reports only the first, on the line after the key before.
		return dups
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		p := &Problem{File: filename, Line: line, Column: col, Message: tomlMessage(de)}
		if keys.complete {
			// The syntax is sound, so this is a bad value (a duration, a
			// number out of range): name the key it belongs to.
			p.Key = keys.keyBefore(line, col)
		}
		return p
	}
	return &Problem{File: filename, Message: tomlMessage(err)}
}

// unknownKey reports a key the schema does not have.
func unknownKey(filename string, e *toml.DecodeError, keys *keyIndex) *Problem {
	line, col := e.Position()
	key := keys.keyAt(line, col)
	if key == "" {
		key = strings.Join(e.Key(), ".")
	}
	msg := "unknown key"
	if k := e.Key(); len(k) > 0 && strings.EqualFold(k[len(k)-1], "token") {
		msg += " (the token is never in the file: set the environment variable named by discord.token_env)"
	}
	return &Problem{File: filename, Line: line, Column: col, Key: key, Message: msg}
}

// tomlMessage drops go-toml's "toml: " prefix.
func tomlMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "toml: ")
}
