package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"storyline/config"
	"storyline/store"
	"storyline/story"
)

// suggestScope says which stored reports suggestions are drawn from: those
// published within Since, at most Relevant of those the bot kept and
// Rejected of those it left out, newest first, each read to
// Options.TextBytes.
type suggestScope struct {
	Since              time.Duration
	Relevant, Rejected int
	Options            story.SuggestOptions
}

// cliSuggestScope is the scope of `storyline suggest`: the last 30 days.
func cliSuggestScope() suggestScope {
	return suggestScope{Since: 30 * 24 * time.Hour, Relevant: 2000, Rejected: 4000}
}

// botSuggestScope is the scope of /suggest, smaller, so that a bot busy
// polling answers within a second or so.
func botSuggestScope() suggestScope {
	return suggestScope{Since: 30 * 24 * time.Hour, Relevant: 500, Rejected: 1500, Options: story.SuggestOptions{TextBytes: 1200}}
}

// runSuggest runs `storyline suggest`: it reads the reports the bot has
// stored and prints what the story's definition may be missing.
func runSuggest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := newFlagSet("suggest", "[-config FILE] [-since DUR]",
		"Judge the reports the bot has stored with the config as it is now, and list names and\n"+
			"phrases that recur in the relevant reports but are not in the story's definition, and\n"+
			"aliases matched mostly in the reports the story rejects. Nothing is changed.")
	cfgPath := fl.String("config", "config.toml", "config `file`")
	since := fl.Duration("since", cliSuggestScope().Since, "read the reports published within this `duration`")
	if err := parseFlags(fl, args, stdout, stderr); err != nil {
		return err
	}
	if *since <= 0 {
		return fmt.Errorf("%w: -since must be a positive duration, not %v", errUsage, *since)
	}
	cfg, err := config.Load(*cfgPath, getenv)
	if err != nil {
		return err
	}
	m, err := newMatcher(cfg)
	if err != nil {
		return err
	}
	if err := storeExists(cfg, getenv); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, getenv, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.Close()
	scope := cliSuggestScope()
	scope.Since = *since
	now := time.Now()
	s, err := suggestions(ctx, st, m, now, scope)
	if err != nil {
		return err
	}
	writeSuggestions(stdout, s, cfg.Story.Name, *cfgPath, now.Add(-scope.Since))
	return nil
}

// storeExists fails, saying what to do, when the config's store is a
// SQLite file that does not exist: suggestions need the reports a running
// bot has stored, and opening would only create an empty store.
func storeExists(cfg *config.Config, getenv func(string) string) error {
	if u, err := cfg.StoreURL(getenv); err != nil || u != "" {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("suggest: no store at %s ([store] path in %s): suggestions are drawn from the reports a running bot has stored; run `storyline run` first, or point [store] path at its database", cfg.Store.Path, cfg.Path)
	} else if err != nil {
		return fmt.Errorf("suggest: %w", err)
	}
	return nil
}

// suggestions reads the reports of scope from st, as of now, and returns
// what m's definition may be missing.
func suggestions(ctx context.Context, st store.Store, m *story.Matcher, now time.Time, scope suggestScope) (story.Suggestions, error) {
	since := now.Add(-scope.Since)
	kept, err := st.LatestRecords(ctx, true, since, scope.Relevant)
	if err != nil {
		return story.Suggestions{}, fmt.Errorf("suggest: %w", err)
	}
	left, err := st.LatestRecords(ctx, false, since, scope.Rejected)
	if err != nil {
		return story.Suggestions{}, fmt.Errorf("suggest: %w", err)
	}
	reports := make([]story.SuggestReport, 0, len(kept)+len(left))
	for _, r := range append(kept, left...) {
		reports = append(reports, story.SuggestReport{Title: r.Item.Title, Text: r.Item.Text})
	}
	return m.Suggest(reports, scope.Options), nil
}

// writeSuggestions prints s, drawn from the reports published since then,
// for the story name configured in cfgPath.
func writeSuggestions(w io.Writer, s story.Suggestions, name, cfgPath string, since time.Time) {
	fmt.Fprintf(w, "Suggestions for %q from %d relevant and %d rejected reports published since %s,\njudged with %s as it is now.\n",
		name, s.Relevant, s.Rejected, since.UTC().Format("2 Jan 2006 15:04 UTC"), cfgPath)
	section := func(title string, empty bool) {
		fmt.Fprintf(w, "\n%s\n", title)
		if empty {
			fmt.Fprintln(w, "  none")
		}
	}
	section("Names in relevant reports that the story does not list (actors, or context terms):", len(s.Names) == 0)
	for _, a := range s.Names {
		writeAddition(w, a)
	}
	section("Phrases in relevant reports, rare in rejected ones, that the story does not list (phrases, weak_phrases):", len(s.Phrases) == 0)
	for _, a := range s.Phrases {
		writeAddition(w, a)
	}
	section("Aliases matched mostly in reports the story rejects:", len(s.Ambiguous) == 0)
	for _, a := range s.Ambiguous {
		fmt.Fprintf(w, "  %q (%s): %d rejected, %d relevant", a.Alias, a.Actor, a.Rejected, a.Relevant)
		if a.Before != "" {
			fmt.Fprintf(w, "; after %q in %d: another person? an exclude entry %q keeps them apart\n", a.Before, a.BeforeCount, a.Before+" "+a.Alias)
		} else {
			fmt.Fprintf(w, ": check that these reports name %s\n", a.Actor)
		}
		writeExamples(w, a.Examples)
	}
	fmt.Fprintf(w, "\nNothing was changed: add what fits to %s.\n", cfgPath)
}

// writeAddition prints one candidate name or phrase with its counts and
// examples.
func writeAddition(w io.Writer, a story.Addition) {
	fmt.Fprintf(w, "  %s: %d relevant, %d rejected\n", a.Text, a.Relevant, a.Rejected)
	writeExamples(w, a.Examples)
}

// writeExamples prints example titles on one indented line.
func writeExamples(w io.Writer, titles []string) {
	if len(titles) == 0 {
		return
	}
	quoted := make([]string, len(titles))
	for i, t := range titles {
		quoted[i] = "“" + t + "”"
	}
	fmt.Fprintf(w, "      e.g. %s\n", strings.Join(quoted, " · "))
}
