package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"storyline/bot"
	"storyline/config"
)

// runCheck validates a config and prints its one-line summary, and what
// `run` still needs that the file does not set. With -online it also asks
// Discord whether the bot can run: the token, the channel and the
// permissions the configured features need.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "[-config FILE] [-online]",
		"Validate a config and print a one-line summary; errors name the file, line and key.\n"+
			"With -online, also check with Discord that the bot token works, that [discord] channel_id\n"+
			"is a text, announcement or forum channel the bot can see, and that the bot has every\n"+
			"permission the configured features need there (reads the token like run).")
	cfgPath := fs.String("config", "config.toml", "config `file`")
	online := fs.Bool("online", false, "also check the token, the channel and the bot's permissions with Discord")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, getenv)
	if err != nil {
		return err
	}
	if _, err := newMatcher(cfg); err != nil {
		return fmt.Errorf("check %s: %w", *cfgPath, err)
	}
	fmt.Fprintf(stdout, "%s: ok: %s\n", *cfgPath, cfg.Summary())
	if cfg.Discord.ChannelID == "" {
		if *online {
			return fmt.Errorf("check -online %s: discord.channel_id is not set; set [discord] channel_id or STORYLINE_DISCORD_CHANNEL_ID to the channel to post in", *cfgPath)
		}
		fmt.Fprintf(stdout, "%s: discord.channel_id is not set: `storyline run` will need it (preview does not); "+
			"set [discord] channel_id or STORYLINE_DISCORD_CHANNEL_ID to the channel to post in\n", *cfgPath)
	}
	if _, err := cfg.StoreURL(getenv); err != nil {
		fmt.Fprintf(stdout, "%s: `storyline run` will need the database: %v\n", *cfgPath, err)
	}
	if !*online {
		return nil
	}
	return checkOnline(ctx, cfg, getenv, stdout)
}

// errDiscordCheck marks problems check -online found with the bot's
// Discord setup.
var errDiscordCheck = errors.New("the bot cannot run as configured")

// checkOnline checks the token, the channel and the permissions with
// Discord and prints what it found; every problem is in the error.
func checkOnline(ctx context.Context, cfg *config.Config, getenv func(string) string, stdout io.Writer) error {
	token, err := cfg.Token(getenv)
	if err != nil {
		return fmt.Errorf("check -online: %w", err)
	}
	session, err := bot.NewSession(token, cfg.Discord.APIURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("check -online: %w", err)
	}
	client := bot.NewClient(session, bot.LimitOptions{})
	user, err := client.CheckToken(ctx)
	switch {
	case errors.Is(err, bot.ErrTokenRejected):
		return fmt.Errorf("check -online: %w", rejectedToken(cfg))
	case err != nil:
		return fmt.Errorf("check -online: Discord did not answer (%s): %w", cfg.Discord.APIURL, err)
	}
	fmt.Fprintf(stdout, "token: ok: the bot is %s (id %s)\n", user.Username, user.ID)
	features := bot.Features{Threads: cfg.Discord.Threads}
	check, err := client.CheckChannel(ctx, cfg.Discord.ChannelID, features)
	if err != nil {
		return fmt.Errorf("check -online: channel %s: %w", cfg.Discord.ChannelID, err)
	}
	if len(check.Problems) > 0 {
		for _, p := range check.Problems {
			fmt.Fprintln(stdout, "problem: "+p)
		}
		return fmt.Errorf("check -online: %w: %s", errDiscordCheck, strings.Join(check.Problems, "; "))
	}
	var names []string
	for _, p := range bot.RequiredPermissions(features) {
		names = append(names, p.Name)
	}
	fmt.Fprintf(stdout, "channel: ok: #%s (%s), and the bot has %s there\n",
		check.Access.Name, bot.TypeName(check.Access.Type), strings.Join(names, ", "))
	return nil
}

// rejectedToken is the error of a token Discord refuses: it names the
// variable, never the token.
func rejectedToken(cfg *config.Config) error {
	return fmt.Errorf("Discord rejected the bot token in %s; check the variable holds the token of the bot (Bot → Reset Token in the developer portal)", cfg.Discord.TokenVariable())
}
