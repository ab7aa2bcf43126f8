package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"storyline/story"
)

// env is a fake environment.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// dur builds a Duration for expectations.
func dur(d time.Duration) Duration { return Duration{d} }

// problems lists the messages of the errors joined in err.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, problems(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

func TestLoadMinimalHasEveryDefault(t *testing.T) {
	path := filepath.Join("testdata", "minimal.toml")
	got, err := Load(path, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Path: path,
		Story: Story{
			Name:             "Harbour bridge closure",
			Threshold:        1.0,
			Phrases:          []string{"bridge closure"},
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
			EditSpacing:      dur(30 * time.Second),
		},
		Store:   Store{Path: filepath.Join("testdata", "storyline.db"), KeepUnrelated: dur(30 * 24 * time.Hour)},
		Poll:    Poll{Interval: dur(15 * time.Minute), MinInterval: dur(5 * time.Minute), MaxInterval: dur(time.Hour), PerHost: 2, Jitter: 0.1},
		Fetch:   Fetch{Timeout: dur(20 * time.Second), MaxBytes: 10485760, MaxItems: 500, UserAgent: "storyline/0.1 (+https://github.com/storyline)"},
		Backlog: Backlog{Window: dur(12 * time.Hour), MaxPosts: 3},
		Cluster: Cluster{Window: dur(72 * time.Hour), Similarity: 0.073, MinSharedActors: 1},
		Digest:  Digest{Timezone: "UTC"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(%s) =\n%+v\nwant\n%+v", path, got, want)
	}
}

func TestLoadFull(t *testing.T) {
	path := filepath.Join("testdata", "full.toml")
	got, err := Load(path, noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Path: path,
		Story: Story{
			Name:           "Harbour bridge closure",
			Threshold:      1.5,
			Phrases:        []string{"bridge closure", "закрытие моста"},
			WeakPhrases:    []string{"harbour bridge"},
			GenericPhrases: []string{"road works"},
			Context:        []string{"ferry", "council"},
			Exclude:        []string{"bridge tournament"},
			PhraseWeight:   1.2,
			WeakWeight:     0.5,
			GenericWeight:  0.1,
			ContextWeight:  0.2,
			ExcludeWeight:  2.0,
			WeakCap:        0.9,
			GenericCap:     0.2,
			ContextCap:     0.4,
			ActorCap:       1.1,
			CoreWeight:     0.7,
			CoreQuorum:     1,
			TypoLetters:    6,
		},
		Actors: []Actor{
			{
				Name: "Ada Quarry", Role: "Mayor", Description: "Runs the city.",
				Aliases: []string{"Ada Quarry", "Quarry", "Кворри"},
				Stems:   []string{"Кворри"},
				Exclude: []string{"Quarry Road"},
				Weight:  0.8,
			},
			{Name: "Ben Okafor", Aliases: []string{"Okafor"}, Weight: 0.3},
		},
		Feeds: []Feed{
			{Name: "City Herald", URL: "https://herald.example/rss", Interval: dur(10 * time.Minute)},
			{Name: "Local file", URL: "feeds/local.xml", Interval: dur(5 * time.Minute), Adapt: true},
		},
		Discord: Discord{
			TokenEnv:         "HARBOUR_TOKEN",
			ChannelID:        "123456789012345678",
			GuildID:          "223456789012345678",
			ApplicationID:    "323456789012345678",
			APIURL:           "http://127.0.0.1:8080/api/v10/",
			MaxPostsPerCycle: 7,
			Threads:          true,
			EditSpacing:      dur(45 * time.Second),
		},
		Store:   Store{Path: "/var/lib/storyline/harbour.db", KeepUnrelated: dur(14*24*time.Hour + 12*time.Hour)},
		Poll:    Poll{Interval: dur(5 * time.Minute), MinInterval: dur(2 * time.Minute), MaxInterval: dur(2 * time.Hour), Concurrency: 8, PerHost: 3, Jitter: 0.25},
		Fetch:   Fetch{Timeout: dur(30 * time.Second), MaxBytes: 2048, MaxItems: 50, UserAgent: "harbour-bot/1.0", AllowPrivate: true},
		Backlog: Backlog{Window: dur(6 * time.Hour), MaxPosts: 0},
		Cluster: Cluster{Window: dur(48 * time.Hour), Similarity: 0.75, MinSharedActors: 2},
		Digest:  Digest{Time: "08:30", Timezone: "Europe/Kyiv"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(%s) =\n%+v\nwant\n%+v", path, got, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.toml"), noEnv)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(absent) = %v, want fs.ErrNotExist", err)
	}
}

func TestStorePath(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "abs.db")
	tests := []struct {
		name     string
		filename string
		path     string
		env      map[string]string
		want     string
	}{
		{"default beside the file", "/etc/storyline/config.toml", "", nil, "/etc/storyline/storyline.db"},
		{"relative to the file", "/etc/storyline/config.toml", `path = "data/s.db"`, nil, "/etc/storyline/data/s.db"},
		{"relative to a relative file", "conf/config.toml", `path = "s.db"`, nil, "conf/s.db"},
		{"bare file name", "config.toml", `path = "s.db"`, nil, "s.db"},
		{"absolute kept", "/etc/storyline/config.toml", `path = "` + abs + `"`, nil, abs},
		{"environment wins, used as given", "/etc/storyline/config.toml", `path = "s.db"`,
			map[string]string{"STORYLINE_STORE_PATH": "run/x.db"}, "run/x.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := minimalStory + "[store]\n" + tt.path + "\n"
			cfg, err := Parse(tt.filename, []byte(data), env(tt.env))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if cfg.Store.Path != tt.want {
				t.Errorf("Store.Path = %q, want %q", cfg.Store.Path, tt.want)
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	data := minimalStory + `
[discord]
channel_id = "123456789012345678"
guild_id = "223456789012345678"
api_url = "https://discord.com/api/v10/"
`
	vars := map[string]string{
		"STORYLINE_DISCORD_CHANNEL_ID": "99999999999999999",
		"STORYLINE_DISCORD_GUILD_ID":   "88888888888888888",
		"STORYLINE_DISCORD_API_URL":    "http://127.0.0.1:9999/api/",
		"STORYLINE_STORE_PATH":         "/tmp/x.db",
	}
	cfg, err := Parse("config.toml", []byte(data), env(vars))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := []string{cfg.Discord.ChannelID, cfg.Discord.GuildID, cfg.Discord.APIURL, cfg.Store.Path}
	want := []string{"99999999999999999", "88888888888888888", "http://127.0.0.1:9999/api/", "/tmp/x.db"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("overridden = %q, want %q", got, want)
	}
}

func TestEnvOverridesAreValidated(t *testing.T) {
	vars := map[string]string{
		"STORYLINE_DISCORD_CHANNEL_ID": "general",
		"STORYLINE_DISCORD_API_URL":    "ftp://example.com/",
	}
	_, err := Parse("config.toml", []byte(minimalStory), env(vars))
	want := []string{
		`config.toml: discord.channel_id: "general" is not a Discord id (17 to 20 digits) (set by STORYLINE_DISCORD_CHANNEL_ID)`,
		`config.toml: discord.api_url: "ftp://example.com/" is not an http(s) URL (set by STORYLINE_DISCORD_API_URL)`,
	}
	if got := problems(err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestToken(t *testing.T) {
	cfg, err := Parse("config.toml", []byte(minimalStory+"[discord]\ntoken_env = \"MY_BOT\"\n"), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"set", map[string]string{"MY_BOT": "abc.def"}, "abc.def", false},
		{"trailing newline trimmed", map[string]string{"MY_BOT": "abc.def\n"}, "abc.def", false},
		{"unset", nil, "", true},
		{"blank", map[string]string{"MY_BOT": "  "}, "", true},
		{"other variable", map[string]string{"DISCORD_TOKEN": "abc.def"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cfg.Token(env(tt.env))
			if got != tt.want {
				t.Errorf("Token = %q, want %q", got, tt.want)
			}
			if !tt.wantErr {
				if err != nil {
					t.Errorf("Token error = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), "MY_BOT") {
				t.Errorf("Token error = %v, want ErrNoToken naming MY_BOT", err)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"full.toml", `story "Harbour bridge closure": 2 feeds, 2 actors, 5 aliases, 4 phrases`},
		{"minimal.toml", `story "Harbour bridge closure": 0 feeds, 0 actors, 0 aliases, 1 phrase`},
	}
	for _, tt := range tests {
		cfg, err := Load(filepath.Join("testdata", tt.file), noEnv)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got := cfg.Summary(); got != tt.want {
			t.Errorf("%s: Summary = %q, want %q", tt.file, got, tt.want)
		}
	}
}

func TestDefinition(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "full.toml"), noEnv)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := cfg.Definition()
	want := story.Definition{
		Name: "Harbour bridge closure",
		Phrases: []story.Term{
			{Text: "bridge closure", Weight: 1.2},
			{Text: "закрытие моста", Weight: 1.2},
		},
		Weak:      []story.Term{{Text: "harbour bridge", Weight: 0.5}},
		Generic:   []story.Term{{Text: "road works", Weight: 0.1}},
		Context:   []story.Term{{Text: "ferry", Weight: 0.2}, {Text: "council", Weight: 0.2}},
		Exclude:   []story.Term{{Text: "bridge tournament", Weight: 2.0}},
		Threshold: 1.5,
		Rules: story.Rules{
			Evidence: true, CoreWeight: 0.7, CoreQuorum: 1,
			WeakCap: 0.9, GenericCap: 0.2, ContextCap: 0.4, ActorCap: 1.1,
			TypoLetters: 6,
		},
		Actors: []story.Actor{
			{
				Name: "Ada Quarry", Role: "Mayor", Description: "Runs the city.",
				Aliases: []string{"Ada Quarry", "Quarry", "Кворри"},
				Stems:   []string{"Кворри"},
				Exclude: []string{"Quarry Road"},
				Weight:  0.8,
			},
			{Name: "Ben Okafor", Aliases: []string{"Okafor"}, Weight: 0.3},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Definition =\n%+v\nwant\n%+v", got, want)
	}
	got.Actors[0].Aliases[0] = "changed"
	if cfg.Actors[0].Aliases[0] != "Ada Quarry" {
		t.Error("Definition shares alias slices with the Config")
	}
}

func TestParseStripsByteOrderMark(t *testing.T) {
	cfg, err := Parse("config.toml", append([]byte("\uFEFF"), minimalStory...), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Story.Name != "S" {
		t.Errorf("Story.Name = %q, want %q", cfg.Story.Name, "S")
	}
}

// TestStoreURL checks the URL read from the variable [store] url_env names:
// none without url_env, an error naming the variable (never its value) when
// it is empty or not a postgres URL.
func TestStoreURL(t *testing.T) {
	const secret = "pa55w0rd"
	tests := []struct {
		name, urlEnv, value, want, wantErr string
	}{
		{"sqlite", "", "", "", ""},
		{"postgres", "DB_URL", " postgres://bot:" + secret + "@db/story ", "postgres://bot:" + secret + "@db/story", ""},
		{"postgresql scheme", "DB_URL", "postgresql://db/story", "postgresql://db/story", ""},
		{"empty", "DB_URL", "", "", "environment variable DB_URL ([store] url_env in c.toml) is empty"},
		{"not postgres", "DB_URL", "mysql://bot:" + secret + "@db/story", "", "DB_URL ([store] url_env in c.toml) does not hold a postgres:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{Path: "c.toml", Store: Store{URLEnv: tt.urlEnv}}
			got, err := cfg.StoreURL(func(k string) string {
				if k == "DB_URL" {
					return tt.value
				}
				return ""
			})
			if got != tt.want {
				t.Errorf("StoreURL = %q, want %q", got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("StoreURL error = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("StoreURL error = %v, want one containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Errorf("StoreURL error shows the password: %v", err)
			}
		})
	}
}

func TestPollBoundsFollowTheInterval(t *testing.T) {
	tests := []struct {
		poll     string
		min, max time.Duration
	}{
		{"", 5 * time.Minute, time.Hour},
		{"interval = \"1m\"", time.Minute, time.Hour},
		{"interval = \"2h\"", 5 * time.Minute, 2 * time.Hour},
		{"interval = \"2h\"\nmin_interval = \"1m\"\nmax_interval = \"3h\"", time.Minute, 3 * time.Hour},
	}
	for _, tt := range tests {
		cfg, err := Parse("c.toml", []byte(minimalStory+"[poll]\n"+tt.poll+"\n"), noEnv)
		if err != nil {
			t.Fatalf("%q: %v", tt.poll, err)
		}
		if cfg.Poll.MinInterval.Duration != tt.min || cfg.Poll.MaxInterval.Duration != tt.max {
			t.Errorf("%q: bounds %s to %s, want %s to %s", tt.poll, cfg.Poll.MinInterval, cfg.Poll.MaxInterval, tt.min, tt.max)
		}
	}
}

func TestDurationReadsDays(t *testing.T) {
	tests := []struct {
		text    string
		want    time.Duration
		wantErr string
	}{
		{"30d", 30 * 24 * time.Hour, ""},
		{"1d12h30m", 36*time.Hour + 30*time.Minute, ""},
		{"0d", 0, ""},
		{"0", 0, ""},
		{"90s", 90 * time.Second, ""},
		{"-1h", -time.Hour, ""},
		{"30 days", 0, `unknown unit " days"`},
		{"d", 0, `invalid duration "d"`},
		{"1d-1h", 0, `invalid duration "1d-1h"`},
		{"1dd", 0, `invalid duration "1dd"`},
		{"99999999999d", 0, "too many days"},
		{"106751d23h59m", 0, "too long"},
	}
	for _, tc := range tests {
		var d Duration
		err := d.UnmarshalText([]byte(tc.text))
		switch {
		case tc.wantErr == "" && (err != nil || d.Duration != tc.want):
			t.Errorf("%q = %v, %v; want %v", tc.text, d.Duration, err, tc.want)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q error = %v, want one saying %q", tc.text, err, tc.wantErr)
		}
	}
}
