package feeds

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by NewFetcher to zero Options fields.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultDialTimeout  = 10 * time.Second
	DefaultMaxBytes     = 10 << 20
	DefaultUserAgent    = "storyline/0.1 (+https://github.com/storyline/storyline)"
	DefaultMaxRedirects = 5
)

// maxRetryAfter clamps a server's Retry-After so a hostile value cannot
// overflow a time.Duration.
const maxRetryAfter = 7 * 24 * time.Hour

// acceptHeader prefers feed media types but accepts anything, since many
// servers label feeds text/html or application/octet-stream.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// Options configures a Fetcher. Zero fields take the Default values.
type Options struct {
	// Timeout bounds one whole request, body included.
	Timeout time.Duration
	// DialTimeout bounds establishing a TCP connection.
	DialTimeout time.Duration
	// MaxBytes caps a body after decompression, and a local file.
	MaxBytes int64
	// UserAgent is sent with every request.
	UserAgent string
	// MaxRedirects is how many redirects one request may follow.
	MaxRedirects int
	// AllowPrivate lets requests reach loopback, private, link-local and
	// other internal addresses, which the guard refuses by default.
	AllowPrivate bool
	// Now is the clock used to turn an HTTP-date Retry-After into a delay.
	Now func() time.Time
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Validators are the conditional-request tokens a server gave for a feed.
type Validators struct {
	ETag         string
	LastModified string
}

// Response is the outcome of one fetch.
type Response struct {
	// Body is the decompressed body; empty when NotModified.
	Body []byte
	// NotModified reports a 304 answer to a conditional request.
	NotModified bool
	// Validators are the ones to send next time.
	Validators Validators
	// Status is the HTTP status code, or zero for a local file.
	Status int
	// FinalURL is the URL after redirects (the path for a local file).
	FinalURL string
	// ContentType is the server's Content-Type header; empty for a local
	// file. Its charset decides how the body is read (see fromDeclaredCharset).
	ContentType string
	// RetryAfter is the delay a 429 or 503 response asked for.
	RetryAfter time.Duration
	// MaxAge is how long the server says the answer stays fresh
	// (Cache-Control max-age); zero when it does not say, or says
	// no-cache or no-store.
	MaxAge time.Duration
}

// Fetcher fetches feeds over HTTP(S) or from local files. It holds one
// http.Client shared by all requests and is safe for concurrent use.
type Fetcher struct {
	opts   Options
	client *http.Client
}

// NewFetcher returns a Fetcher with its own transport: no proxy (the address
// guard must see the real destination), compression handled by the Fetcher
// so the size cap applies to decompressed bytes, and bounded dial, TLS and
// response-header waits.
func NewFetcher(opts Options) *Fetcher {
	opts = opts.withDefaults()
	dialer := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = guardControl
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		DisableCompression:     true,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f := &Fetcher{opts: opts}
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f
}

// checkRedirect refuses loops, non-http(s) targets and chains longer than
// MaxRedirects.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %s: %w", req.URL.Scheme, ErrUnsupportedScheme)
	}
	for _, prev := range via {
		if prev.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect to %s: %w", req.URL, ErrRedirectLoop)
		}
	}
	if len(via) > f.opts.MaxRedirects {
		return fmt.Errorf("after %d redirects: %w", f.opts.MaxRedirects, ErrTooManyRedirects)
	}
	return nil
}

// Fetch retrieves rawURL. An http(s) URL is requested with the validators as
// If-None-Match / If-Modified-Since; a 304 is a success with NotModified set.
// A file:// URL or a plain path is read from disk. Every failure is a
// *FetchError; on an HTTP error the Response still carries Status and
// RetryAfter.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, v Validators) (Response, error) {
	path, isFile, err := localPath(rawURL)
	if err != nil {
		return Response{}, &FetchError{URL: rawURL, Class: ClassOther, Err: err}
	}
	if isFile {
		return f.readFile(ctx, rawURL, path)
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := f.newRequest(ctx, rawURL, v)
	if err != nil {
		return Response{}, &FetchError{URL: rawURL, Class: ClassOther, Err: err}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return Response{}, &FetchError{URL: rawURL, Class: ClassOf(err), Err: err}
	}
	defer closeBody(resp.Body)
	return f.handleResponse(rawURL, resp, v)
}

// localPath reports whether rawURL names a local file and returns its path.
// URLs with any scheme other than http, https and file are refused.
func localPath(rawURL string) (string, bool, error) {
	lower := strings.ToLower(rawURL)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return "", false, nil
	case strings.HasPrefix(lower, "file:"):
		u, err := url.Parse(rawURL)
		if err != nil {
			return "", false, err
		}
		if u.Path == "" {
			return u.Opaque, true, nil
		}
		return u.Path, true, nil
	case strings.Contains(rawURL, "://"):
		return "", false, ErrUnsupportedScheme
	}
	return rawURL, true, nil
}

// readFile reads a local feed file under the same size cap as a download.
func (f *Fetcher) readFile(ctx context.Context, rawURL, path string) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, &FetchError{URL: rawURL, Class: ClassOf(err), Err: err}
	}
	file, err := os.Open(path)
	if err != nil {
		return Response{}, &FetchError{URL: rawURL, Class: ClassOther, Err: err}
	}
	defer file.Close()
	body, err := readCapped(file, f.opts.MaxBytes)
	if err != nil {
		return Response{}, &FetchError{URL: rawURL, Class: ClassOf(err), Err: err}
	}
	return Response{Body: body, FinalURL: rawURL}, nil
}

// newRequest builds the GET request with the conditional and identifying
// headers.
func (f *Fetcher) newRequest(ctx context.Context, rawURL string, v Validators) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("Accept-Encoding", "gzip")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	return req, nil
}

// handleResponse turns a response into a Response or a *FetchError.
func (f *Fetcher) handleResponse(rawURL string, resp *http.Response, sent Validators) (Response, error) {
	res := Response{
		Status:      resp.StatusCode,
		FinalURL:    resp.Request.URL.String(),
		ContentType: resp.Header.Get("Content-Type"),
		Validators:  Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
		MaxAge:      maxAge(resp.Header),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		res.Validators = keepValidators(res.Validators, sent)
		return res, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		body, err := f.readBody(resp)
		if err != nil {
			return res, &FetchError{URL: rawURL, Class: ClassOf(err), Status: resp.StatusCode, Err: err}
		}
		res.Body = body
		return res, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), f.opts.Now())
	}
	return res, &FetchError{
		URL:        rawURL,
		Class:      statusClass(resp.StatusCode),
		Status:     resp.StatusCode,
		RetryAfter: res.RetryAfter,
		Err:        errors.New(resp.Status),
	}
}

// keepValidators fills validators a 304 omitted with the ones that were sent,
// since the cached representation is still the one they describe.
func keepValidators(got, sent Validators) Validators {
	if got.ETag == "" {
		got.ETag = sent.ETag
	}
	if got.LastModified == "" {
		got.LastModified = sent.LastModified
	}
	return got
}

// statusClass maps an unsuccessful HTTP status to a failure class.
func statusClass(status int) Class {
	switch {
	case status >= 400 && status < 500:
		return ClassHTTP4xx
	case status >= 500 && status < 600:
		return ClassHTTP5xx
	}
	return ClassOther
}

// readBody reads the body, decoding gzip itself so that the cap applies to
// the decompressed size.
func (f *Fetcher) readBody(resp *http.Response) ([]byte, error) {
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch encoding {
	case "", "identity":
		if resp.ContentLength > f.opts.MaxBytes {
			return nil, fmt.Errorf("content-length %d: %w", resp.ContentLength, ErrTooLarge)
		}
		return readCapped(resp.Body, f.opts.MaxBytes)
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer gz.Close()
		return readCapped(gz, f.opts.MaxBytes)
	}
	return nil, fmt.Errorf("content-encoding %q: %w", encoding, errors.ErrUnsupported)
}

// readCapped reads r fully, failing with ErrTooLarge past limit bytes.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("more than %d bytes: %w", limit, ErrTooLarge)
	}
	return body, nil
}

// closeBody drains a little of what is left so the connection can be reused,
// then closes the body.
func closeBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = body.Close()
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP-date.
// It returns zero for a missing, malformed or past value.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseUint(value, 10, 64); err == nil {
		d = time.Duration(min(secs, uint64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(value); err == nil {
		d = at.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// maxAge reads the max-age of a response's Cache-Control, clamped like a
// Retry-After. It returns zero when there is none, or when the response
// must not be reused (no-cache, no-store).
func maxAge(h http.Header) time.Duration {
	var age time.Duration
	for _, value := range h.Values("Cache-Control") {
		for directive := range strings.SplitSeq(value, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(name) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				secs, err := strconv.ParseUint(strings.Trim(arg, `" `), 10, 64)
				if err == nil {
					age = time.Duration(min(secs, uint64(maxRetryAfter/time.Second))) * time.Second
				}
			}
		}
	}
	return age
}
