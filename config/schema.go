package config

import (
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// checkTypes flags every value whose TOML kind does not fit the type the
// schema has at its key path, so that every type error is reported at once
// with its position and key (go-toml stops at the first), and a table
// written where an array of tables belongs is an error (go-toml quietly
// ignores it). Keys the schema lacks are left to strict decoding.
func (k *keyIndex) checkTypes(schema reflect.Type) {
	flagged := make(map[string]bool)
	for _, v := range k.values {
		path, kind, pos := v.path, v.kind, v.pos
		t, stop, found := typeAt(schema, path)
		if stop != "" {
			// A key on the way is used as a table but is not one.
			path, kind, pos, found = stop, unstable.Table, v.key, true
		}
		if found && !accepts(t, kind) && !flagged[path] {
			flagged[path] = true
			k.flag(path, pos, "wrong type: want "+tomlType(t)+", got "+kindName(kind))
		}
	}
}

// typeAt returns the Go type the schema has at a key path such as
// "actors[1].aliases[0]", and whether the path is in the schema. When a key
// on the way cannot hold keys (it is a string, or an array of tables used
// without an index), it returns that key's path as stop, with its type.
func typeAt(schema reflect.Type, path string) (t reflect.Type, stop string, found bool) {
	t = schema
	prefix := ""
	for part := range strings.SplitSeq(path, ".") {
		if !isTable(t) {
			return t, prefix, false
		}
		name, _, _ := strings.Cut(part, "[")
		f, ok := fieldByKey(t, name)
		if !ok {
			return nil, "", false
		}
		t = deref(f.Type)
		for range strings.Count(part, "[") {
			if t.Kind() != reflect.Slice {
				return nil, "", false
			}
			t = deref(t.Elem())
		}
		if prefix != "" {
			prefix += "."
		}
		prefix += part
	}
	return t, "", true
}

// isTable reports whether t decodes from a TOML table.
func isTable(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != reflect.TypeFor[Duration]()
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
