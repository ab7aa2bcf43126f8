package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestHelpPrintsUsageAndSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "usage: storyline <command>"},
		{[]string{"help"}, "usage: storyline <command>"},
		{[]string{"check", "-h"}, "usage: storyline check"},
		{[]string{"preview", "-h"}, "usage: storyline preview"},
		{[]string{"preview", "--help"}, "-feed URL|PATH"},
		{[]string{"run", "-h"}, "-log-format"},
		{[]string{"outbox", "-h"}, "usage: storyline outbox <command>"},
		{[]string{"outbox", "help"}, "retry "},
		{[]string{"outbox", "retry", "-h"}, "usage: storyline outbox retry"},
		{[]string{"outbox", "status", "-help"}, "-config file"},
		{[]string{"version", "-h"}, "usage: storyline version"},
		{[]string{"suggest", "-h"}, "usage: storyline suggest"},
	}
	for _, tt := range tests {
		stdout, stderr, err := runCmd(t, tt.args...)
		if err != nil || exitCode(err) != 0 {
			t.Errorf("storyline %s = %v (exit %d), want success", strings.Join(tt.args, " "), err, exitCode(err))
		}
		if !strings.Contains(stdout, tt.want) {
			t.Errorf("storyline %s printed %q on stdout, want %q", strings.Join(tt.args, " "), stdout, tt.want)
		}
		if stderr != "" {
			t.Errorf("storyline %s wrote %q to stderr", strings.Join(tt.args, " "), stderr)
		}
	}
}

func TestBadFlagPrintsUsageToStderr(t *testing.T) {
	t.Parallel()
	stdout, stderr, err := runCmd(t, "outbox", "status", "-nope")
	if exitCode(err) != 2 {
		t.Errorf("exit %d (%v), want 2", exitCode(err), err)
	}
	if stdout != "" || !strings.Contains(stderr, "usage: storyline outbox status") || !strings.Contains(stderr, "-nope") {
		t.Errorf("stdout %q, stderr %q: want the error and the usage on stderr", stdout, stderr)
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	stdout, _, err := runCmd(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if want := "storyline " + programVersion() + "\n"; stdout != want {
		t.Errorf("version printed %q, want %q", stdout, want)
	}
	if !strings.HasPrefix(stdout, "storyline v") {
		t.Errorf("version %q does not start with a v-version", stdout)
	}
	if _, _, err := runCmd(t, "version", "stray"); exitCode(err) != 2 {
		t.Errorf("version with an argument = %v, want a usage error", err)
	}
}

func TestBuildVersion(t *testing.T) {
	t.Parallel()
	const rev = "19d93de84d8079093610a6a6b9e392bb1b88fd95"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, release},
		{"go run", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, release},
		{"devel with a commit", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, release + " (commit 19d93de84d80)"},
		{"devel, modified", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")}, release + " (commit 19d93de84d80, modified)"},
		{"tagged", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs("false")}, "v1.2.3 (commit 19d93de84d80)"},
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20251125132214-19d93de84d80+dirty"}, Settings: vcs("true")},
			"v0.0.0-20251125132214-19d93de84d80+dirty"},
	}
	for _, tt := range tests {
		if got := buildVersion(tt.info); got != tt.want {
			t.Errorf("%s: buildVersion = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCheckSaysRunNeedsTheChannel(t *testing.T) {
	t.Parallel()
	cfg := writeConfig(t, "[[feeds]]\nname = \"one\"\nurl = \"https://news.example/rss\"\n")
	out, _, err := runCmd(t, "check", "-config", cfg)
	if err != nil {
		t.Fatalf("check without a channel failed: %v", err)
	}
	if !strings.Contains(out, ": ok: ") || !strings.Contains(out, "discord.channel_id is not set") || !strings.Contains(out, "storyline run") {
		t.Errorf("check output %q should pass and say that run needs discord.channel_id", out)
	}
	withChannel := writeConfig(t, "[discord]\nchannel_id = \"123456789012345678\"\n[[feeds]]\nname = \"one\"\nurl = \"https://news.example/rss\"\n")
	out, _, err = runCmd(t, "check", "-config", withChannel)
	if err != nil || strings.Contains(out, "channel_id") {
		t.Errorf("check with a channel = %q, %v; want no note", out, err)
	}
}
