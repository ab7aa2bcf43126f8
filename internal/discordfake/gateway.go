package discordfake

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ErrNotConnected is returned by DispatchInteraction when no gateway
// connection has identified or resumed.
var ErrNotConnected = errors.New("no identified gateway connection")

// Gateway opcodes and close codes the fake uses.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresence       = 3
	opVoiceState     = 4
	opResume         = 6
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11

	closeUnknownOpcode   = 4001
	closeDecodeError     = 4002
	closeAuthFailed      = 4004
	closeAlreadyIdentify = 4005
)

// Frame is one payload a gateway client sent.
type Frame struct {
	Op   int
	Data json.RawMessage
	At   time.Time
}

// gatewayState is the fake's gateway: open sockets, resumable sessions and
// the frames clients sent. It is guarded by Server.mu.
type gatewayState struct {
	conns    map[*gwConn]bool
	sessions map[string]*gwSession
	frames   []Frame
	nextID   int
}

func newGatewayState() gatewayState {
	return gatewayState{conns: map[*gwConn]bool{}, sessions: map[string]*gwSession{}}
}

// gwConn is one websocket. wmu serialises writes and, for dispatches, the
// sequence number with the write; take it before Server.mu, never after.
type gwConn struct {
	ws      *websocket.Conn
	wmu     sync.Mutex
	version int        // the API version the client asked for in ?v=
	session *gwSession // set once identified or resumed; guarded by Server.mu
}

// gwSession is a gateway session that survives its connection for RESUME.
type gwSession struct {
	id       string
	compress bool
	seq      int
	sent     []sentEvent
	conn     *gwConn // current connection; nil while disconnected
}

// sentEvent is a dispatch kept for replay on RESUME.
type sentEvent struct {
	seq  int
	name string
	data json.RawMessage
}

// payload is a gateway message.
type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int            `json:"s"`
	T  *string         `json:"t"`
}

// serveGateway runs one websocket connection until it closes.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws, version: 10}
	if v, err := strconv.Atoi(r.URL.Query().Get("v")); err == nil {
		c.version = v
	}
	s.mu.Lock()
	s.gw.conns[c] = true
	s.notifyLocked()
	s.mu.Unlock()
	defer s.detach(c)
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()})
	if c.send(payload{Op: opHello, D: hello}, false) != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if !s.handleFrame(c, msg) {
			return
		}
	}
}

// detach forgets a closed connection; its session stays resumable.
func (s *Server) detach(c *gwConn) {
	s.mu.Lock()
	delete(s.gw.conns, c)
	if c.session != nil && c.session.conn == c {
		c.session.conn = nil
	}
	s.notifyLocked()
	s.mu.Unlock()
	c.ws.Close()
}

// handleFrame answers one client payload; false ends the connection.
func (s *Server) handleFrame(c *gwConn, msg []byte) bool {
	var p payload
	if err := json.Unmarshal(msg, &p); err != nil {
		c.closeWith(closeDecodeError, "Error while decoding payload.")
		return false
	}
	s.mu.Lock()
	s.gw.frames = append(s.gw.frames, Frame{Op: p.Op, Data: p.D, At: s.opts.Now()})
	s.notifyLocked()
	s.mu.Unlock()
	switch p.Op {
	case opHeartbeat:
		return c.send(payload{Op: opHeartbeatACK}, s.compressed(c)) == nil
	case opIdentify:
		return s.identify(c, p.D)
	case opResume:
		return s.resume(c, p.D)
	case opPresence, opVoiceState, opRequestMembers:
		return true
	}
	c.closeWith(closeUnknownOpcode, "Unknown opcode.")
	return false
}

// compressed reports whether c's session asked for zlib payloads.
func (s *Server) compressed(c *gwConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.session != nil && c.session.compress
}

// validToken accepts the token with or without discordgo's "Bot " prefix.
func (s *Server) validToken(tok string) bool {
	return strings.TrimPrefix(tok, "Bot ") == s.currentToken()
}

// identify starts a new session and sends READY. It holds c's write lock
// throughout so no dispatch can overtake READY.
func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var d struct {
		Token    string `json:"token"`
		Compress bool   `json:"compress"`
		Shard    []int  `json:"shard"`
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if json.Unmarshal(raw, &d) != nil || !s.validToken(d.Token) {
		c.closeLocked(closeAuthFailed, "Authentication failed.")
		return false
	}
	s.mu.Lock()
	if c.session != nil {
		s.mu.Unlock()
		c.closeLocked(closeAlreadyIdentify, "Already authenticated.")
		return false
	}
	s.gw.nextID++
	sess := &gwSession{id: fmt.Sprintf("%032x", s.gw.nextID), compress: d.Compress, conn: c}
	s.gw.sessions[sess.id] = sess
	c.session = sess
	s.notifyLocked()
	s.mu.Unlock()
	ready, err := json.Marshal(s.readyEvent(c.version, sess.id, d.Shard))
	return err == nil && s.eventLocked(c, "READY", ready) == nil
}

// readyEvent is the READY payload of a new session.
func (s *Server) readyEvent(version int, sessionID string, shard []int) map[string]any {
	ready := map[string]any{
		"v": version, "user": s.botUser(), "session_id": sessionID, "session_type": "normal",
		"resume_gateway_url": s.GatewayURL(),
		"application":        map[string]any{"id": s.opts.ApplicationID, "flags": 0},
		"guilds":             []any{map[string]any{"id": s.opts.GuildID, "unavailable": true}},
		"private_channels":   []any{}, "relationships": []any{}, "user_settings": map[string]any{},
	}
	if len(shard) == 2 {
		ready["shard"] = shard
	}
	return ready
}

// resume reattaches a session: it replays what the client missed, then
// sends RESUMED, holding c's write lock throughout. An unknown session gets
// INVALID_SESSION (not resumable).
func (s *Server) resume(c *gwConn, raw json.RawMessage) bool {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int    `json:"seq"`
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if json.Unmarshal(raw, &d) != nil || !s.validToken(d.Token) {
		c.closeLocked(closeAuthFailed, "Authentication failed.")
		return false
	}
	s.mu.Lock()
	sess := s.gw.sessions[d.SessionID]
	if sess == nil {
		s.mu.Unlock()
		return c.writeLocked(payload{Op: opInvalidSession, D: json.RawMessage("false")}, false) == nil
	}
	sess.conn, c.session = c, sess
	missed := slices.DeleteFunc(slices.Clone(sess.sent), func(e sentEvent) bool { return e.seq <= d.Seq })
	s.notifyLocked()
	s.mu.Unlock()
	for _, e := range missed {
		if c.writeLocked(payload{Op: opDispatch, D: e.data, S: &e.seq, T: &e.name}, sess.compress) != nil {
			return false
		}
	}
	return s.eventLocked(c, "RESUMED", json.RawMessage("{}")) == nil
}

// dispatchTo sends an event to c's session with the next sequence number.
func (s *Server) dispatchTo(c *gwConn, name string, data json.RawMessage) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return s.eventLocked(c, name, data)
}

// eventLocked numbers an event in c's session, keeps it for replay and
// writes it; c.wmu held.
func (s *Server) eventLocked(c *gwConn, name string, data json.RawMessage) error {
	s.mu.Lock()
	sess := c.session
	if sess == nil || sess.conn != c {
		s.mu.Unlock()
		return fmt.Errorf("dispatch %s: %w", name, ErrNotConnected)
	}
	sess.seq++
	seq := sess.seq
	sess.sent = append(sess.sent, sentEvent{seq: seq, name: name, data: data})
	compress := sess.compress
	s.mu.Unlock()
	return c.writeLocked(payload{Op: opDispatch, D: data, S: &seq, T: &name}, compress)
}

// Dispatch sends an event (op 0, type name) to every identified connection
// and returns ErrNotConnected if there is none.
func (s *Server) Dispatch(name string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("dispatch %s: %w", name, err)
	}
	sent := 0
	for _, c := range s.identified() {
		if s.dispatchTo(c, name, raw) == nil {
			sent++
		}
	}
	if sent == 0 {
		return fmt.Errorf("dispatch %s: %w", name, ErrNotConnected)
	}
	return nil
}

// identified returns the connections with a session.
func (s *Server) identified() []*gwConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*gwConn
	for c := range s.gw.conns {
		if c.session != nil && c.session.conn == c {
			out = append(out, c)
		}
	}
	return out
}

// Connected returns the number of identified or resumed connections.
func (s *Server) Connected() int {
	return len(s.identified())
}

// WaitConnected waits until at least one connection has identified or
// resumed.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.WaitFor(ctx, func(s *Server) bool { return s.Connected() > 0 })
}

// Frames returns every payload gateway clients sent, oldest first.
func (s *Server) Frames() []Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gw.frames)
}

// DropConnections closes every gateway socket abruptly, without a close
// frame, as a network failure would. Sessions stay resumable. Connected is
// 0 when it returns.
func (s *Server) DropConnections() {
	s.closeConnections()
}

// closeConnections detaches and closes every socket.
func (s *Server) closeConnections() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.gw.conns))
	for c := range s.gw.conns {
		conns = append(conns, c)
		if c.session != nil && c.session.conn == c {
			c.session.conn = nil
		}
		delete(s.gw.conns, c)
	}
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
}

// send writes one payload.
func (c *gwConn) send(p payload, compress bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(p, compress)
}

// writeLocked writes p as text, or as a zlib-compressed binary message when
// the session identified with compress; c.wmu held.
func (c *gwConn) writeLocked(p payload, compress bool) error {
	if p.D == nil {
		p.D = json.RawMessage("null")
	}
	msg, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("gateway write: %w", err)
	}
	kind := websocket.TextMessage
	if compress {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		if _, err := zw.Write(msg); err != nil {
			return fmt.Errorf("gateway compress: %w", err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("gateway compress: %w", err)
		}
		msg, kind = buf.Bytes(), websocket.BinaryMessage
	}
	if err := c.ws.WriteMessage(kind, msg); err != nil {
		return fmt.Errorf("gateway write: %w", err)
	}
	return nil
}

// closeWith sends a close frame with a Discord close code.
func (c *gwConn) closeWith(code int, text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.closeLocked(code, text)
}

// closeLocked sends a close frame; c.wmu held.
func (c *gwConn) closeLocked(code int, text string) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}
