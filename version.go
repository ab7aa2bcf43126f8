package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// release is the version of this source tree, shown when the go command
// stamped none (go run, or a build without VCS information).
const release = "v0.1.0"

// runVersion prints the version of this binary, the string /status shows.
func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", "Print the version and the commit storyline was built from.")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "storyline %s\n", programVersion())
	return nil
}

// programVersion is buildVersion of the running binary.
func programVersion() string {
	info, _ := debug.ReadBuildInfo()
	return buildVersion(info)
}

// buildVersion describes the binary that info (nil when the binary has no
// build information) was read from: the module version the go command
// stamped (a tag, or a pseudo-version naming the commit), else release;
// then, in parentheses, the VCS commit and "modified" for a build with
// uncommitted changes, when the version does not say so already.
func buildVersion(info *debug.BuildInfo) string {
	if info == nil {
		return release
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = release
	}
	var notes []string
	settings := make(map[string]string)
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		short := rev[:min(len(rev), 12)]
		if !strings.Contains(v, short) {
			notes = append(notes, "commit "+short)
		}
	}
	if settings["vcs.modified"] == "true" && !strings.HasSuffix(v, "+dirty") {
		notes = append(notes, "modified")
	}
	if len(notes) == 0 {
		return v
	}
	return v + " (" + strings.Join(notes, ", ") + ")"
}
