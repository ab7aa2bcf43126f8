// Package story decides what a feed item is about: it normalises text, finds
// the story's phrases and actors in one pass, scores relevance, writes short
// extractive summaries and groups near-duplicate reports into developments.
// It must not know about HTTP, SQL or Discord.
package story

// Term is a phrase with the weight it adds to (or, for exclusions, takes
// from) an item's relevance score.
type Term struct {
	Text   string
	Weight float64
}

// Actor is a person the story follows.
type Actor struct {
	// Name is the canonical name reported in matches.
	Name        string
	Role        string
	Description string
	// Aliases are whole-word spellings in any script.
	Aliases []string
	// Stems are word-initial prefixes that match inflected forms
	// (Зеленск matches Зеленского, Зеленским).
	Stems []string
	// Exclude lists longer look-alike patterns that are NOT this actor
	// ("Yuri Dmitriev", "trumped-up"); where one matches, it suppresses the
	// alias it contains.
	Exclude []string
	// Weight is added to the score once when the actor is named.
	Weight float64
}

// Definition is the whole story as the matcher needs it.
type Definition struct {
	Name      string
	Phrases   []Term
	Context   []Term
	Exclude   []Term
	Threshold float64
	Actors    []Actor
}

// Field says which part of an item a span is in.
type Field string

// The fields a span can be in.
const (
	FieldTitle Field = "title"
	FieldText  Field = "text"
)

// Kind says what a span matched.
type Kind string

// The kinds of span.
const (
	KindPhrase  Kind = "phrase"
	KindActor   Kind = "actor"
	KindContext Kind = "context"
	KindExclude Kind = "exclude"
)

// Span is one hit: where it is and what it matched.
type Span struct {
	Field Field `json:"field"`
	// Start and End are byte offsets into the original (not normalised)
	// field text.
	Start int  `json:"start"`
	End   int  `json:"end"`
	Kind  Kind `json:"kind"`
	// Term is the configured phrase text, or the actor's canonical name.
	Term string `json:"term"`
}

// Match is the verdict on one item.
type Match struct {
	Relevant bool
	Score    float64
	// Actors are canonical names, in order of first appearance, each once.
	Actors []string
	// Phrases are the configured story phrases found, each once.
	Phrases []string
	// Context and Excluded are the context terms and exclusion phrases found.
	Context  []string
	Excluded []string
	Spans    []Span
}
