//go:build shared

package story_test

import "testing"

// TestRelevanceDevSet measures the example configuration on the shared
// labelled dev set, ../shared/eval/dev.jsonl beside the checkout; without
// it the test fails.
func TestRelevanceDevSet(t *testing.T) {
	measureRelevance(t, "../../shared/eval/dev.jsonl")
}
