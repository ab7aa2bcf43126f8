package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestCheckAndRunNeverShowAPastedToken writes a bot token where the name
// of its variable belongs: check and run refuse the file on the key's
// line, say what to do, and show no part of the token.
func TestCheckAndRunNeverShowAPastedToken(t *testing.T) {
	const token = "MTE4NzY1NDMyMTA5ODc2NTQzMg.GqZ1bX.Kf3vT9aQ0pLm2nRs8dYw4eXc7uJh6iBo5gNz1y"
	cfg := writeConfig(t, "[discord]\nchannel_id = \"123456789012345678\"\ntoken_env = \""+token+"\"\n")
	line := strings.Count(testStory, "\n") + 3
	for _, args := range [][]string{{"check", "-config", cfg}, {"run", "-config", cfg}, {"preview", "-config", cfg}} {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), args, func(string) string { return "" }, &stdout, &stderr)
		if err == nil {
			t.Fatalf("storyline %s accepted a token in token_env", args[0])
		}
		all := err.Error() + stdout.String() + stderr.String()
		for i := 0; i+8 <= len(token); i++ {
			if strings.Contains(all, token[i:i+8]) {
				t.Fatalf("storyline %s shows part of the token (%q):\n%s", args[0], token[i:i+8], all)
			}
		}
		if want := fmt.Sprintf("config.toml:%d: discord.token_env: the value (%d characters, not shown) looks like the bot token itself", line, len(token)); !strings.Contains(all, want) {
			t.Errorf("storyline %s says\n%s\nwant %q", args[0], all, want)
		}
	}
}
