//go:build !shared

package discordfake

// extraSchemas returns the documents checked besides the fake's own
// schema: none without the shared build tag (see openapi.go).
func extraSchemas() ([]*schemas, error) { return nil, nil }
