package story

import (
	"strings"
	"unicode/utf8"
)

// keyLen is how many consonant classes of a word make its key: enough to
// tell words apart, few enough that case endings (Женеве, Женеві) and
// English suffixes (negotiat-ions, -ors) fall away.
const keyLen = 3

// clusterKey returns the script-independent key of a normalised word, or ""
// for a word that carries no signal: a stop word, a word shorter than
// three letters, a single digit, or a word whose key is shorter than two
// consonant classes. Numbers of two or more digits are their own key.
//
// A key is a phonetic skeleton: Cyrillic is transliterated to Latin, a few
// spellings of one sound are unified (zh, j and soft g; c, k and q; w and
// v; ts and s; ph and f), h and the vowels are dropped, doubled letters
// are folded and the first keyLen classes are kept. Geneva and Женеве
// both give jnv, Kremlin and Кремлі krm, Moscow and Москву msk: reports of
// one event in English, Russian and Ukrainian share the keys of its names,
// places and loanwords.
func clusterKey(w string) string {
	if isDigits(w) {
		if len(w) < 2 {
			return ""
		}
		return w
	}
	if utf8.RuneCountInString(w) < 3 || isStopWord(w) {
		return ""
	}
	k := skeleton(transliterate(w))
	if len(k) < 2 {
		return ""
	}
	return k
}

// isDigits reports whether w is a non-empty run of ASCII digits.
func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// transliterate spells the Cyrillic letters of a normalised word in Latin
// letters, the way English-language news spells Russian and Ukrainian
// names (Женева → zheneva, Київ → kyiv); other letters are kept.
func transliterate(w string) string {
	var b strings.Builder
	b.Grow(len(w) * 2)
	for _, r := range w {
		if t, ok := cyrillicLatin(r); ok {
			b.WriteString(t)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cyrillicLatin returns the Latin spelling of a lower-case Cyrillic letter
// of Russian or Ukrainian, and false for any other rune.
func cyrillicLatin(r rune) (string, bool) {
	const first = 'а'
	// latin spells а…я in alphabet order.
	latin := [...]string{
		"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
		"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
	}
	switch {
	case r >= first && r < first+rune(len(latin)):
		return latin[r-first], true
	case r == 'і':
		return "i", true
	case r == 'ї':
		return "yi", true
	case r == 'є':
		return "ye", true
	case r == 'ґ':
		return "g", true
	case r == 'ў':
		return "u", true
	}
	return "", false
}

// skeleton reduces a Latin word to its first keyLen consonant classes (see
// clusterKey). Letters outside a–z count as consonants of their own.
func skeleton(w string) string {
	out := make([]byte, 0, keyLen*utf8.UTFMax)
	var last rune
	for i := 0; i < len(w) && utf8.RuneCountInString(string(out)) < keyLen; {
		class, size := soundClass(w, i)
		i += size
		if class == 0 || class == last {
			last = class
			continue
		}
		last = class
		out = utf8.AppendRune(out, class)
	}
	return string(out)
}

// soundClass returns the consonant class of the sound starting at w[i]
// and how many bytes it spans; vowels and h have class 0.
func soundClass(w string, i int) (rune, int) {
	rest := w[i:]
	for _, d := range digraphs() {
		if strings.HasPrefix(rest, d.spelling) {
			return d.class, len(d.spelling)
		}
	}
	r, size := utf8.DecodeRuneInString(rest)
	next := byte(0)
	if size < len(rest) {
		next = rest[size]
	}
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'h':
		return 0, size
	case 'g':
		if next == 'e' || next == 'i' || next == 'y' {
			return 'J', size
		}
	case 'j':
		return 'J', size
	case 'c':
		if next == 'e' || next == 'i' || next == 'y' {
			return 's', size
		}
		return 'k', size
	case 'q':
		return 'k', size
	case 'w':
		return 'v', size
	case 'x':
		return 'k', size
	}
	return r, size
}

// digraph is a spelling of several letters that stands for one sound.
type digraph struct {
	spelling string
	class    rune
}

// digraphs lists the multi-letter spellings soundClass knows, longest
// first. Kh is silent like h: English drops the h of Hamas that Russian
// spells Х (kh).
func digraphs() [10]digraph {
	return [...]digraph{
		{"shch", 'C'}, {"dzh", 'J'}, {"sch", 'C'},
		{"zh", 'J'}, {"sh", 'C'}, {"ch", 'C'}, {"kh", 0}, {"ck", 'k'}, {"ph", 'f'}, {"ts", 's'},
	}
}

// isStopWord reports whether the normalised word w is an English, Russian
// or Ukrainian function word or a reporting verb that says nothing about
// which event a report is about.
func isStopWord(w string) bool {
	switch w {
	// English
	case "the", "and", "for", "with", "from", "into", "onto", "over", "under", "about", "after",
		"before", "amid", "against", "between", "during", "without", "within", "this", "that",
		"these", "those", "there", "here", "then", "than", "also", "only", "are", "was", "were",
		"been", "being", "has", "have", "had", "having", "will", "would", "could", "should", "can",
		"may", "might", "must", "shall", "not", "but", "its", "his", "her", "hers", "their", "they",
		"them", "our", "you", "your", "she", "who", "whom", "whose", "which", "what", "when",
		"where", "why", "how", "all", "any", "more", "most", "other", "some", "such", "own", "same",
		"too", "very", "just", "out", "off", "again", "once", "says", "said", "say", "saying",
		"told", "tells", "tell", "according", "new", "now", "yet", "still", "did", "does", "doing",
		"one", "two", "three", "while", "per", "via", "each", "both", "many", "much", "news",
		"report", "reports", "reported", "week", "day", "today", "monday", "tuesday", "wednesday",
		"thursday", "friday", "saturday", "sunday":
		return true
	// Russian
	case "что", "это", "как", "так", "его", "она", "они", "оно", "был", "была", "было", "были",
		"быть", "будет", "будут", "для", "при", "про", "под", "над", "без", "через", "после",
		"перед", "между", "ему", "ней", "них", "нее", "или", "если", "уже", "еще", "также", "тоже",
		"только", "когда", "где", "там", "тут", "этот", "эта", "эти", "этого", "этом", "этой",
		"тот", "того", "том", "чем", "чтобы", "может", "могут", "которые", "который", "которая",
		"которое", "которых", "свой", "своей", "своих", "себя", "все", "всех", "всего", "более",
		"менее", "очень", "заявил", "заявила", "заявили", "сообщил", "сообщила", "сообщили",
		"сказал", "сказала", "словам", "пишет", "пишут", "сообщает", "сообщают", "пока":
		return true
	// Ukrainian
	case "цей", "цього", "цим", "він", "вона", "воно", "вони", "був", "була", "було", "були",
		"бути", "буде", "будуть", "під", "після", "між", "його", "або", "якщо", "вже", "також",
		"теж", "тільки", "лише", "коли", "який", "яка", "яке", "які", "якого", "якій", "свій",
		"своєї", "своїх", "себе", "усі", "всі", "всіх", "може", "можуть", "має", "мають", "щоб",
		"дуже", "заявив", "повідомив", "повідомила", "повідомили", "сказав", "словами", "пише",
		"пишуть", "повідомляє", "наразі", "поки":
		return true
	}
	return false
}
