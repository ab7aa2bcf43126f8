// Package bot is storyline's Discord side: the discordgo session (REST
// through a configurable API base, a gateway kept open in the background),
// a small REST client that sends our own JSON bodies and classifies
// Discord's answers, the outbox poster that delivers queued posts exactly
// once and in order, and the rendering of stored items into embeds that are
// safe (escaped, mention-free, http(s) links only) and within Discord's
// limits. Slash commands live here too, in their own files.
//
// It must not know SQL text, HTTP fetching of feeds or how items are
// matched: it reads records and outbox entries through small interfaces
// over the store.
package bot
