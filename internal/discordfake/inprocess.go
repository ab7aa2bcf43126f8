package discordfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// errDropped is what a request whose connection the fake dropped (a hung
// request) fails with in process.
var errDropped = errors.New("discordfake: connection dropped without an answer")

// Transport returns an http.RoundTripper that answers requests for
// discord.com (and the fake's own address) in the calling goroutine, with
// no network, and refuses every other host. A Hang fault blocks until the
// request's context ends or the fake stops.
func (s *Server) Transport() http.RoundTripper {
	return inProcess{s: s}
}

// inProcess is the Transport.
type inProcess struct{ s *Server }

// RoundTrip serves r through the fake's REST handler.
func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Host {
	case "discord.com", "discordapp.com", "discordfake.invalid":
	default:
		if t.s.hs == nil || "http://"+r.URL.Host != t.s.hs.URL {
			return nil, fmt.Errorf("discordfake transport: refusing request to %s", r.URL.Host)
		}
	}
	in := r.Clone(r.Context())
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("discordfake transport: read body: %w", err)
		}
		in.Body = io.NopCloser(bytes.NewReader(body))
	} else {
		in.Body = http.NoBody
	}
	rep := t.s.serveREST(in)
	if rep.status == 0 {
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		return nil, errDropped
	}
	return response(r, rep)
}

// response encodes rep as the *http.Response to r.
func response(r *http.Request, rep reply) (*http.Response, error) {
	body, ct := rep.raw, rep.contentType
	if body == nil && rep.body != nil && rep.status != http.StatusNoContent {
		var err error
		if body, err = json.Marshal(rep.body); err != nil {
			return nil, fmt.Errorf("discordfake transport: encode answer: %w", err)
		}
		ct = "application/json"
	}
	h := rep.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return &http.Response{
		Status:        strconv.Itoa(rep.status) + " " + http.StatusText(rep.status),
		StatusCode:    rep.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}
