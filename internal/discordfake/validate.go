package discordfake

import (
	"errors"
	"fmt"
	"net/http"
	"os"
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
	ErrSchema         = errors.New("request body does not match Discord's OpenAPI schema")
	ErrContentTooLong = errors.New("message content longer than 2000 characters")
	ErrEmbedsTooLarge = errors.New("embeds longer than 6000 characters in total")
	ErrEmptyMessage   = errors.New("message without content, embeds, files, stickers, components or poll")
)

// Limits Discord enforces that the OpenAPI excerpt does not state.
const (
	maxContent     = 2000
	maxEmbedsTotal = 6000
)

// Keys of the compiled request-body schemas.
const (
	schemaCreate   = "create"
	schemaEdit     = "edit"
	schemaThread   = "thread"
	schemaCallback = "callback"
	schemaCommands = "commands"
)

// schemaLocations are the request bodies the fake validates, by key.
func schemaLocations() map[string]string {
	return map[string]string{
		schemaCreate:   "discord.json#/components/schemas/MessageCreateRequest",
		schemaEdit:     "discord.json#/components/schemas/MessageEditRequestPartial",
		schemaThread:   "discord.json#/components/schemas/CreateTextThreadWithMessageRequest",
		schemaCallback: "discord.json#/paths/~1interactions~1%7Binteraction_id%7D~1%7Binteraction_token%7D~1callback/post/requestBody/content/application~1json/schema",
		schemaCommands: "discord.json#/paths/~1applications~1%7Bapplication_id%7D~1commands/put/requestBody/content/application~1json/schema",
	}
}

// schemas compiles each request-body schema on first use, once: compiling
// all of them costs tens of milliseconds and most tests use one or two.
type schemas struct {
	printer *message.Printer
	mu      sync.Mutex
	c       *jsonschema.Compiler
	byKey   map[string]*jsonschema.Schema
}

// loadSchemas reads the OpenAPI excerpt at path.
func loadSchemas(path string) (*schemas, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load schemas: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("load schemas %s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("discord.json", doc); err != nil {
		return nil, fmt.Errorf("load schemas %s: %w", path, err)
	}
	return &schemas{printer: message.NewPrinter(language.English), c: c, byKey: map[string]*jsonschema.Schema{}}, nil
}

// schema returns the compiled schema for key.
func (sc *schemas) schema(key string) (*jsonschema.Schema, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sch, ok := sc.byKey[key]; ok {
		return sch, nil
	}
	sch, err := sc.c.Compile(schemaLocations()[key])
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", key, err)
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
	if err := sch.Validate(docsOverride(key, body)); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return &rejection{err: fmt.Errorf("%s: %w: %w", route, ErrSchema, err), body: invalidForm(nil)}
		}
		return &rejection{
			err:  fmt.Errorf("%s: %w: %w", route, ErrSchema, err),
			body: invalidForm(sc.fieldErrors(ve)),
		}
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

// docsOverride returns the body to validate, rewritten where Discord's docs
// (which win over the spec) allow more than the spec: a command's
// default_member_permissions is a decimal string in the docs and in what
// discordgo sends, but an integer in the spec. body itself is not changed.
func docsOverride(key string, body any) any {
	list, ok := body.([]any)
	if key != schemaCommands || !ok {
		return body
	}
	out := make([]any, len(list))
	for i, item := range list {
		out[i] = item
		cmd, _ := item.(map[string]any)
		perm, isString := cmd["default_member_permissions"].(string)
		n, err := strconv.ParseUint(perm, 10, 64)
		if !isString || err != nil {
			continue
		}
		c := cloneObject(cmd)
		c["default_member_permissions"] = float64(n)
		out[i] = c
	}
	return out
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
