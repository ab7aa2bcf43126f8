package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

func TestRunTokenErrors(t *testing.T) {
	const secret = "wrong-secret-token-value"
	tests := []struct {
		name  string
		token string
		want  []string
	}{
		{"missing", "", []string{testTokenEnv, "empty"}},
		{"blank", "  ", []string{testTokenEnv, "empty"}},
		{"rejected", secret, []string{testTokenEnv, "rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, "", item("a", "Bridge deal one", time.Minute))
			var out bytes.Buffer
			err := run(t.Context(), []string{"run", "-config", e.config}, func(name string) string {
				if name == testTokenEnv {
					return tt.token
				}
				return ""
			}, &out, &out)
			if err == nil {
				t.Fatal("run succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error()+out.String(), secret) {
				t.Errorf("the token appears in the error or output:\n%v\n%s", err, out.String())
			}
			if exitCode(err) == 0 {
				t.Error("exit code 0")
			}
			if n := len(e.fake.RequestsTo(discordfake.RouteCreateMessage)); n != 0 {
				t.Errorf("%d messages sent without a valid token", n)
			}
		})
	}
}

func TestRunNeedsChannel(t *testing.T) {
	cfg := writeConfig(t, "[[feeds]]\nname = \"one\"\nurl = \"https://news.example/rss\"\n")
	err := run(t.Context(), []string{"run", "-config", cfg}, func(string) string { return "x" }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "discord.channel_id") {
		t.Errorf("run without a channel = %v, want an error naming discord.channel_id", err)
	}
}

func TestRunLogsJSONWithoutToken(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "", item("a", "Bridge deal one", time.Minute))
	r := e.start("-log-format", "json")
	e.waitMessages(1)
	r.stderr.waitCount(t, `"msg":"posted"`, 1)
	r.stop()
	out := r.stderr.String()
	if strings.Contains(out, discordfake.DefaultToken) {
		t.Errorf("the log shows the token:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["msg"] == nil {
			t.Errorf("log line %q is not a JSON record: %v", line, err)
		}
	}
	for _, msg := range []string{"storyline running", "discord token accepted", "posted", "storyline stopped"} {
		if !strings.Contains(out, `"msg":"`+msg+`"`) {
			t.Errorf("the log lacks %q:\n%s", msg, out)
		}
	}
}

func TestRunAndOutboxUsageErrors(t *testing.T) {
	tests := [][]string{
		{"run", "-log-format", "xml"},
		{"run", "-log-level", "loud"},
		{"run", "stray"},
		{"outbox"},
		{"outbox", "purge"},
		{"outbox", "retry", "stray"},
	}
	for _, args := range tests {
		err := run(t.Context(), args, noEnv, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) || exitCode(err) != 2 {
			t.Errorf("storyline %s = %v, want a usage error (exit 2)", strings.Join(args, " "), err)
		}
	}
}
