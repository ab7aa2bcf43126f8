//go:build shared

package main

import (
	"path/filepath"
	"testing"
)

// TestPreviewDevSet scores the preview command on the shared labelled dev
// set, ../shared/eval/dev.jsonl, which CI lays beside the clone; without
// it the test fails.
func TestPreviewDevSet(t *testing.T) {
	t.Parallel()
	scorePreview(t, readLabelled(t, filepath.Join("..", "shared", "eval", "dev.jsonl")))
}
