package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyIndex knows where each key and array element of a document is, by key
// path ("story.name", "actors[4].aliases[2]"), so that errors can point at
// lines.
type keyIndex struct {
	// at maps key paths and array element paths to their position.
	at map[string]unstable.Position
	// keys are the keys (not elements) in document order.
	keys []keyPos
	// dups are keys defined a second time.
	dups []keyPos
	// values are the values and table headers, with their kind, in
	// document order.
	values []valueAt
	// flagged are problems found while indexing that decoding would miss
	// or stop at the first of.
	flagged []finding
	// arrays counts the tables seen so far in each array of tables.
	arrays map[string]int
	// complete is true when the whole document parsed.
	complete bool
	// lineStarts are the offsets at which lines begin.
	lineStarts []int
}

// keyPos is a key path and where it is.
type keyPos struct {
	path string
	pos  unstable.Position
}

// valueAt is a value (or table header) at a key path.
type valueAt struct {
	keyPos
	kind unstable.Kind
	// key is where the key the value belongs to starts.
	key unstable.Position
}

// finding is a problem at a key.
type finding struct {
	keyPos
	msg string
}

// indexKeys walks the document's syntax tree. It stops quietly at a syntax
// error: decoding reports that one.
func indexKeys(data []byte) *keyIndex {
	k := &keyIndex{
		at:         make(map[string]unstable.Position),
		arrays:     make(map[string]int),
		lineStarts: lineStarts(data),
	}
	var p unstable.Parser
	p.Reset(data)
	table := ""
	for p.NextExpression() {
		expr := p.Expression()
		switch expr.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = k.tablePath(expr.Key(), expr.Kind == unstable.ArrayTable)
			pos := k.position(firstKey(expr))
			k.addKey(table, pos)
			k.values = append(k.values, valueAt{keyPos{table, pos}, unstable.Table, pos})
		case unstable.KeyValue:
			k.keyValue(&p, table, expr)
		}
	}
	k.complete = p.Error() == nil
	return k
}

// tablePath resolves a table header's dotted key, choosing the latest table
// of every array of tables on the way; for an array table it starts a new
// element.
func (k *keyIndex) tablePath(it unstable.Iterator, array bool) string {
	path := ""
	for it.Next() {
		path = k.join(path, it.Node())
		if array && it.IsLast() {
			k.arrays[path]++
		}
		if n, ok := k.arrays[path]; ok {
			path += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return path
}

// keyValue indexes a key = value expression under the given table path.
func (k *keyIndex) keyValue(p *unstable.Parser, table string, expr *unstable.Node) {
	path := table
	it := expr.Key()
	for it.Next() {
		path = k.join(path, it.Node())
	}
	pos := k.position(firstKey(expr))
	k.addKey(path, pos)
	k.value(p, path, expr.Value(), pos)
}

// value indexes a value, the elements of arrays and the keys of inline
// tables. key is where the key the value belongs to starts.
func (k *keyIndex) value(p *unstable.Parser, path string, v *unstable.Node, key unstable.Position) {
	pos := k.valuePosition(p, v, key)
	k.values = append(k.values, valueAt{keyPos{path, pos}, v.Kind, key})
	switch v.Kind {
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			elem := it.Node()
			if elem.Kind == unstable.Comment {
				continue
			}
			elemPath := path + "[" + strconv.Itoa(i) + "]"
			k.at[elemPath] = k.valuePosition(p, elem, key)
			k.value(p, elemPath, elem, key)
			i++
		}
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				k.keyValue(p, path, kv)
			}
		}
	}
}

// valuePosition returns where a value starts, or where its key does for
// values whose node has no position (arrays).
func (k *keyIndex) valuePosition(p *unstable.Parser, v *unstable.Node, key unstable.Position) unstable.Position {
	switch v.Kind {
	case unstable.Array:
		return key
	case unstable.Bool, unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		// These nodes have no Raw range, but their Data is part of the
		// document.
		return k.positionAt(int(p.Range(v.Data).Offset))
	}
	return k.position(v)
}

// addKey records a key, or a duplicate when the path was seen before.
func (k *keyIndex) addKey(path string, pos unstable.Position) {
	kp := keyPos{path: path, pos: pos}
	if _, seen := k.at[path]; seen {
		k.dups = append(k.dups, kp)
		return
	}
	k.at[path] = pos
	k.keys = append(k.keys, kp)
}

// firstKey returns the first key node of a key-value or table expression.
func firstKey(expr *unstable.Node) *unstable.Node {
	it := expr.Key()
	it.Next()
	return it.Node()
}

// position returns where a node starts.
func (k *keyIndex) position(n *unstable.Node) unstable.Position {
	return k.positionAt(int(n.Raw.Offset))
}

// positionAt returns the line and column of a byte offset.
func (k *keyIndex) positionAt(offset int) unstable.Position {
	line, _ := slices.BinarySearch(k.lineStarts, offset+1)
	return unstable.Position{Offset: offset, Line: line, Column: offset - k.lineStarts[line-1] + 1}
}

// lineStarts returns the offsets at which the lines of data begin.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// join appends a key node to a dotted path. It flags keys not in lower
// case, which no schema key looks like but go-toml would match to fields
// regardless of case.
func (k *keyIndex) join(path string, key *unstable.Node) string {
	name := string(key.Data)
	if path != "" {
		name = path + "." + name
	}
	if data := string(key.Data); data != strings.ToLower(data) {
		k.flag(name, k.position(key), "unknown key (keys are lower case)")
	}
	return name
}

// keyAt returns the key that starts exactly at line:col, or "".
func (k *keyIndex) keyAt(line, col int) string {
	for _, kp := range k.keys {
		if kp.pos.Line == line && kp.pos.Column == col {
			return kp.path
		}
	}
	return ""
}

// keyBefore returns the last key starting at or before line:col: the key
// whose value is there.
func (k *keyIndex) keyBefore(line, col int) string {
	key := ""
	for _, kp := range k.keys {
		if kp.pos.Line > line || kp.pos.Line == line && kp.pos.Column > col {
			break
		}
		key = kp.path
	}
	return key
}

// line returns the line of path, or of its nearest parent that is in the
// file, or 0.
func (k *keyIndex) line(path string) int {
	for path != "" {
		if pos, ok := k.at[path]; ok {
			return pos.Line
		}
		path = parent(path)
	}
	return 0
}

// parent strips the last key or index from a path.
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// duplicates reports the keys defined twice, or nil.
func (k *keyIndex) duplicates(filename string) error {
	problems := make([]error, 0, len(k.dups))
	for _, d := range k.dups {
		problems = append(problems, d.problem(filename,
			"defined twice (first on line "+strconv.Itoa(k.at[d.path].Line)+")"))
	}
	return errors.Join(problems...)
}

// flag records a problem at a key.
func (k *keyIndex) flag(path string, pos unstable.Position, msg string) {
	k.flagged = append(k.flagged, finding{keyPos{path: path, pos: pos}, msg})
}

// flags reports the problems found while indexing, in document order, or
// nil.
func (k *keyIndex) flags(filename string) error {
	slices.SortStableFunc(k.flagged, func(a, b finding) int { return a.pos.Offset - b.pos.Offset })
	problems := make([]error, 0, len(k.flagged))
	for _, f := range k.flagged {
		problems = append(problems, f.problem(filename, f.msg))
	}
	return errors.Join(problems...)
}

// problem reports msg at the key.
func (kp keyPos) problem(filename, msg string) *Problem {
	return &Problem{File: filename, Line: kp.pos.Line, Column: kp.pos.Column, Key: kp.path, Message: msg}
}
