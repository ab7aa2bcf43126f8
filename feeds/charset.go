package feeds

import (
	"bytes"
	"fmt"
	"iter"
	"mime"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode/utf32"

	xunicode "golang.org/x/text/encoding/unicode"
)

// fromDeclaredCharset converts a fetched body to UTF-8 from the charset its
// Content-Type names, and removes the encoding from its XML declaration,
// which no longer describes it: the server's word outranks the document's.
// The body is left for the XML declaration and then repairEncoding to decide
// when the header names no charset, or one WHATWG's encoding labels do not
// know; when it starts with a byte-order mark, which outranks the header (as
// in RFC 7303 and browsers); when it is JSON, which is always UTF-8; and when
// the header says UTF-8 but the body is not. A body labelled Latin-1,
// windows-1252 or US-ASCII (all windows-1252 to WHATWG) that is valid UTF-8
// with multi-byte characters is read as UTF-8: servers long labelled every
// text ISO-8859-1 by default, and real Latin-1 text is practically never
// valid UTF-8 once it has a non-ASCII character.
func fromDeclaredCharset(body []byte, contentType string) []byte {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["charset"] == "" || isJSON(mediaType) || hasBOM(body) {
		return body
	}
	enc, name := charset.Lookup(params["charset"])
	switch {
	case enc == nil:
		return body
	case name == "utf-8", name == "windows-1252" && isMultibyteUTF8(body):
		if !utf8.Valid(body) {
			return body
		}
		return stripEncodingDecl(body)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return stripEncodingDecl(out)
}

// isMultibyteUTF8 reports whether body is valid UTF-8 with at least one
// character outside ASCII.
func isMultibyteUTF8(body []byte) bool {
	multibyte, invalid := utf8Shape(body)
	return multibyte > 0 && invalid == 0
}

// isJSON reports whether a media type is JSON.
func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// hasBOM reports whether body starts with a UTF-8, UTF-16 or UTF-32
// byte-order mark.
func hasBOM(body []byte) bool {
	for _, bom := range []string{"\xEF\xBB\xBF", "\xFE\xFF", "\xFF\xFE", "\x00\x00\xFE\xFF"} {
		if bytes.HasPrefix(body, []byte(bom)) {
			return true
		}
	}
	return false
}

// repairEncoding converts a body the parser refused into UTF-8 and removes
// its encoding declaration, which no longer describes it. It handles UTF-16
// and UTF-32 (by BOM or by the bytes of "<?"), mostly-UTF-8 text with stray
// invalid bytes, legacy text that looks like windows-1252, windows-1251 or
// KOI8-R, and, failing all these, text with a few bytes no encoding
// explains (see strayBytes). Bytes that stay invalid become U+FFFD, one per run, in the
// field they were in: the feed's other fields and items keep their text. A
// valid UTF-8 body keeps its bytes and only loses a declaration naming
// another encoding. It reports false when it changed nothing, so retrying
// would be pointless: a body mostly in an encoding it cannot recognise
// stays an error rather than becoming replacement characters.
func repairEncoding(body []byte) ([]byte, bool) {
	if enc := wideUnicode(body); enc != nil {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return stripEncodingDecl(out), true
		}
	}
	if utf8.Valid(body) {
		out := stripEncodingDecl(body)
		return out, !bytes.Equal(out, body)
	}
	multibyte, invalid := utf8Shape(body)
	if multibyte > invalid {
		return stripEncodingDecl(bytes.ToValidUTF8(body, []byte("\uFFFD"))), true
	}
	if enc := guessLegacy(body); enc != nil {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			return stripEncodingDecl(out), true
		}
	}
	if invalid <= strayBytes || invalid <= len(body)/strayRatio {
		return stripEncodingDecl(bytes.ToValidUTF8(body, []byte("\uFFFD"))), true
	}
	return body, false
}

// A body with few invalid bytes is UTF-8 (or ASCII) with stray garbage: at
// most strayBytes of them, or one per strayRatio bytes. A title in an
// unknown encoding has more than strayBytes; a feed in one has more than
// one per strayRatio.
const (
	strayBytes = 8
	strayRatio = 1000
)

// utf8Shape counts the valid multi-byte UTF-8 sequences and the invalid
// bytes in body.
func utf8Shape(body []byte) (multibyte, invalid int) {
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			multibyte++
		}
		body = body[size:]
	}
	return multibyte, invalid
}

// wideUnicode recognises UTF-16 and UTF-32 from a BOM or from the encoding
// of "<" at the start of the document, and returns nil for anything else.
func wideUnicode(body []byte) encoding.Encoding {
	prefixes := []struct {
		prefix string
		enc    encoding.Encoding
	}{
		{"\x00\x00\xFE\xFF", utf32.UTF32(utf32.BigEndian, utf32.UseBOM)},
		{"\xFF\xFE\x00\x00", utf32.UTF32(utf32.LittleEndian, utf32.UseBOM)},
		{"\x00\x00\x00<", utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)},
		{"<\x00\x00\x00", utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)},
		{"\xFE\xFF", xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)},
		{"\xFF\xFE", xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)},
		{"\x00<", xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)},
		{"<\x00", xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)},
	}
	for _, p := range prefixes {
		if bytes.HasPrefix(body, []byte(p.prefix)) {
			return p.enc
		}
	}
	return nil
}

// guessLegacy picks a single-byte encoding for text that is not UTF-8.
// Non-ASCII bytes that stand alone or in pairs inside ASCII words are
// Western accents and punctuation (windows-1252). Longer runs are Cyrillic
// when windows-1251 or KOI8-R decodes them to mostly lowercase Cyrillic with
// a plausible share of vowels. Anything else (CJK, Hebrew, noise) returns
// nil.
func guessLegacy(body []byte) encoding.Encoding {
	high, short := 0, 0
	for run := range highRuns(body) {
		high += run
		if run <= 2 {
			short += run
		}
	}
	if high == 0 {
		return nil
	}
	if 10*short >= 8*high {
		return charmap.Windows1252
	}
	var best encoding.Encoding
	bestLower := 0
	for _, cm := range []*charmap.Charmap{charmap.Windows1251, charmap.KOI8R} {
		lower, vowels := cyrillicShape(body, cm)
		if 10*lower >= 7*high && 10*vowels >= 3*lower && lower > bestLower {
			best, bestLower = cm, lower
		}
	}
	return best
}

// highRuns yields the lengths of the runs of consecutive non-ASCII bytes.
func highRuns(body []byte) iter.Seq[int] {
	return func(yield func(int) bool) {
		run := 0
		for _, c := range append(body[:len(body):len(body)], 0) {
			if c >= 0x80 {
				run++
				continue
			}
			if run > 0 && !yield(run) {
				return
			}
			run = 0
		}
	}
}

// cyrillicShape decodes the non-ASCII bytes of body with cm and counts the
// lowercase Cyrillic letters, and the vowels among them.
func cyrillicShape(body []byte, cm *charmap.Charmap) (lower, vowels int) {
	for _, c := range body {
		if c < 0x80 {
			continue
		}
		r := cm.DecodeByte(c)
		if !unicode.Is(unicode.Cyrillic, r) || !unicode.IsLower(r) {
			continue
		}
		lower++
		if strings.ContainsRune("аеёиоуыэюяіїє", r) {
			vowels++
		}
	}
	return lower, vowels
}

// stripEncodingDecl removes the encoding pseudo-attribute from a leading
// XML declaration.
func stripEncodingDecl(body []byte) []byte {
	decl := regexp.MustCompile(`\A(\xEF\xBB\xBF)?\s*<\?xml[^>]*?\?>`).Find(body)
	if decl == nil {
		return body
	}
	cleaned := regexp.MustCompile(`\s+encoding\s*=\s*("[^"]*"|'[^']*')`).ReplaceAll(decl, nil)
	return append(cleaned, body[len(decl):]...)
}

// encodingSwitch is an XML declaration (<?xml … encoding="…"?>) at which
// encoding/xml, and so gofeed, would start decoding the rest of the
// document from another encoding: anywhere in the document, not only at
// its start.
type encodingSwitch struct {
	// start and end delimit the declaration.
	start, end int
	// label is the encoding it names.
	label string
}

// declaredEncoding reads a processing instruction (from "<?" to "?>") as
// encoding/xml does and returns the encoding it would switch to: the
// instruction's target must be exactly "xml", and its first
// encoding="…" or encoding='…' must name something other than "utf-8".
func declaredEncoding(pi []byte) (string, bool) {
	if !bytes.HasPrefix(pi, []byte("<?xml")) || !bytes.HasSuffix(pi, []byte("?>")) || len(pi) < len("<?xml?>") {
		return "", false
	}
	content := pi[len("<?xml") : len(pi)-len("?>")]
	if len(content) > 0 && isNameByte(content[0]) {
		return "", false // another target, such as xml-stylesheet
	}
	label := procInstParam("encoding", string(content))
	if label == "" || strings.EqualFold(label, "utf-8") {
		return "", false
	}
	return label, true
}

// isNameByte reports whether c may continue an XML name as encoding/xml
// reads it.
func isNameByte(c byte) bool {
	return nameStart(c) || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// procInstParam returns the value of param="…" or param='…' in the
// content of a processing instruction, found as encoding/xml finds it: at
// the first "param=" followed by a quote, even inside a longer name.
func procInstParam(param, s string) string {
	key := param + "="
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], key)
		if k < 0 || i+k+len(key) >= len(s) {
			return ""
		}
		quote := s[i+k+len(key)]
		i += k + len(key) + 1
		if quote == '"' || quote == '\'' {
			end := strings.IndexByte(s[i:], quote)
			if end < 0 {
				return ""
			}
			return s[i : i+end]
		}
	}
	return ""
}

// ownEncoding does the decoding that encoding/xml would do at sw, so that
// gofeed never switches encodings itself: a switch it made would show it
// markup that no scan of the bytes saw (UTF-16 in a document that declares
// it after ASCII bytes). The result is a copy of body whose bytes after sw
// are decoded to UTF-8 and whose declaration at sw names no encoding. An
// encoding WHATWG's labels do not know leaves body as it is: encoding/xml
// stops at that declaration.
func ownEncoding(body []byte, sw encodingSwitch) ([]byte, error) {
	enc, _ := charset.Lookup(sw.label)
	if enc == nil {
		return body, nil
	}
	rest, err := enc.NewDecoder().Bytes(body[sw.end:])
	if err != nil {
		return nil, fmt.Errorf("decode from %s: %w", sw.label, err)
	}
	owned := append(slices.Clip(slices.Clone(body[:sw.end])), rest...)
	neutralise(owned[sw.start:sw.end])
	return owned, nil
}

// neutralise rewrites an XML declaration in place so that it names no
// encoding: every "encoding=" becomes "encoding ", which keeps the
// document's length and offsets.
func neutralise(pi []byte) {
	for {
		i := bytes.Index(pi, []byte("encoding="))
		if i < 0 {
			return
		}
		pi[i+len("encoding")] = ' '
		pi = pi[i+len("encoding "):]
	}
}
