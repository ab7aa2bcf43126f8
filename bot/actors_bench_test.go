package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"storyline/store"
	"storyline/story"
)

// autocompleteTyped are texts typed into /actor's name: the acceptance
// queries, a one-letter one that matches many actors and one that matches
// none (answered with the closest names).
var autocompleteTyped = []string{"wit", "зел", "Zelenskyy", "vitkov", "путин", "a", "xqzwy"}

// BenchmarkAutocomplete measures the choices for one typed text over the
// example roster (41 actors, 493 distinct names): the alias index alone,
// the whole answer with mention counts from a store that answers at once,
// and, as the baseline, the same search normalising every name on every
// call instead of once.
func BenchmarkAutocomplete(b *testing.B) {
	actors := exampleDefinition(b).Actors
	x := newActorIndex(actors)
	c := NewCommands(instantTrends{}, actors, slog.New(slog.DiscardHandler), CommandOptions{})
	b.Logf("%d actors, %d names", len(actors), len(x.names))
	b.Run("index", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if typed := autocompleteTyped[i%len(autocompleteTyped)]; len(x.search(typed)) == 0 {
				x.closest(typed, maxSuggestions)
			}
		}
		reportMillis(b)
	})
	b.Run("choices", func(b *testing.B) {
		ctx := context.Background()
		for i := 0; b.Loop(); i++ {
			c.choices(ctx, autocompleteTyped[i%len(autocompleteTyped)])
		}
		reportMillis(b)
	})
	b.Run("baseline-normalise-every-call", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			naiveSearch(actors, autocompleteTyped[i%len(autocompleteTyped)])
		}
		reportMillis(b)
	})
}

// reportMillis reports the mean time per operation in milliseconds.
func reportMillis(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
}

// naiveSearch finds the actors having a name that contains typed,
// normalising every name as it goes.
func naiveSearch(actors []story.Actor, typed string) []string {
	q := searchKey(typed)
	var out []string
	for _, a := range actors {
		for _, name := range append(append([]string{a.Name}, a.Aliases...), a.Stems...) {
			if strings.Contains(searchKey(name), q) {
				out = append(out, a.Name)
				break
			}
		}
	}
	return out
}

// instantTrends answers ActorTrends at once with a count per actor; the
// store's own cost is measured in the store's benchmarks.
type instantTrends struct{ Queries }

func (instantTrends) ActorTrends(_ context.Context, actors []string, _ time.Time, _ time.Duration) ([]store.ActorTrend, error) {
	out := make([]store.ActorTrend, len(actors))
	for i, a := range actors {
		out[i] = store.ActorTrend{Actor: a, Current: len(a)}
	}
	return out, nil
}
