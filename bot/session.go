package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Session settings.
const (
	// requestTimeout bounds one REST request.
	requestTimeout = 20 * time.Second
	// handshakeTimeout bounds the gateway's websocket handshake, so that
	// opening it never blocks shutdown for long.
	handshakeTimeout = 10 * time.Second
)

// NewSession returns a discordgo session for the bot token (without the
// "Bot " prefix) whose REST requests go to apiURL, e.g.
// "https://discord.com/api/v10/" or a Discord-compatible test server.
//
// The session never retries by itself (ShouldRetryOnRateLimit is false,
// MaxRestRetries 0): the outbox poster owns retries. Its HTTP client
// rewrites discordgo's https://discord.com/api/v9/ to apiURL, so no
// discordgo endpoint variable is changed. The gateway asks for the Guilds
// intent only (no privileged intents) and reconnects by itself once open.
// discordgo's own logging, which goes to the standard logger, is off;
// gateway connects and disconnects are logged to logger instead. The token
// is never logged. Errors that name a request's URL name the address it
// went to once passed through SentTo.
func NewSession(token, apiURL string, logger *slog.Logger) (*discordgo.Session, error) {
	base, err := apiBase(apiURL)
	if err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.ShouldReconnectOnError = true
	s.LogLevel = discordgo.LogError - 1
	s.Identify.Intents = discordgo.IntentsGuilds
	transport := http.DefaultTransport.(*http.Transport).Clone()
	s.Client = &http.Client{
		Timeout:   requestTimeout,
		Transport: apiTransport{from: discordgo.EndpointAPI, to: base, base: transport},
	}
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: handshakeTimeout}
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		logger.Info("gateway ready", "guilds", len(r.Guilds))
	})
	return s, nil
}

// apiBase checks that raw is an absolute http(s) URL and returns it ending
// in a slash.
func apiBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("api url %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("api url %q: not an absolute http(s) URL", raw)
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

// apiTransport sends requests under from to the same path under to, and
// every other request unchanged.
type apiTransport struct {
	from, to string
	base     http.RoundTripper
}

// RoundTrip rewrites r's URL when it starts with from.
func (t apiTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	to, ok := t.rewrite(r.URL.String())
	if !ok {
		return t.base.RoundTrip(r)
	}
	u, err := url.Parse(to)
	if err != nil {
		return nil, fmt.Errorf("rewrite %s: %w", t.from, err)
	}
	out := r.Clone(r.Context())
	out.URL = u
	out.Host = u.Host
	return t.base.RoundTrip(out)
}

// rewrite returns the address a request for raw goes to, and whether it
// differs from raw.
func (t apiTransport) rewrite(raw string) (string, bool) {
	rest, ok := strings.CutPrefix(raw, t.from)
	if !ok || t.from == t.to {
		return raw, false
	}
	return t.to + rest, true
}

// SentTo returns err with the URLs of the failed requests it names (the
// *url.Error of the HTTP client, which names the URL discordgo built)
// replaced by the addresses the requests went to, for a session made by
// NewSession with another API base. Log errors of s's requests through
// it, so that the log shows where a request really went.
func SentTo(s *discordgo.Session, err error) error {
	if err == nil || s == nil || s.Client == nil {
		return err
	}
	if t, ok := s.Client.Transport.(apiTransport); ok {
		t.fixURLs(err)
	}
	return err
}

// fixURLs rewrites the URL of every *url.Error in err's tree. The errors
// were made for the one request that failed: nothing else holds them.
func (t apiTransport) fixURLs(err error) {
	if ue, ok := err.(*url.Error); ok {
		ue.URL, _ = t.rewrite(ue.URL)
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil {
			t.fixURLs(inner)
		}
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			t.fixURLs(inner)
		}
	}
}

// GatewayOptions tunes RunGateway. Zero fields take defaults.
type GatewayOptions struct {
	// Backoff is the wait after the first failed open (default 1 s); it
	// doubles per failure up to MaxBackoff (default 2 min).
	Backoff, MaxBackoff time.Duration
	// Rand returns numbers in [0, 1) that place the jitter.
	Rand func() float64
}

// RunGateway opens s's gateway, retrying with backoff and jitter until it
// is open or ctx ends; once open, discordgo resumes and reconnects by
// itself, and each lost connection is logged as a warning. When ctx ends
// it closes the gateway, logs "gateway closed" and returns. Posting does not
// need the gateway: it works over REST while this is still trying.
func RunGateway(ctx context.Context, s *discordgo.Session, logger *slog.Logger, opts GatewayOptions) {
	opts = opts.withDefaults()
	// A connection lost is a warning (discordgo reconnects by itself); the
	// close we ask for when ctx ends is not.
	removeHandler := s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) {
		if ctx.Err() == nil {
			logger.Warn("gateway disconnected, reconnecting")
		}
	})
	defer removeHandler()
	for failures := 0; ; failures++ {
		if ctx.Err() != nil {
			return
		}
		err := s.Open()
		if err == nil {
			break
		}
		delay := backoff(opts.Backoff, opts.MaxBackoff, failures, opts.Rand())
		logger.Warn("gateway open failed", "error", SentTo(s, err), "retry_in", delay)
		if sleep(ctx, delay) != nil {
			return
		}
	}
	logger.Info("gateway open")
	<-ctx.Done()
	if err := s.Close(); err != nil {
		logger.Warn("gateway close failed", "error", err)
		return
	}
	logger.Info("gateway closed")
}

func (o GatewayOptions) withDefaults() GatewayOptions {
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Minute
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

// backoff is the wait after failures earlier failures (0 for the first):
// base·2^failures capped at ceiling, then jittered into its upper half by
// r in [0, 1), so it never exceeds ceiling.
func backoff(base, ceiling time.Duration, failures int, r float64) time.Duration {
	d := base
	for i := 0; i < failures && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return d/2 + time.Duration(r*float64(d/2))
}

// sleep waits for d or until ctx ends, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
