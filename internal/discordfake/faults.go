package discordfake

import (
	"cmp"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Fault is an injected failure: the answer to give instead of the normal one.
type Fault struct {
	// Status is the HTTP status, e.g. 429, 502 or 403.
	Status int
	// RetryAfter is the wait in seconds a 429 asks for, in the body's
	// retry_after and (rounded up) in the Retry-After header; it may be 0.
	RetryAfter float64
	// Global marks a 429 as the global rate limit (scope "global").
	Global bool
	// Scope is a 429's X-RateLimit-Scope when not Global: "user" (the
	// default) or "shared", a limit on the resource that Discord does not
	// count against the client's invalid requests.
	Scope string
	// NoResetHeaders leaves X-RateLimit-Reset and X-RateLimit-Reset-After
	// out of a 429, as some of Discord's answers do.
	NoResetHeaders bool
	// Code and Message override the JSON error body; by default they are
	// Discord's for the status (403: 50013 "Missing Permissions").
	Code    int
	Message string
	// Times is how many requests the fault answers; 0 means until ClearFaults.
	Times int
	// From and Until bound, on the fake's clock, when the fault answers;
	// a zero time is no bound. A fault past Until answers nothing more.
	From, Until time.Time
	// Hang blocks the request until the client gives up or the server stops,
	// instead of answering.
	Hang bool
}

// fault is an active Fault and its route.
type fault struct {
	route string
	f     Fault
	left  int // requests left to answer; <0 for unlimited
}

// Fail makes requests to route (a Route constant or AllRoutes) answer with f
// once auth passed. Faults apply in the order they were added; a fault with
// Times n is used up after n requests. A faulted request is recorded with
// the fault's status, is not validated and changes nothing. Fail fails the
// test for an unknown route.
func (s *Server) Fail(route string, f Fault) {
	s.t.Helper()
	if !s.knownRoute(route) {
		s.t.Fatalf("discordfake: Fail: unknown route %q", route)
	}
	left := f.Times
	if left == 0 {
		left = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, f: f, left: left})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first active fault for route and uses it once.
func (s *Server) takeFault(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	for i, ft := range s.faults {
		if ft.route != route && ft.route != AllRoutes {
			continue
		}
		if now.Before(ft.f.From) || (!ft.f.Until.IsZero() && !now.Before(ft.f.Until)) {
			continue
		}
		if ft.left > 0 {
			ft.left--
		}
		if ft.left == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		f := ft.f
		return &f
	}
	return nil
}

// faultReply answers a faulted request, after hanging if asked to.
func (s *Server) faultReply(c *call, f *Fault) reply {
	if f.Hang {
		select {
		case <-c.r.Context().Done():
		case <-s.closed:
		}
		return reply{status: 0, header: http.Header{}}
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		return s.rateLimited(c, f)
	case f.Status == http.StatusBadGateway || f.Status == http.StatusGatewayTimeout:
		return reply{status: f.Status, raw: []byte(cloudflarePage(f.Status)), contentType: "text/html", header: http.Header{}}
	}
	code, msg := f.Code, f.Message
	if msg == "" {
		code, msg = defaultError(f.Status)
	}
	rep := discordError(f.Status, code, msg)
	rep.header = s.rateLimitHeaders(c)
	return rep
}

// rateLimited builds a 429 like Discord's, per route or global.
func (s *Server) rateLimited(c *call, f *Fault) reply {
	msg := f.Message
	if msg == "" {
		msg = "You are being rate limited."
	}
	body := map[string]any{"message": msg, "retry_after": f.RetryAfter, "global": f.Global}
	if f.Code != 0 {
		body["code"] = f.Code
	}
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter))))
	if f.Global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
		return reply{status: http.StatusTooManyRequests, body: body, header: h}
	}
	h = s.rateLimitHeaders(c)
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter))))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(f.RetryAfter, 'f', 3, 64))
	reset := s.opts.Now().Add(time.Duration(f.RetryAfter * float64(time.Second)))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	if f.NoResetHeaders {
		h.Del("X-RateLimit-Reset")
		h.Del("X-RateLimit-Reset-After")
	}
	h.Set("X-RateLimit-Scope", cmp.Or(f.Scope, "user"))
	return reply{status: http.StatusTooManyRequests, body: body, header: h}
}

// defaultError is Discord's JSON error code and message for a status.
func defaultError(status int) (int, string) {
	switch status {
	case http.StatusBadRequest:
		return 50035, "Invalid Form Body"
	case http.StatusUnauthorized:
		return 0, "401: Unauthorized"
	case http.StatusForbidden:
		return 50013, "Missing Permissions"
	case http.StatusNotFound:
		return 0, "404: Not Found"
	}
	return 0, strconv.Itoa(status) + ": " + http.StatusText(status)
}

// cloudflarePage is the HTML Cloudflare serves when Discord's origin fails.
func cloudflarePage(status int) string {
	title := strconv.Itoa(status) + " " + http.StatusText(status)
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
}
