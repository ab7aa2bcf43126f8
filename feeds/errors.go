package feeds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// Sentinel errors wrapped by FetchError and recognised by ClassOf.
var (
	// ErrTooLarge reports a body (after decompression) larger than Options.MaxBytes.
	ErrTooLarge = errors.New("body exceeds the size limit")
	// ErrNotAFeed reports a document that is not RSS, Atom or JSON Feed.
	ErrNotAFeed = errors.New("not a feed")
	// ErrForbiddenAddress reports a dial to an address the guard refuses.
	ErrForbiddenAddress = errors.New("address not allowed")
	// ErrTooManyRedirects reports a redirect chain longer than Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectLoop reports a redirect back to a URL already visited.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrUnsupportedScheme reports a URL that is neither http(s) nor a local file.
	ErrUnsupportedScheme = errors.New("unsupported URL scheme")
)

// FetchError is the error returned by Fetch and Parse. It names the feed URL
// and the failure class, and carries what the scheduler needs to react: the
// HTTP status, a Retry-After delay and, for an HTML page, the feed it links.
type FetchError struct {
	// URL is the feed URL (or path) that failed.
	URL string
	// Class is the kind of failure.
	Class Class
	// Status is the HTTP status code, or zero when no response was read.
	Status int
	// RetryAfter is the delay the server asked for on 429 or 503.
	RetryAfter time.Duration
	// Alternate is the feed URL an HTML page links with rel="alternate".
	Alternate string
	// Err is the underlying error.
	Err error
}

// Error returns "fetch URL: class: cause".
func (e *FetchError) Error() string {
	msg := fmt.Sprintf("fetch %s: %s: %v", e.URL, e.Class, e.Err)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *FetchError) Unwrap() error { return e.Err }

// ClassOf classifies any error from fetching or parsing a feed. It returns the
// empty class for a nil error and ClassOther when nothing more specific fits.
func ClassOf(err error) Class {
	if err == nil {
		return ""
	}
	var fe *FetchError
	if errors.As(err, &fe) && fe.Class != "" {
		return fe.Class
	}
	for _, classify := range []func(error) Class{classifySentinel, classifyNet, classifyTLS} {
		if c := classify(err); c != "" {
			return c
		}
	}
	return ClassOther
}

// classifySentinel recognises this package's sentinel errors.
func classifySentinel(err error) Class {
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		return ClassForbidden
	case errors.Is(err, ErrTooLarge):
		return ClassTooLarge
	case errors.Is(err, ErrNotAFeed):
		return ClassNotAFeed
	case errors.Is(err, ErrTooComplex):
		return ClassTooComplex
	}
	return ""
}

// classifyNet recognises name resolution, connection and timeout failures.
func classifyNet(err error) Class {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return ClassDNS
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ClassTimeout
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ClassTimeout
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EHOSTUNREACH, syscall.ENETUNREACH} {
		if errors.Is(err, errno) {
			return ClassConnect
		}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return ClassConnect
	}
	return ""
}

// classifyTLS recognises handshake and certificate failures.
func classifyTLS(err error) Class {
	var (
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		verifyErr   *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &recordErr), errors.As(err, &alertErr), errors.As(err, &verifyErr),
		errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return ClassTLS
	}
	return ""
}
