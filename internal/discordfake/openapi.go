//go:build shared

package discordfake

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIRelPath is Discord's OpenAPI excerpt, relative to the directory
// that holds both the checkout and shared/.
const openAPIRelPath = "shared/discord-api/openapi-subset.json"

// openAPILocations are the request bodies of the OpenAPI excerpt, by key.
func openAPILocations() map[string]string {
	return map[string]string{
		schemaCreate:   "discord.json#/components/schemas/MessageCreateRequest",
		schemaEdit:     "discord.json#/components/schemas/MessageEditRequestPartial",
		schemaThread:   "discord.json#/components/schemas/CreateTextThreadWithMessageRequest",
		schemaCallback: "discord.json#/paths/~1interactions~1%7Binteraction_id%7D~1%7Binteraction_token%7D~1callback/post/requestBody/content/application~1json/schema",
		schemaCommands: "discord.json#/paths/~1applications~1%7Bapplication_id%7D~1commands/put/requestBody/content/application~1json/schema",
	}
}

// extraSchemas returns the documents a build with the shared tag checks
// besides the fake's own schema: Discord's OpenAPI excerpt, found above
// the working directory. A missing excerpt is an error, never a skip.
func extraSchemas() ([]*schemas, error) {
	p, err := findOpenAPI()
	if err != nil {
		return nil, err
	}
	sc, err := loadOpenAPI(p)
	if err != nil {
		return nil, err
	}
	return []*schemas{sc}, nil
}

// findOpenAPI walks up from the working directory to the first directory
// holding shared/discord-api/openapi-subset.json.
func findOpenAPI() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find OpenAPI excerpt: %w", err)
	}
	for {
		p := filepath.Join(dir, openAPIRelPath)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find OpenAPI excerpt: no %s above the working directory (the shared build tag needs ../shared beside the checkout)", openAPIRelPath)
		}
		dir = parent
	}
}

// loadOpenAPI reads the OpenAPI excerpt at path.
func loadOpenAPI(path string) (*schemas, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI excerpt: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI excerpt %s: %w", path, err)
	}
	sc, err := newSchemas("Discord's OpenAPI excerpt", "discord.json", doc, openAPILocations())
	if err != nil {
		return nil, err
	}
	sc.adapt = docsOverride
	return sc, nil
}

// docsOverride returns the body to validate, rewritten where Discord's docs
// (which win over the spec) allow more than the spec: a command's
// default_member_permissions is a decimal string in the docs and in what
// discordgo sends, but an integer in the spec. body itself is not changed.
func docsOverride(key string, body any) any {
	list, ok := body.([]any)
	if key != schemaCommands || !ok {
		return body
	}
	out := make([]any, len(list))
	for i, item := range list {
		out[i] = item
		cmd, _ := item.(map[string]any)
		perm, isString := cmd["default_member_permissions"].(string)
		n, err := strconv.ParseUint(perm, 10, 64)
		if !isString || err != nil {
			continue
		}
		c := cloneObject(cmd)
		c["default_member_permissions"] = float64(n)
		out[i] = c
	}
	return out
}
