package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/mmcdole/gofeed"
)

// The structural limits a feed document must keep before gofeed parses it.
// gofeed turns every namespaced element into a tree of extensions, by
// recursion: a million nested elements cost it gigabytes, two million
// overflow the goroutine stack, which kills the process. A cheap scan of
// the bytes refuses such documents first, so what one feed can cost stays
// proportional to its size.
const (
	// MaxDepth is how deeply elements (XML) or arrays and objects (JSON)
	// may nest. Real feeds nest fewer than 20 levels, XHTML content
	// included.
	MaxDepth = 256
	// elementFloor is the element budget of any document, however small.
	elementFloor = 10_000
	// bytesPerElement is the least average size of an element in a
	// document above the floor. A bare item with a title, link and id
	// spends about 25 bytes per element, real news feeds 100 and more;
	// a document made to exhaust gofeed spends four to six ("<a/>").
	bytesPerElement = 16
	// scanCheckEvery is how many bytes a scan reads between two looks at
	// its context.
	scanCheckEvery = 1 << 20
)

// ErrTooComplex reports a document nested too deeply or made of too many
// elements for its size.
var ErrTooComplex = errors.New("feed too complex")

// elementBudget is the most elements (XML) or arrays and objects (JSON) a
// document of n bytes may have.
func elementBudget(n int) int {
	return elementFloor + n/bytesPerElement
}

// checkComplexity scans body the way gofeed is about to read it: as XML
// when gofeed detects RSS or Atom, as JSON when it detects JSON Feed, not
// at all when gofeed will refuse it unread (an HTML page, say). It returns
// an error wrapping ErrTooComplex when the document nests deeper than
// MaxDepth or has more elements than its size allows, and ctx's error when
// ctx ends first. An XML body comes back in the bytes gofeed must be given
// (see ownEncoding).
func checkComplexity(ctx context.Context, body []byte) ([]byte, error) {
	switch gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), detectionPeek)])) {
	case gofeed.FeedTypeRSS, gofeed.FeedTypeAtom:
		return checkXML(ctx, body)
	case gofeed.FeedTypeJSON:
		return body, scanJSON(ctx, body)
	}
	return body, nil
}

// checkXML scans an XML body and returns it with its encoding made
// gofeed's: after ownEncoding, gofeed reads the very bytes that were
// scanned.
func checkXML(ctx context.Context, body []byte) ([]byte, error) {
	scan, err := scanXML(ctx, body)
	if err != nil || len(scan.switches) == 0 {
		return body, err
	}
	owned, err := ownEncoding(body, scan.switches[0])
	if err != nil {
		return nil, err
	}
	if scan, err = scanXML(ctx, owned); err != nil {
		return nil, err
	}
	for _, sw := range scan.switches {
		neutralise(owned[sw.start:sw.end])
	}
	return owned, nil
}

// detectionPeek is how much of a body gofeed looks at to detect its type.
const detectionPeek = 4096

// structure counts nesting and elements during a scan.
type structure struct {
	size, depth, maxDepth, elements, budget int
}

// open records the start of an element (or JSON container).
func (s *structure) open() error {
	s.elements++
	if s.elements > s.budget {
		return fmt.Errorf("more than %d elements in %d bytes: %w", s.budget, s.size, ErrTooComplex)
	}
	s.depth++
	s.maxDepth = max(s.maxDepth, s.depth)
	if s.depth > MaxDepth {
		return fmt.Errorf("elements nested more than %d deep: %w", MaxDepth, ErrTooComplex)
	}
	return nil
}

// newStructure starts the count for a document of n bytes.
func newStructure(n int) structure {
	return structure{size: n, budget: elementBudget(n)}
}

// close records the end of an element. More ends than starts never make
// the depth negative, so the depth counted is never less than a parser's.
func (s *structure) close() {
	s.depth = max(s.depth-1, 0)
}

// scanXML counts the elements of an XML document and how deeply they
// nest, without decoding anything. It skips what encoding/xml (which
// gofeed uses) does not read as markup: comments, CDATA sections,
// processing instructions, directives and quoted attribute values, each
// ended the way encoding/xml ends it. Anything else that opens with "<"
// and a character that may start a name counts as an element, so that the
// depth it finds is never less than the one gofeed would reach; text that
// encoding/xml would refuse only ends gofeed's reading sooner. It also
// returns the XML declarations at which encoding/xml would start decoding
// the rest of the document from another encoding.
func scanXML(ctx context.Context, body []byte) (xmlScan, error) {
	s := newStructure(len(body))
	var switches []encodingSwitch
	nextCheck := scanCheckEvery
	for i := 0; i < len(body); {
		if i >= nextCheck {
			if err := ctx.Err(); err != nil {
				return xmlScan{}, err
			}
			nextCheck = i + scanCheckEvery
		}
		j := bytes.IndexByte(body[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := body[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i = past(body, i+4, "-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i = past(body, i+9, "]]>")
		case bytes.HasPrefix(rest, []byte("<!")):
			// encoding/xml takes the byte after "<!" as part of the
			// directive's name, whatever it is.
			i = pastDirective(body, min(i+3, len(body)))
		case bytes.HasPrefix(rest, []byte("<?")):
			end := past(body, i+2, "?>")
			if label, ok := declaredEncoding(body[i:end]); ok {
				switches = append(switches, encodingSwitch{start: i, end: end, label: label})
			}
			i = end
		case bytes.HasPrefix(rest, []byte("</")):
			s.close()
			i = pastTag(body, i+2)
		case len(rest) > 1 && nameStart(rest[1]):
			end := pastTag(body, i+1)
			if err := s.open(); err != nil {
				return xmlScan{}, err
			}
			if selfClosing := end-i >= 3 && body[end-1] == '>' && body[end-2] == '/'; selfClosing {
				s.close()
			}
			i = end
		default:
			i++
		}
	}
	return xmlScan{structure: s, switches: switches}, nil
}

// xmlScan is what scanXML found in a document within the limits.
type xmlScan struct {
	structure
	// switches are the declarations that change the encoding.
	switches []encodingSwitch
}

// nameStart reports whether c may start an XML name as encoding/xml reads
// it: an ASCII letter, '_', ':' or the first byte of a non-ASCII
// character (a superset of what it accepts, which errs on the safe side).
func nameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// past returns the offset just after the first end at or after i, or the
// length of body when there is none.
func past(body []byte, i int, end string) int {
	j := bytes.Index(body[i:], []byte(end))
	if j < 0 {
		return len(body)
	}
	return i + j + len(end)
}

// pastTag returns the offset just after the '>' that ends the tag whose
// name starts at i, skipping quoted attribute values.
func pastTag(body []byte, i int) int {
	for ; i < len(body); i++ {
		switch c := body[i]; c {
		case '>':
			return i + 1
		case '"', '\'':
			j := bytes.IndexByte(body[i+1:], c)
			if j < 0 {
				return len(body)
			}
			i += j + 1
		}
	}
	return len(body)
}

// pastDirective returns the offset just after a directive such as
// <!DOCTYPE …> whose body continues at i, ending it as encoding/xml does:
// at the '>' that balances the '<'s seen outside quotes and comments.
func pastDirective(body []byte, i int) int {
	var quote byte
	depth := 0
	for ; i < len(body); i++ {
		c := body[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>' && depth == 0:
			return i + 1
		case c == '>':
			depth--
		case c == '<' && bytes.HasPrefix(body[i:], []byte("<!--")):
			i = past(body, i+4, "-->") - 1
		case c == '<':
			depth++
		}
	}
	return len(body)
}

// scanJSON counts the arrays and objects of a JSON document and how deeply
// they nest, skipping strings.
func scanJSON(ctx context.Context, body []byte) error {
	s := newStructure(len(body))
	nextCheck := scanCheckEvery
	for i := 0; i < len(body); i++ {
		if i >= nextCheck {
			if err := ctx.Err(); err != nil {
				return err
			}
			nextCheck = i + scanCheckEvery
		}
		switch body[i] {
		case '"':
			i = stringEnd(body, i+1)
		case '{', '[':
			if err := s.open(); err != nil {
				return err
			}
		case '}', ']':
			s.close()
		}
	}
	return nil
}

// stringEnd returns the offset of the quote that ends the JSON string whose
// contents start at i, or the length of body.
func stringEnd(body []byte, i int) int {
	for i < len(body) {
		j := bytes.IndexAny(body[i:], `"\`)
		if j < 0 {
			return len(body)
		}
		i += j
		if body[i] == '"' {
			return i
		}
		i += 2
	}
	return len(body)
}
