package discordfake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBody is Discord's upload limit for bots without boosts.
const maxBody = 25 << 20

// call is one REST request being answered.
type call struct {
	r      *http.Request
	rt     *route
	params map[string]string
	body   any    // decoded JSON body, payload_json for multipart
	raw    []byte // the JSON text of body
	files  []File
	v10    bool // the request came under /api/v10/
}

// reply is the fake's answer to a REST request.
type reply struct {
	status      int
	body        any    // encoded as JSON unless raw is set
	raw         []byte // a non-JSON body
	contentType string
	header      http.Header
}

func jsonReply(status int, body any) reply { return reply{status: status, body: body} }

func discordError(status, code int, msg string) reply {
	return jsonReply(status, map[string]any{"message": msg, "code": code})
}

func unknownMessage() reply { return discordError(http.StatusNotFound, 10008, "Unknown Message") }

// ServeHTTP serves the gateway websocket at /gateway and the REST API under
// /api/v9/ and /api/v10/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r)
		return
	}
	writeReply(w, s.serveREST(r))
}

// serveREST records the request, answers it and records the status.
func (s *Server) serveREST(r *http.Request) reply {
	path, versioned := trimAPIPrefix(r.URL.Path)
	if !versioned {
		path = r.URL.Path
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return discordError(http.StatusRequestEntityTooLarge, 40005, "Request entity too large")
	}
	c := &call{r: r, v10: strings.HasPrefix(r.URL.Path, "/api/v10/")}
	var mismatch bool
	if versioned {
		c.rt, c.params, mismatch = s.match(r.Method, path)
	}
	req := Request{Method: r.Method, Path: path, Query: r.URL.Query(), Params: c.params,
		Header: r.Header.Clone(), Body: body, At: s.opts.Now()}
	if c.rt != nil {
		req.Route = c.rt.name
	}
	decodeErr := c.decode(r.Header.Get("Content-Type"), body)
	req.JSON, req.Files = c.body, c.files
	idx := s.record(req)
	if s.opts.Latency > 0 {
		time.Sleep(s.opts.Latency)
	}
	rep := s.answer(c, mismatch, decodeErr)
	if rep.header == nil {
		rep.header = s.rateLimitHeaders(c)
	}
	s.countInvalid(rep)
	s.finish(idx, rep)
	return rep
}

// answer runs the checks Discord makes, in its order, then the handler.
func (s *Server) answer(c *call, mismatch bool, decodeErr error) reply {
	if rep := s.bannedReply(); rep != nil {
		return *rep
	}
	switch {
	case c.rt == nil && mismatch:
		return discordError(http.StatusMethodNotAllowed, 0, "405: Method Not Allowed")
	case c.rt == nil:
		return discordError(http.StatusNotFound, 0, "404: Not Found")
	case !c.rt.public && c.r.Header.Get("Authorization") != "Bot "+s.currentToken():
		return discordError(http.StatusUnauthorized, 0, "401: Unauthorized")
	}
	if f := s.takeFault(c.rt.name); f != nil {
		return s.faultReply(c, f)
	}
	header, rep := s.limit(c)
	if rep != nil {
		return *rep
	}
	answer := s.validated(c, decodeErr)
	if answer.header == nil && answer.status != http.StatusTooManyRequests {
		answer.header = header
	}
	return answer
}

// validated checks the body of a route that takes one, then runs the
// route's handler.
func (s *Server) validated(c *call, decodeErr error) reply {
	if c.rt.schema != "" {
		if rej := s.validate(c, decodeErr); rej != nil {
			s.recordValidation(rej.err)
			if rej.status == http.StatusInternalServerError {
				s.t.Errorf("discordfake: %v", rej.err)
			}
			return jsonReply(cmp.Or(rej.status, http.StatusBadRequest), rej.body)
		}
	}
	return c.rt.handler(s, c)
}

// validate checks the body of a route that takes one.
func (s *Server) validate(c *call, decodeErr error) *rejection {
	invalid := map[string]any{"code": 50109, "message": "The request body contains invalid JSON."}
	switch {
	case decodeErr != nil:
		return &rejection{err: fmt.Errorf("%s: %w: %w", c.rt.name, ErrInvalidJSON, decodeErr), body: invalid}
	case c.body == nil:
		return &rejection{err: fmt.Errorf("%s: %w: no JSON body", c.rt.name, ErrInvalidJSON), body: invalid}
	}
	for _, sc := range s.schemas {
		if rej := sc.check(c.rt.schema, c.rt.name, c.body, len(c.files)); rej != nil {
			return rej
		}
	}
	return nil
}

// decode reads a JSON or multipart/form-data body into c.
func (c *call) decode(contentType string, body []byte) error {
	if len(body) == 0 {
		return nil
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "multipart/form-data" {
		if err := c.decodeMultipart(body, params["boundary"]); err != nil {
			return err
		}
	} else {
		c.raw = body
	}
	if c.raw == nil {
		return nil
	}
	if err := json.Unmarshal(c.raw, &c.body); err != nil {
		c.body = nil
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

// decodeMultipart keeps payload_json and the files[n] parts.
func (c *call) decodeMultipart(body []byte, boundary string) error {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("decode multipart: %w", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return fmt.Errorf("decode multipart part %s: %w", p.FormName(), err)
		}
		switch name := p.FormName(); {
		case name == "payload_json":
			c.raw = data
		case strings.HasPrefix(name, "files["):
			c.files = append(c.files, File{Field: name, Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
}

// writeReply writes rep as JSON (or raw) with its headers.
func writeReply(w http.ResponseWriter, rep reply) {
	if rep.status == 0 { // a hung request whose client is gone
		return
	}
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.status == http.StatusNoContent {
		w.WriteHeader(rep.status)
		return
	}
	body, ct := rep.raw, rep.contentType
	if body == nil && rep.body != nil {
		var err error
		if body, err = json.Marshal(rep.body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ct = "application/json"
	}
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
}

// rateLimitHeaders returns plausible X-RateLimit-* headers for a request
// that was not limited: 5 per second per route and major parameter, with
// requests to spare so discordgo never waits.
func (s *Server) rateLimitHeaders(c *call) http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "4")
	reset := s.opts.Now().Add(time.Second)
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", "1.000")
	h.Set("X-RateLimit-Bucket", bucket(c)[:16])
	return h
}

// bucket names the rate-limit bucket of a request: its route hashed like
// Discord's opaque bucket ids (the first 16 characters, what the
// X-RateLimit-Bucket header shows), then the major parameters that make
// one bucket count apart per channel, guild or interaction.
func bucket(c *call) string {
	hash := fnv.New64a()
	if c.rt != nil {
		hash.Write([]byte(c.rt.name))
	}
	key := fmt.Sprintf("%016x", hash.Sum64())
	for _, major := range []string{"channel_id", "guild_id", "interaction_token"} {
		key += ":" + c.params[major]
	}
	return key
}

// handleGateway answers GET /gateway and GET /gateway/bot.
func (s *Server) handleGateway(c *call) reply {
	body := map[string]any{"url": s.GatewayURL()}
	if c.rt.name == RouteGatewayBot {
		body["shards"] = 1
		body["session_start_limit"] = map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		}
	}
	return jsonReply(http.StatusOK, body)
}

// handleCurrentUser answers GET /users/@me.
func (s *Server) handleCurrentUser(*call) reply {
	return jsonReply(http.StatusOK, s.botUser())
}

// botUser is the bot's user object.
func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.opts.BotUserID, "username": DefaultBotUsername, "discriminator": "0",
		"global_name": nil, "avatar": nil, "bot": true, "verified": true, "flags": 0,
	}
}

// handleBulkCommands answers the bulk overwrite of global or guild commands,
// echoing the commands with ids.
func (s *Server) handleBulkCommands(c *call) reply {
	if c.params["application_id"] != s.opts.ApplicationID {
		return discordError(http.StatusForbidden, 50001, "Missing Access")
	}
	list, _ := c.body.([]any)
	guild := c.params["guild_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]any, 0, len(list))
	for _, item := range list {
		cmd := cloneObject(item)
		cmd["id"] = s.ids.next(s.opts.Now())
		cmd["application_id"] = s.opts.ApplicationID
		cmd["version"] = s.ids.next(s.opts.Now())
		if _, ok := cmd["type"]; !ok {
			cmd["type"] = 1
		}
		if guild != "" {
			cmd["guild_id"] = guild
		}
		out = append(out, cmd)
	}
	key := guild
	if key == "" {
		key = "global"
	}
	s.commands[key] = out
	return jsonReply(http.StatusOK, out)
}

// Commands returns the commands last registered globally (guildID "") or
// for a guild, as the fake echoed them.
func (s *Server) Commands(guildID string) []any {
	if guildID == "" {
		guildID = "global"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[guildID])
}

// cloneObject returns a shallow copy of a JSON object (or an empty one).
func cloneObject(v any) map[string]any {
	src, _ := v.(map[string]any)
	out := make(map[string]any, len(src)+4)
	for k, val := range src {
		out[k] = val
	}
	return out
}
