package discordfake

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Request is one REST request the fake received, recorded whatever its
// outcome (rejected, faulted and unknown-route requests included).
type Request struct {
	Method string
	// Path is the URL path without the /api/vN prefix (the whole path when
	// it had none).
	Path  string
	Query url.Values
	// Route is the matched route, e.g. RouteCreateMessage; "" if none matched.
	Route string
	// Params holds the path parameters by name, e.g. "channel_id".
	Params map[string]string
	Header http.Header
	Body   []byte
	// JSON is the decoded JSON body (payload_json for multipart bodies); nil
	// when there is no body or it is not JSON.
	JSON any
	// Files are the files[n] parts of a multipart body.
	Files []File
	// Status is the HTTP status the fake answered; 0 while in flight.
	Status int
	// Answer holds the headers of the answer (X-RateLimit-Scope …).
	Answer http.Header
	At     time.Time
}

// File is one uploaded file of a multipart request.
type File struct {
	Field       string // form field, e.g. "files[0]"
	Name        string // file name
	ContentType string
	Data        []byte
}

// Object returns the JSON body as an object, or nil if it is not one.
func (r Request) Object() map[string]any {
	m, _ := r.JSON.(map[string]any)
	return m
}

// AllowedMentions returns the request's allowed_mentions object and whether
// it carried a non-null one. For interaction callbacks it looks inside
// "data", where Discord expects it.
func (r Request) AllowedMentions() (map[string]any, bool) {
	obj := r.Object()
	if r.Route == RouteCallback {
		obj, _ = obj["data"].(map[string]any)
	}
	am, ok := obj["allowed_mentions"].(map[string]any)
	return am, ok
}

// record appends c's request and returns its index.
func (s *Server) record(req Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	s.notifyLocked()
	return len(s.requests) - 1
}

// finish stores the status and headers answered to request i.
func (s *Server) finish(i int, rep reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Status = rep.status
	s.requests[i].Answer = rep.header.Clone()
	s.notifyLocked()
}

// recordValidation keeps a request-body validation error.
func (s *Server) recordValidation(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verrs = append(s.verrs, err)
}

// Requests returns every REST request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the requests whose Route is route, oldest first.
func (s *Server) RequestsTo(route string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// WaitRequests waits until at least n requests to route have been answered
// and returns all requests to route.
func (s *Server) WaitRequests(ctx context.Context, route string, n int) ([]Request, error) {
	var got []Request
	err := s.WaitFor(ctx, func(s *Server) bool {
		got = s.RequestsTo(route)
		answered := 0
		for _, r := range got {
			if r.Status != 0 {
				answered++
			}
		}
		return answered >= n
	})
	return got, err
}

// ValidationErrors returns every request-body validation failure so far,
// each wrapping ErrInvalidJSON, ErrSchema, ErrContentTooLong,
// ErrEmbedsTooLarge, ErrEmptyMessage or ErrUnlistedAttachment.
func (s *Server) ValidationErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.verrs)
}
