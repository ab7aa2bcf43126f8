package story

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestFindDateline(t *testing.T) {
	tests := []struct {
		name, text string
		// rest is the text after the dateline, "" when there is none.
		rest string
	}{
		{"agency in brackets", "KYIV, Nov 20 (Reuters) - Ukraine has received a draft.", "Ukraine has received a draft."},
		{"mixed-case place", "Berlin (dpa) - Bundeskanzler Merz sagte.", "Bundeskanzler Merz sagte."},
		{"after a caption and its credit", "Zelensky speaks in Kyiv. (AP Photo/Jane Doe) KYIV, Ukraine (AP) — Ukraine is facing a hard choice.",
			"Ukraine is facing a hard choice."},
		{"after a cut standfirst", "The Kremlin says it has not seen it, but Peskov MOSCOW, Nov 21 (Reuters) - The Kremlin said.",
			"The Kremlin said."},
		{"agency between slashes", "МОСКВА, 21 ноября. /ТАСС/. Москва пока не получала текст.", "Москва пока не получала текст."},
		{"agency after the dash", "КИЕВ, 20 ноя — РИА Новости. Владимир Зеленский получил проект.", "Владимир Зеленский получил проект."},
		{"place in capitals", "WASHINGTON — The White House said on Friday.", "The White House said on Friday."},
		{"place in capitals after a byline", "By Jane Roe and John Doe KYIV — Talks began.", "Talks began."},
		{"place and date", "Київ, 20 листопада — Президент отримав документ.", "Президент отримав документ."},
		{"a dash in a sentence", "Zelensky — who met Witkoff — said the talks went well.", ""},
		{"an acronym before a dash mid-sentence", "Allies said that NATO — Europe's shield — would stay out.", ""},
		{"a place and a date mid-text", "Talks went on. Zelensky, 47, — a former actor — spoke.", ""},
		{"brackets without a dash", "The envoy (Witkoff) met Putin.", ""},
		{"a bracketed number", "The plan (28 points) - leaked.", ""},
		{"too far in", string(make([]byte, 500)) + "KYIV (Reuters) - Late.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, end, ok := findDateline(tt.text)
			got := ""
			if ok {
				got = tt.text[end:]
			}
			if got != tt.rest {
				t.Errorf("findDateline(%q) leaves %q, want %q", tt.text, got, tt.rest)
			}
		})
	}
}

func TestBylineEnd(t *testing.T) {
	tests := []struct {
		name, text, rest string
	}{
		{"two names before a dateline", "By Jane Roe and John Doe KYIV — Talks began.", "KYIV — Talks began."},
		{"one name and the outlet", "By Jane Roe, Reuters. Talks began.", "Talks began."},
		{"one name and a sentence", "By Jane Roe, the talks began.", "By Jane Roe, the talks began."},
		{"before a sentence opener", "Von Anna Schmidt Die Gespräche begannen.", "Die Gespräche begannen."},
		{"alone", "By Jane Roe", ""},
		{"not a byline: 'by' in a sentence", "By Sunday the talks had begun.", "By Sunday the talks had begun."},
		{"not a byline: a name and a verb", "By Donald Trump's order, talks began.", "By Donald Trump's order, talks began."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.text[bylineEnd(tt.text):]; got != tt.rest {
				t.Errorf("bylineEnd(%q) leaves %q, want %q", tt.text, got, tt.rest)
			}
		})
	}
}

func TestCreditRanges(t *testing.T) {
	tests := []struct {
		name, unit, want string
	}{
		{"slash and via", "Photo: Jane Roe/AFP via Getty Images Marco Rubio said on Sunday.", "Marco Rubio said on Sunday."},
		{"agency and name", "Фото: Reuters/Александр Казаков Владимир Путин провел переговоры.", "Владимир Путин провел переговоры."},
		{"an office, then a name", "Фото: Офіс Президента Володимир Зеленський обговорив план.", "Володимир Зеленський обговорив план."},
		{"one agency", "Photo: Reuters Zelensky met Trump.", "Zelensky met Trump."},
		{"abbreviated opener", "Fot. PAP/Jan Nowak Premier Tusk powiedział.", "Premier Tusk powiedział."},
		{"bracketed", "Zelensky met Trump (AP Photo/Jane Roe) on Sunday.", "Zelensky met Trump on Sunday."},
		{"production note", "Talks began. (Reporting by Jane Roe; Editing by John Doe)", "Talks began."},
		{"copyright", "Talks began. © Reuters", "Talks began."},
		{"credit alone", "Photo: Jane Roe/Getty Images", ""},
		{"name and agency opening the unit", "Jane Roe/AFP Marco Rubio said.", "Marco Rubio said."},
		{"not a credit: a colon after a name", "Zelensky: we will not give up land.", "Zelensky: we will not give up land."},
		{"not a credit: photos in a sentence", "Photos of the meeting were published.", "Photos of the meeting were published."},
		{"not a credit: a slash between countries", "US/Russia talks resumed.", "US/Russia talks resumed."},
		{"not a credit: a bracketed aside", "Witkoff (the envoy) met Putin.", "Witkoff (the envoy) met Putin."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := foldSpace(without(tt.unit, creditRanges(nil, tt.unit)))
			if got != tt.want {
				t.Errorf("credits cut from %q leave %q, want %q", tt.unit, got, tt.want)
			}
		})
	}
}

func TestIsResidueUnit(t *testing.T) {
	tests := []struct {
		unit string
		want bool
	}{
		{"Read also: Europe drafts its own counter-proposal.", true},
		{"Читайте також: Як Європа відповідає", true},
		{"Czytaj także: Tusk o planie", true},
		{"Lesen Sie auch: Merz in Kiew", true},
		{"Reporting by Jane Roe; Editing by John Doe", true},
		{"Key points of the draft:", true},
		{"EXCLUSIVE", true},
		{"BREAKING NEWS", true},
		{"Subscribers were told the talks had begun.", false},
		{"Zelensky said: we will not give up land, whatever the draft says about it and whoever asks.", false},
		{"NATO met.", false},
		{"Readers asked what the plan means.", false},
	}
	for _, tt := range tests {
		if got := isResidueUnit(tt.unit); got != tt.want {
			t.Errorf("isResidueUnit(%q) = %v, want %v", tt.unit, got, tt.want)
		}
	}
}

func TestSplitGlued(t *testing.T) {
	tests := []struct {
		name, s string
		want    []string
	}{
		{"heading before an article", "Meeting with the US envoy The agenda included the plan.",
			[]string{"Meeting with the US envoy", "The agenda included the plan."}},
		{"heading before a preposition", "Иранские ракеты упали В ходе атаки никто не пострадал.",
			[]string{"Иранские ракеты упали", "В ходе атаки никто не пострадал."}},
		{"German article before a noun", "Treffen mit dem Gesandten Die Tagesordnung umfasste den Plan.",
			[]string{"Treffen mit dem Gesandten", "Die Tagesordnung umfasste den Plan."}},
		{"bullets", "Key points: • Troops capped • Sanctions lifted.",
			[]string{"Key points:", "• Troops capped", "• Sanctions lifted."}},
		{"a name with an article", "He told The Guardian that talks went well.", []string{"He told The Guardian that talks went well."}},
		{"title case", "Putin Meets Witkoff In The Kremlin", []string{"Putin Meets Witkoff In The Kremlin"}},
		{"after punctuation", "He said: The plan is dead.", []string{"He said: The plan is dead."}},
		{"a French name", "selon Le Monde les discussions continuent.", []string{"selon Le Monde les discussions continuent."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range splitGlued(nil, tt.s, 0, len(tt.s)) {
				got = append(got, tt.s[r[0]:r[1]])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitGlued(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

func TestOpensReferring(t *testing.T) {
	tests := []struct {
		s, prev      string
		prevFragment bool
		want         bool
	}{
		{"He said the talks went well.", "Rubio met Umerov.", false, true},
		{"The agenda included the plan.", "Meeting with the envoy", true, true},
		{"The corresponding statement was published.", "Joint statement.", false, true},
		{"The Kremlin said it had no text.", "Peskov spoke.", false, false},
		{"Соответствующее сообщение опубликовано.", "Заявление МИД.", false, true},
		{"Цей документ враховує поправки.", "Делегація передала текст.", false, true},
		{"Ten plan zakłada zamrożenie frontu.", "Delegacja przekazała dokument.", false, true},
		{"Ce texte prévoit un gel.", "Une délégation est arrivée.", false, true},
		{"La rencontre a duré cinq heures.", "Witkoff est arrivé.", false, true},
		{"Die Tagesordnung umfasste den Plan.", "Treffen mit dem Gesandten", true, true},
		{"Die Gespräche dauerten fünf Stunden.", "Die Gespräche begannen am Morgen.", false, true},
		{"Die Ukraine lehnt den Plan ab.", "Merz sprach in Berlin.", false, false},
		{"Zelensky said the talks went well.", "Rubio met Umerov.", false, false},
		{"«Это неприемлемо», — сказал Песков.", "Кремль ответил.", false, true},
		{"On Friday the envoys met again.", "Talks went on.", false, false},
		{"Ten drones hit Kyiv overnight.", "Talks went on.", false, false},
		{"To end the war, both sides must give ground.", "Talks went on.", false, false},
		{"Ten dokument zakłada zamrożenie frontu.", "Delegacja przekazała tekst.", false, true},
	}
	for _, tt := range tests {
		if got := opensReferring(tt.s, tt.prev, tt.prevFragment); got != tt.want {
			t.Errorf("opensReferring(%q after %q) = %v, want %v", tt.s, tt.prev, got, tt.want)
		}
	}
}

func TestIsRoster(t *testing.T) {
	tests := []struct {
		s                       string
		actors, capitals, words int
		want                    bool
	}{
		{"The talks were attended by Umerov, Rubio, Witkoff and Kushner.", 4, 4, 10, true},
		{"Delegation: Igor Kostyukov, head of intelligence; Kirill Dmitriev, fund chief; Yuri Ushakov, aide.", 0, 7, 14, true},
		{"Witkoff and Kushner met Putin in Moscow on Tuesday.", 3, 4, 9, false},
		{"Rubio, Witkoff and Umerov agreed in Geneva to rework the plan.", 3, 4, 11, false},
	}
	for _, tt := range tests {
		if got := isRoster(tt.s, tt.actors, tt.capitals, tt.words); got != tt.want {
			t.Errorf("isRoster(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestResidueLeads checks that isResidueLeadWord and maxLeadBytes, which
// let most units be judged without reading residueLeads, agree with it.
func TestResidueLeads(t *testing.T) {
	for _, lead := range residueLeads() {
		first := lead
		if i := strings.IndexFunc(lead, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
			first = lead[:i]
		}
		if !isResidueLeadWord(first) {
			t.Errorf("isResidueLeadWord(%q) = false, the first word of %q", first, lead)
		}
		if len(lead) > maxLeadBytes || lead != strings.ToLower(lead) {
			t.Errorf("lead %q is longer than %d bytes or not in lower case", lead, maxLeadBytes)
		}
	}
}
