package story

import "testing"

func TestClusterKey(t *testing.T) {
	tests := []struct {
		words []string
		want  string
	}{
		// One place or name in English, Russian and Ukrainian, inflected.
		{[]string{"geneva", "женева", "женеве", "женеві"}, "Jnv"},
		{[]string{"kremlin", "кремль", "кремле", "кремлі"}, "krm"},
		{[]string{"moscow", "москва", "москву", "москві"}, "msk"},
		{[]string{"driscoll", "дрисколл", "дрісколлом"}, "drs"},
		{[]string{"ushakov", "ушаков", "ушакову"}, "Ckv"},
		{[]string{"florida", "флорида", "флориді"}, "flr"},
		{[]string{"hamas", "хамас"}, "ms"},
		{[]string{"jared", "джаред"}, "Jrd"},
		// Numbers are their own key; a single digit says nothing.
		{[]string{"600"}, "600"},
		{[]string{"19"}, "19"},
		{[]string{"7"}, ""},
		// Stop words and short words say nothing either.
		{[]string{"the", "said", "заявил", "після", "of", "в", "из"}, ""},
		// A word whose skeleton is a single sound.
		{[]string{"area"}, ""},
	}
	for _, tc := range tests {
		for _, w := range tc.words {
			if got := clusterKey(w); got != tc.want {
				t.Errorf("clusterKey(%q) = %q, want %q", w, got, tc.want)
			}
		}
	}
}

func TestTransliterate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"женева", "zheneva"},
		{"київ", "kiyiv"},
		{"щука", "shchuka"},
		{"єрмак", "yermak"},
		{"ґанок", "ganok"},
		{"объем", "obem"},
		{"plan", "plan"},
	}
	for _, tc := range tests {
		if got := transliterate(tc.in); got != tc.want {
			t.Errorf("transliterate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
