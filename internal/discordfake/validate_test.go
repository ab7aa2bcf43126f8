package discordfake

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// testSchemas returns the schema documents New checks bodies against: the
// fake's own, and with the shared tag Discord's OpenAPI excerpt as well.
func testSchemas(t testing.TB) []*schemas {
	t.Helper()
	sets, err := requestSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

// eachSchema runs f as a subtest for every schema document.
func eachSchema(t *testing.T, f func(t *testing.T, sc *schemas)) {
	t.Helper()
	for _, sc := range testSchemas(t) {
		t.Run(sc.source, func(t *testing.T) { f(t, sc) })
	}
}

func TestSchemasCompile(t *testing.T) {
	eachSchema(t, func(t *testing.T, sc *schemas) {
		for _, key := range []string{schemaCreate, schemaEdit, schemaThread, schemaCallback, schemaCommands} {
			if _, err := sc.schema(key); err != nil {
				t.Errorf("%s: %v", key, err)
			}
		}
		if _, err := sc.schema("nope"); err == nil {
			t.Error("unknown schema key compiled")
		}
	})
}

// decodeBody decodes a JSON test body.
func decodeBody(t *testing.T, body string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("test body %s: %v", body, err)
	}
	return v
}

// TestRejectionBodies checks Discord's 400 answer to bodies that break a
// rule every schema document states, or a rule checked in code.
func TestRejectionBodies(t *testing.T) {
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
		{"thread name of 101", schemaThread, `{"name":"` + strings.Repeat("n", 101) + `"}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"name":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 100 or fewer in length."}]}}}`},
		{"colour above maximum", schemaEdit, `{"embeds":[{"color":16777216}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"color":{"_errors":[{"code":"NUMBER_TYPE_MAX","message":"int value should be less than or equal to 16777215."}]}}}}}`},
		{"description of 4097", schemaCreate, `{"embeds":[{"description":"` + strings.Repeat("d", 4097) + `"}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"description":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 4096 or fewer in length."}]}}}}}`},
		{"eleven embeds", schemaCreate, `{"embeds":[` + strings.Repeat(`{"title":"t"},`, 10) + `{"title":"t"}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 10 or fewer in length."}]}}}`},
		{"twenty-six fields", schemaCreate, `{"embeds":[{"fields":[` + strings.Repeat(`{"name":"n","value":"v"},`, 25) + `{"name":"n","value":"v"}]}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"fields":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 25 or fewer in length."}]}}}}}`},
		{"field name of 257", schemaCreate, `{"embeds":[{"fields":[{"name":"` + title257 + `","value":"v"}]}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"fields":{"0":{"name":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 256 or fewer in length."}]}}}}}}}`},
		{"field value of 1025", schemaEdit, `{"embeds":[{"fields":[{"name":"n","value":"` + strings.Repeat("v", 1025) + `"}]}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"fields":{"0":{"value":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 1024 or fewer in length."}]}}}}}}}`},
		{"field without value", schemaCreate, `{"embeds":[{"fields":[{"name":"n"}]}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"fields":{"0":{"value":{"_errors":[{"code":"BASE_TYPE_REQUIRED","message":"This field is required"}]}}}}}}}`},
		{"footer of 2049", schemaCreate, `{"embeds":[{"footer":{"text":"` + strings.Repeat("f", 2049) + `"}}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"footer":{"text":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2048 or fewer in length."}]}}}}}}`},
		{"author of 257", schemaCreate, `{"embeds":[{"author":{"name":"` + title257 + `"}}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"author":{"name":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 256 or fewer in length."}]}}}}}}`},
		{"url of 2049", schemaCreate, `{"embeds":[{"url":"https://e.com/` + strings.Repeat("u", 2049-len("https://e.com/")) + `"}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"url":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2048 or fewer in length."}]}}}}}`},
		{"six buttons in a row", schemaCreate, `{"content":"x","components":[{"type":1,"components":[` + strings.Repeat(`{"type":2,"style":1,"custom_id":"b"},`, 5) + `{"type":2,"style":1,"custom_id":"b"}]}]}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"components":{"0":{"components":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 5 or fewer in length."}]}}}}}`},
		{"twenty-six autocomplete choices", schemaCallback, `{"type":8,"data":{"choices":[` + strings.Repeat(`{"name":"n","value":"v"},`, 25) + `{"name":"n","value":"v"}]}}`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"data":{"choices":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 25 or fewer in length."}]}}}}`},
		{"command name of 33", schemaCommands, `[{"name":"` + strings.Repeat("c", 33) + `","description":"d"}]`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"0":{"name":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 32 or fewer in length."}]}}}}`},
		{"option without description", schemaCommands, `[{"name":"c","description":"d","options":[{"type":3,"name":"o"}]}]`, ErrSchema,
			`{"code":50035,"message":"Invalid Form Body","errors":{"0":{"options":{"0":{"description":{"_errors":[{"code":"BASE_TYPE_REQUIRED","message":"This field is required"}]}}}}}}`},
		{"create content over 2000 though the spec allows 4000", schemaCreate, `{"content":"` + strings.Repeat("x", 2001) + `"}`, ErrContentTooLong,
			`{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}}`},
		{"edit embeds over 6000", schemaEdit, `{"embeds":[{"description":"` + strings.Repeat("x", 4096) + `"},{"description":"` + strings.Repeat("x", 1905) + `"}]}`, ErrEmbedsTooLarge,
			`{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"_errors":[{"code":"MAX_EMBED_SIZE_EXCEEDED","message":"Embed size exceeds maximum size of 6000"}]}}}`},
		{"empty callback message", schemaCallback, `{"type":4}`, ErrEmptyMessage,
			`{"code":50006,"message":"Cannot send an empty message"}`},
	}
	eachSchema(t, func(t *testing.T, sc *schemas) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rej := sc.check(tc.key, "R", decodeBody(t, tc.body), 0)
				if rej == nil {
					t.Fatal("accepted")
				}
				if !errors.Is(rej.err, tc.sentinel) {
					t.Errorf("error %v, want %v", rej.err, tc.sentinel)
				}
				raw, err := json.Marshal(rej.body)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := decodeBody(t, string(raw)), decodeBody(t, tc.want); !reflect.DeepEqual(got, want) {
					t.Errorf("body\n got %s\nwant %s", raw, tc.want)
				}
			})
		}
	})
}

// TestDocumentedRules checks that each schema document refuses bodies that
// break a rule of Discord's documentation, naming the field at fault. Rules
// the OpenAPI excerpt does not state (spec false) are the fake's own
// schema's alone: with the shared tag the excerpt must accept those bodies,
// which shows that each rule is really missing from it (when it gains one,
// set spec).
func TestDocumentedRules(t *testing.T) {
	tests := []struct {
		name, key, body string
		spec            bool     // the OpenAPI excerpt states the rule too
		errorPath       []string // where Discord's answer names the fault
	}{
		{"link that is not http(s)", schemaCreate, `{"embeds":[{"title":"t","url":"javascript:alert(1)"}]}`, false, []string{"embeds", "0", "url"}},
		{"image that is neither http(s) nor an upload", schemaCreate, `{"embeds":[{"image":{"url":"file:///etc/passwd"}}]}`, false, []string{"embeds", "0", "image", "url"}},
		{"footer without text", schemaCreate, `{"embeds":[{"title":"t","footer":{"icon_url":"https://e.com/i.png"}}]}`, false, []string{"embeds", "0", "footer", "text"}},
		{"empty field value", schemaEdit, `{"embeds":[{"fields":[{"name":"n","value":""}]}]}`, false, []string{"embeds", "0", "fields", "0", "value"}},
		{"users both parsed and listed", schemaCreate, `{"content":"x","allowed_mentions":{"parse":["users"],"users":["1"]}}`, false, []string{"allowed_mentions", "users"}},
		{"unknown mention type", schemaCallback, `{"type":4,"data":{"content":"x","allowed_mentions":{"parse":["here"]}}}`, true, []string{"data", "allowed_mentions", "parse", "0"}},
		{"link button without url", schemaCreate, `{"content":"x","components":[{"type":1,"components":[{"type":2,"style":5,"label":"l"}]}]}`, false, []string{"components", "0", "components", "0", "url"}},
		{"button without custom_id", schemaCreate, `{"content":"x","components":[{"type":1,"components":[{"type":2,"style":1,"label":"l"}]}]}`, false, []string{"components", "0", "components", "0", "custom_id"}},
		{"select beside a button", schemaCreate, `{"content":"x","components":[{"type":1,"components":[{"type":3,"custom_id":"s","options":[{"label":"a","value":"a"}]},{"type":2,"style":1,"custom_id":"b"}]}]}`, false, []string{"components", "0", "components"}},
		{"six action rows", schemaCreate, `{"content":"x","components":[` + strings.Repeat(`{"type":1,"components":[{"type":2,"style":1,"custom_id":"b"}]},`, 5) + `{"type":1,"components":[{"type":2,"style":1,"custom_id":"b"}]}]}`, false, []string{"components"}},
		{"slash command name with a space", schemaCommands, `[{"name":"two words","description":"d"}]`, false, []string{"0", "name"}},
		{"slash command without description", schemaCommands, `[{"name":"c"}]`, false, []string{"0", "description"}},
		{"permissions as a number, not the documented string", schemaCommands, `[{"name":"c","description":"d","default_member_permissions":32}]`, false, []string{"0", "default_member_permissions"}},
		{"choice value of 101", schemaCallback, `{"type":8,"data":{"choices":[{"name":"n","value":"` + strings.Repeat("v", 101) + `"}]}}`, false, []string{"data", "choices", "0", "value"}},
	}
	eachSchema(t, func(t *testing.T, sc *schemas) {
		own := sc.adapt == nil
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rej := sc.check(tc.key, "R", decodeBody(t, tc.body), 0)
				switch {
				case !own && !tc.spec && rej != nil:
					t.Fatalf("the excerpt states this rule now (%v): set spec", rej.err)
				case !own && !tc.spec:
					return
				case rej == nil:
					t.Fatal("accepted")
				case !errors.Is(rej.err, ErrSchema):
					t.Errorf("error %v, want %v", rej.err, ErrSchema)
				}
				node, _ := rej.body["errors"].(map[string]any)
				for _, p := range tc.errorPath {
					node, _ = node[p].(map[string]any)
				}
				if list, _ := node["_errors"].([]any); len(list) == 0 {
					raw, _ := json.Marshal(rej.body)
					t.Errorf("no _errors at %v in %s", tc.errorPath, raw)
				}
			})
		}
	})
}

// TestAcceptedBodies checks bodies Discord accepts, among them the kinds
// discordgo sends for the bot, pass every schema document.
func TestAcceptedBodies(t *testing.T) {
	tests := []struct {
		name, key, body string
		files           int
	}{
		{"deferred callback without data", schemaCallback, `{"type":5}`, 0},
		{"deferred callback as discordgo sends it", schemaCallback, `{"type":5,"data":{"tts":false,"content":"","components":null,"embeds":null,"allowed_mentions":{"parse":[]}}}`, 0},
		{"edit to empty content", schemaEdit, `{"content":""}`, 0},
		{"file-only message", schemaCreate, `{"attachments":[{"id":"0","filename":"a.png"}]}`, 1},
		{"commands with string permissions as discordgo sends", schemaCommands, `[{"name":"status","description":"d","default_member_permissions":"32"}]`, 0},
		{"slash command with an autocompleted option", schemaCommands,
			`[{"name":"actor","description":"Look up a person","contexts":[0],"options":[{"type":3,"name":"name","description":"Any spelling","required":true,"autocomplete":true,"max_length":100}]},{"name":"Summarise","type":3}]`, 0},
		{"post as the bot sends it", schemaCreate,
			`{"content":"","tts":false,"nonce":"outbox-123","enforce_nonce":true,"allowed_mentions":{"parse":[]},"components":null,"sticker_ids":null,` +
				`"embeds":[{"type":"rich","title":"Talks resume","url":"https://news.example/a","timestamp":"2025-11-20T14:05:00Z","color":3447003,` +
				`"description":"` + strings.Repeat("d", 4096) + `","fields":[{"name":"Actors","value":"A · B","inline":true}],` +
				`"footer":{"text":"Outlet · 7 outlets"},"author":{"name":"Outlet","url":"https://news.example/"},"image":{"url":"attachment://chart.png"}}]}`, 0},
		{"alert role that may be pinged", schemaCreate, `{"content":"<@&5>","allowed_mentions":{"parse":[],"roles":["5"]}}`, 0},
		{"buttons and a select menu in rows", schemaCreate,
			`{"content":"x","components":[{"type":1,"components":[{"type":2,"style":5,"label":"Read","url":"https://news.example/a"},{"type":2,"style":2,"custom_id":"more"}]},` +
				`{"type":1,"components":[{"type":3,"custom_id":"pick","options":[{"label":"A","value":"a"}],"max_values":1}]}]}`, 0},
		{"autocomplete with 25 choices", schemaCallback, `{"type":8,"data":{"choices":[` + strings.Repeat(`{"name":"n","value":"v"},`, 24) + `{"name":"n","value":"v"}]}}`, 0},
		{"thread with archive duration", schemaThread, `{"name":"Talks resume","auto_archive_duration":1440}`, 0},
	}
	eachSchema(t, func(t *testing.T, sc *schemas) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if rej := sc.check(tc.key, "R", decodeBody(t, tc.body), tc.files); rej != nil {
					t.Errorf("rejected: %v", rej.err)
				}
			})
		}
	})
}

func FuzzCheck(f *testing.F) {
	sets := testSchemas(f)
	for _, seed := range []string{`{"content":"x"}`, `{"embeds":[{"title":"t","fields":[{"name":"n","value":"v"}]}]}`,
		`{"type":4,"data":{"content":""}}`, `[{"name":"a","description":"b"}]`, `null`, `{"nonce":12}`,
		`{"components":[{"type":1,"components":[{"type":2,"style":5,"url":"https://e.com"}]}]}`} {
		f.Add(seed)
	}
	keys := []string{schemaCreate, schemaEdit, schemaThread, schemaCallback, schemaCommands}
	f.Fuzz(func(t *testing.T, body string) {
		var v any
		if json.Unmarshal([]byte(body), &v) != nil {
			return
		}
		for _, sc := range sets {
			for _, key := range keys {
				rej := sc.check(key, "R", v, 0)
				if rej != nil && (rej.err == nil || rej.body["code"] == nil) {
					t.Fatalf("%s, %s: rejection without error or code: %+v", sc.source, key, rej)
				}
			}
		}
	})
}
