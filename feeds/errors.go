package feeds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
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

// FetchError is the error returned by Fetch and Parse. It holds the feed URL
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

// Error returns "fetch: cause" or, for the classes a parse gives, "parse:
// cause". It names neither the URL nor the class: everything that reports
// a FetchError reports them beside it (the poll log's url and class, the
// feed's line in /status and preview), and the cause leaves out the URL
// that the HTTP client's and the file system's errors repeat, so that a
// failure reads as one clear line.
func (e *FetchError) Error() string {
	op := "fetch"
	switch e.Class {
	case ClassParse, ClassNotAFeed, ClassTooComplex:
		op = "parse"
	}
	msg := fmt.Sprintf("%s: %v", op, withoutLocation(e.Err))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// withoutLocation returns what a *url.Error or *fs.PathError in err wraps,
// which is err less the URL or path they name.
func withoutLocation(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err
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
