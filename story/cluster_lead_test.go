package story

import (
	"testing"
)

func TestLeadSkips(t *testing.T) {
	tests := []struct {
		name, lead string
		// kept is the text left when the skipped ranges are cut out,
		// spaces folded.
		kept string
	}{
		{"clean", "Rustem Umerov met Marco Rubio on Sunday.", "Rustem Umerov met Marco Rubio on Sunday."},
		{"byline and dateline", "By Olga Marchenko and Peter Hollis | KYIV, Nov 20 (Newswire) - Zelensky met Driscoll.", "Zelensky met Driscoll."},
		{"dateline in capitals", "WASHINGTON — The talks resumed on Monday.", "The talks resumed on Monday."},
		{"agency in brackets", "Kyiv (Newswire) - The talks resumed on Monday.", "The talks resumed on Monday."},
		{"Russian dateline", "МОСКВА, 21 ноября. /ТАСС/. Песков заявил, что текста нет.", "Песков заявил, что текста нет."},
		{"dateline and agency after the dash", "КИЕВ, 20 ноя — РИА Новости. Зеленский встретился с Дрисколлом.", "Зеленский встретился с Дрисколлом."},
		{"Ukrainian dateline", "Київ, 20 листопада – Зеленський зустрівся з Дрісколлом.", "Зеленський зустрівся з Дрісколлом."},
		{"photo credit first", "Photo: Office of the President. Zelensky met Driscoll in Kyiv.", "Zelensky met Driscoll in Kyiv."},
		{"credit in brackets", "Zelensky met Driscoll (Photo by Jane Roe / Newswire) in Kyiv.", "Zelensky met Driscoll in Kyiv."},
		{"Russian credit", "Зеленский встретился с Дрисколлом. Фото: пресс-служба.", "Зеленский встретился с Дрисколлом."},
		{"pointer to another article", "Zelensky met Driscoll. Read more: Kellogg leaves in January", "Zelensky met Driscoll."},
		{"Ukrainian pointer", "Зеленський зустрівся з Дрісколлом. Читайте також: Що відомо про план", "Зеленський зустрівся з Дрісколлом."},
		{"not a byline: one name", "By Thursday, Kyiv must answer.", "By Thursday, Kyiv must answer."},
		{"not a dateline: a sentence", "Trump says the talks — held in Geneva — went well.", "Trump says the talks — held in Geneva — went well."},
		{"not a credit: the word in a sentence", "The photo of the meeting was published by the Kremlin.", "The photo of the meeting was published by the Kremlin."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			skips := leadSkips(tc.lead, Words(tc.lead))
			var kept []byte
			at := 0
			for _, r := range skips {
				kept = append(kept, tc.lead[at:r[0]]...)
				kept = append(kept, ' ')
				at = r[1]
			}
			kept = append(kept, tc.lead[at:]...)
			if got := foldSpace(string(kept)); got != tc.kept {
				t.Errorf("kept %q, want %q (skips %v)", got, tc.kept, skips)
			}
		})
	}
}
