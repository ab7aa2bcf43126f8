package discordfake

import (
	"encoding/json"
	"strings"
	"testing"
)

// BenchmarkCheck measures validating a typical post body against decoding
// it alone, the baseline every request pays anyway.
func BenchmarkCheck(b *testing.B) {
	sc := testSchemas(b)[0]
	body := []byte(`{"content":"","nonce":"outbox-123","enforce_nonce":true,"allowed_mentions":{"parse":[]},` +
		`"embeds":[{"type":"rich","title":"` + strings.Repeat("t", 120) + `","url":"https://example.com/a",` +
		`"description":"` + strings.Repeat("d", 350) + `","fields":[{"name":"Actors","value":"A · B · C","inline":false}],` +
		`"footer":{"text":"Outlet · 20 Nov 2025 14:05 UTC · 7 outlets"}}]}`)
	b.Run("decode only (baseline)", func(b *testing.B) {
		for b.Loop() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode and validate", func(b *testing.B) {
		for b.Loop() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
			if rej := sc.check(schemaCreate, "R", v, 0); rej != nil {
				b.Fatal(rej.err)
			}
		}
	})
}

// BenchmarkSchemaSetup measures what New pays to load the fake's own
// schema (the baseline) against what the first posted message adds by
// compiling the message-create schema.
func BenchmarkSchemaSetup(b *testing.B) {
	b.Run("load only (baseline)", func(b *testing.B) {
		for b.Loop() {
			if _, err := loadOwnSchemas(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load and compile create message", func(b *testing.B) {
		for b.Loop() {
			sc, err := loadOwnSchemas()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sc.schema(schemaCreate); err != nil {
				b.Fatal(err)
			}
		}
	})
}
