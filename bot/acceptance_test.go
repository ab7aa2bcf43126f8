package bot

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"storyline/internal/discordfake"
)

// hourResult is what one scripted hour measured.
type hourResult struct {
	// queued and posted: when each development was queued and when its
	// create succeeded, by title.
	queued, posted map[string]time.Time
	// titles are the channel's messages at the end, oldest first.
	titles []string
	// creates and edits count the requests; invalid the 401, 403 and
	// 429 (not shared) answers; maxInvalid the most within ten minutes.
	creates, edits, invalid, maxInvalid int
	// byStatus counts answers by status (and 429 scope or code).
	byStatus        map[string]int
	pending, failed int
	logs            string
}

// scriptedHour runs the poster for an hour of mixed faults on the fake's
// clock: a new development every two minutes and, withJoins, a report
// joining a recent development (or one of six posted two hours before,
// whose edits meet Discord's limit on old messages, 30046, here two a
// minute) every ten seconds. Faults: 429s asking for no wait without reset headers (5–8
// min), tiny 429s on every route (12–14), a shared 429 asking for a minute
// (18–20), 5xx (26–28, 30–31), one 401 (44) and global 429s (50–52). Then
// it lets the poster drain the queue for half an hour.
func scriptedHour(t *testing.T, withJoins bool) hourResult {
	// New work wakes the poster; Idle only bounds how late it notices
	// another process's outbox retry, which this script has none of.
	env := newPosterEnv(t, PosterOptions{Idle: 30 * time.Second}, discordfake.Options{
		RateLimits: true, Latency: 50 * time.Millisecond, OldEditLimit: 2, OldEditWindow: time.Minute})
	env.start()
	old := []string{"old1", "old2", "old3", "old4", "old5", "old6"}
	env.postEach(old...)
	env.nudge()
	time.Sleep(2 * time.Hour)
	start := time.Now()
	at := func(m float64) time.Time { return start.Add(time.Duration(m * float64(time.Minute))) }
	faults := []struct {
		route string
		fault discordfake.Fault
	}{
		{discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 0, NoResetHeaders: true, From: at(5), Until: at(8)}},
		{discordfake.AllRoutes, discordfake.Fault{Status: 429, RetryAfter: 0.001, From: at(12), Until: at(14)}},
		{discordfake.RouteCreateMessage, discordfake.Fault{Status: 429, RetryAfter: 60, Scope: "shared", From: at(18), Until: at(20)}},
		{discordfake.RouteCreateMessage, discordfake.Fault{Status: 502, From: at(26), Until: at(28)}},
		{discordfake.AllRoutes, discordfake.Fault{Status: 500, From: at(30), Until: at(31)}},
		{discordfake.RouteCreateMessage, discordfake.Fault{Status: 401, Times: 1, From: at(44)}},
		{discordfake.AllRoutes, discordfake.Fault{Status: 429, RetryAfter: 0.5, Global: true, From: at(50), Until: at(52)}},
	}
	for _, f := range faults {
		env.fake.Fail(f.route, f.fault)
	}
	res := hourResult{queued: map[string]time.Time{}, posted: map[string]time.Time{}, byStatus: map[string]int{}}
	var devs []string
	for tick := 0; tick < 360; tick++ { // every ten seconds for an hour
		if tick%12 == 6 {
			id := fmt.Sprint("d", len(devs))
			env.postEach(id)
			res.queued["Report "+id] = time.Now()
			devs = append(devs, id)
		}
		if withJoins && tick > 6 {
			target := old[(tick/2)%len(old)]
			if tick%2 == 0 {
				target = devs[max(0, len(devs)-1-tick%5)]
			}
			env.join(target, fmt.Sprint("j", tick), fmt.Sprint("Outlet ", tick%40))
		}
		env.nudge()
		time.Sleep(10 * time.Second)
	}
	time.Sleep(30 * time.Minute)
	env.stop()

	for _, r := range env.fake.Requests() {
		key := fmt.Sprint(r.Status)
		if r.Status == http.StatusTooManyRequests {
			key += " " + r.Answer.Get("X-RateLimit-Scope")
			if r.Route == discordfake.RouteEditMessage && r.Answer.Get("X-RateLimit-Scope") == "user" && r.Answer.Get("X-RateLimit-Bucket") == "" {
				key += " 30046" // the fake's old-message limit names no bucket
			}
		}
		res.byStatus[key]++
		switch r.Route {
		case discordfake.RouteCreateMessage:
			res.creates++
			if r.Status == http.StatusOK {
				embeds, _ := r.Object()["embeds"].([]any)
				title, _ := embeds[0].(map[string]any)["title"].(string)
				if _, seen := res.posted[title]; !seen {
					res.posted[title] = r.At
				}
			}
		case discordfake.RouteEditMessage:
			res.edits++
		}
	}
	res.titles = env.titles()
	res.invalid = len(env.fake.InvalidRequests())
	res.maxInvalid = env.fake.MaxInvalidIn(10 * time.Minute)
	st := env.stats()
	res.pending, res.failed = st.Pending, st.Failed
	res.logs = env.logs.String()
	return res
}

// TestScriptedHour is issue 11's acceptance: under an hour of mixed 429s
// (zero, tiny, shared, 30046), 5xx and one 401, the bot sends fewer than
// 1,000 invalid requests, loses no post, posts nothing twice, and new
// developments are never held behind an edit: each development is posted
// as soon as in the same hour without any edit at all.
func TestScriptedHour(t *testing.T) {
	var with, without hourResult
	synctest.Test(t, func(t *testing.T) { with = scriptedHour(t, true) })
	synctest.Test(t, func(t *testing.T) { without = scriptedHour(t, false) })

	t.Logf("scripted hour with edits: %d creates, %d edits, %d invalid requests (at most %d in ten minutes), answers %v",
		with.creates, with.edits, with.invalid, with.maxInvalid, with.byStatus)
	t.Logf("the same hour without edits: %d creates, %d invalid requests", without.creates, without.invalid)
	if with.invalid >= 1000 {
		t.Errorf("%d invalid requests, want fewer than 1,000", with.invalid)
	}
	if with.byStatus["429 user"] == 0 || with.byStatus["429 shared"] == 0 || with.byStatus["429 global"] == 0 ||
		with.byStatus["401"] != 1 || with.byStatus["502"] == 0 {
		t.Errorf("the script did not meet every fault: %v", with.byStatus)
	}
	if with.byStatus["429 user 30046"] == 0 || !strings.Contains(with.logs, "edits of posts older than an hour deferred") {
		t.Error("no edit met Discord's 30046 limit; the script proves nothing about it")
	}
	for _, res := range []hourResult{with, without} {
		seen := map[string]int{}
		for _, title := range res.titles {
			seen[title]++
		}
		for title, n := range seen {
			if n > 1 {
				t.Errorf("%q posted %d times", title, n)
			}
		}
		for title := range res.queued {
			if seen[title] != 1 {
				t.Errorf("%q lost: not in the channel", title)
			}
		}
		if res.pending != 0 || res.failed != 0 {
			t.Errorf("outbox at the end: %d pending, %d failed; want everything delivered", res.pending, res.failed)
		}
	}
	var worst, worstExtra time.Duration
	var worstTitle string
	titles := make([]string, 0, len(with.queued))
	for title := range with.queued {
		titles = append(titles, title)
	}
	slices.Sort(titles)
	for _, title := range titles {
		delay := with.posted[title].Sub(with.queued[title])
		extra := delay - without.posted[title].Sub(without.queued[title])
		worst = max(worst, delay)
		if extra > worstExtra {
			worstExtra, worstTitle = extra, title
		}
	}
	t.Logf("%d developments; longest wait from queue to channel %v; longest extra wait caused by edits %v (%s)",
		len(titles), worst, worstExtra, worstTitle)
	// One request in flight (50 ms here) is the most an edit may hold a
	// post: the poster sends one request at a time.
	if worstExtra > 50*time.Millisecond {
		t.Errorf("%s waited %v longer with edits than without: posts were held behind edits", worstTitle, worstExtra)
	}
}
