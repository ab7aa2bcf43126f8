package config

import (
	"reflect"
	"strings"
	"testing"
)

// minimalStory is the least a valid configuration needs.
const minimalStory = "[story]\nname = \"S\"\nphrases = [\"peace plan\"]\n"

func TestValidationRules(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want []string
	}{
		// story
		{"story name required", "[story]\nphrases = [\"peace plan\"]\n", []string{"c.toml:1: story.name: required"}},
		{"story name blank", "[story]\nname = \"  \"\nphrases = [\"peace plan\"]\n", []string{"c.toml:2: story.name: required"}},
		{"no story at all", "", []string{
			"c.toml: story.name: required",
			"c.toml: story: the story needs at least one phrase, weak phrase or actor",
		}},
		{"threshold zero", minimalStory + "threshold = 0\n", []string{"c.toml:4: story.threshold: must be greater than 0, got 0"}},
		{"threshold negative", minimalStory + "threshold = -1\n", []string{"c.toml:4: story.threshold: must be greater than 0, got -1"}},
		{"threshold nan", minimalStory + "threshold = nan\n", []string{"c.toml:4: story.threshold: must be greater than 0, got NaN"}},
		{"threshold inf", minimalStory + "threshold = inf\n", []string{"c.toml:4: story.threshold: must be greater than 0, got +Inf"}},
		{"negative weights", minimalStory + "phrase_weight = -1\nweak_weight = -0.1\ncontext_weight = -2\nexclude_weight = -3\n", []string{
			"c.toml:4: story.phrase_weight: must be 0 or more, got -1",
			"c.toml:5: story.weak_weight: must be 0 or more, got -0.1",
			"c.toml:6: story.context_weight: must be 0 or more, got -2",
			"c.toml:7: story.exclude_weight: must be 0 or more, got -3",
		}},
		{"zero weights allowed", minimalStory + "weak_weight = 0\ncontext_weight = 0\nexclude_weight = 0\n", nil},
		{"no phrase or actor", "[story]\nname = \"S\"\n", []string{"c.toml:1: story: the story needs at least one phrase, weak phrase or actor"}},
		{"weak phrase suffices", "[story]\nname = \"S\"\nweak_phrases = [\"ceasefire\"]\n", nil},
		{"actor suffices", "[story]\nname = \"S\"\n[[actors]]\nname = \"A\"\naliases = [\"Ada\"]\n", nil},
		{"empty phrases", "[story]\nname = \"S\"\nphrases = [\n  \"peace plan\",\n  \"\",\n]\nweak_phrases = [\" \"]\ncontext = [\"Geneva\", \"\"]\nexclude = [\"\\t\"]\n", []string{
			"c.toml:5: story.phrases[1]: empty phrase",
			"c.toml:7: story.weak_phrases[0]: empty phrase",
			"c.toml:8: story.context[1]: empty context term",
			"c.toml:9: story.exclude[0]: empty exclusion phrase",
		}},

		// actors
		{"actor name required", minimalStory + "[[actors]]\naliases = [\"Ada\"]\n", []string{"c.toml:4: actors[0].name: required"}},
		{"duplicate actor names, any case", minimalStory + "[[actors]]\nname = \"Ada Quarry\"\n[[actors]]\nname = \"B\"\n[[actors]]\nname = \"ADA QUARRY\"\n",
			[]string{`c.toml:9: actors[2].name: actor "ADA QUARRY" is already actors[0]`}},
		{"empty alias, stem, exclude", minimalStory + "[[actors]]\nname = \"A\"\naliases = [\"Ada\", \"Quarry\", \"\"]\nstems = [\" \"]\nexclude = [\"\"]\n", []string{
			"c.toml:6: actors[0].aliases[2]: empty alias",
			"c.toml:7: actors[0].stems[0]: empty stem",
			"c.toml:8: actors[0].exclude[0]: empty exclusion pattern",
		}},
		{"negative actor weight", minimalStory + "[[actors]]\nname = \"A\"\nweight = -0.5\n", []string{"c.toml:6: actors[0].weight: must be 0 or more, got -0.5"}},
		{"zero actor weight kept", minimalStory + "[[actors]]\nname = \"A\"\nweight = 0\n", nil},
		{"alias shared by two actors", minimalStory + "[[actors]]\nname = \"Ada\"\naliases = [\"Quarry\"]\n[[actors]]\nname = \"Ben\"\naliases = [\"Okafor\", \"Quarry\"]\n",
			[]string{`c.toml:9: actors[1].aliases[1]: alias "Quarry" of "Ben" is also actors[0].aliases[0] of "Ada"`}},
		{"alias shared after the matcher's folding of case, width and diacritics", minimalStory + "[[actors]]\nname = \"Ada\"\naliases = [\"Zelenskyy\", \"Zélensky\"]\n[[actors]]\nname = \"Ben\"\naliases = [\"ZELENSKYY\", \"Zelensky\", \"Ｚｅｌｅｎｓｋｙｙ\"]\n", []string{
			`c.toml:9: actors[1].aliases[0]: alias "ZELENSKYY" of "Ben" is also actors[0].aliases[0] of "Ada"`,
			`c.toml:9: actors[1].aliases[1]: alias "Zelensky" of "Ben" is also actors[0].aliases[1] of "Ada"`,
			`c.toml:9: actors[1].aliases[2]: alias "Ｚｅｌｅｎｓｋｙｙ" of "Ben" is also actors[0].aliases[0] of "Ada"`,
		}},
		{"alias shared after the matcher's folding of apostrophes and word breaks", minimalStory + "[[actors]]\nname = \"Ada\"\naliases = [\"O'Neil\", \"Harbour Board\"]\n[[actors]]\nname = \"Ben\"\naliases = [\"O’Neil\", \"harbour-board\"]\n", []string{
			`c.toml:9: actors[1].aliases[0]: alias "O’Neil" of "Ben" is also actors[0].aliases[0] of "Ada"`,
			`c.toml:9: actors[1].aliases[1]: alias "harbour-board" of "Ben" is also actors[0].aliases[1] of "Ada"`,
		}},
		{"aliases the matcher tells apart are not a clash", minimalStory + "[[actors]]\nname = \"Ada\"\naliases = [\"Зеленский\", \"Tusk\"]\n[[actors]]\nname = \"Ben\"\naliases = [\"ЗЕЛЕНСКИИ\", \"Tusks\"]\n", nil},
		{"stem shared with another actor's alias", minimalStory + "[[actors]]\nname = \"Ada\"\naliases = [\"Кворри\"]\n[[actors]]\nname = \"Ben\"\nstems = [\"кворри\"]\n",
			[]string{`c.toml:9: actors[1].stems[0]: stem "кворри" of "Ben" is also actors[0].aliases[0] of "Ada"`}},
		{"same spelling as alias and stem of one actor", minimalStory + "[[actors]]\nname = \"Ada\"\naliases = [\"Кворри\", \"Кворри\"]\nstems = [\"Кворри\"]\n", nil},

		// feeds
		{"feed name and url required", minimalStory + "[[feeds]]\ninterval = \"1m\"\n", []string{
			"c.toml:4: feeds[0].name: required",
			"c.toml:4: feeds[0].url: required",
		}},
		{"duplicate feed names and urls", minimalStory + "[[feeds]]\nname = \"Herald\"\nurl = \"https://a.example/rss\"\n[[feeds]]\nname = \"herald\"\nurl = \"https://a.example/rss\"\n", []string{
			`c.toml:8: feeds[1].name: feed name "herald" is already feeds[0]`,
			`c.toml:9: feeds[1].url: feed URL "https://a.example/rss" is already feeds[0]`,
		}},
		{"feed url schemes", minimalStory + "[[feeds]]\nname = \"a\"\nurl = \"ftp://a.example/rss\"\n" +
			"[[feeds]]\nname = \"b\"\nurl = \"javascript:alert(1)\"\n" +
			"[[feeds]]\nname = \"c\"\nurl = \"https:///rss\"\n" +
			"[[feeds]]\nname = \"d\"\nurl = \"HTTPS://D.example/rss\"\n" +
			"[[feeds]]\nname = \"e\"\nurl = \"file:///var/feeds/e.xml\"\n" +
			"[[feeds]]\nname = \"f\"\nurl = \"feeds/f.xml\"\n" +
			"[[feeds]]\nname = \"g\"\nurl = \"/abs/g:1.xml\"\n", []string{
			`c.toml:6: feeds[0].url: scheme "ftp" not allowed: use http://, https://, file:// or a plain path`,
			`c.toml:9: feeds[1].url: scheme "javascript" not allowed: use http://, https://, file:// or a plain path`,
			`c.toml:12: feeds[2].url: "https:///rss" has no host`,
		}},
		{"feed interval below a second", minimalStory + "[[feeds]]\nname = \"a\"\nurl = \"a.xml\"\ninterval = \"500ms\"\n",
			[]string{"c.toml:7: feeds[0].interval: must be at least 1s, got 500ms"}},

		// discord
		{"token_env required", minimalStory + "[discord]\ntoken_env = \"\"\n",
			[]string{"c.toml:5: discord.token_env: required: the name of the environment variable holding the bot token"}},
		{"snowflakes", minimalStory + "[discord]\nchannel_id = \"1234\"\nguild_id = \"12345678901234567a\"\napplication_id = \"123456789012345678901\"\n", []string{
			`c.toml:5: discord.channel_id: "1234" is not a Discord id (17 to 20 digits)`,
			`c.toml:6: discord.guild_id: "12345678901234567a" is not a Discord id (17 to 20 digits)`,
			`c.toml:7: discord.application_id: "123456789012345678901" is not a Discord id (17 to 20 digits)`,
		}},
		{"snowflake lengths 17 and 20", minimalStory + "[discord]\nchannel_id = \"12345678901234567\"\nguild_id = \"12345678901234567890\"\n", nil},
		{"api url scheme", minimalStory + "[discord]\napi_url = \"ws://discord.example/\"\n",
			[]string{`c.toml:5: discord.api_url: "ws://discord.example/" is not an http(s) URL`}},
		{"api url empty", minimalStory + "[discord]\napi_url = \"\"\n",
			[]string{`c.toml:5: discord.api_url: "" is not an http(s) URL`}},
		{"max posts per cycle", minimalStory + "[discord]\nmax_posts_per_cycle = 0\n",
			[]string{"c.toml:5: discord.max_posts_per_cycle: must be at least 1, got 0"}},
		{"edit spacing", minimalStory + "[discord]\nedit_spacing = \"100ms\"\n",
			[]string{"c.toml:5: discord.edit_spacing: must be between 1s and 1h, got 100ms"}},

		// store, poll, fetch, backlog, cluster, digest
		{"store path empty", minimalStory + "[store]\npath = \"\"\n", []string{"c.toml:5: store.path: required"}},
		{"store url_env holds a URL", minimalStory + "[store]\nurl_env = \"postgres://bot:pw@db/story\"\n",
			[]string{"c.toml:5: store.url_env: " + urlEnvProblem}},
		{"store url_env starts with a digit", minimalStory + "[store]\nurl_env = \"1DB\"\n",
			[]string{"c.toml:5: store.url_env: " + urlEnvProblem}},
		{"store url_env without a path", minimalStory + "[store]\npath = \"\"\nurl_env = \"STORYLINE_DB\"\n", nil},
		{"keep_unrelated too short", minimalStory + "[store]\nkeep_unrelated = \"12h\"\n", []string{
			`c.toml:5: store.keep_unrelated: must be "0" (keep for ever) or at least "1d", got 12h0m0s`}},
		{"keep_unrelated negative", minimalStory + "[store]\nkeep_unrelated = \"-1h\"\n", []string{
			`c.toml:5: store.keep_unrelated: must be "0" (keep for ever) or at least "1d", got -1h0m0s`}},
		{"keep_unrelated for ever", minimalStory + "[store]\nkeep_unrelated = \"0\"\n", nil},
		{"keep_unrelated one day", minimalStory + "[store]\nkeep_unrelated = \"1d\"\n", nil},
		{"poll limits", minimalStory + "[poll]\ninterval = \"0s\"\nconcurrency = -1\nper_host = -1\njitter = 0.6\n", []string{
			"c.toml:5: poll.interval: must be at least 1s, got 0s",
			"c.toml:6: poll.concurrency: must be at least 0, got -1",
			"c.toml:7: poll.per_host: must be at least 1, got -1",
			"c.toml:8: poll.jitter: must be between 0 and 0.5, got 0.6",
		}},
		{"pace bounds that leave out the interval", minimalStory + "[poll]\ninterval = \"15m\"\nmin_interval = \"20m\"\nmax_interval = \"10m\"\n", []string{
			"c.toml:6: poll.min_interval: must be at most poll.interval (15m0s), got 20m0s",
			"c.toml:7: poll.max_interval: must be at least poll.interval (15m0s), got 10m0s",
		}},
		{"pace bounds below a second", minimalStory + "[poll]\nmin_interval = \"0s\"\nmax_interval = \"500ms\"\n", []string{
			"c.toml:5: poll.min_interval: must be at least 1s, got 0s",
			"c.toml:6: poll.max_interval: must be at least 1s, got 500ms",
		}},
		{"pace bounds left out widen to the interval", minimalStory + "[poll]\ninterval = \"1s\"\n", nil},
		{"jitter negative", minimalStory + "[poll]\njitter = -0.1\n", []string{"c.toml:5: poll.jitter: must be between 0 and 0.5, got -0.1"}},
		{"jitter bounds allowed", minimalStory + "[poll]\njitter = 0.5\n[[feeds]]\nname = \"a\"\nurl = \"a.xml\"\ninterval = \"1s\"\n", nil},
		{"fetch limits", minimalStory + "[fetch]\ntimeout = \"-5s\"\nmax_bytes = 0\nmax_items = 0\n", []string{
			"c.toml:5: fetch.timeout: must be at least 1s, got -5s",
			"c.toml:6: fetch.max_bytes: must be at least 1, got 0",
			"c.toml:7: fetch.max_items: must be at least 1, got 0",
		}},
		{"backlog limits", minimalStory + "[backlog]\nwindow = \"999ms\"\nmax_posts = -1\n", []string{
			"c.toml:5: backlog.window: must be at least 1s, got 999ms",
			"c.toml:6: backlog.max_posts: must be at least 0, got -1",
		}},
		{"cluster limits", minimalStory + "[cluster]\nwindow = \"0s\"\nsimilarity = 0\nmin_shared_actors = -1\n", []string{
			"c.toml:5: cluster.window: must be at least 1s, got 0s",
			"c.toml:6: cluster.similarity: must be greater than 0 and at most 1, got 0",
			"c.toml:7: cluster.min_shared_actors: must be at least 0, got -1",
		}},
		{"similarity above one", minimalStory + "[cluster]\nsimilarity = 1.01\n",
			[]string{"c.toml:5: cluster.similarity: must be greater than 0 and at most 1, got 1.01"}},
		{"similarity one allowed", minimalStory + "[cluster]\nsimilarity = 1\n", nil},
		{"digest time", minimalStory + "[digest]\ntime = \"8:30\"\n", []string{`c.toml:5: digest.time: "8:30" is not a time of day as HH:MM`}},
		{"digest time out of range", minimalStory + "[digest]\ntime = \"24:00\"\n", []string{`c.toml:5: digest.time: "24:00" is not a time of day as HH:MM`}},
		{"digest minutes out of range", minimalStory + "[digest]\ntime = \"23:60\"\n", []string{`c.toml:5: digest.time: "23:60" is not a time of day as HH:MM`}},
		{"digest time signed", minimalStory + "[digest]\ntime = \"+1:00\"\n", []string{`c.toml:5: digest.time: "+1:00" is not a time of day as HH:MM`}},
		{"digest time bounds", minimalStory + "[digest]\ntime = \"23:59\"\ntimezone = \"America/Argentina/Buenos_Aires\"\n", nil},
		{"digest timezone", minimalStory + "[digest]\ntimezone = \"Mars/Olympus\"\n", []string{`c.toml:5: digest.timezone: unknown time zone "Mars/Olympus"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("c.toml", []byte(tt.toml), noEnv)
			got := problems(err)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if (cfg == nil) != (err != nil) {
				t.Errorf("Parse = %v, %v: want exactly one of config and error", cfg, err)
			}
		})
	}
}

// urlEnvProblem is the problem of a [store] url_env that is not a variable
// name; it does not repeat the value, which may hold a password.
const urlEnvProblem = "not an environment variable name (letters, digits and _, not starting with a digit): name the variable that holds the postgres:// URL, not the URL"
