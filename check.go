package main

import (
	"fmt"
	"io"

	"storyline/config"
)

// runCheck validates a config and prints its one-line summary, and what
// `run` still needs that the file does not set.
func runCheck(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "[-config FILE]",
		"Validate a config and print a one-line summary; errors name the file, line and key.")
	cfgPath := fs.String("config", "config.toml", "config `file`")
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
		fmt.Fprintf(stdout, "%s: discord.channel_id is not set: `storyline run` will need it (preview does not); "+
			"set [discord] channel_id or STORYLINE_DISCORD_CHANNEL_ID to the channel to post in\n", *cfgPath)
	}
	if _, err := cfg.StoreURL(getenv); err != nil {
		fmt.Fprintf(stdout, "%s: `storyline run` will need the database: %v\n", *cfgPath, err)
	}
	return nil
}
