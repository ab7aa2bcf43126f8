package feeds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestClassOf(t *testing.T) {
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name string
		err  error
		want Class
	}{
		{"nil", nil, ""},
		{"fetch error keeps its class", &FetchError{Class: ClassHTTP4xx, Err: errors.New("404 Not Found")}, ClassHTTP4xx},
		{"wrapped fetch error", fmt.Errorf("poll: %w", &FetchError{Class: ClassParse, Err: errors.New("x")}), ClassParse},
		{"dns", &url.Error{Op: "Get", URL: "http://x.invalid", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}, ClassDNS},
		{"connection refused", &url.Error{Op: "Get", URL: "http://x", Err: dialRefused}, ClassConnect},
		{"other dial failure", &net.OpError{Op: "dial", Err: errors.New("boom")}, ClassConnect},
		{"deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), ClassTimeout},
		{"unknown authority", &url.Error{Op: "Get", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, ClassTLS},
		{"hostname mismatch", x509.HostnameError{Host: "x"}, ClassTLS},
		{"tls record header", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, ClassTLS},
		{"too large", fmt.Errorf("read: %w", ErrTooLarge), ClassTooLarge},
		{"not a feed", ErrNotAFeed, ClassNotAFeed},
		{"forbidden dial", &net.OpError{Op: "dial", Err: fmt.Errorf("guard: %w", ErrForbiddenAddress)}, ClassForbidden},
		{"canceled", context.Canceled, ClassOther},
		{"anything else", errors.New("mystery"), ClassOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassOf(tt.err); got != tt.want {
				t.Fatalf("ClassOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestFetchErrorUnwrapAndMessage(t *testing.T) {
	err := &FetchError{URL: "https://x/feed", Class: ClassHTTP4xx, Status: 429, RetryAfter: 90 * time.Second, Err: errors.New("429 Too Many Requests")}
	want := "fetch: 429 Too Many Requests (retry after 1m30s)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	wrapped := &FetchError{URL: "u", Class: ClassTooLarge, Err: fmt.Errorf("read: %w", ErrTooLarge)}
	if !errors.Is(wrapped, ErrTooLarge) {
		t.Errorf("errors.Is(%v, ErrTooLarge) = false", wrapped)
	}
}

// TestFetchErrorNamesTheURLNowhere checks the messages of real failures:
// the poll log line gives the URL once (url=), so the error must not
// repeat it, neither as "fetch URL" nor inside the HTTP client's
// "Get "URL"" or the file system's "open PATH".
func TestFetchErrorNamesTheURLNowhere(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/feed"
	closed.Close()
	missing := filepath.Join(t.TempDir(), "missing.xml")
	tests := []struct {
		url, want string
	}{
		{srv.URL + "/feed", "fetch: 502 Bad Gateway"},
		{closedURL, "fetch: dial tcp "},
		{missing, "fetch: " + syscall.ENOENT.Error()},
	}
	f := localFetcher(Options{})
	for _, tt := range tests {
		_, err := f.Fetch(t.Context(), tt.url, Validators{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Fetch(%s) = %v, want an error starting %q", tt.url, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), tt.url) || strings.Contains(err.Error(), strings.TrimPrefix(tt.url, "http://")) {
			t.Errorf("Fetch(%s) error %q repeats the URL", tt.url, err)
		}
	}
	body := deepRSS(nest("x:a", 2*MaxDepth))
	_, err := Parse(t.Context(), Source{URL: srv.URL + "/feed"}, body, testNow)
	if want := "parse: elements nested more than 256 deep"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Parse = %v, want an error starting %q", err, want)
	}
}
