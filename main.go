// Command storyline follows one developing news story for a Discord server:
// it polls feeds, keeps the items about the story and its actors, summarises
// them and posts them to a channel. See README.md.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storyline:", err)
		os.Exit(exitCode(err))
	}
}

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("usage")

// exitCode is the process's exit status for err: 2 for a command line that
// could not be understood, 1 for any other failure.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

const usage = `usage: storyline <command> [flags]

commands:
  check    validate a config and print a one-line summary
  preview  fetch feeds once and print what would be posted
  run      run the bot: poll the feeds and post to Discord until stopped
  outbox   retry failed posts (outbox retry) or show the queue (outbox status)
  suggest  list names, phrases and ambiguous aliases the story's definition may be missing
  migrate  copy the SQLite store into a PostgreSQL database
  version  print the version and the commit it was built from

"storyline <command> -h" prints a command's flags.
`

// run dispatches a subcommand; it is main without the process around it.
// Asking for help (-h) is not an error: the usage goes to stdout.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// dispatch runs the subcommand args[0] with the rest of args.
func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "check":
		return runCheck(ctx, rest, getenv, stdout, stderr)
	case "preview":
		return runPreview(ctx, rest, getenv, stdout, stderr)
	case "run":
		return runBot(ctx, rest, getenv, stdout, stderr)
	case "outbox":
		return runOutbox(ctx, rest, getenv, stdout, stderr)
	case "suggest":
		return runSuggest(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "version":
		return runVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// newFlagSet returns the flag set of `storyline name`, whose usage shows
// synopsis (the command line after the command's name) and what the
// command does, then the flags.
func newFlagSet(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("storyline "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: storyline %s %s\n\n%s\n", name, synopsis, about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(fs.Output(), "\nflags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and rejects stray positional arguments. Asked for
// help (-h), it prints the usage to stdout and returns flag.ErrHelp; on a
// bad flag the usage goes to stderr with the error.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		_, _ = out.WriteTo(stdout)
		return err
	case err != nil:
		_, _ = out.WriteTo(stderr)
		return fmt.Errorf("%w: %w", errUsage, err)
	case fs.NArg() > 0:
		fs.SetOutput(stderr)
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}
