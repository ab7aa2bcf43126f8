package feeds

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssBody is a minimal valid feed served by the test servers.
const rssBody = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>` +
	`<item><title>One</title><link>https://example.com/1</link></item></channel></rss>`

// gzipped compresses b.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// localFetcher returns a Fetcher allowed to reach the loopback test servers.
func localFetcher(opts Options) *Fetcher {
	opts.AllowPrivate = true
	return NewFetcher(opts)
}

func TestFetchConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Wed, 19 Nov 2025 10:00:00 GMT"
	var gotUA, gotAE string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAE = r.Header.Get("User-Agent"), r.Header.Get("Accept-Encoding")
		if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		fmt.Fprint(w, rssBody)
	}))
	defer srv.Close()
	f := localFetcher(Options{})

	first, err := f.Fetch(t.Context(), srv.URL, Validators{})
	if err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	if string(first.Body) != rssBody || first.NotModified || first.Status != http.StatusOK {
		t.Fatalf("first fetch = %+v, want the body with status 200", first)
	}
	if first.Validators != (Validators{ETag: etag, LastModified: lastMod}) {
		t.Fatalf("validators = %+v", first.Validators)
	}
	if gotUA != DefaultUserAgent || gotAE != "gzip" {
		t.Errorf("sent User-Agent %q, Accept-Encoding %q", gotUA, gotAE)
	}

	second, err := f.Fetch(t.Context(), srv.URL, first.Validators)
	if err != nil {
		t.Fatalf("second fetch: %v", err)
	}
	if !second.NotModified || len(second.Body) != 0 || second.Validators != first.Validators {
		t.Fatalf("second fetch = %+v, want not modified with the same validators", second)
	}
}

func TestFetchDecodesGzip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gzipped(t, []byte(rssBody)))
	}))
	defer srv.Close()
	resp, err := localFetcher(Options{}).Fetch(t.Context(), srv.URL, Validators{})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if string(resp.Body) != rssBody {
		t.Fatalf("body = %q, want the decompressed feed", resp.Body)
	}
}

func TestFetchFollowsRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if n < 5 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n+1), http.StatusFound)
			return
		}
		fmt.Fprint(w, rssBody)
	}))
	defer srv.Close()
	resp, err := localFetcher(Options{}).Fetch(t.Context(), srv.URL+"/r/0", Validators{})
	if err != nil {
		t.Fatalf("five redirects: %v", err)
	}
	if resp.FinalURL != srv.URL+"/r/5" {
		t.Fatalf("final URL %q, want %s/r/5", resp.FinalURL, srv.URL)
	}
}

// fetchErrorCase is one server behaviour and the failure it must produce.
type fetchErrorCase struct {
	name       string
	opts       Options
	handler    http.HandlerFunc
	wantClass  Class
	wantStatus int
	wantRetry  time.Duration
	wantIs     error
}

func TestFetchErrors(t *testing.T) {
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []fetchErrorCase{
		{
			name: "gzip body past the cap once decompressed",
			opts: Options{MaxBytes: 1 << 10},
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(gzipped(t, make([]byte, 64<<10)))
			},
			wantClass: ClassTooLarge, wantStatus: 200, wantIs: ErrTooLarge,
		},
		{
			name: "plain body past the cap",
			opts: Options{MaxBytes: 1 << 10},
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(2<<10))
				_, _ = w.Write(make([]byte, 2<<10))
			},
			wantClass: ClassTooLarge, wantStatus: 200, wantIs: ErrTooLarge,
		},
		{
			name: "streamed body past the cap",
			opts: Options{MaxBytes: 1 << 10},
			handler: func(w http.ResponseWriter, _ *http.Request) {
				for range 4 {
					_, _ = w.Write(make([]byte, 512))
					w.(http.Flusher).Flush()
				}
			},
			wantClass: ClassTooLarge, wantStatus: 200, wantIs: ErrTooLarge,
		},
		{
			name: "server slower than the deadline",
			opts: Options{Timeout: 50 * time.Millisecond},
			handler: func(_ http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			wantClass: ClassTimeout,
		},
		{
			name: "redirect loop",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusMovedPermanently)
			},
			wantClass: ClassOther, wantIs: ErrRedirectLoop,
		},
		{
			name: "more than five redirects",
			handler: func(w http.ResponseWriter, r *http.Request) {
				n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
				http.Redirect(w, r, fmt.Sprintf("/%d", n+1), http.StatusFound)
			},
			wantClass: ClassOther, wantIs: ErrTooManyRedirects,
		},
		{
			name: "redirect to another scheme",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "ftp://example.com/feed", http.StatusFound)
			},
			wantClass: ClassOther, wantIs: ErrUnsupportedScheme,
		},
		{
			name: "429 with Retry-After in seconds",
			opts: Options{Now: func() time.Time { return now }},
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "120")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantClass: ClassHTTP4xx, wantStatus: 429, wantRetry: 2 * time.Minute,
		},
		{
			name: "429 with Retry-After as an HTTP-date",
			opts: Options{Now: func() time.Time { return now }},
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantClass: ClassHTTP4xx, wantStatus: 429, wantRetry: 90 * time.Second,
		},
		{
			name: "503 with Retry-After",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			wantClass: ClassHTTP5xx, wantStatus: 503, wantRetry: 30 * time.Second,
		},
		{
			name: "500 ignores Retry-After",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusInternalServerError)
			},
			wantClass: ClassHTTP5xx, wantStatus: 500,
		},
		{
			name: "404",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.NotFound(w, r)
			},
			wantClass: ClassHTTP4xx, wantStatus: 404,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			resp, err := localFetcher(tt.opts).Fetch(t.Context(), srv.URL+"/0", Validators{})
			checkFetchError(t, tt, resp, err)
		})
	}
}

// checkFetchError asserts the class, status, Retry-After and cause of a
// failed fetch.
func checkFetchError(t *testing.T, tt fetchErrorCase, resp Response, err error) {
	t.Helper()
	var fe *FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *FetchError", err, err)
	}
	if got := ClassOf(err); got != tt.wantClass {
		t.Errorf("class %q, want %q (err %v)", got, tt.wantClass, err)
	}
	if fe.Status != tt.wantStatus || resp.Status != tt.wantStatus {
		t.Errorf("status %d / response %d, want %d", fe.Status, resp.Status, tt.wantStatus)
	}
	if fe.RetryAfter != tt.wantRetry || resp.RetryAfter != tt.wantRetry {
		t.Errorf("retry after %v / response %v, want %v", fe.RetryAfter, resp.RetryAfter, tt.wantRetry)
	}
	if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
		t.Errorf("error %v, want it to wrap %v", err, tt.wantIs)
	}
}

func TestFetchAddressGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, rssBody)
	}))
	defer srv.Close()
	tests := []struct {
		name         string
		allowPrivate bool
		wantClass    Class
	}{
		{name: "loopback refused by default", allowPrivate: false, wantClass: ClassForbidden},
		{name: "loopback allowed when configured", allowPrivate: true, wantClass: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFetcher(Options{AllowPrivate: tt.allowPrivate})
			_, err := f.Fetch(t.Context(), srv.URL, Validators{})
			if got := ClassOf(err); got != tt.wantClass {
				t.Fatalf("class %q (err %v), want %q", got, err, tt.wantClass)
			}
		})
	}
}

func TestFetchNetworkFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, rssBody)
	}))
	defer tlsSrv.Close()
	tests := []struct {
		name      string
		url       string
		wantClass Class
	}{
		{name: "connection refused", url: "http://" + closedAddr + "/feed", wantClass: ClassConnect},
		{name: "unknown host", url: "http://feed.storyline.invalid/feed", wantClass: ClassDNS},
		{name: "untrusted certificate", url: tlsSrv.URL, wantClass: ClassTLS},
		{name: "unsupported scheme", url: "gopher://example.com/feed", wantClass: ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := localFetcher(Options{Timeout: 5 * time.Second}).Fetch(t.Context(), tt.url, Validators{})
			if got := ClassOf(err); got != tt.wantClass {
				t.Fatalf("class %q (err %v), want %q", got, err, tt.wantClass)
			}
		})
	}
}

func TestFetchLocalFiles(t *testing.T) {
	dir := t.TempDir()
	feedPath := filepath.Join(dir, "feed.xml")
	bigPath := filepath.Join(dir, "big.xml")
	if err := os.WriteFile(feedPath, []byte(rssBody), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bigPath, make([]byte, 2<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		url       string
		wantBody  string
		wantClass Class
	}{
		{name: "plain path", url: feedPath, wantBody: rssBody},
		{name: "file URL", url: "file://" + feedPath, wantBody: rssBody},
		{name: "file past the cap", url: bigPath, wantClass: ClassTooLarge},
		{name: "missing file", url: filepath.Join(dir, "missing.xml"), wantClass: ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := NewFetcher(Options{MaxBytes: 1 << 10}).Fetch(t.Context(), tt.url, Validators{})
			if got := ClassOf(err); got != tt.wantClass {
				t.Fatalf("class %q (err %v), want %q", got, err, tt.wantClass)
			}
			if string(resp.Body) != tt.wantBody {
				t.Fatalf("body %q, want %q", resp.Body, tt.wantBody)
			}
		})
	}
}

func TestFetchThenParseNotAFeed(t *testing.T) {
	page := `<!doctype html><html><head><title>News</title>` +
		`<link rel="stylesheet" href="/s.css">` +
		`<link rel="alternate" type="application/rss+xml" href="/feed.xml?utm_source=page"></head>` +
		`<body><p>Hello</p></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	src := Source{Name: "site", URL: srv.URL + "/news/"}
	resp, err := localFetcher(Options{}).Fetch(t.Context(), src.URL, Validators{})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	_, err = Parse(t.Context(), src, resp.Body, testNow)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Class != ClassNotAFeed || !errors.Is(err, ErrNotAFeed) {
		t.Fatalf("error %v, want not_a_feed", err)
	}
	wantAlt := srv.URL + "/feed.xml"
	if fe.Alternate != wantAlt || !strings.Contains(err.Error(), "the page links a feed at "+wantAlt) {
		t.Fatalf("alternate %q, message %q; want %s", fe.Alternate, err, wantAlt)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"-5", 0},
		{"soon", 0},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"99999999999999999", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.value, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
