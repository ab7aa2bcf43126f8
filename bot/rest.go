package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord's JSON error codes that the poster acts on or explains.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
	codeNonTextChannel     = 50008
	codeOldMessageEdits    = 30046
	codeThreadExists       = 160004
)

// The routes the Client sends to, as Discord's documentation names them;
// Delay takes one with the channel the request is for.
const (
	RouteCreateMessage = "POST /channels/{channel_id}/messages"
	RouteEditMessage   = "PATCH /channels/{channel_id}/messages/{message_id}"
	RouteStartThread   = "POST /channels/{channel_id}/messages/{message_id}/threads"
	RouteGetMessages   = "GET /channels/{channel_id}/messages"
	RouteGetChannel    = "GET /channels/{channel_id}"
	RouteGetGuild      = "GET /guilds/{guild_id}"
	RouteGetMember     = "GET /guilds/{guild_id}/members/{user_id}"
	RouteCurrentUser   = "GET /users/@me"
)

// ErrUnknownMessage matches a RefusedError for a message that is gone
// (Discord's code 10008), e.g. deleted by a moderator.
var ErrUnknownMessage = errors.New("discord: unknown message")

// ErrTokenRejected matches a RefusedError of status 401: Discord does not
// accept the bot token (reset in the developer portal, or never valid).
var ErrTokenRejected = errors.New("discord rejected the bot token")

// RateLimitedError is a 429 answer, or a request the Client did not send
// because a limit it knows of was still in force (Local): the request may
// be repeated after RetryAfter.
type RateLimitedError struct {
	RetryAfter time.Duration
	// Scope is Discord's X-RateLimit-Scope: "user", "global" or "shared"
	// (a limit on the resource, not counted against the bot); "local"
	// for a request held back by the Client.
	Scope string
	// Code is Discord's JSON error code, e.g. 30046 for too many edits of
	// messages older than an hour; 0 for none.
	Code int
	// Message is Discord's message, or why the Client held the request.
	Message string
}

func (e *RateLimitedError) Error() string {
	msg := fmt.Sprintf("discord rate limit (%s): retry after %s", e.Scope, e.RetryAfter)
	if e.Code != 0 {
		msg += fmt.Sprintf(": %s (code %d)", e.Message, e.Code)
	} else if e.Scope == scopeLocal && e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// TransientError is a failure worth retrying: a 5xx answer (Status), a
// network error or a timeout (Status 0).
type TransientError struct {
	Status int
	Err    error
}

func (e *TransientError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("discord unavailable (HTTP %d): %v", e.Status, e.Err)
	}
	return fmt.Sprintf("discord request failed: %v", e.Err)
}

func (e *TransientError) Unwrap() error { return e.Err }

// RefusedError is a 4xx answer other than 429: Discord will refuse the
// same request again (missing permission, unknown channel, invalid body,
// a rejected token). Code and Message are Discord's JSON error code and
// message.
type RefusedError struct {
	Status  int
	Code    int
	Message string
}

func (e *RefusedError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("discord refused (HTTP %d): %s (code %d)", e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("discord refused (HTTP %d): %s", e.Status, e.Message)
}

// Is makes a refusal with code 10008 match ErrUnknownMessage and one of
// status 401 match ErrTokenRejected.
func (e *RefusedError) Is(target error) bool {
	switch target {
	case ErrUnknownMessage:
		return e.Code == codeUnknownMessage
	case ErrTokenRejected:
		return e.Status == http.StatusUnauthorized
	}
	return false
}

// channelLevel reports whether a refusal is about the channel rather than
// the request: the bot cannot see it (Missing Access), may not post there
// (Missing Permissions), it is gone (Unknown Channel) or takes no messages
// (a voice channel, a category). Every later request to that channel would
// be refused the same way.
func (e *RefusedError) channelLevel() bool {
	switch e.Code {
	case codeMissingAccess, codeMissingPermissions, codeUnknownChannel, codeNonTextChannel:
		return true
	}
	return false
}

// Message is what the bot reads of a Discord message.
type Message struct {
	ID, ChannelID string
	// AuthorID is the id of the message's author.
	AuthorID string
	// Nonce is the nonce the message was created with, as Discord echoes
	// it to the create; lists of messages carry none.
	Nonce  string
	Embeds []*discordgo.MessageEmbed
}

// UnmarshalJSON reads a message object, its nonce a string or a number.
func (m *Message) UnmarshalJSON(raw []byte) error {
	var obj struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
		Author    struct {
			ID string `json:"id"`
		} `json:"author"`
		Nonce  json.RawMessage           `json:"nonce"`
		Embeds []*discordgo.MessageEmbed `json:"embeds"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	*m = Message{ID: obj.ID, ChannelID: obj.ChannelID, AuthorID: obj.Author.ID, Embeds: obj.Embeds}
	if len(obj.Nonce) > 0 && string(obj.Nonce) != "null" {
		if json.Unmarshal(obj.Nonce, &m.Nonce) != nil {
			m.Nonce = string(obj.Nonce)
		}
	}
	return nil
}

// Client is the bot's Discord REST client. It sends storyline's own JSON
// bodies (discordgo's MessageSend has no nonce or enforce_nonce) through
// the HTTP client and token of a discordgo session made by NewSession, and
// returns every failure as a *RateLimitedError, *TransientError or
// *RefusedError. It never retries by itself: the poster decides. It reads
// Discord's rate-limit headers on every answer and keeps, for each route
// and channel, when the next request may go (see Delay), with a floor that
// grows on every 429 in a row, so a 429 asking for no wait at all cannot
// start a tight loop; and it counts invalid requests (401, 403 and 429 but
// shared ones) over ten minutes, slowing down and then holding every
// request long before Discord's ban at 10,000. Its methods are safe for
// concurrent use.
type Client struct {
	session *discordgo.Session
	limits  *limiter

	mu    sync.Mutex
	botID string // learnt by CheckToken
}

// NewClient returns a Client sending through s; see NewSession.
func NewClient(s *discordgo.Session, opts LimitOptions) *Client {
	return &Client{session: s, limits: newLimiter(opts)}
}

// Send creates a message in channelID and returns it as Discord answered.
func (c *Client) Send(ctx context.Context, channelID string, body MessageBody) (Message, error) {
	raw, err := c.request(ctx, http.MethodPost, RouteCreateMessage, channelID,
		discordgo.EndpointChannelMessages(channelID), body)
	if err != nil {
		return Message{}, fmt.Errorf("send message to %s: %w", channelID, err)
	}
	var m Message
	if err := decode(raw, &m); err != nil {
		return Message{}, fmt.Errorf("send message to %s: %w", channelID, err)
	}
	return m, nil
}

// Edit replaces the embeds of message messageID in channelID.
func (c *Client) Edit(ctx context.Context, channelID, messageID string, body EditBody) error {
	_, err := c.request(ctx, http.MethodPatch, RouteEditMessage, channelID,
		discordgo.EndpointChannelMessage(channelID, messageID), body)
	if err != nil {
		return fmt.Errorf("edit message %s in %s: %w", messageID, channelID, err)
	}
	return nil
}

// StartThread starts a public thread named name from message messageID in
// channelID and returns the thread's id.
func (c *Client) StartThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	body := threadBody{Name: name, AutoArchiveDuration: threadArchiveMinutes}
	raw, err := c.request(ctx, http.MethodPost, RouteStartThread, channelID,
		discordgo.EndpointChannelMessageThread(channelID, messageID), body)
	if err != nil {
		return "", fmt.Errorf("start thread on %s in %s: %w", messageID, channelID, err)
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := decode(raw, &obj); err != nil || obj.ID == "" {
		return "", fmt.Errorf("start thread on %s in %s: decode answer: no id (%v)", messageID, channelID, err)
	}
	return obj.ID, nil
}

// Messages returns up to limit (at most 100) messages of channelID posted
// after the message id after (any snowflake), newest first. Without Read
// Message History Discord answers with none.
func (c *Client) Messages(ctx context.Context, channelID, after string, limit int) ([]Message, error) {
	url := discordgo.EndpointChannelMessages(channelID) + "?limit=" + strconv.Itoa(min(max(limit, 1), 100))
	if after != "" {
		url += "&after=" + after
	}
	raw, err := c.request(ctx, http.MethodGet, RouteGetMessages, channelID, url, nil)
	if err != nil {
		return nil, fmt.Errorf("read messages of %s: %w", channelID, err)
	}
	var list []Message
	if err := decode(raw, &list); err != nil {
		return nil, fmt.Errorf("read messages of %s: %w", channelID, err)
	}
	return list, nil
}

// CheckToken asks Discord who the bot is (GET /users/@me) and remembers
// its id. A 401 answer is an error matching ErrTokenRejected; the token
// never appears in errors.
func (c *Client) CheckToken(ctx context.Context) (*discordgo.User, error) {
	raw, err := c.request(ctx, http.MethodGet, RouteCurrentUser, "", discordgo.EndpointUser("@me"), nil)
	if err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	var u discordgo.User
	if err := decode(raw, &u); err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	c.mu.Lock()
	c.botID = u.ID
	c.mu.Unlock()
	return &u, nil
}

// BotID returns the bot's user id, asking Discord the first time.
func (c *Client) BotID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.botID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	u, err := c.CheckToken(ctx)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// Delay returns how long a request to route for channelID must wait
// before it may go: a bucket Discord said was spent, a 429's wait with its
// growing floor, the global limit, or the invalid-request budget. Zero
// means now.
func (c *Client) Delay(route, channelID string) time.Duration {
	return c.limits.delay(route + " " + channelID)
}

// Budget returns the state of the invalid-request budget.
func (c *Client) Budget() BudgetState {
	return c.limits.budget()
}

// threadBody is the body of a start-thread request.
type threadBody struct {
	Name                string `json:"name"`
	AutoArchiveDuration int    `json:"auto_archive_duration"`
}

// request sends body (nil for none) as JSON to url (a discordgo endpoint,
// which the session's transport sends to the configured API base),
// counted in the bucket of route and major, and classifies the outcome. A
// request whose bucket is not free yet is not sent: it fails as a local
// *RateLimitedError.
func (c *Client) request(ctx context.Context, method, route, major, url string, body any) ([]byte, error) {
	key := route + " " + major
	if wait := c.limits.delay(key); wait > 0 {
		return nil, c.limits.held(wait)
	}
	var data io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
		data = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, data)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", c.session.Token)
	req.Header.Set("User-Agent", c.session.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.limits.sent()
	resp, err := c.session.Client.Do(req)
	if err != nil {
		return nil, &TransientError{Err: SentTo(c.session, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, &TransientError{Status: resp.StatusCode, Err: fmt.Errorf("read answer: %w", err)}
	}
	failure := classify(resp, raw)
	c.limits.observe(key, resp.StatusCode, resp.Header, failure)
	if failure != nil {
		return nil, failure
	}
	return raw, nil
}

// maxAnswer bounds the answer read: a page of 100 messages with embeds is
// well under it.
const maxAnswer = 8 << 20

// classify turns a non-2xx answer into a *RateLimitedError, *RefusedError
// or *TransientError; nil for a success.
func classify(resp *http.Response, raw []byte) error {
	status := resp.StatusCode
	if status >= 200 && status < 300 {
		return nil
	}
	var body struct {
		Code       int      `json:"code"`
		Message    string   `json:"message"`
		RetryAfter *float64 `json:"retry_after"`
		Global     bool     `json:"global"`
	}
	jsonBody := json.Unmarshal(raw, &body) == nil
	switch {
	case status == http.StatusTooManyRequests:
		return rateLimited(resp.Header, body.RetryAfter, body.Global, body.Code, body.Message)
	case status >= 500 || status == http.StatusRequestTimeout:
		return &TransientError{Status: status, Err: errors.New(http.StatusText(status))}
	case status < 400:
		return &TransientError{Status: status, Err: fmt.Errorf("unexpected answer %d", status)}
	}
	refused := &RefusedError{Status: status, Message: http.StatusText(status)}
	if jsonBody {
		refused.Code = body.Code
		if body.Message != "" {
			refused.Message = body.Message
		}
	}
	return refused
}

// rateLimited reads a 429: the wait from the body's retry_after, else the
// Retry-After header; the scope from X-RateLimit-Scope, else global or
// user as the body says.
func rateLimited(h http.Header, retryAfter *float64, global bool, code int, msg string) *RateLimitedError {
	e := &RateLimitedError{Scope: h.Get("X-RateLimit-Scope"), Code: code, Message: msg}
	switch {
	case retryAfter != nil:
		e.RetryAfter = seconds(*retryAfter)
	default:
		if v, err := strconv.ParseFloat(h.Get("Retry-After"), 64); err == nil {
			e.RetryAfter = seconds(v)
		}
	}
	if e.Scope == "" {
		e.Scope = scopeUser
		if global || h.Get("X-RateLimit-Global") == "true" {
			e.Scope = scopeGlobal
		}
	}
	return e
}

// seconds converts Discord's seconds (with a fraction) to a duration; a
// negative or absurd value is none.
func seconds(s float64) time.Duration {
	if s <= 0 || s > 1e6 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// decode reads Discord's JSON answer into v.
func decode(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
