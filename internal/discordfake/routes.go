package discordfake

import (
	"strings"
)

// Routes the fake serves, in the form Request.Route and Fail use. Path
// parameters are named as in Discord's OpenAPI description.
const (
	RouteGateway        = "GET /gateway"
	RouteGatewayBot     = "GET /gateway/bot"
	RouteCurrentUser    = "GET /users/@me"
	RouteGetChannel     = "GET /channels/{channel_id}"
	RouteGetGuild       = "GET /guilds/{guild_id}"
	RouteGetMember      = "GET /guilds/{guild_id}/members/{user_id}"
	RouteCreateMessage  = "POST /channels/{channel_id}/messages"
	RouteGetMessages    = "GET /channels/{channel_id}/messages"
	RouteGetMessage     = "GET /channels/{channel_id}/messages/{message_id}"
	RouteEditMessage    = "PATCH /channels/{channel_id}/messages/{message_id}"
	RouteDeleteMessage  = "DELETE /channels/{channel_id}/messages/{message_id}"
	RouteStartThread    = "POST /channels/{channel_id}/messages/{message_id}/threads"
	RouteGlobalCommands = "PUT /applications/{application_id}/commands"
	RouteGuildCommands  = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
	RouteCallback       = "POST /interactions/{interaction_id}/{interaction_token}/callback"
	RouteFollowup       = "POST /webhooks/{application_id}/{interaction_token}"
	RouteGetOriginal    = "GET /webhooks/{application_id}/{interaction_token}/messages/@original"
	RouteEditOriginal   = "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original"
	RouteDeleteOriginal = "DELETE /webhooks/{application_id}/{interaction_token}/messages/@original"
	RouteGetFollowup    = "GET /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
	RouteEditFollowup   = "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
	RouteDeleteFollowup = "DELETE /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
	// AllRoutes makes Fail apply to every route.
	AllRoutes = "*"
)

// route is one REST operation of the fake.
type route struct {
	name    string   // e.g. RouteCreateMessage
	method  string   // e.g. "POST"
	parts   []string // path segments; "{x}" matches any one segment
	public  bool     // authenticated by the token in the path, not by Authorization
	schema  string   // key of the request-body schema; "" for routes without a body
	handler func(*Server, *call) reply
}

// newRoute builds a route from its name.
func newRoute(name, schema string, public bool, h func(*Server, *call) reply) route {
	method, path, _ := strings.Cut(name, " ")
	return route{
		name:    name,
		method:  method,
		parts:   strings.Split(strings.Trim(path, "/"), "/"),
		public:  public,
		schema:  schema,
		handler: h,
	}
}

// routeTable lists every route; literal segments ("@original") come before
// the parameter that would also match them.
func routeTable() []route {
	return []route{
		newRoute(RouteGateway, "", true, (*Server).handleGateway),
		newRoute(RouteGatewayBot, "", false, (*Server).handleGateway),
		newRoute(RouteCurrentUser, "", false, (*Server).handleCurrentUser),
		newRoute(RouteGetChannel, "", false, (*Server).handleGetChannel),
		newRoute(RouteGetGuild, "", false, (*Server).handleGetGuild),
		newRoute(RouteGetMember, "", false, (*Server).handleGetMember),
		newRoute(RouteCreateMessage, schemaCreate, false, (*Server).handleCreateMessage),
		newRoute(RouteGetMessages, "", false, (*Server).handleGetMessages),
		newRoute(RouteGetMessage, "", false, (*Server).handleGetMessage),
		newRoute(RouteEditMessage, schemaEdit, false, (*Server).handleEditMessage),
		newRoute(RouteDeleteMessage, "", false, (*Server).handleDeleteMessage),
		newRoute(RouteStartThread, schemaThread, false, (*Server).handleStartThread),
		newRoute(RouteGlobalCommands, schemaCommands, false, (*Server).handleBulkCommands),
		newRoute(RouteGuildCommands, schemaCommands, false, (*Server).handleBulkCommands),
		newRoute(RouteCallback, schemaCallback, true, (*Server).handleCallback),
		newRoute(RouteFollowup, schemaCreate, true, (*Server).handleFollowup),
		newRoute(RouteGetOriginal, "", true, (*Server).handleGetWebhookMessage),
		newRoute(RouteEditOriginal, schemaEdit, true, (*Server).handleEditWebhookMessage),
		newRoute(RouteDeleteOriginal, "", true, (*Server).handleDeleteWebhookMessage),
		newRoute(RouteGetFollowup, "", true, (*Server).handleGetWebhookMessage),
		newRoute(RouteEditFollowup, schemaEdit, true, (*Server).handleEditWebhookMessage),
		newRoute(RouteDeleteFollowup, "", true, (*Server).handleDeleteWebhookMessage),
	}
}

// trimAPIPrefix removes /api/v9 or /api/v10 from path.
func trimAPIPrefix(path string) (string, bool) {
	for _, p := range [...]string{"/api/v9", "/api/v10"} {
		if rest, ok := strings.CutPrefix(path, p); ok && strings.HasPrefix(rest, "/") {
			return rest, true
		}
	}
	return "", false
}

// match finds the route for method and path. When no route matches but one
// would with another method, it reports methodMismatch.
func (s *Server) match(method, path string) (rt *route, params map[string]string, methodMismatch bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range s.routes {
		p, ok := matchParts(s.routes[i].parts, segs)
		if !ok {
			continue
		}
		if s.routes[i].method == method {
			return &s.routes[i], p, false
		}
		methodMismatch = true
	}
	return nil, nil, methodMismatch
}

func matchParts(parts, segs []string) (map[string]string, bool) {
	if len(parts) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "{"):
			if segs[i] == "" {
				return nil, false
			}
			params[strings.Trim(p, "{}")] = segs[i]
		case p != segs[i]:
			return nil, false
		}
	}
	return params, true
}

// knownRoute reports whether name is a route of the fake or AllRoutes.
func (s *Server) knownRoute(name string) bool {
	if name == AllRoutes {
		return true
	}
	for _, rt := range s.routes {
		if rt.name == name {
			return true
		}
	}
	return false
}
