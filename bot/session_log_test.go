package bot

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"storyline/internal/discordfake"
)

// logWatch is a log destination a test can wait on.
type logWatch struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func newLogWatch() *logWatch { return &logWatch{changed: make(chan struct{})} }

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// wait waits until the log contains s.
func (l *logWatch) wait(t *testing.T, s string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		l.mu.Lock()
		found, ch := strings.Contains(l.b.String(), s), l.changed
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("the log never said %q:\n%s", s, l.String())
		}
	}
}

// closedAPI is an API base on loopback where nothing listens.
func closedAPI(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/api/v10/"
}

// TestErrorsNameTheAddressUsed checks that with another API base, the
// errors of REST requests and gateway opens name the address the request
// went to, not the discord.com URL discordgo built.
func TestErrorsNameTheAddressUsed(t *testing.T) {
	t.Parallel()
	api := closedAPI(t)
	logs := newLogWatch()
	logger := slog.New(slog.NewTextHandler(logs, nil))
	s, err := NewSession(discordfake.DefaultToken, api, logger)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewClient(s, LimitOptions{}).CheckToken(t.Context())
	if err == nil || !strings.Contains(err.Error(), api+"users/@me") || strings.Contains(err.Error(), "discord.com") {
		t.Errorf("CheckToken error %q should name %susers/@me and not discord.com", err, api)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunGateway(ctx, s, logger, GatewayOptions{Backoff: time.Hour})
	}()
	logs.wait(t, "gateway open failed")
	cancel()
	<-done
	if out := logs.String(); !strings.Contains(out, api+"gateway") || strings.Contains(out, "discord.com") {
		t.Errorf("the failed open should name %sgateway and not discord.com:\n%s", api, out)
	}
}

// TestGatewayStopIsNotAWarning checks that a lost connection is logged as
// a warning and the close asked for at shutdown is not.
func TestGatewayStopIsNotAWarning(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t, discordfake.Options{})
	logs := newLogWatch()
	logger := slog.New(slog.NewTextHandler(logs, nil))
	s, err := NewSession(discordfake.DefaultToken, fake.APIURL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunGateway(ctx, s, logger, GatewayOptions{})
	}()
	logs.wait(t, "gateway ready")
	fake.DropConnections()
	logs.wait(t, "level=WARN msg=\"gateway disconnected, reconnecting\"")
	before := strings.Count(logs.String(), "level=WARN")
	cancel()
	<-done
	out := logs.String()
	if !strings.Contains(out, "msg=\"gateway closed\"") {
		t.Errorf("the stop was not logged:\n%s", out)
	}
	if after := strings.Count(out, "level=WARN"); after != before {
		t.Errorf("the stop added %d warnings:\n%s", after-before, out)
	}
}
