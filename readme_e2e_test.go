package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// The README's commands, typed as it gives them, in a fresh folder: every
// path is relative to the working directory, as a new user's would be.
// These tests change the working directory, so they cannot run in
// parallel with the others.

// readmeFolder copies what the README's commands read from the repository
// (config.example.toml and the sample feed) into a new folder and makes it
// the working directory.
func readmeFolder(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, "config.example.toml", filepath.Join(dir, "config.example.toml"))
	if err := os.Mkdir(filepath.Join(dir, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join("testdata", "sample.xml"), filepath.Join(dir, "testdata", "sample.xml"))
	t.Chdir(dir)
}

// copyFile copies src to dst, as cp does.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editConfig changes config.toml the way the README asks a user to: each
// of the pairs replaces one piece of text, which must be there.
func editConfig(t *testing.T, pairs ...string) {
	t.Helper()
	data, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("config.toml has no %q to edit", pairs[i])
		}
		text = strings.Replace(text, pairs[i], pairs[i+1], 1)
	}
	if err := os.WriteFile("config.toml", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// localFeeds replaces the example's feeds (which a test must not fetch)
// with one feed at url, allowed on loopback.
func localFeeds(t *testing.T, url string) {
	t.Helper()
	data, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	first, discord := strings.Index(text, "[[feeds]]"), strings.Index(text, "[discord]")
	if first < 0 || discord < first {
		t.Fatal("config.toml has no [[feeds]] before [discord]")
	}
	text = text[:first] + "[[feeds]]\nname = \"Local Wire\"\nurl = \"" + url + "\"\n\n" + text[discord:]
	if err := os.WriteFile("config.toml", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	editConfig(t, "allow_private = false", "allow_private = true")
}

// typed runs one storyline command line with env as the environment and
// returns its output; it fails the test when the command fails.
func typed(t *testing.T, env map[string]string, line string) (string, string) {
	t.Helper()
	stdout, stderr, err := typedErr(t, env, line)
	if err != nil {
		t.Fatalf("storyline %s: %v\n%s", line, err, stderr)
	}
	return stdout, stderr
}

// typedErr is typed that returns the command's error.
func typedErr(t *testing.T, env map[string]string, line string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	err := run(ctx, strings.Fields(line), func(k string) string { return env[k] }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// TestREADMEQuickStartOffline types the quick start's offline preview and
// check in a fresh folder, the channel set by the environment.
func TestREADMEQuickStartOffline(t *testing.T) {
	readmeFolder(t)
	out, _ := typed(t, nil, "preview -config config.example.toml -feed testdata/sample.xml")
	if n := strings.Count(out, "POST  score "); n != 4 {
		t.Errorf("the offline preview shows %d posts, want 4:\n%s", n, out)
	}
	copyFile(t, "config.example.toml", "config.toml")
	out, _ = typed(t, nil, "check -config config.toml")
	if !strings.HasPrefix(out, "config.toml: ok: ") || !strings.Contains(out, "discord.channel_id is not set") {
		t.Errorf("check of the copied example:\n%s", out)
	}
	out, _ = typed(t, map[string]string{"STORYLINE_DISCORD_CHANNEL_ID": "123456789012345678"}, "check -config config.toml")
	if strings.Contains(out, "channel_id") {
		t.Errorf("check with the channel in STORYLINE_DISCORD_CHANNEL_ID still asks for it:\n%s", out)
	}
}

// TestREADMECommandsFromAFreshFolder types the README's commands in a
// fresh folder against the fake Discord: the copied config with the
// channel set, run, outbox status and retry after a refusal, and the
// relative store paths of preview -store and STORYLINE_STORE_PATH.
func TestREADMECommandsFromAFreshFolder(t *testing.T) {
	// The fake finds its API schema from the working directory: start it
	// before leaving the repository.
	fake := discordfake.New(t, discordfake.Options{})
	feed := newFeedServer(t,
		item("moscow", "Witkoff takes the 28-point plan to Moscow", time.Minute),
		item("derby", "Local derby ends in a draw", 2*time.Minute),
		item("geneva", "Umerov and Rubio rework the 28-point plan in Geneva", 3*time.Minute))
	readmeFolder(t)

	copyFile(t, "config.example.toml", "config.toml") // cp config.example.toml config.toml
	editConfig(t, `# channel_id = "123456789012345678"`, `channel_id = "`+discordfake.DefaultChannelID+`"`)
	localFeeds(t, feed.srv.URL+"/rss")
	env := map[string]string{"DISCORD_TOKEN": discordfake.DefaultToken, "STORYLINE_DISCORD_API_URL": fake.APIURL()}
	if out, _ := typed(t, env, "check -config config.toml"); strings.Contains(out, "channel_id") {
		t.Errorf("check still asks for the channel after it was set:\n%s", out)
	}
	if out, _ := typed(t, env, "outbox status -config config.toml"); out != "pending 0, failed 0\n" {
		t.Errorf("outbox status of a new store printed %q", out)
	}

	// check -online names what the bot lacks in the channel.
	fake.SetOverwrites(discordfake.DefaultChannelID, discordfake.Overwrite{ID: discordfake.DefaultGuildID, Deny: discordfake.PermSendMessages})
	if out, _, err := typedErr(t, env, "check -online -config config.toml"); err == nil ||
		!strings.Contains(out, "the bot lacks in #general: Send Messages") {
		t.Errorf("check -online without Send Messages: %v\n%s", err, out)
	}

	// Discord refuses the posts: the channel is paused, the posts wait in
	// the outbox, and the log says how to send them again.
	bot := startTyped(t, env, "run -config config.toml")
	bot.stderr.waitCount(t, "channel paused", 1)
	if log := bot.stderr.String(); !strings.Contains(log, "then run: storyline outbox retry -config config.toml") {
		t.Errorf("the refusal does not say how to recover:\n%s", log)
	}
	if out, _ := typed(t, env, "outbox status -config config.toml"); !strings.HasPrefix(out, "pending 2, failed 0\n") ||
		!strings.Contains(out, "waiting: entry 1 (post)") {
		t.Errorf("outbox status while refused:\n%s", out)
	}
	fake.SetOverwrites(discordfake.DefaultChannelID)
	if out, _ := typed(t, env, "check -online -config config.toml"); !strings.Contains(out, "channel: ok: #general") {
		t.Errorf("check -online once fixed:\n%s", out)
	}
	if out, _ := typed(t, env, "outbox retry -config config.toml"); out != "1 failed or waiting entry queued to be sent now\n" {
		t.Errorf("outbox retry printed %q", out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	if err := fake.WaitFor(ctx, func(s *discordfake.Server) bool { return len(s.Messages(discordfake.DefaultChannelID)) == 2 }); err != nil {
		t.Fatalf("the retried posts were not sent: %v\n%s", err, bot.stderr.String())
	}
	bot.stop()
	if out, _ := typed(t, env, "outbox status -config config.toml"); !strings.HasPrefix(out, "pending 0, failed 0\n") {
		t.Errorf("outbox status after the retry:\n%s", out)
	}
	if _, err := os.Stat("storyline.db"); err != nil {
		t.Errorf("the store is not storyline.db beside config.toml: %v", err)
	}

	// preview -store prev.db remembers what it showed.
	first, _ := typed(t, env, "preview -config config.toml -store prev.db")
	if n := strings.Count(first, "POST  score "); n != 2 {
		t.Errorf("the first preview shows %d posts, want 2:\n%s", n, first)
	}
	if again, _ := typed(t, env, "preview -config config.toml -store prev.db"); again != "" {
		t.Errorf("the second preview over prev.db printed:\n%s", again)
	}
	if _, err := os.Stat("prev.db"); err != nil {
		t.Errorf("preview -store prev.db made no prev.db in the working directory: %v", err)
	}

	// A relative STORYLINE_STORE_PATH is relative to the working directory.
	env["STORYLINE_STORE_PATH"] = "other.db"
	if out, _ := typed(t, env, "outbox status -config config.toml"); !strings.HasPrefix(out, "pending 0, failed 0\n") {
		t.Errorf("outbox status on a new store:\n%s", out)
	}
	if _, err := os.Stat("other.db"); err != nil {
		t.Errorf("STORYLINE_STORE_PATH=other.db made no other.db: %v", err)
	}
}

// startTyped starts a long-running command line (run) with env, until the
// returned running is stopped.
func startTyped(t *testing.T, env map[string]string, line string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r := &running{t: t, cancel: cancel, done: make(chan error, 1), stderr: newLockedBuffer()}
	go func() {
		r.done <- run(ctx, strings.Fields(line), func(k string) string { return env[k] }, r.stderr, r.stderr)
	}()
	t.Cleanup(cancel)
	return r
}
