//go:build postgres

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"storyline/internal/discordfake"
	"storyline/store/postgres/pgtest"
)

// The several-instance end-to-end test runs `storyline run` as separate
// processes of the built binary, all on one PostgreSQL database and one fake
// Discord, so that an instance can die by SIGKILL as a machine does.

// dbURLEnv is the variable the instances' config names in [store] url_env.
const dbURLEnv = "STORYLINE_E2E_DATABASE_URL"

// leadingLine is what an instance logs when it takes the leader lease.
const leadingLine = "leading: this instance posts and holds the gateway"

// takeoverLimit is the longest a failover may take.
const takeoverLimit = 30 * time.Second

// buildStoryline builds the storyline binary into a temporary directory.
func buildStoryline(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "storyline")
	out, err := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// instance is one `storyline run` process.
type instance struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

// startInstance starts `storyline run` from bin on cfg, with the token and
// the database URL in its environment.
func startInstance(t *testing.T, bin, cfg, dbURL, name string) *instance {
	t.Helper()
	in := &instance{t: t, name: name, stderr: newLockedBuffer(), done: make(chan struct{})}
	in.cmd = exec.Command(bin, "run", "-config", cfg, "-log-level", "debug")
	in.cmd.Env = append(os.Environ(), testTokenEnv+"="+discordfake.DefaultToken, dbURLEnv+"="+dbURL)
	in.cmd.Stdout, in.cmd.Stderr = in.stderr, in.stderr
	if err := in.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = in.cmd.Wait()
		close(in.done)
	}()
	t.Cleanup(func() {
		_ = in.cmd.Process.Kill()
		<-in.done
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, in.stderr.String())
		}
	})
	return in
}

// kill ends the instance with SIGKILL, as a machine that dies.
func (in *instance) kill() time.Time {
	in.t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		in.t.Fatalf("kill %s: %v", in.name, err)
	}
	<-in.done
	return time.Now()
}

// stop ends the instance with SIGTERM and waits for it to exit.
func (in *instance) stop() {
	in.t.Helper()
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(30 * time.Second):
		in.t.Errorf("%s did not stop within 30s of SIGTERM", in.name)
	}
	if code := in.cmd.ProcessState.ExitCode(); code != 0 {
		in.t.Errorf("%s exited with %d", in.name, code)
	}
}

// leads waits until the instance has taken the leader lease n times and
// returns when it saw the nth.
func (in *instance) leads(n int, within time.Duration) time.Time {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(in.t.Context(), within)
	defer cancel()
	for {
		in.stderr.mu.Lock()
		got, ch := strings.Count(in.stderr.b.String(), leadingLine), in.stderr.changed
		in.stderr.mu.Unlock()
		if got >= n {
			return time.Now()
		}
		select {
		case <-ch:
		case <-ctx.Done():
			in.t.Fatalf("%s did not lead within %v:\n%s", in.name, within, in.stderr.String())
		}
	}
}

// The developments published around the failovers, each in words the
// others do not use but the story's phrase (so the tests ask for a
// similarity of 0.3, as the digest test does).
var (
	opening = []rssItem{
		report("o0", "Porto ferry crews strike over night shifts", "Bridge deal: Porto ferry crews strike over night shifts."),
		report("o1", "Porto ferry crews strike over night shifts again", "Bridge deal news: Porto ferry crews strike over night shifts."),
		report("o2", "Night shift strike by Porto ferry crews", "Bridge deal: ferry crews in Porto strike over night shifts."),
	}
	strike = []rssItem{
		report("k0", "Gdansk shipyard wins steel contract for pylons", "Bridge deal: Gdansk shipyard wins steel contract for pylons."),
		report("k1", "Gdansk shipyard wins the steel contract for the pylons", "Bridge deal news: Gdansk shipyard wins steel contract for pylons."),
	}
)

// TestTwoInstancesFailover runs two instances on one database. The leader
// is killed with SIGKILL while a post is in flight, the other takes over and
// posts it; later the new leader is killed mid-send too, with the first
// instance restarted, and then restarted itself. Every relevant report ends
// up in exactly one post or listed on one, no development is posted twice,
// and the commands answer after each failover. The takeover times are
// logged.
func TestTwoInstancesFailover(t *testing.T) {
	bin := buildStoryline(t)
	dbURL := pgtest.NewURL(t)
	e, o := newOutletE2EConfig(t, "guild_id = \""+discordfake.DefaultGuildID+"\"", "similarity = 0.3")
	cfgText, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	cfgText = []byte(strings.Replace(string(cfgText), "[store]\n", fmt.Sprintf("[store]\nurl_env = %q\n", dbURLEnv), 1))
	if err := os.WriteFile(e.config, cfgText, 0o600); err != nil {
		t.Fatal(err)
	}

	// One development from five outlets, s0 in two feeds (one item: the
	// feed that stores it first is its outlet), then another development
	// in two feeds.
	for i := range 5 {
		o.publish(i, signing[i])
	}
	o.publish(5, signing[0])
	a := startInstance(t, bin, e.config, dbURL, "a")
	a.leads(1, e2eWait)
	b := startInstance(t, bin, e.config, dbURL, "b")
	waitFor(t, e.fake, "the development posted with its 5 outlets", func(s *discordfake.Server) bool {
		msgs := s.Messages(discordfake.DefaultChannelID)
		return len(msgs) == 1 && strings.Contains(strings.Join(footers(msgs), "\n"), "5 outlets")
	})
	o.publish(0, tolls)
	o.publish(5, tolls)
	e.waitMessages(2)
	answers(t, e.fake, "status", map[string]any{}, "Instances (2)")

	// The leader dies while the next post is in flight.
	first := killMidSend(t, e.fake, a, func() {
		for i, r := range opening {
			o.publish(i+2, r)
		}
	})
	took := b.leads(1, takeoverLimit+15*time.Second).Sub(first)
	waitFor(t, e.fake, "the post in flight, sent again by b", func(s *discordfake.Server) bool {
		return len(s.Messages(discordfake.DefaultChannelID)) == 3
	})
	b.stderr.waitCount(t, "msg=posted", 1) // recorded, not only sent
	t.Logf("takeover after SIGKILL of the leader mid-send: b led %v later", took.Round(100*time.Millisecond))
	if took > takeoverLimit {
		t.Errorf("b took over %v after a died, want within %v", took, takeoverLimit)
	}
	answers(t, e.fake, "latest", map[string]any{}, "Porto ferry crews")

	// a comes back as a follower; later b dies mid-send too, and comes back.
	a = startInstance(t, bin, e.config, dbURL, "a2")
	second := killMidSend(t, e.fake, b, func() {
		o.publish(0, strike[0])
		o.publish(4, strike[1])
	})
	took = a.leads(1, takeoverLimit+15*time.Second).Sub(second)
	t.Logf("takeover after SIGKILL of the second leader mid-send: a led %v later", took.Round(100*time.Millisecond))
	if took > takeoverLimit {
		t.Errorf("a took over %v after b died, want within %v", took, takeoverLimit)
	}
	b = startInstance(t, bin, e.config, dbURL, "b2")
	developments := [][]rssItem{signing[:5], {tolls}, opening, strike}
	waitFor(t, e.fake, "every report on a post", func(s *discordfake.Server) bool {
		return len(reportsOnce(s.Messages(discordfake.DefaultChannelID), developments)) == 0
	})
	answers(t, e.fake, "search", map[string]any{"query": "gdansk pylons"}, "Gdansk shipyard wins")
	a.stop()
	b.stop()

	checkEachReportOnce(t, e.fake, developments)
}

// killMidSend arms the fake to hold the next message create, runs publish,
// waits for the leader's create to be held, kills the leader and returns
// when it died.
func killMidSend(t *testing.T, fake *discordfake.Server, leader *instance, publish func()) time.Time {
	t.Helper()
	fake.Fail(discordfake.RouteCreateMessage, discordfake.Fault{Hang: true, Times: 1})
	held := len(fake.RequestsTo(discordfake.RouteCreateMessage))
	publish()
	waitFor(t, fake, "a create held in flight", func(s *discordfake.Server) bool {
		reqs := s.RequestsTo(discordfake.RouteCreateMessage)
		return len(reqs) > held && reqs[len(reqs)-1].Status == 0
	})
	return leader.kill()
}

// answers dispatches slash command name to whichever instance holds the
// gateway and waits for an answer containing want.
func answers(t *testing.T, fake *discordfake.Server, name string, opts map[string]any, want string) {
	t.Helper()
	waitFor(t, fake, "a gateway connection and the commands", func(s *discordfake.Server) bool {
		return s.Connected() > 0 && len(s.Commands(discordfake.DefaultGuildID)) > 0
	})
	manager := discordfake.Member{UserID: "1100000000000000042", Username: "admin", Permissions: "32"}
	in := fake.SlashCommand(name, opts, manager)
	if err := fake.DispatchInteraction(in); err != nil {
		t.Fatal(err)
	}
	id := in["id"].(string)
	ctx, cancel := context.WithTimeout(t.Context(), e2eWait)
	defer cancel()
	var got []string
	err := fake.WaitFor(ctx, func(s *discordfake.Server) bool {
		got = got[:0]
		for _, m := range s.Responses(id) {
			got = append(got, unescape(messageText(m)))
			if strings.Contains(got[len(got)-1], want) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("/%s answered %q, want an answer with %q: %v", name, got, want, err)
	}
}

// messageText is a message's content and embeds as text.
func messageText(m discordfake.Message) string {
	text := m.Content
	for _, e := range m.Embeds {
		text += "\n" + e.Title + "\n" + e.URL + "\n" + e.Description
		for _, f := range e.Fields {
			text += "\n" + f.Name + "\n" + f.Value
		}
	}
	return text
}

// footers lists the messages' embed footers.
func footers(msgs []discordfake.Message) []string {
	var out []string
	for _, m := range msgs {
		if len(m.Embeds) > 0 && m.Embeds[0].Footer != nil {
			out = append(out, m.Embeds[0].Footer.Text)
		}
	}
	return out
}

// linkPattern finds the links of a message's "Also reported by" field.
var linkPattern = regexp.MustCompile(`\]\((https?://[^)\s]+)\)`)

// checkEachReportOnce checks that the channel holds one message per
// development, created once (no two creates made two messages), and that
// every report's link is the lead of exactly one message or listed on
// exactly one.
func checkEachReportOnce(t *testing.T, fake *discordfake.Server, developments [][]rssItem) {
	t.Helper()
	msgs := fake.Messages(discordfake.DefaultChannelID)
	if len(msgs) != len(developments) {
		t.Errorf("%d messages, want one per development (%d):\n%s", len(msgs), len(developments), strings.Join(messageTitles(msgs), "\n"))
	}
	nonces := map[string]bool{}
	for _, m := range msgs {
		if nonces[m.Nonce] {
			t.Errorf("two messages carry nonce %s", m.Nonce)
		}
		nonces[m.Nonce] = true
	}
	for _, problem := range reportsOnce(msgs, developments) {
		t.Error(problem)
	}
}

// reportsOnce lists the reports of developments that are not on exactly
// one of msgs, as the lead or under "Also reported by".
func reportsOnce(msgs []discordfake.Message, developments [][]rssItem) []string {
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Embeds[0].URL]++
		for _, match := range linkPattern.FindAllStringSubmatch(field(m, "Also reported by"), -1) {
			seen[match[1]]++
		}
	}
	var problems []string
	for _, dev := range developments {
		for _, r := range dev {
			if seen[r.link] != 1 {
				problems = append(problems, fmt.Sprintf("report %s (%s) is on %d messages, want 1", r.guid, r.link, seen[r.link]))
			}
		}
	}
	return problems
}

// messageTitles lists the messages' titles.
func messageTitles(msgs []discordfake.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, unescape(m.Embeds[0].Title))
	}
	return out
}
