package config

import (
	"fmt"
	"strings"
)

// The bot token must never reach the file, a log or an error. The config
// refuses unknown keys, so the one place a token can be pasted by mistake
// is discord.token_env, which names the environment variable holding it.

// secretLength is the length from which a value that is not a variable
// name is taken for a secret and never shown: Discord bot tokens are about
// 70 characters, variable names people mistype are short.
const secretLength = 16

// tokenEnv checks discord.token_env: the name of an environment variable,
// capital letters, digits and _, not starting with a digit. A value that
// looks like a secret (a pasted token) is refused without being shown.
func (v *validator) tokenEnv(name string) {
	const key = "discord.token_env"
	const hint = "token_env names the environment variable that holds the bot token, e.g. DISCORD_TOKEN " +
		"(capital letters, digits and _)"
	switch {
	case blank(name):
		v.add(key, "required: the name of the environment variable holding the bot token")
	case isTokenEnvName(name):
	case looksLikeSecret(name):
		v.add(key, "%s looks like the bot token itself, not the name of a variable; %s. "+
			"Remove the token from this file and put it in the environment (export DISCORD_TOKEN='…'); "+
			"if the file was shared, reset the token (developer portal → Bot → Reset Token)", describeSecret(name), hint)
	default:
		v.add(key, "%q is not an environment variable name; %s", name, hint)
	}
}

// isTokenEnvName reports whether s is an environment variable name in
// capitals, [A-Z_][A-Z0-9_]*. Every Discord token has lower-case letters, so
// asking capitals of this one name keeps a pasted token (or any other
// mixed-case secret) from passing as a name and being printed as one.
func isTokenEnvName(s string) bool {
	return isEnvName(s) && !strings.ContainsFunc(s, func(r rune) bool { return 'a' <= r && r <= 'z' })
}

// looksLikeSecret reports whether a value that is no variable name may be
// a secret: secretLength characters or more, without spaces.
func looksLikeSecret(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= secretLength && !strings.ContainsAny(s, " \t")
}

// describeSecret describes a secret without showing any of it.
func describeSecret(s string) string {
	return fmt.Sprintf("the value (%d characters, not shown)", len(strings.TrimSpace(s)))
}

// TokenVariable is how discord.token_env appears in messages: the name, or
// a description when it is no variable name and may be a secret.
func (d Discord) TokenVariable() string {
	if isTokenEnvName(d.TokenEnv) || !looksLikeSecret(d.TokenEnv) {
		return d.TokenEnv
	}
	return "discord.token_env " + describeSecret(d.TokenEnv)
}
