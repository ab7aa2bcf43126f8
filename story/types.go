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
	// alias it contains. One that ends with an alias after other words
	// ("Daniil Medvedev", "ambassador Kushner") names another person: the
	// aliases it contains then credit the actor nowhere in the item,
	// unless an alias that no such exclusion contains is there too.
	Exclude []string
	// Weight is added to the score once when the actor is named.
	Weight float64
}

// Definition is the whole story as the matcher needs it.
//
// Its zero Rules score an item as the plain sum of the weights found,
// with words matched exactly as written; a configuration normally turns on
// the evidence rule, the caps and the tolerant matching (see Rules).
type Definition struct {
	Name string
	// Phrases are strong phrases: they name the story on their own.
	Phrases []Term
	// Weak phrases point at the story but need support.
	Weak []Term
	// Generic phrases are the vocabulary of any story of the kind ("peace
	// talks"); they add to the score but are evidence only for core actors.
	Generic []Term
	// Context terms place an item in the story's world. Terms that are
	// forms of one word count once.
	Context   []Term
	Exclude   []Term
	Threshold float64
	Actors    []Actor
	Rules     Rules
}

// Rules say how evidence adds up and how tolerant word matching is. The
// zero value adds every weight without limit, needs no evidence and
// matches words exactly.
type Rules struct {
	// Evidence asks for story evidence besides the score: a strong or weak
	// phrase, or CoreQuorum core actors with a context term or a generic
	// phrase, or one more core actor than that without. Context, generic phrases and other actors never suffice, and
	// a phrase inside a longer phrase of the same or a stronger class is
	// not counted again.
	Evidence bool
	// CoreWeight is the weight from which an actor is a core actor.
	CoreWeight float64
	// CoreQuorum is how many distinct core actors are evidence on their
	// own; 0 means core actors alone never are.
	CoreQuorum int
	// WeakCap, GenericCap, ContextCap and ActorCap are the most that weak
	// phrases, generic phrases, context terms and actors add together; 0
	// means no limit.
	WeakCap, GenericCap, ContextCap, ActorCap float64
	// Inflect lets a word of a phrase, context term or alias of at least
	// four letters match its inflected forms: the word plus a known
	// ending, or the word less its final vowels plus an ending that
	// starts with a vowel (Witkoffa, Rubiem, України). Exclusions always
	// match as written.
	Inflect bool
	// PhraseSlack, when above 0, lets the words of a multi-word phrase or
	// context term match in any order with up to PhraseSlack other words
	// among them; its lower-case words of one or two letters are then
	// optional. Aliases and exclusions keep their order.
	PhraseSlack int
	// TypoLetters, when above 0, lets an alias word of at least that many
	// letters match a capitalised word one edit away from it (a letter
	// added, dropped, changed or two swapped), away from its first and
	// last letter.
	TypoLetters int
	// LowerCaseLetters, when above 0, lets a capitalised pattern word of
	// at least that many letters written in a script other than Latin
	// match in lower case too (путін, росія).
	LowerCaseLetters int
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
	// Phrases are the configured story phrases found (strong, weak and
	// generic), each once.
	Phrases []string
	// Context and Excluded are the context terms and exclusion phrases
	// found; of context terms that are forms of one word, the first.
	Context  []string
	Excluded []string
	Spans    []Span
}
