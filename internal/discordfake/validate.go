package discordfake

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Validation failures, wrapped by the errors ValidationErrors returns.
var (
	ErrInvalidJSON    = errors.New("request body is not valid JSON")
	ErrSchema         = errors.New("request body does not match Discord's request schema")
	ErrContentTooLong = errors.New("message content longer than 2000 characters")
	ErrEmbedsTooLarge = errors.New("embeds longer than 6000 characters in total")
	ErrEmptyMessage   = errors.New("message without content, embeds, files, stickers, components or poll")
	// ErrUnlistedAttachment: an API v10 edit uploaded a file its
	// attachments array does not list, so Discord does not attach it.
	ErrUnlistedAttachment = errors.New("edit uploads a file its attachments array does not list (API v10)")
)

// Limits Discord enforces that a schema cannot state (a sum) or that have
// their own sentinel errors.
const (
	maxContent     = 2000
	maxEmbedsTotal = 6000
)

// Keys of the request-body schemas, one per kind of body the routes take.
const (
	schemaCreate   = "create"
	schemaEdit     = "edit"
	schemaThread   = "thread"
	schemaCallback = "callback"
	schemaCommands = "commands"
)

// ownSchema is the fake's own description of the request bodies it
// accepts, written from Discord's documentation (see its "description").
//
//go:embed requests.schema.json
var ownSchema []byte

// ownLocations are the request bodies of ownSchema, by key.
func ownLocations() map[string]string {
	return map[string]string{
		schemaCreate:   "requests.json#/$defs/message_create",
		schemaEdit:     "requests.json#/$defs/message_edit",
		schemaThread:   "requests.json#/$defs/thread_create",
		schemaCallback: "requests.json#/$defs/interaction_callback",
		schemaCommands: "requests.json#/$defs/commands",
	}
}

// schemas is one schema document for the request bodies: the fake's own,
// or (with the shared build tag) Discord's OpenAPI excerpt. It compiles
// each body's schema on first use, once: most tests post one or two kinds
// of body.
type schemas struct {
	source    string            // names the document in errors
	locations map[string]string // schema location by key
	// adapt returns the body to validate, rewritten where the document
	// disagrees with Discord's documentation; nil means the body as sent.
	adapt   func(key string, body any) any
	printer *message.Printer
	mu      sync.Mutex
	c       *jsonschema.Compiler
	byKey   map[string]*jsonschema.Schema
}

// schemaBase makes the names of the schema documents absolute URLs: the
// compiler resolves a relative one against the working directory when a
// schema is first compiled, which a test may have changed (t.Chdir) since
// the fake started.
const schemaBase = "https://discordfake.invalid/"

// newSchemas prepares the schemas of a decoded document added as resource;
// locations are relative to schemaBase, like resource.
func newSchemas(source, resource string, doc any, locations map[string]string) (*schemas, error) {
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaBase+resource, doc); err != nil {
		return nil, fmt.Errorf("load schemas %s: %w", source, err)
	}
	abs := make(map[string]string, len(locations))
	for key, loc := range locations {
		abs[key] = schemaBase + loc
	}
	return &schemas{source: source, locations: abs, printer: message.NewPrinter(language.English),
		c: c, byKey: map[string]*jsonschema.Schema{}}, nil
}

// loadOwnSchemas prepares the fake's own schema.
func loadOwnSchemas() (*schemas, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ownSchema))
	if err != nil {
		return nil, fmt.Errorf("load own schema: %w", err)
	}
	return newSchemas("the fake's own schema", "requests.json", doc, ownLocations())
}

// schema returns the compiled schema for key.
func (sc *schemas) schema(key string) (*jsonschema.Schema, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sch, ok := sc.byKey[key]; ok {
		return sch, nil
	}
	loc, ok := sc.locations[key]
	if !ok {
		return nil, fmt.Errorf("compile schema %s: no such body in %s", key, sc.source)
	}
	sch, err := sc.c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s of %s: %w", key, sc.source, err)
	}
	sc.byKey[key] = sch
	return sch, nil
}

// rejection is a request body Discord would refuse: the error to record and
// the answer, 400 unless status says otherwise (500 when the fake's own
// schema does not compile).
type rejection struct {
	status int
	err    error
	body   map[string]any
}

// fieldError is one entry of Discord's "errors" tree.
type fieldError struct {
	path    []string
	code    string
	message string
}

// invalidForm builds Discord's 50035 "Invalid Form Body" answer.
func invalidForm(errs []fieldError) map[string]any {
	tree := map[string]any{}
	for _, fe := range errs {
		node := tree
		for _, p := range fe.path {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]any{"code": fe.code, "message": fe.message})
	}
	return map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": tree}
}

// check validates a decoded body against the route's schema and the limits
// the schema cannot express. files is the number of uploaded files.
func (sc *schemas) check(key, route string, body any, files int) *rejection {
	sch, err := sc.schema(key)
	if err != nil {
		return &rejection{status: http.StatusInternalServerError, err: fmt.Errorf("%s: %w", route, err),
			body: map[string]any{"code": 0, "message": "500: Internal Server Error"}}
	}
	doc := body
	if sc.adapt != nil {
		doc = sc.adapt(key, body)
	}
	if err := sch.Validate(doc); err != nil {
		err = fmt.Errorf("%s: %w (%s): %w", route, ErrSchema, sc.source, err)
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return &rejection{err: err, body: invalidForm(nil)}
		}
		return &rejection{err: err, body: invalidForm(sc.fieldErrors(ve))}
	}
	msg, prefix := messagePart(key, body)
	if msg == nil {
		return nil
	}
	if r := limits(msg, prefix, route); r != nil {
		return r
	}
	if requiresContent(key, body) && isEmpty(msg, files) {
		return &rejection{
			err:  fmt.Errorf("%s: %w", route, ErrEmptyMessage),
			body: map[string]any{"code": 50006, "message": "Cannot send an empty message"},
		}
	}
	return nil
}

// messagePart returns the message object inside a body (the body itself, or
// "data" of an interaction callback) and its path.
func messagePart(key string, body any) (map[string]any, []string) {
	obj, _ := body.(map[string]any)
	switch key {
	case schemaCreate, schemaEdit:
		return obj, nil
	case schemaCallback:
		data, _ := obj["data"].(map[string]any)
		if data == nil && callbackType(obj) == 4 {
			data = map[string]any{}
		}
		return data, []string{"data"}
	}
	return nil, nil
}

// callbackType returns an interaction callback's "type", or 0.
func callbackType(obj map[string]any) int {
	t, _ := obj["type"].(float64)
	return int(t)
}

// requiresContent reports whether the body creates a message that must not
// be empty.
func requiresContent(key string, body any) bool {
	obj, _ := body.(map[string]any)
	return key == schemaCreate || (key == schemaCallback && callbackType(obj) == 4)
}

// limits checks content length and the total embed size.
func limits(msg map[string]any, prefix []string, route string) *rejection {
	if c, ok := msg["content"].(string); ok && utf8.RuneCountInString(c) > maxContent {
		return &rejection{
			err: fmt.Errorf("%s: %w (%d)", route, ErrContentTooLong, utf8.RuneCountInString(c)),
			body: invalidForm([]fieldError{{
				path: append(prefix, "content"), code: "BASE_TYPE_MAX_LENGTH",
				message: fmt.Sprintf("Must be %d or fewer in length.", maxContent),
			}}),
		}
	}
	if n := embedsSize(msg["embeds"]); n > maxEmbedsTotal {
		return &rejection{
			err: fmt.Errorf("%s: %w (%d)", route, ErrEmbedsTooLarge, n),
			body: invalidForm([]fieldError{{
				path: append(prefix, "embeds"), code: "MAX_EMBED_SIZE_EXCEEDED",
				message: fmt.Sprintf("Embed size exceeds maximum size of %d", maxEmbedsTotal),
			}}),
		}
	}
	return nil
}

// embedsSize counts the characters Discord sums across embeds: title,
// description, field names and values, footer text and author name.
func embedsSize(v any) int {
	embeds, _ := v.([]any)
	n := 0
	for _, e := range embeds {
		emb, _ := e.(map[string]any)
		n += runes(emb["title"]) + runes(emb["description"])
		n += runes(nested(emb, "footer", "text")) + runes(nested(emb, "author", "name"))
		fields, _ := emb["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			n += runes(fm["name"]) + runes(fm["value"])
		}
	}
	return n
}

func nested(m map[string]any, obj, key string) any {
	inner, _ := m[obj].(map[string]any)
	return inner[key]
}

func runes(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

// isEmpty reports whether a message to create has nothing to show.
func isEmpty(msg map[string]any, files int) bool {
	if files > 0 || msg["poll"] != nil {
		return false
	}
	if c, _ := msg["content"].(string); c != "" {
		return false
	}
	for _, k := range []string{"embeds", "sticker_ids", "components"} {
		if list, _ := msg[k].([]any); len(list) > 0 {
			return false
		}
	}
	return true
}

// fieldErrors turns a schema validation error into Discord's error entries,
// one per failing leaf keyword. Of a failed anyOf/oneOf it reports only the
// alternatives that best fit the body (see bestAlternatives).
func (sc *schemas) fieldErrors(ve *jsonschema.ValidationError) []fieldError {
	if len(ve.Causes) == 0 {
		return sc.leafErrors(ve)
	}
	if !isUnion(ve.ErrorKind) {
		var out []fieldError
		for _, c := range ve.Causes {
			out = append(out, sc.fieldErrors(c)...)
		}
		return out
	}
	return sc.bestAlternatives(ve)
}

func isUnion(k jsonschema.ErrorKind) bool {
	switch k.(type) {
	case *kind.AnyOf, *kind.OneOf:
		return true
	}
	return false
}

// bestAlternatives drops the alternatives of a failed union that plainly
// did not apply (a wrong discriminator, or a wrong type for the value
// itself) and keeps those with the fewest errors, without duplicates.
func (sc *schemas) bestAlternatives(ve *jsonschema.ValidationError) []fieldError {
	var candidates []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		if !notApplicable(c, ve.InstanceLocation) {
			candidates = append(candidates, c)
		}
	}
	if len(candidates) == 0 {
		candidates = ve.Causes
	}
	var best [][]fieldError
	for _, c := range candidates {
		fe := sc.fieldErrors(c)
		switch {
		case best == nil || len(fe) < len(best[0]):
			best = [][]fieldError{fe}
		case len(fe) == len(best[0]):
			best = append(best, fe)
		}
	}
	return distinct(best)
}

// distinct concatenates lists of errors, dropping repeats.
func distinct(lists [][]fieldError) []fieldError {
	var out []fieldError
	seen := map[string]bool{}
	for _, fes := range lists {
		for _, fe := range fes {
			key := strings.Join(fe.path, "/") + "\x00" + fe.code + "\x00" + fe.message
			if !seen[key] {
				seen[key] = true
				out = append(out, fe)
			}
		}
	}
	return out
}

// notApplicable reports whether a union alternative failed on a const or
// enum (a discriminator such as "type"), directly or one level down, or on
// the type of the value at the union's own location.
func notApplicable(c *jsonschema.ValidationError, at []string) bool {
	if t, ok := c.ErrorKind.(*kind.Type); ok && t != nil {
		return slices.Equal(c.InstanceLocation, at)
	}
	for _, e := range append([]*jsonschema.ValidationError{c}, c.Causes...) {
		switch e.ErrorKind.(type) {
		case *kind.Const, *kind.Enum:
			return true
		}
	}
	return false
}

// leafErrors maps one failing keyword to Discord's codes and messages.
func (sc *schemas) leafErrors(ve *jsonschema.ValidationError) []fieldError {
	path := ve.InstanceLocation
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		out := make([]fieldError, 0, len(k.Missing))
		for _, m := range k.Missing {
			out = append(out, fieldError{path: append(path[:len(path):len(path)], m), code: "BASE_TYPE_REQUIRED", message: "This field is required"})
		}
		return out
	case *kind.MaxLength:
		return []fieldError{{path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", k.Want)}}
	case *kind.MaxItems:
		return []fieldError{{path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", k.Want)}}
	case *kind.MinLength:
		return []fieldError{{path, "BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", k.Want)}}
	case *kind.MinItems:
		return []fieldError{{path, "BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", k.Want)}}
	case *kind.Maximum:
		return []fieldError{{path, "NUMBER_TYPE_MAX", "int value should be less than or equal to " + ratString(k.Want) + "."}}
	case *kind.Minimum:
		return []fieldError{{path, "NUMBER_TYPE_MIN", "int value should be greater than or equal to " + ratString(k.Want) + "."}}
	}
	return []fieldError{{path, "BASE_TYPE_INVALID", ve.ErrorKind.LocalizedString(sc.printer)}}
}

// ratString formats a schema bound without a trailing ".0".
func ratString(r interface{ Float64() (float64, bool) }) string {
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}
