package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want []string
	}{
		{
			name: "syntax: unclosed table header",
			toml: "[story\nname = \"S\"\n",
			want: []string{"c.toml:1:7: expected ']' to close table name"},
		},
		{
			name: "syntax: newline in a basic string",
			toml: "[story]\nname = \"S\nphrases = []\n",
			want: []string{"c.toml:2:10: basic strings cannot have new lines"},
		},
		{
			name: "syntax: key defined twice",
			toml: "[story]\nname = \"S\"\nphrases = [\"p\"]\nname = \"T\"\n",
			want: []string{"c.toml:4:1: story.name: defined twice (first on line 2)"},
		},
		{
			name: "syntax: table defined twice",
			toml: "[story]\nname = \"S\"\n\n[story]\nphrases = [\"p\"]\n",
			want: []string{"c.toml:4:2: story: defined twice (first on line 1)"},
		},
		{
			name: "syntax: a lone sign for a number",
			toml: minimalStory + "[[actors]]\nname = \"A\"\nweight = +\n[poll]\njitter = -\n",
			want: []string{"c.toml:6:11: expected digit but got U+000A"},
		},
		{
			name: "type: integer for a string",
			toml: "[story]\nname = 1\n",
			want: []string{"c.toml:2:8: story.name: wrong type: want a string, got an integer"},
		},
		{
			name: "type: string for a number",
			toml: "[story]\nname = \"S\"\nthreshold = \"high\"\n",
			want: []string{"c.toml:3:13: story.threshold: wrong type: want a number, got a string"},
		},
		{
			name: "type: integer in an array of strings",
			toml: "[story]\nname = \"S\"\nphrases = [\n  \"p\",\n  2,\n]\n",
			want: []string{"c.toml:5:3: story.phrases[1]: wrong type: want a string, got an integer"},
		},
		{
			name: "type: in the second actor",
			toml: minimalStory + "[[actors]]\nname = \"A\"\n[[actors]]\nname = \"B\"\nweight = \"heavy\"\n",
			want: []string{"c.toml:8:10: actors[1].weight: wrong type: want a number, got a string"},
		},
		{
			name: "type: in an inline actor",
			toml: "actors = [{name = \"A\"}, {name = \"B\", weight = \"w\"}]\n" + minimalStory,
			want: []string{"c.toml:1:47: actors[1].weight: wrong type: want a number, got a string"},
		},
		{
			name: "type: float for an integer",
			toml: minimalStory + "[poll]\nconcurrency = 1.5\n",
			want: []string{"c.toml:5:15: poll.concurrency: wrong type: want an integer, got a float"},
		},
		{
			name: "type: channel id as a number",
			toml: minimalStory + "[discord]\nchannel_id = 123456789012345678\n",
			want: []string{"c.toml:5:14: discord.channel_id: wrong type: want a string, got an integer"},
		},
		{
			name: "type: table where an array of tables belongs",
			toml: minimalStory + "[actors]\nname = \"A\"\n",
			want: []string{"c.toml:4:2: actors: wrong type: want an array of tables, got a table"},
		},
		{
			name: "type: dates and times",
			toml: minimalStory + "[digest]\ntime = 08:30:00\ntimezone = 1979-05-27\n[poll]\ninterval = 1979-05-27T07:32:00Z\n[backlog]\nwindow = 1979-05-27T07:32:00\n",
			want: []string{
				"c.toml:5:8: digest.time: wrong type: want a string, got a local time",
				"c.toml:6:12: digest.timezone: wrong type: want a string, got a local date",
				`c.toml:8:12: poll.interval: wrong type: want a duration such as "15m", got an offset date-time`,
				`c.toml:10:10: backlog.window: wrong type: want a duration such as "15m", got a local date-time`,
			},
		},
		{
			name: "type: bad duration",
			toml: minimalStory + "[poll]\ninterval = \"15 minutes\"\n",
			want: []string{`c.toml:5:12: poll.interval: time: unknown unit " minutes" in duration "15 minutes" (write durations like "90s", "15m", "1h30m" or "30d")`},
		},
		{
			name: "type: duration without unit",
			toml: minimalStory + "[[feeds]]\nname = \"F\"\nurl = \"f.xml\"\ninterval = 5\n",
			want: []string{`c.toml:7:12: feeds[0].interval: wrong type: want a duration such as "15m", got an integer`},
		},
		{
			name: "type: keys under a key that is not a table",
			toml: minimalStory + "[[feeds.sub]]\nx = 1\ny = 2\n[story.name]\n[discord.token_env.x]\n[cluster]\nwindow.hours = 3\n",
			want: []string{
				"c.toml:4:3: feeds: wrong type: want an array of tables, got a table",
				"c.toml:7:2: story.name: wrong type: want a string, got a table",
				"c.toml:8:2: discord.token_env: wrong type: want a string, got a table",
				`c.toml:10:1: cluster.window: wrong type: want a duration such as "15m", got a table`,
			},
		},
		{
			name: "value: integer out of range",
			toml: minimalStory + "[fetch]\nmax_bytes = 99999999999999999999\n",
			want: []string{"c.toml:5:13: fetch.max_bytes: decimal number is too large to fit in a 64-bit signed integer"},
		},
		{
			name: "type: booleans",
			toml: minimalStory + "[discord]\nthreads = \"yes\"\n[poll]\ninterval = true\n",
			want: []string{
				"c.toml:5:11: discord.threads: wrong type: want true or false, got a string",
				`c.toml:7:12: poll.interval: wrong type: want a duration such as "15m", got a boolean`,
			},
		},
		{
			name: "type: arrays and tables out of place",
			toml: "story = []\nactors = [[\"x\"], 1]\n[store]\npath = [\"a\"]\n[poll]\ninterval = {s = 1}\n[[feeds]]\nname = \"F\"\nurl = \"f\"\n",
			want: []string{
				"c.toml:1:1: story: wrong type: want a table, got an array",
				"c.toml:2:1: actors[0]: wrong type: want a table, got an array",
				"c.toml:2:18: actors[1]: wrong type: want a table, got an integer",
				"c.toml:4:1: store.path: wrong type: want a string, got an array",
				`c.toml:6:12: poll.interval: wrong type: want a duration such as "15m", got a table`,
			},
		},
		{
			name: "unknown keys: all reported, with array indexes",
			toml: minimalStory + "treshold = 2\n[[actors]]\nname = \"A\"\n[[actors]]\nname = \"B\"\nalias = [\"b\"]\n[zzz]\nq = 1\n",
			want: []string{
				"c.toml:4:1: story.treshold: unknown key",
				"c.toml:9:1: actors[1].alias: unknown key",
				"c.toml:10:2: zzz: unknown key",
			},
		},
		{
			name: "keys in another case",
			toml: "[Story]\nname = \"S\"\nPhrases = [\"p\"]\n",
			want: []string{
				"c.toml:1:2: Story: unknown key (keys are lower case)",
				"c.toml:3:1: Story.Phrases: unknown key (keys are lower case)",
			},
		},
		{
			name: "quoted keys with escapes",
			toml: minimalStory + "\"\\u0074oken\" = \"x\"\n",
			want: []string{"c.toml:4:1: story.token: unknown key (the token is never in the file: set the environment variable named by discord.token_env)"},
		},
		{
			name: "unknown key in an inline table",
			toml: "actors = [{name = \"A\", aliases = [\"a\"], bogus = 1}]\n" + minimalStory,
			want: []string{"c.toml:1:41: actors[0].bogus: unknown key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("c.toml", []byte(tt.toml), noEnv)
			if cfg != nil {
				t.Errorf("Parse returned a config along with errors")
			}
			if got := problems(err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestTokenKeyIsRejectedAndNotEchoed(t *testing.T) {
	const secret = "MTIzNDU2Nzg5.secret.value"
	tests := []struct {
		name string
		toml string
		want string
	}{
		{"in discord", minimalStory + "[discord]\ntoken = \"" + secret + "\"\n", "c.toml:5:1: discord.token: unknown key"},
		{"at the top", "token = \"" + secret + "\"\n" + minimalStory, "c.toml:1:1: token: unknown key"},
		{"in an actor", minimalStory + "[[actors]]\nname = \"A\"\ntoken = \"" + secret + "\"\n", "c.toml:6:1: actors[0].token: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(tt.toml), noEnv)
			if err == nil {
				t.Fatal("Parse accepted a token in the file")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want) || !strings.Contains(msg, "discord.token_env") {
				t.Errorf("error = %q, want %q pointing at discord.token_env", msg, tt.want)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error %q echoes the token", msg)
			}
		})
	}
}

func TestProblemsAreProblems(t *testing.T) {
	_, err := Parse("c.toml", []byte("[story]\nname = 1\n"), noEnv)
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not a *Problem", err)
	}
	want := Problem{File: "c.toml", Line: 2, Column: 8, Key: "story.name", Message: "wrong type: want a string, got an integer"}
	if *p != want {
		t.Errorf("Problem = %+v, want %+v", *p, want)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "c.toml", Line: 3, Column: 7, Key: "a.b", Message: "bad"}, "c.toml:3:7: a.b: bad"},
		{Problem{File: "c.toml", Line: 3, Key: "a.b", Message: "bad"}, "c.toml:3: a.b: bad"},
		{Problem{File: "c.toml", Key: "a.b", Message: "bad"}, "c.toml: a.b: bad"},
		{Problem{File: "c.toml", Line: 1, Column: 2, Message: "bad"}, "c.toml:1:2: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// TestGolden checks the whole report for files with many problems.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid-*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/invalid-*.toml: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			_, err := Load(file, noEnv)
			if err == nil {
				t.Fatal("Load accepted an invalid file")
			}
			got := strings.Join(problems(err), "\n") + "\n"
			golden := strings.TrimSuffix(file, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("problems =\n%s\nwant (%s)\n%s", got, golden, want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.toml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("actors = [{name = \"A\", aliases = [[\"x\"], {a = 1}]}]\n[[actors]]\n[actors.x]\n"))
	f.Add([]byte("a.b.c = 1\n[a]\n[[a.b]]\n"))
	// Inputs that made go-toml v2.2.4 panic (see TestDecodeGivesPositionedErrors).
	f.Add([]byte("[[ACtors]]\nweight = +"))
	f.Add([]byte("\"\\b\"=0"))
	f.Add([]byte("[digest]\ntime = 08:30:00\n"))
	f.Add([]byte("[[feeds.sub]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data, noEnv)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of config and error", cfg, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.toml") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

// TestDecodeGivesPositionedErrors feeds go-toml, without the key index's
// checks, the inputs that made v2.2.4 panic (a lone sign for a number, an
// unknown key with an escape, a TOML time for a string, an array of tables
// under a table that is none): the decoder itself must answer each with an
// error that says where.
func TestDecodeGivesPositionedErrors(t *testing.T) {
	tests := []struct {
		in         string
		line, col  int
		key, inMsg string
	}{
		{"[[actors]]\nweight = +\n", 2, 11, "", "expected digit"},
		{"\"\\b\" = 0\n", 1, 1, "\b", "unknown field"},
		{"[digest]\ntime = 08:30:00\n", 2, 8, "digest.time", "local time"},
		{"[[feeds.sub]]\n", 1, 3, "feeds.sub", "missing table"},
	}
	for _, tt := range tests {
		doc := defaults()
		err := decode([]byte(tt.in), &doc)
		var de *toml.DecodeError
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) && len(strict.Errors) > 0 {
			de = &strict.Errors[0]
		}
		if de == nil && !errors.As(err, &de) {
			t.Errorf("decode(%q) = %v, want a positioned decode error", tt.in, err)
			continue
		}
		line, col := de.Position()
		key := strings.Join(de.Key(), ".")
		if line != tt.line || col != tt.col || key != tt.key || !strings.Contains(de.Error(), tt.inMsg) {
			t.Errorf("decode(%q) = %d:%d key %q %q, want %d:%d key %q containing %q",
				tt.in, line, col, key, de.Error(), tt.line, tt.col, tt.key, tt.inMsg)
		}
	}
}
