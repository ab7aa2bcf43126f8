package config

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fakeToken has the shape of a Discord bot token: base64 of an id, a
// timestamp and an HMAC, joined by dots. It is no real token.
const fakeToken = "MTE4NzY1NDMyMTA5ODc2NTQzMg.GqZ1bX.Kf3vT9aQ0pLm2nRs8dYw4eXc7uJh6iBo5gNz1y"

// showsPartOf reports whether text holds any 8 consecutive characters of
// secret.
func showsPartOf(text, secret string) bool {
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+8]) {
			return true
		}
	}
	return false
}

func TestTokenEnvMustNameAVariable(t *testing.T) {
	const hint = "token_env names the environment variable that holds the bot token, e.g. DISCORD_TOKEN (capital letters, digits and _)"
	tests := []struct {
		name, value string
		want        []string
	}{
		{"a pasted token", fakeToken, []string{"c.toml:5: discord.token_env: the value (" + strconv.Itoa(len(fakeToken)) + " characters, not shown) looks like the bot token itself, " +
			"not the name of a variable; " + hint + ". Remove the token from this file and put it in the environment " +
			"(export DISCORD_TOKEN='…'); if the file was shared, reset the token (developer portal → Bot → Reset Token)"}},
		{"a pasted token with a newline", fakeToken + "\\n", []string{"c.toml:5: discord.token_env: the value (" + strconv.Itoa(len(fakeToken)) + " characters, not shown) looks like"}},
		{"lower case", "discord_token", []string{`c.toml:5: discord.token_env: "discord_token" is not an environment variable name; ` + hint}},
		{"a dash", "BOT-TOKEN", []string{`c.toml:5: discord.token_env: "BOT-TOKEN" is not an environment variable name; ` + hint}},
		{"a leading digit", "2BOT", []string{`c.toml:5: discord.token_env: "2BOT" is not an environment variable name; ` + hint}},
		{"blank", " ", []string{"c.toml:5: discord.token_env: required: the name of the environment variable holding the bot token"}},
		{"a name", "STORYLINE_BOT_TOKEN_2", nil},
		{"underscore first", "_TOKEN", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(minimalStory+"[discord]\ntoken_env = \""+tt.value+"\"\n"), noEnv)
			got := problems(err)
			if len(got) != len(tt.want) {
				t.Fatalf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %q, want it to start %q", got[i], tt.want[i])
				}
			}
			if err != nil && showsPartOf(err.Error(), fakeToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestTokenNeverShowsAPastedToken checks Token on a configuration that
// skipped validation: its error names the key, not the value.
func TestTokenNeverShowsAPastedToken(t *testing.T) {
	cfg := &Config{Discord: Discord{TokenEnv: fakeToken}}
	_, err := cfg.Token(noEnv)
	if !errors.Is(err, ErrNoToken) || showsPartOf(err.Error(), fakeToken) || !strings.Contains(err.Error(), "discord.token_env") {
		t.Fatalf("Token error %v: want ErrNoToken naming discord.token_env without its value", err)
	}
	if got := (Discord{TokenEnv: "MY_BOT"}).TokenVariable(); !reflect.DeepEqual(got, "MY_BOT") {
		t.Errorf("TokenVariable = %q, want the name", got)
	}
}
