package story

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// opener says how a word that starts a sentence relates it to the text
// before it.
type opener uint8

// The kinds of opener.
const (
	// openerNone is any other word.
	openerNone opener = iota
	// openerStart is a function word (a preposition, a conjunction) that
	// is written with a capital only at the start of a sentence.
	openerStart
	// openerArticle is a definite article: with a common noun after it
	// ("The agenda", "La rencontre") the sentence speaks of something
	// already introduced.
	openerArticle
	// openerNounArticle is a definite article of a language that writes
	// its nouns with a capital (German).
	openerNounArticle
	// openerRefers is a pronoun, a demonstrative, an anaphoric adjective
	// or a connective: the sentence points back at the one before it
	// ("He said", "This document", "Соответствующее заявление",
	// "However").
	openerRefers
)

// maxOpenerBytes is the longest opener word, in bytes.
const maxOpenerBytes = 32

// openerOf classifies a word, given in lower case. One switch holds every
// language's words, so that a name (most capitalised words) is found in
// none with one search.
func openerOf(w string) opener {
	switch w {
	// Definite articles: English, French, Spanish, Italian.
	case "the", "le", "la", "les", "l", "el", "los", "las", "il", "lo", "gli":
		return openerArticle
	// German.
	case "der", "die", "das", "den", "dem", "des":
		return openerNounArticle

	// Pronouns, demonstratives, anaphoric adjectives and connectives.
	// English
	case "he", "she", "it", "they", "we", "his", "her", "its", "their", "this", "these", "those",
		"that", "such", "however", "but", "also", "moreover", "furthermore", "nevertheless",
		"nonetheless", "instead", "thus", "therefore", "corresponding", "aforementioned",
		// Russian
		"он", "она", "оно", "они", "его", "её", "ее", "их", "этот", "эта", "это", "эти", "этого",
		"этой", "этим", "этих", "этом", "такой", "такая", "такое", "такие", "данный", "данная",
		"данное", "данные", "указанный", "указанная", "указанное", "указанные", "упомянутый",
		"соответствующий", "соответствующая", "соответствующее", "соответствующие", "однако",
		"но", "также", "кроме", "тогда", "там",
		// Ukrainian
		"він", "вона", "воно", "вони", "її", "їх", "цей", "ця", "це", "ці", "цього", "цієї",
		"цим", "цих", "цьому", "такий", "така", "таке", "такі", "зазначений", "зазначена",
		"зазначене", "зазначені", "вказаний", "згаданий", "відповідний", "відповідна",
		"відповідне", "відповідні", "однак", "проте", "але", "також", "крім", "тоді",
		// German
		"er", "sie", "es", "dies", "diese", "dieser", "dieses", "diesen", "diesem", "solche",
		"jedoch", "aber", "auch", "zudem", "außerdem", "dort", "damals", "ihre", "seine",
		"entsprechende",
		// French
		"elle", "ils", "elles", "ce", "cet", "cette", "ces", "cela", "ceci", "celui",
		"celle", "ceux", "son", "sa", "ses", "leur", "leurs", "cependant", "mais", "toutefois",
		"aussi", "là", "ledit", "ladite",
		// Polish (on, to, ten, ta, te, ci and one read as Polish only in
		// Polish text: see polishOnly)
		"on", "ona", "ono", "oni", "one", "jego", "jej", "ten", "ta", "to", "te", "ci",
		"tego", "tej", "tym", "tych", "taki", "taka", "takie", "wtedy", "jednak", "ale",
		"również", "także", "ponadto", "wspomniany", "odpowiedni", "odpowiednie",
		// Spanish, Italian
		"él", "ella", "ellos", "ellas", "este", "esta", "estos", "estas", "ese", "esa", "dicho",
		"dicha", "pero", "además", "lui", "lei", "essi", "questo", "questa", "questi", "queste",
		"tale", "tuttavia", "ma", "inoltre":
		return openerRefers

	// Prepositions and conjunctions that open sentences.
	// English, German, French, Spanish, Italian
	case "in", "at", "after", "before", "during", "according", "while", "when", "meanwhile",
		"earlier", "later", "there", "what", "an", "as", "if", "since", "although",
		"im", "am", "auf", "nach", "bei", "mit", "für", "vor", "während", "laut", "wie",
		"en", "dans", "selon", "après", "avant", "pendant", "lors", "au", "aux", "à", "pour",
		"según", "tras", "durante", "secondo", "dopo", "per",
		// Russian, Ukrainian
		"в", "во", "на", "по", "с", "со", "у", "к", "из", "за", "от", "до", "для", "после", "перед",
		"при", "как", "что", "когда", "где", "з", "зі", "із", "від", "після", "під", "як", "що", "коли",
		// Polish
		"w", "z", "ze", "od", "do", "dla", "po", "podczas", "według", "przed", "jak", "gdy":
		return openerStart
	}
	return openerNone
}

// polishOnly reports whether w, which openerOf reads as a Polish pronoun
// or demonstrative, is also a common English word that opens sentences
// ("On Friday", "To end the war", "Ten drones", "One official"): it refers
// back only in Polish text.
func polishOnly(w string) bool {
	switch w {
	case "on", "to", "ten", "ta", "te", "ci", "one":
		return true
	}
	return false
}

// hasPolishLetter reports whether s has a letter only Polish, of the
// languages read here, writes (ą ę ł ń ś ź ż ć).
func hasPolishLetter(s string) bool {
	return strings.ContainsAny(s, "ąęłńśźżćĄĘŁŃŚŹŻĆ")
}

// rawWord is a word of a text as written: bytes start to end, and
// whether it starts with a capital letter and has no lower-case one.
type rawWord struct {
	start, end     int
	capital, upper bool
}

// wordAfter returns the first word of s at or after byte i: a run of
// letters, digits and the marks inside them (a dot inside an acronym,
// U.S, INTERFAX.RU, included). ok is false when there is none.
func wordAfter(s string, i int) (w rawWord, ok bool) {
	for i < len(s) {
		r, size := decodeRune(s, i)
		if word, _, _ := classify(r); word {
			break
		}
		i += size
	}
	if i >= len(s) {
		return rawWord{}, false
	}
	w = rawWord{start: i, upper: true}
	letters := 0
	for i < len(s) {
		r, size := decodeRune(s, i)
		word, upper, lower := classify(r)
		if !word {
			if r != '.' || letters == 0 || i+size >= len(s) || !isUpperAt(s, i+size) {
				break
			}
		}
		if upper || lower {
			if letters == 0 {
				w.capital = upper
			}
			letters++
			w.upper = w.upper && !lower
		}
		i += size
	}
	w.end = i
	w.upper = w.upper && letters >= 2
	return w, true
}

// decodeRune returns the rune at byte i of s and its size, quickly for
// ASCII.
func decodeRune(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	// Two-byte sequences (Cyrillic, Latin with diacritics) inline.
	if c >= 0xc2 && c < 0xe0 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
		return rune(c&0x1f)<<6 | rune(s[i+1]&0x3f), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

// toLower lower-cases r, quickly for ASCII and basic Cyrillic.
func toLower(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r < utf8.RuneSelf:
		return r
	case r >= 0x410 && r < 0x430:
		return r + 0x20
	case r >= 0x400 && r < 0x410:
		return r + 0x50
	case r >= 0x430 && r < 0x460:
		return r
	}
	return unicode.ToLower(r)
}

// classify reports whether r belongs to a word and whether it is an
// upper- or lower-case letter; ASCII and Cyrillic, common in the texts,
// are answered without the Unicode tables.
func classify(r rune) (word, upper, lower bool) {
	switch {
	case r < utf8.RuneSelf:
		return asciiWord[r] != 0, r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z'
	case r >= 0x400 && r < 0x410:
		return true, true, false
	case r >= 0x410 && r < 0x430:
		return true, true, false
	case r >= 0x430 && r < 0x460:
		return true, false, true
	case r >= 0x460 && r < 0x482, r >= 0x48A && r < 0x530:
		return true, r%2 == 0, r%2 == 1
	}
	upper, lower = unicode.IsUpper(r), unicode.IsLower(r)
	return upper || lower || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r), upper, lower
}

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool {
	word, _, _ := classify(r)
	return word
}

// isUpperRune reports whether r is an upper-case letter.
func isUpperRune(r rune) bool {
	_, upper, _ := classify(r)
	return upper
}

// isUpperAt reports whether the rune at byte i of s is an upper-case
// letter.
func isUpperAt(s string, i int) bool {
	_, upper, _ := classify(firstRune(s[i:]))
	return upper
}

// lowerWord returns word w of s in lower case in buf, or nil when it is
// longer than buf.
func lowerWord(buf *[maxOpenerBytes]byte, s string, w rawWord) []byte {
	if w.end-w.start > maxOpenerBytes {
		return nil
	}
	b := buf[:0]
	if ascii := s[w.start:w.end]; isASCII(ascii) {
		for i := 0; i < len(ascii); i++ {
			b = append(b, lowerASCII(ascii[i]))
		}
		return b
	}
	for i := w.start; i < w.end; {
		r, size := decodeRune(s, i)
		i += size
		lr := toLower(r)
		if len(b)+utf8.RuneLen(lr) > maxOpenerBytes {
			return nil
		}
		b = utf8.AppendRune(b, lr)
	}
	return b
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// openerAt classifies word w of s.
func openerAt(s string, w rawWord) opener {
	var buf [maxOpenerBytes]byte
	b := lowerWord(&buf, s, w)
	if b == nil {
		return openerNone
	}
	return openerOf(string(b))
}

// splitGlued appends to out the ranges of the units that s[start:end], one
// sentence as splitSentences found it, is made of: feeds turn paragraphs,
// headings, list items and captions into one line, so a heading runs into
// the sentence after it ("…Steven Witkoff The agenda included…"). A new
// unit starts at a list bullet, and at a word that is written with a
// capital only when it opens a sentence (an article, pronoun or
// preposition) when only a space separates it from the word before and
// the word after it is in lower case (German articles also before a
// capital).
func splitGlued(out [][2]int, s string, start, end int) [][2]int {
	if strings.IndexByte(s[start:end], 0xe2) < 0 {
		return splitGluedAt(out, s, start, end)
	}
	from := start
	for i, r := range s[start:end] {
		if isBullet(r) && start+i > from {
			out = splitGluedAt(out, s, from, start+i)
			from = start + i
		}
	}
	return splitGluedAt(out, s, from, end)
}

// splitGluedAt is splitGlued without the bullets.
func splitGluedAt(out [][2]int, s string, start, end int) [][2]int {
	from := start
	for i := start + 1; i < end; i++ {
		if s[i-1] != ' ' {
			continue
		}
		if c := s[i]; (c < 'A' || c > 'Z') && c < utf8.RuneSelf || i-1 == from {
			continue
		}
		if endsInWordRune(s[from:i-1]) && gluedAt(s[:end], i) {
			out = appendTrimmed(out, s, from, i-1)
			from = i
		}
	}
	return appendTrimmed(out, s, from, end)
}

// gluedAt reports whether the word at s[i], after a plain space, starts
// a new unit: it is written with a capital (not all in capitals), it is
// a word that takes a capital only at a sentence's start (openerOf), and
// spaces and a word in lower case follow it (any word after a German
// article). The word is read once: most capitalised words are names, and
// are settled by their first letter or by what follows them.
func gluedAt(s string, i int) bool {
	j, runes, upper := i, 0, true
	for j < len(s) {
		r, size := decodeRune(s, j)
		word, up, low := classify(r)
		if !word {
			break
		}
		if runes == 0 && !up {
			return false
		}
		upper = upper && !low
		j += size
		runes++
	}
	if runes == 0 || runes > 1 && upper || j >= len(s) || s[j] != ' ' {
		return false
	}
	k := j
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k == len(s) {
		return false
	}
	next, _ := decodeRune(s, k)
	_, _, nextLower := classify(next)
	if !nextLower && runes != 3 {
		// Only a German article (three letters) may come before a capital.
		return false
	}
	var buf [maxOpenerBytes]byte
	b := lowerWord(&buf, s, rawWord{start: i, end: j})
	if b == nil {
		return false
	}
	switch openerOf(string(b)) {
	case openerNone:
		return false
	case openerNounArticle:
		return true
	}
	return nextLower
}

// firstRune returns the first rune of s.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// onlySpace reports whether s is made of white space only, at least one.
func onlySpace(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// opensReferring reports whether the unit s opens by pointing back at the
// unit before it, prev: with a pronoun, demonstrative or connective; with
// a definite article before a common noun; or with a German article
// before a noun that prev names or after a heading (prevFragment).
func opensReferring(s, prev string, prevFragment bool) bool {
	w, ok := wordAfter(s, 0)
	if !ok || !onlySpaceOrQuote(s[:w.start]) {
		return false
	}
	switch openerAt(s, w) {
	case openerRefers:
		var buf [maxOpenerBytes]byte
		return !polishOnly(string(lowerWord(&buf, s, w))) || hasPolishLetter(s)
	case openerArticle:
		next, ok := wordAfter(s, w.end)
		return ok && !next.capital && unicode.IsLetter(firstRune(s[next.start:]))
	case openerNounArticle:
		next, ok := wordAfter(s, w.end)
		return ok && (prevFragment || containsStem(prev, s[next.start:next.end]))
	}
	return false
}

// onlySpaceOrQuote reports whether s holds nothing but white space and
// opening quotes.
func onlySpaceOrQuote(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Pi, r) && !unicode.Is(unicode.Ps, r) && r != '"' && r != '\'' {
			return false
		}
	}
	return true
}

// stemRunes is how much of a noun must recur for a later sentence to be
// taken as speaking of it again.
const stemRunes = 5

// containsStem reports whether text has word's first stemRunes letters
// (all of it, if shorter), ignoring case.
func containsStem(text, word string) bool {
	stem := word
	n := 0
	for i := range word {
		if n == stemRunes {
			stem = word[:i]
			break
		}
		n++
	}
	for i := 0; i+len(stem) <= len(text); i++ {
		if utf8.RuneStart(text[i]) && strings.EqualFold(text[i:i+len(stem)], stem) {
			return true
		}
	}
	return false
}

// endsInWordRune reports whether s ends with a letter or digit.
func endsInWordRune(s string) bool {
	n := len(s)
	switch {
	case n == 0:
		return false
	case s[n-1] < utf8.RuneSelf:
		return asciiWord[s[n-1]] != 0
	case n >= 2 && s[n-2] >= 0xc2 && s[n-2] < 0xe0:
		r, _ := decodeRune(s, n-2)
		return isWordRune(r)
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return isWordRune(r)
}

// isBullet reports whether r marks an item of a list.
func isBullet(r rune) bool {
	switch r {
	case '•', '▪', '►', '◾', '●', '■':
		return true
	}
	return false
}
