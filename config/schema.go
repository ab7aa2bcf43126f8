package config

import (
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// checkTypes flags every value whose TOML kind does not fit the type the
// schema has at its key path, so that type errors carry a position and the
// key, and go-toml never meets a value it would mishandle (v2.2.4 panics
// decoding a TOML time into a string). Keys the schema lacks are left to
// strict decoding.
func (k *keyIndex) checkTypes(schema reflect.Type) {
	for _, v := range k.values {
		t, ok := typeAt(schema, v.path)
		if !ok || accepts(t, v.kind) {
			continue
		}
		k.flag(v.path, v.pos, "wrong type: want "+tomlType(t)+", got "+kindName(v.kind))
	}
}

// typeAt returns the Go type the schema has at a key path such as
// "actors[1].aliases[0]".
func typeAt(t reflect.Type, path string) (reflect.Type, bool) {
	for part := range strings.SplitSeq(path, ".") {
		name, _, _ := strings.Cut(part, "[")
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		f, ok := fieldByKey(t, name)
		if !ok {
			return nil, false
		}
		t = deref(f.Type)
		for range strings.Count(part, "[") {
			if t.Kind() != reflect.Slice {
				return nil, false
			}
			t = deref(t.Elem())
		}
	}
	return t, true
}

// fieldByKey finds the struct field tagged with a TOML key.
func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("toml"), ","); tag == key && tag != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func deref(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// accepts reports whether a TOML value of the kind decodes into t.
func accepts(t reflect.Type, kind unstable.Kind) bool {
	if t == reflect.TypeFor[Duration]() {
		return kind == unstable.String
	}
	switch t.Kind() {
	case reflect.String:
		return kind == unstable.String
	case reflect.Float64:
		return kind == unstable.Float || kind == unstable.Integer
	case reflect.Int, reflect.Int64:
		return kind == unstable.Integer
	case reflect.Bool:
		return kind == unstable.Bool
	case reflect.Slice:
		return kind == unstable.Array
	case reflect.Struct:
		return kind == unstable.Table || kind == unstable.InlineTable
	}
	return false
}

// tomlType describes the TOML value that decodes into t.
func tomlType(t reflect.Type) string {
	if t == reflect.TypeFor[Duration]() {
		return `a duration such as "15m"`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		if deref(t.Elem()).Kind() == reflect.Struct {
			return "an array of tables"
		}
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(tomlType(deref(t.Elem())), "a "), "an ") + "s"
	}
	return "a table"
}

// kindName describes a kind of TOML value.
func kindName(kind unstable.Kind) string {
	switch kind {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.LocalDate:
		return "a local date"
	case unstable.LocalTime:
		return "a local time"
	case unstable.LocalDateTime:
		return "a local date-time"
	case unstable.DateTime:
		return "an offset date-time"
	}
	return "a table"
}
