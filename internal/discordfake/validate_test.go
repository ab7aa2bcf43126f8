package discordfake

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func testSchemas(t testing.TB) *schemas {
	t.Helper()
	p, err := findSchema()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := loadSchemas(p)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestSchemasCompile(t *testing.T) {
	sc := testSchemas(t)
	for key := range schemaLocations() {
		if _, err := sc.schema(key); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
	if _, err := sc.schema("nope"); err == nil {
		t.Error("unknown schema key compiled")
	}
}

func TestRejectionBodies(t *testing.T) {
	sc := testSchemas(t)
	title257 := strings.Repeat("a", 257)
	tests := []struct {
		name, key, body string
		sentinel        error
		want            string // Discord's 400 body
	}{
		{"callback reports only the alternative that applies", schemaCallback,
			`{"type":4,"data":{"embeds":[{"title":"` + title257 + `"}]}}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"data":{"embeds":{"0":{"title":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 256 or fewer in length."}]}}}}}}`},
		{"autocomplete choice picks the closest choice type", schemaCallback,
			`{"type":8,"data":{"choices":[{"name":"","value":"x"}]}}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"data":{"choices":{"0":{"name":{"_errors":[{"code":"BASE_TYPE_MIN_LENGTH","message":"Must be 1 or more in length."}]}}}}}}`},
		{"thread name required", schemaThread, `{}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"name":{"_errors":[{"code":"BASE_TYPE_REQUIRED","message":"This field is required"}]}}}`},
		{"colour above maximum", schemaEdit, `{"embeds":[{"color":16777216}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"color":{"_errors":[{"code":"NUMBER_TYPE_MAX","message":"int value should be less than or equal to 16777215."}]}}}}}`},
		{"create content over 2000 though the spec allows 4000", schemaCreate, `{"content":"` + strings.Repeat("x", 2001) + `"}`, ErrContentTooLong,
			`{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}}`},
		{"edit embeds over 6000", schemaEdit, `{"embeds":[{"description":"` + strings.Repeat("x", 4096) + `"},{"description":"` + strings.Repeat("x", 1905) + `"}]}`, ErrEmbedsTooLarge,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"_errors":[{"code":"MAX_EMBED_SIZE_EXCEEDED","message":"Embed size exceeds maximum size of 6000"}]}}}`},
		{"empty callback message", schemaCallback, `{"type":4}`, ErrEmptyMessage,
			`{"code":50006,"message":"Cannot send an empty message"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
				t.Fatal(err)
			}
			rej := sc.check(tc.key, "R", body, 0)
			if rej == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(rej.err, tc.sentinel) {
				t.Errorf("error %v, want %v", rej.err, tc.sentinel)
			}
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(rej.body)
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("body\n got %s\nwant %s", raw, tc.want)
			}
		})
	}
}

func TestAcceptedBodies(t *testing.T) {
	sc := testSchemas(t)
	tests := []struct{ name, key, body string }{
		{"deferred callback without data", schemaCallback, `{"type":5}`},
		{"edit to empty content", schemaEdit, `{"content":""}`},
		{"file-only message", schemaCreate, `{"attachments":[{"id":"0","filename":"a.png"}]}`},
		{"commands with string permissions as discordgo sends", schemaCommands, `[{"name":"status","description":"d","default_member_permissions":"32"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
				t.Fatal(err)
			}
			files := 0
			if tc.key == schemaCreate {
				files = 1
			}
			if rej := sc.check(tc.key, "R", body, files); rej != nil {
				t.Errorf("rejected: %v", rej.err)
			}
		})
	}
}

func FuzzCheck(f *testing.F) {
	sc := testSchemas(f)
	for _, seed := range []string{`{"content":"x"}`, `{"embeds":[{"title":"t","fields":[{"name":"n","value":"v"}]}]}`,
		`{"type":4,"data":{"content":""}}`, `[{"name":"a","description":"b"}]`, `null`, `{"nonce":12}`} {
		f.Add(seed)
	}
	keys := []string{schemaCreate, schemaEdit, schemaThread, schemaCallback, schemaCommands}
	f.Fuzz(func(t *testing.T, body string) {
		var v any
		if json.Unmarshal([]byte(body), &v) != nil {
			return
		}
		for _, key := range keys {
			rej := sc.check(key, "R", v, 0)
			if rej != nil && (rej.err == nil || rej.body["code"] == nil) {
				t.Fatalf("%s: rejection without error or code: %+v", key, rej)
			}
		}
	})
}
