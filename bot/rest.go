package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord's JSON error codes that the poster acts on or explains.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
	codeThreadExists       = 160004
)

// ErrUnknownMessage matches a RefusedError for a message that is gone
// (Discord's code 10008), e.g. deleted by a moderator.
var ErrUnknownMessage = errors.New("discord: unknown message")

// ErrTokenRejected is returned by CheckToken when Discord answers 401.
var ErrTokenRejected = errors.New("discord rejected the bot token")

// RateLimitedError is a 429 answer: the request may be repeated after
// RetryAfter.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("discord rate limit: retry after %s", e.RetryAfter)
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
// same request again (missing permission, unknown channel, invalid body).
// Code and Message are Discord's JSON error code and message.
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

// Is makes a refusal with code 10008 match ErrUnknownMessage.
func (e *RefusedError) Is(target error) bool {
	return target == ErrUnknownMessage && e.Code == codeUnknownMessage
}

// Client is a small Discord REST client over a discordgo session. It sends
// storyline's own JSON bodies (discordgo's MessageSend has no nonce or
// enforce_nonce) and returns every failure as a *RateLimitedError,
// *TransientError or *RefusedError. It never retries by itself: the
// poster decides. Its methods are safe for concurrent use.
type Client struct {
	session *discordgo.Session
}

// NewClient returns a Client sending through s; see NewSession.
func NewClient(s *discordgo.Session) *Client {
	return &Client{session: s}
}

// Send creates a message in channelID and returns its id.
func (c *Client) Send(ctx context.Context, channelID string, body MessageBody) (string, error) {
	endpoint := discordgo.EndpointChannelMessages(channelID)
	raw, err := c.request(ctx, http.MethodPost, endpoint, endpoint, body)
	if err != nil {
		return "", fmt.Errorf("send message to %s: %w", channelID, err)
	}
	id, err := objectID(raw)
	if err != nil {
		return "", fmt.Errorf("send message to %s: %w", channelID, err)
	}
	return id, nil
}

// Edit replaces the embeds of message messageID in channelID.
func (c *Client) Edit(ctx context.Context, channelID, messageID string, body EditBody) error {
	_, err := c.request(ctx, http.MethodPatch, discordgo.EndpointChannelMessage(channelID, messageID),
		discordgo.EndpointChannelMessages(channelID), body)
	if err != nil {
		return fmt.Errorf("edit message %s in %s: %w", messageID, channelID, err)
	}
	return nil
}

// StartThread starts a public thread named name from message messageID in
// channelID and returns the thread's id.
func (c *Client) StartThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	endpoint := discordgo.EndpointChannelMessageThread(channelID, messageID)
	body := threadBody{Name: name, AutoArchiveDuration: threadArchiveMinutes}
	raw, err := c.request(ctx, http.MethodPost, endpoint, endpoint, body)
	if err != nil {
		return "", fmt.Errorf("start thread on %s in %s: %w", messageID, channelID, err)
	}
	id, err := objectID(raw)
	if err != nil {
		return "", fmt.Errorf("start thread on %s in %s: %w", messageID, channelID, err)
	}
	return id, nil
}

// CheckToken asks Discord who the bot is (GET /users/@me). A 401 answer is
// an error wrapping ErrTokenRejected; the token never appears in errors.
func (c *Client) CheckToken(ctx context.Context) (*discordgo.User, error) {
	raw, err := c.request(ctx, http.MethodGet, discordgo.EndpointUser("@me"), discordgo.EndpointUsers, nil)
	var refused *RefusedError
	if errors.As(err, &refused) && refused.Status == http.StatusUnauthorized {
		return nil, fmt.Errorf("check token: %w", ErrTokenRejected)
	}
	if err != nil {
		return nil, fmt.Errorf("check token: %w", err)
	}
	var u discordgo.User
	if err := json.Unmarshal(raw, &u); err != nil {
		return nil, fmt.Errorf("check token: decode user: %w", err)
	}
	return &u, nil
}

// threadBody is the body of a start-thread request.
type threadBody struct {
	Name                string `json:"name"`
	AutoArchiveDuration int    `json:"auto_archive_duration"`
}

// request sends body (nil for none) as JSON and classifies the outcome.
func (c *Client) request(ctx context.Context, method, url, bucket string, body any) ([]byte, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
	}
	raw, err := c.session.RequestRaw(method, url, "application/json", data, bucket, 0,
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	if err != nil {
		return nil, classify(SentTo(c.session, err))
	}
	return raw, nil
}

// classify turns a discordgo error into a *RateLimitedError,
// *RefusedError or *TransientError.
func classify(err error) error {
	var limited *discordgo.RateLimitError
	if errors.As(err, &limited) && limited.TooManyRequests != nil {
		return &RateLimitedError{RetryAfter: limited.RetryAfter}
	}
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		// Network errors, timeouts and 502s (which discordgo reports as
		// plain errors once its own retries, set to zero, are spent).
		return &TransientError{Err: err}
	}
	status := rest.Response.StatusCode
	if status >= 500 || status == http.StatusRequestTimeout {
		return &TransientError{Status: status, Err: err}
	}
	refused := &RefusedError{Status: status, Message: http.StatusText(status)}
	if m := rest.Message; m != nil {
		refused.Code = m.Code
		if m.Message != "" {
			refused.Message = m.Message
		}
	}
	return refused
}

// objectID reads the id of the object Discord answered with.
func objectID(raw []byte) (string, error) {
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", fmt.Errorf("decode answer: %w", err)
	}
	if obj.ID == "" {
		return "", errors.New("decode answer: no id")
	}
	return obj.ID, nil
}
