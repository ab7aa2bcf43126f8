package bot

import (
	"strings"
	"testing"
)

func TestRefusalFix(t *testing.T) {
	t.Parallel()
	const retry = "storyline outbox retry -config config.toml"
	tests := []struct {
		refused RefusedError
		want    string
	}{
		{RefusedError{Status: 403, Code: codeMissingPermissions, Message: "Missing Permissions"}, "Send Messages"},
		{RefusedError{Status: 403, Code: codeMissingAccess, Message: "Missing Access"}, "View Channel"},
		{RefusedError{Status: 404, Code: codeUnknownChannel, Message: "Unknown Channel"}, "[discord] channel_id"},
		{RefusedError{Status: 401, Message: "401: Unauthorized"}, "bot token"},
		{RefusedError{Status: 400, Code: 50035, Message: "Invalid Form Body"}, "fix the cause"},
	}
	for _, tt := range tests {
		got := refusalFix(&tt.refused, retry)
		if !strings.Contains(got, tt.want) || !strings.HasSuffix(got, ", then run: "+retry) {
			t.Errorf("refusalFix(%v) = %q, want it to say %q and end with the retry command", &tt.refused, got, tt.want)
		}
	}
}
