package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"storyline/story"
)

// validator collects every problem of a decoded configuration.
type validator struct {
	file string
	keys *keyIndex
	// env maps the keys set from the environment to their variable.
	env      map[string]string
	problems []error
}

// validate checks every rule and joins the problems found.
func validate(cfg *Config, keys *keyIndex, env map[string]string) error {
	v := &validator{file: cfg.Path, keys: keys, env: env}
	v.story(&cfg.Story, len(cfg.Actors))
	v.actors(cfg.Actors, cfg.Definition().Actors)
	v.terms(cfg)
	v.feeds(cfg.Feeds)
	v.discord(&cfg.Discord)
	v.settings(cfg)
	return errors.Join(v.problems...)
}

// add records a problem at key, on the key's line when the file has it.
func (v *validator) add(key, format string, args ...any) {
	p := &Problem{File: v.file, Key: key, Message: fmt.Sprintf(format, args...)}
	if name, ok := v.env[key]; ok {
		p.Message += " (set by " + name + ")"
	} else {
		p.Line = v.keys.line(key)
	}
	v.problems = append(v.problems, p)
}

func (v *validator) story(s *Story, actors int) {
	if blank(s.Name) {
		v.add("story.name", "required")
	}
	if !(s.Threshold > 0) || math.IsInf(s.Threshold, 0) {
		v.add("story.threshold", "must be greater than 0, got %v", s.Threshold)
	}
	v.nonEmpty("story.phrases", s.Phrases, "empty phrase")
	v.nonEmpty("story.weak_phrases", s.WeakPhrases, "empty phrase")
	v.nonEmpty("story.generic_phrases", s.GenericPhrases, "empty phrase")
	v.nonEmpty("story.context", s.Context, "empty context term")
	v.nonEmpty("story.exclude", s.Exclude, "empty exclusion phrase")
	v.weight("story.phrase_weight", s.PhraseWeight)
	v.weight("story.weak_weight", s.WeakWeight)
	v.weight("story.generic_weight", s.GenericWeight)
	v.weight("story.context_weight", s.ContextWeight)
	v.weight("story.exclude_weight", s.ExcludeWeight)
	v.scoring(s)
	if len(s.Phrases)+len(s.WeakPhrases)+actors == 0 {
		v.add("story", "the story needs at least one phrase, weak phrase or actor")
	}
}

// scoring checks the caps, the evidence rule and the matching knobs.
func (v *validator) scoring(s *Story) {
	for _, c := range []struct {
		key   string
		value float64
	}{
		{"story.weak_cap", s.WeakCap},
		{"story.generic_cap", s.GenericCap},
		{"story.context_cap", s.ContextCap},
		{"story.actor_cap", s.ActorCap},
	} {
		if !(c.value >= 0) || math.IsInf(c.value, 0) {
			v.add(c.key, "must be 0 (no cap) or more, got %v", c.value)
		}
	}
	v.weight("story.core_weight", s.CoreWeight)
	v.atLeast("story.core_quorum", int64(s.CoreQuorum), 0)
	if s.PhraseSlack < 0 || s.PhraseSlack > maxPhraseSlack {
		v.add("story.phrase_slack", "must be between 0 (exact order) and %d, got %d", maxPhraseSlack, s.PhraseSlack)
	}
	if s.TypoLetters != 0 && s.TypoLetters < minTypoLetters {
		v.add("story.typo_letters", "must be 0 (off) or at least %d: short names are too close to other words, got %d", minTypoLetters, s.TypoLetters)
	}
	if s.LowerCaseLetters != 0 && s.LowerCaseLetters < minLowerCaseLetters {
		v.add("story.lower_case_letters", "must be 0 (off) or at least %d, got %d", minLowerCaseLetters, s.LowerCaseLetters)
	}
}

// Bounds of the matching knobs.
const (
	maxPhraseSlack      = 8
	minTypoLetters      = 5
	minLowerCaseLetters = 3
)

// actors checks the actors; def is the same actors as the matcher gets
// them.
func (v *validator) actors(actors []Actor, def []story.Actor) {
	names := uniques{list: "actors", noun: "actor", seen: make(map[string]int)}
	clashes := story.Clashes(def)
	for i, a := range actors {
		key := fmt.Sprintf("actors[%d]", i)
		v.unique(names, i, key+".name", a.Name, story.Normalize(a.Name))
		v.nonEmpty(key+".aliases", a.Aliases, "empty alias")
		v.nonEmpty(key+".stems", a.Stems, "empty stem")
		for _, c := range clashes {
			if c.Spelling.Actor == i {
				v.clash(def, c)
			}
		}
		v.nonEmpty(key+".exclude", a.Exclude, "empty exclusion pattern")
		v.weight(key+".weight", a.Weight)
	}
}

// clash reports an alias or stem that the matcher reads as an earlier one
// of another actor, so that a mention would count for both.
func (v *validator) clash(actors []story.Actor, c story.Clash) {
	v.add(spellingKey(c.Spelling), "%s %q of %q is also %s of %q",
		spellingKind(c.Spelling), spellingText(actors, c.Spelling), actors[c.Spelling.Actor].Name,
		spellingKey(c.Earlier), actors[c.Earlier.Actor].Name)
}

// spellingKey is the key path of an alias or stem.
func spellingKey(s story.Spelling) string {
	list := "aliases"
	if s.Stem {
		list = "stems"
	}
	return fmt.Sprintf("actors[%d].%s[%d]", s.Actor, list, s.Index)
}

// spellingKind says whether a spelling is an alias or a stem.
func spellingKind(s story.Spelling) string {
	if s.Stem {
		return "stem"
	}
	return "alias"
}

// spellingText returns the spelling as written.
func spellingText(actors []story.Actor, s story.Spelling) string {
	if s.Stem {
		return actors[s.Actor].Stems[s.Index]
	}
	return actors[s.Actor].Aliases[s.Index]
}

// uniques are the values seen so far of a field that must be unique in a
// list.
type uniques struct {
	list, noun string
	// seen maps a comparable form of each value to its element index.
	seen map[string]int
}

// unique checks that element i's value at key is not blank and not seen
// before (comparing the given form), and reports whether it was new.
func (v *validator) unique(u uniques, i int, key, value, form string) bool {
	first, dup := u.seen[form]
	switch {
	case blank(value):
		v.add(key, "required")
	case dup:
		v.add(key, "%s %q is already %s[%d]", u.noun, value, u.list, first)
	default:
		u.seen[form] = i
		return true
	}
	return false
}

func (v *validator) feeds(feeds []Feed) {
	names := uniques{list: "feeds", noun: "feed name", seen: make(map[string]int)}
	urls := uniques{list: "feeds", noun: "feed URL", seen: make(map[string]int)}
	for i, f := range feeds {
		key := fmt.Sprintf("feeds[%d]", i)
		v.unique(names, i, key+".name", f.Name, story.Normalize(f.Name))
		u := strings.TrimSpace(f.URL)
		if v.unique(urls, i, key+".url", u, u) {
			if msg := feedURLProblem(u); msg != "" {
				v.add(key+".url", "%s", msg)
			}
		}
		v.duration(key+".interval", f.Interval)
	}
}

// feedURLProblem says what is wrong with a feed URL, or "" when it is an
// http(s) URL, a file URL or a plain path.
func feedURLProblem(raw string) string {
	scheme, _, found := strings.Cut(raw, ":")
	if !found || !isScheme(scheme) {
		return ""
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return webURLProblem(raw)
	case "file":
		return ""
	}
	return fmt.Sprintf("scheme %q not allowed: use http://, https://, file:// or a plain path", scheme)
}

// webURLProblem says what is wrong with an http(s) URL, or "".
func webURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q is not an http(s) URL", raw)
	case u.Host == "":
		return fmt.Sprintf("%q has no host", raw)
	}
	return ""
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, '+', '-' or '.'.
func isScheme(s string) bool {
	for i, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

func (v *validator) discord(d *Discord) {
	v.tokenEnv(d.TokenEnv)
	v.snowflake("discord.channel_id", d.ChannelID)
	v.snowflake("discord.guild_id", d.GuildID)
	v.snowflake("discord.application_id", d.ApplicationID)
	if msg := webURLProblem(d.APIURL); msg != "" {
		v.add("discord.api_url", "%s", msg)
	}
	if d.MaxPostsPerCycle < 1 {
		v.add("discord.max_posts_per_cycle", "must be at least 1, got %d", d.MaxPostsPerCycle)
	}
	if d.EditSpacing.Duration < time.Second || d.EditSpacing.Duration > time.Hour {
		v.add("discord.edit_spacing", "must be between 1s and 1h, got %s", d.EditSpacing.Duration)
	}
}

// snowflake checks an optional Discord id: 17 to 20 digits.
func (v *validator) snowflake(key, id string) {
	if id == "" {
		return
	}
	if len(id) < 17 || len(id) > 20 || strings.IndexFunc(id, notDigit) >= 0 {
		v.add(key, "%q is not a Discord id (17 to 20 digits)", id)
	}
}

// settings checks the store, poll, fetch, backlog, cluster and digest
// sections.
func (v *validator) settings(cfg *Config) {
	if blank(cfg.Store.Path) && cfg.Store.URLEnv == "" {
		v.add("store.path", "required")
	}
	if env := cfg.Store.URLEnv; env != "" && !isEnvName(env) {
		// The value is not repeated: it may be the URL itself, password
		// and all.
		v.add("store.url_env", "not an environment variable name (letters, digits and _, not starting with a digit): name the variable that holds the postgres:// URL, not the URL")
	}
	if k := cfg.Store.KeepUnrelated; k.Duration != 0 && k.Duration < 24*time.Hour {
		v.add("store.keep_unrelated", `must be "0" (keep for ever) or at least "1d", got %s`, k)
	}
	v.pollIntervals(cfg.Poll)
	v.atLeast("poll.concurrency", int64(cfg.Poll.Concurrency), 0)
	v.atLeast("poll.per_host", int64(cfg.Poll.PerHost), 1)
	if !(cfg.Poll.Jitter >= 0 && cfg.Poll.Jitter <= 0.5) {
		v.add("poll.jitter", "must be between 0 and 0.5, got %v", cfg.Poll.Jitter)
	}
	v.duration("fetch.timeout", cfg.Fetch.Timeout)
	v.atLeast("fetch.max_bytes", cfg.Fetch.MaxBytes, 1)
	v.atLeast("fetch.max_items", int64(cfg.Fetch.MaxItems), 1)
	v.duration("backlog.window", cfg.Backlog.Window)
	v.atLeast("backlog.max_posts", int64(cfg.Backlog.MaxPosts), 0)
	v.duration("cluster.window", cfg.Cluster.Window)
	if !(cfg.Cluster.Similarity > 0 && cfg.Cluster.Similarity <= 1) {
		v.add("cluster.similarity", "must be greater than 0 and at most 1, got %v", cfg.Cluster.Similarity)
	}
	v.atLeast("cluster.min_shared_actors", int64(cfg.Cluster.MinSharedActors), 0)
	if t := cfg.Digest.Time; t != "" && !isClock(t) {
		v.add("digest.time", "%q is not a time of day as HH:MM", t)
	}
	if _, err := time.LoadLocation(cfg.Digest.Timezone); err != nil {
		v.add("digest.timezone", "unknown time zone %q", cfg.Digest.Timezone)
	}
}

// pollIntervals checks poll.interval and the bounds of a feed's pace,
// which must hold it: a feed without an interval of its own starts there.
// Bounds left out of the file hold it by construction.
func (v *validator) pollIntervals(p Poll) {
	v.duration("poll.interval", p.Interval)
	v.duration("poll.min_interval", p.MinInterval)
	v.duration("poll.max_interval", p.MaxInterval)
	if p.MinInterval.Duration > p.Interval.Duration && p.Interval.Duration >= time.Second {
		v.add("poll.min_interval", "must be at most poll.interval (%s), got %s", p.Interval, p.MinInterval)
	}
	if p.MaxInterval.Duration < p.Interval.Duration && p.MaxInterval.Duration >= time.Second {
		v.add("poll.max_interval", "must be at least poll.interval (%s), got %s", p.Interval, p.MaxInterval)
	}
}

// weight checks a score weight: finite and not negative.
func (v *validator) weight(key string, w float64) {
	if !(w >= 0) || math.IsInf(w, 0) {
		v.add(key, "must be 0 or more, got %v", w)
	}
}

// atLeast checks an integer's lower bound.
func (v *validator) atLeast(key string, n, least int64) {
	if n < least {
		v.add(key, "must be at least %d, got %d", least, n)
	}
}

// duration checks that a duration is at least a second.
func (v *validator) duration(key string, d Duration) {
	if d.Duration < time.Second {
		v.add(key, "must be at least 1s, got %s", d)
	}
}

// nonEmpty reports the blank entries of a list.
func (v *validator) nonEmpty(key string, list []string, msg string) {
	for i, s := range list {
		if blank(s) {
			v.add(fmt.Sprintf("%s[%d]", key, i), "%s", msg)
		}
	}
}

// isClock reports whether s is a time of day written HH:MM.
func isClock(s string) bool {
	if len(s) != 5 || s[2] != ':' || strings.IndexFunc(s[:2]+s[3:], notDigit) >= 0 {
		return false
	}
	hour := int(s[0]-'0')*10 + int(s[1]-'0')
	minute := int(s[3]-'0')*10 + int(s[4]-'0')
	return hour < 24 && minute < 60
}

// isEnvName reports whether s is a portable environment variable name.
func isEnvName(s string) bool {
	for i, r := range s {
		letter := r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

func blank(s string) bool { return strings.TrimSpace(s) == "" }
