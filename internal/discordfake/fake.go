// Package discordfake is an in-process Discord for tests: a REST API under
// /api/v9/ and /api/v10/ plus a websocket gateway, served by an
// httptest.Server.
//
// It owns the fake's state (channel messages, threads, registered commands,
// interactions and their responses, gateway sessions), the record of every
// request it received, request-body validation against its own schema of
// Discord's documented request bodies (requests.schema.json) plus the
// limits a schema cannot state, and fault injection (rate limits, outages, refusals, hangs). It must not
// know anything about the bot under test: tests drive it through discordgo
// (or plain HTTP) and the exported methods only.
//
// Point a discordgo session at it with
//
//	s.Client = srv.Client()
//
// which rewrites https://discord.com/api/vN/... to the fake; no global
// discordgo endpoint variable is changed. GET /gateway hands out the fake's
// own ws:// address, so Session.Open connects to it too.
//
// It models the guild the bot is in: channels (text by default, see
// AddChannel for other types and permission overwrites), roles and the
// bot's effective permissions, which every channel route checks as Discord
// does (403 Missing Access or Missing Permissions). A channel id never seen
// is a text channel made on first use, unless Options.StrictChannels makes
// it Unknown Channel. Interaction responses (the original and follow-ups)
// are kept per interaction, see Responses, and are not listed by Messages;
// interactions follow Discord's rules: the callback within three seconds,
// the first follow-up after a deferral edits the deferred original, the
// token lasts fifteen minutes.
//
// Discord's answers to abuse are modelled too: enforce_nonce dedupes only
// within Options.NonceWindow, every 401, 403 and 429 (but a 429 of scope
// "shared") counts as an invalid request (InvalidRequests; past 10,000 in
// ten minutes the fake bans the client for an hour, as Cloudflare does),
// and with Options.RateLimits per-route buckets, the global limit and the
// limit on edits of messages older than an hour (429 code 30046) are
// enforced with Discord's headers. Without it, answers carry plausible
// X-RateLimit-* headers that never make a client wait; only an injected 429
// does. Options.InProcess serves the REST API without a listener, for
// testing/synctest bubbles.
package discordfake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults used when Options leaves a field empty.
const (
	DefaultToken             = "test-token"
	DefaultApplicationID     = "1100000000000000001"
	DefaultGuildID           = "1100000000000000002"
	DefaultChannelID         = "1100000000000000003"
	DefaultBotUsername       = "fakebot"
	DefaultHeartbeatInterval = 41250 * time.Millisecond
)

// Options configures a Server. Every field is optional.
type Options struct {
	// Token is the bot token the fake expects, without the "Bot " prefix.
	Token string
	// ApplicationID is the application the bot belongs to.
	ApplicationID string
	// BotUserID is the bot's user id; it defaults to ApplicationID.
	BotUserID string
	// GuildID is the guild listed in READY and used by interaction builders.
	GuildID string
	// ChannelID is the channel interaction builders invoke commands in.
	ChannelID string
	// HeartbeatInterval is sent in HELLO.
	HeartbeatInterval time.Duration
	// Now is the fake's clock (message timestamps, snowflakes, rate-limit
	// headers, Request.At, nonce windows, interaction deadlines); it
	// defaults to time.Now.
	Now func() time.Time
	// InProcess serves the REST API in the test's process only, through
	// Client and Transport, with no listener and no gateway: what a
	// testing/synctest bubble needs, where a goroutine waiting on a socket
	// never lets the fake clock move.
	InProcess bool
	// Latency is how long every REST answer takes (on the clock of the
	// goroutine asking: fake time in a synctest bubble); default none.
	Latency time.Duration
	// NonceWindow is how long a create with enforce_nonce gives back the
	// message made earlier with the same nonce instead of a new one;
	// Discord says "the past few minutes". Default DefaultNonceWindow.
	NonceWindow time.Duration
	// RateLimits enforces Discord's rate limits: per-route buckets (see
	// routeLimits), the global limit of 50 requests a second and the limit
	// on edits of messages older than an hour (OldEditLimit per
	// OldEditWindow and channel, then 429 code 30046).
	RateLimits bool
	// OldEditLimit and OldEditWindow bound edits of messages older than an
	// hour per channel when RateLimits is on; Discord does not publish its
	// numbers. Defaults 3 per 20 seconds.
	OldEditLimit  int
	OldEditWindow time.Duration
	// StrictChannels answers 404 Unknown Channel (10003) for a channel id
	// not added with AddChannel (threads the bot started excepted),
	// instead of making it a text channel on first use.
	StrictChannels bool
	// InteractionDeadline is how long after its creation an interaction
	// may be acknowledged; default three seconds, as Discord's.
	InteractionDeadline time.Duration
}

// Discord's durations the fake models.
const (
	// DefaultNonceWindow is the default Options.NonceWindow.
	DefaultNonceWindow = 3 * time.Minute
	// interactionTokenLife is how long an interaction's token answers.
	interactionTokenLife = 15 * time.Minute
)

// Server is a running fake Discord. Its methods are safe for concurrent use.
type Server struct {
	t        testing.TB
	opts     Options
	hs       *httptest.Server
	schemas  []*schemas // the own schema first, then any extra documents
	routes   []route
	upgrader websocket.Upgrader
	closed   chan struct{}

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	ids      snowflakes
	requests []Request
	verrs    []error
	faults   []*fault
	store    messageStore
	inter    map[string]*interaction // by interaction token
	commands map[string][]any        // by "global" or guild id
	gw       gatewayState
	token    string // the token accepted now (SetToken)
	guild    guildState
	limits   limitState
}

// New starts a fake Discord for the test and stops it on t.Cleanup. It
// prepares the request-body schemas once for the server and fails the test
// if one cannot be loaded (with the shared tag: if the OpenAPI excerpt is
// missing).
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	opts = withDefaults(opts)
	sch, err := requestSchemas()
	if err != nil {
		t.Fatalf("discordfake: %v", err)
	}
	s := &Server{
		t:        t,
		opts:     opts,
		schemas:  sch,
		routes:   routeTable(),
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		closed:   make(chan struct{}),
		changed:  make(chan struct{}),
		store:    newMessageStore(),
		inter:    map[string]*interaction{},
		commands: map[string][]any{},
		gw:       newGatewayState(),
		token:    opts.Token,
		guild:    newGuildState(opts),
		limits:   newLimitState(),
	}
	if !opts.InProcess {
		s.hs = httptest.NewServer(s)
	}
	t.Cleanup(s.close)
	return s
}

func withDefaults(o Options) Options {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.ApplicationID == "" {
		o.ApplicationID = DefaultApplicationID
	}
	if o.BotUserID == "" {
		o.BotUserID = o.ApplicationID
	}
	if o.GuildID == "" {
		o.GuildID = DefaultGuildID
	}
	if o.ChannelID == "" {
		o.ChannelID = DefaultChannelID
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NonceWindow <= 0 {
		o.NonceWindow = DefaultNonceWindow
	}
	if o.OldEditLimit <= 0 {
		o.OldEditLimit = 3
	}
	if o.OldEditWindow <= 0 {
		o.OldEditWindow = 20 * time.Second
	}
	if o.InteractionDeadline <= 0 {
		o.InteractionDeadline = 3 * time.Second
	}
	return o
}

// inProcessURL is the base URL of an InProcess fake; nothing listens there.
const inProcessURL = "http://discordfake.invalid"

// requestSchemas returns every schema document request bodies are
// checked against: the fake's own, then those of the build (extraSchemas).
func requestSchemas() ([]*schemas, error) {
	own, err := loadOwnSchemas()
	if err != nil {
		return nil, err
	}
	extra, err := extraSchemas()
	if err != nil {
		return nil, err
	}
	return append([]*schemas{own}, extra...), nil
}

// close ends hanging requests and gateway connections, then the HTTP server.
func (s *Server) close() {
	close(s.closed)
	s.closeConnections()
	if s.hs != nil {
		s.hs.Close()
	}
}

// URL returns the fake's base URL, e.g. "http://127.0.0.1:34567";
// "http://discordfake.invalid" for an InProcess fake, which only Client
// and Transport reach.
func (s *Server) URL() string {
	if s.hs == nil {
		return inProcessURL
	}
	return s.hs.URL
}

// APIURL returns the fake's v10 REST base, URL() + "/api/v10/".
func (s *Server) APIURL() string { return s.URL() + "/api/v10/" }

// GatewayURL returns the websocket address handed out by GET /gateway.
func (s *Server) GatewayURL() string { return "ws" + s.URL()[len("http"):] + "/gateway" }

// Client returns an HTTP client that sends requests for discord.com to the
// fake and refuses every other host, so a test can never reach the network.
// An InProcess fake answers them in the calling goroutine.
func (s *Server) Client() *http.Client {
	if s.hs == nil {
		return &http.Client{Transport: s.Transport()}
	}
	return &http.Client{Transport: rewriter{target: s.hs.URL, base: s.hs.Client().Transport}}
}

// SetToken makes the fake accept token (without "Bot ") from now on and
// refuse every other with 401, as when the bot's token is reset in the
// developer portal.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
	s.notifyLocked()
}

// currentToken is the token the fake accepts now.
func (s *Server) currentToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// rewriter is the Client transport.
type rewriter struct {
	target string
	base   http.RoundTripper
}

// RoundTrip redirects discord.com (and the fake's own address) to the fake.
func (rw rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	target, err := url.Parse(rw.target)
	if err != nil {
		return nil, fmt.Errorf("discordfake transport: %w", err)
	}
	switch r.URL.Host {
	case "discord.com", "discordapp.com", target.Host:
	default:
		return nil, fmt.Errorf("discordfake transport: refusing request to %s", r.URL.Host)
	}
	out := r.Clone(r.Context())
	out.URL.Scheme = target.Scheme
	out.URL.Host = target.Host
	out.Host = target.Host
	return rw.base.RoundTrip(out)
}

// notifyLocked wakes every WaitFor; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitFor blocks until cond reports true or ctx ends. cond is evaluated
// without the server's lock held, after every change of the fake's state
// (a request, a connection, a gateway frame).
func (s *Server) WaitFor(ctx context.Context, cond func(*Server) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond(s) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("discordfake wait: %w", ctx.Err())
		}
	}
}
