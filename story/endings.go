package story

import (
	"unicode"
	"unicode/utf8"
)

// The inflectional endings the matcher accepts after a pattern word (see
// Rules.Inflect), folded as by Normalize. They are the case endings of
// nouns, adjectives and names in the languages that write a story's names
// and places with endings: Polish, Czech, Slovak, the South Slavic
// languages, Hungarian, Turkish, Greek, German and the Romance plurals in
// Latin script; Russian, Ukrainian and Bulgarian in Cyrillic.
//
// caseEndings apply to every inflectable word. Those in feminineEndings
// follow a capitalised word's stem only where the word itself ends in -а
// or -я: Зеленский is never Зеленской, but Захарова is Захаровой.
// wordEndings apply only to words written in lower case in the
// configuration (common nouns and adjectives: plurals, adjective
// agreement, articles). None of them is a surname-forming suffix (-ов,
// -ич, -ski) for capitalised words, so Ермак does not match Ермаков nor
// Дмитриев Дмитриевич.
var (
	caseEndings = []string{
		// Latin: single letters (Polish, Czech, Hungarian accusative -t and
		// superessive -n, German genitive -s, Polish instrumental -m).
		"a", "e", "i", "o", "u", "y", "s", "t", "n", "m",
		// Polish, Czech, Slovak, Croatian, Serbian, Slovene.
		"em", "om", "ie", "ou", "ym", "im", "ej", "owi", "ovi", "ego", "emu", "iem",
		"eho", "ova", "ovo", "ovy", "ove", "ovu", "uv", "iego", "iemu",
		// Hungarian case suffixes (after vowel harmony and folding; the
		// accusative -et is among wordEndings, as Trumpet is no name).
		"at", "ot", "en", "on", "ba", "be", "ra", "re", "ig", "nak", "nek",
		"nal", "nel", "val", "vel", "ban", "ben", "bol", "rol", "tol", "hoz",
		"hez", "ert", "kent",
		// German and Spanish.
		"es",
		// Greek (final ς folds to σ).
		"σ", "ου", "α", "η", "ησ", "ασ", "οσ", "ο", "ον", "ι", "ε", "ων",
		// Russian, Ukrainian, Belarusian, Serbian and Bulgarian singular
		// cases.
		"а", "я", "у", "ю", "е", "и", "ы", "і", "о", "ом", "ем", "ым", "им", "ім",
		"ого", "его", "ому", "ему", "ові", "еві", "єві",
	}
	feminineEndings = []string{
		"ой", "ою", "ей", "ею", "ую", "ая", "ої", "ій", "єю",
	}
	wordEndings = []string{
		// Latin plurals and adjective agreement.
		"ach", "ami", "ow", "ych", "ymi", "imi", "ich", "ek", "ok", "ak", "er",
		"ern", "en", "ns", "ai", "et", "eket", "okat", "akat",
		// Turkish case, possessive and plural suffixes.
		"in", "un", "nin", "nun", "ni", "nu", "yi", "yu", "ya", "ye", "na", "ne",
		"ini", "inin", "ina", "ine", "inda", "inde", "unu", "unun", "una", "unda",
		"da", "de", "ta", "te", "dan", "den", "tan", "ten", "nda", "nde", "ndan",
		"nden", "lar", "ler", "lari", "leri", "si", "su", "yla", "yle", "la", "le",
		// Greek plurals.
		"εσ", "ουσ", "ια", "ιο", "ιου", "ιων", "εισ",
		// Russian, Ukrainian and Bulgarian plurals, adjectives and articles.
		"ов", "ев", "ів", "їв", "ах", "ях", "ам", "ям", "ами", "ями", "ых", "их",
		"ими", "ыми", "ые", "ие", "ое", "ее", "ої", "ій", "ею", "ья", "ью", "ьи",
		"ът", "ят", "та", "то", "те", "ия", "ията", "ите", "ата", "ото",
	}
)

// Limits of inflection, in letters: pattern words and the stems left once
// their final vowels are dropped must have at least minStemLetters; at most
// maxTailLetters vowels are dropped and endings have at most
// maxEndingLetters.
const (
	minStemLetters   = 4
	maxTailLetters   = 2
	maxEndingLetters = 4
)

// maxRestBytes bounds the bytes after a stem in a matching word: the
// dropped vowels and an ending, two bytes a letter at most in the scripts
// that inflect.
const maxRestBytes = 2 * (maxTailLetters + maxEndingLetters)

// Ending classes, as bits.
const (
	endCase uint8 = 1 << iota
	endFeminine
	endWord
	// endVowel marks an ending that starts with a vowel.
	endVowel
)

// endingTable holds the accepted endings with their classes.
type endingTable struct {
	wordTable
	class []uint8
}

// newEndingTable builds the table of all endings.
func newEndingTable() endingTable {
	var et endingTable
	add := func(list []string, class uint8) {
		for _, e := range list {
			id := et.lookup([]byte(e))
			if id < 0 {
				id = et.add(e)
				et.class = append(et.class, 0)
				if r, _ := utf8.DecodeRuneInString(e); isVowelLike(r) {
					et.class[id] |= endVowel
				}
			}
			et.class[id] |= class
		}
	}
	add(caseEndings, endCase)
	add(feminineEndings, endFeminine)
	add(wordEndings, endWord)
	return et
}

// classOf returns the classes of ending e, or 0 when it is none.
func (et *endingTable) classOf(e []byte) uint8 {
	if len(e) == 0 || len(e) > 2*maxEndingLetters {
		return 0
	}
	id := et.lookup(e)
	if id < 0 {
		return 0
	}
	return et.class[id]
}

// isVowelLike reports whether r is a folded vowel, or a Cyrillic letter
// that ends a word the way one does (й, ь, ъ), or j: the letters dropped
// from a word's end before an ending.
func isVowelLike(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'j',
		'а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я', 'і', 'ї', 'є', 'й', 'ь', 'ъ',
		'α', 'ε', 'η', 'ι', 'ο', 'υ', 'ω':
		return true
	}
	return false
}

// isVowel reports whether r is a folded vowel letter.
func isVowel(r rune) bool {
	return r != 'j' && r != 'й' && r != 'ь' && r != 'ъ' && isVowelLike(r)
}

// isLatinWord reports whether the folded word w starts with a Latin letter
// or a digit.
func isLatinWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r < utf8.RuneSelf || unicode.Is(unicode.Latin, r)
}

// hasDigit reports whether w holds a digit.
func hasDigit(w string) bool {
	for _, r := range w {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
