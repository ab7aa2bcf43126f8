package sqlite

import (
	"strings"
	"testing"
)

func TestSignaturesUseIndexes(t *testing.T) {
	s := openTest(t)
	plan := queryPlan(t, s, signaturesSQL, 0, 1)
	for _, step := range plan {
		for _, table := range []string{"signatures", "items", "i", "s"} {
			if strings.HasPrefix(step, "SCAN "+table+" ") || step == "SCAN "+table {
				t.Errorf("plan scans %s:\n%s", table, strings.Join(plan, "\n"))
			}
		}
	}
	t.Logf("plan:\n%s", strings.Join(plan, "\n"))
}
