package config

import (
	"fmt"
	"strings"
	"unicode"

	"storyline/story"
)

// Terms that would match in nearly every text make every item relevant:
// an alias "the" names an actor in every English item. A phrase, weak
// phrase, context term or alias is refused when none of its words means
// anything on its own. A word means nothing on its own when it is:
//
//   - one of the common function words (articles, prepositions,
//     conjunctions, pronouns, auxiliaries) or reporting words ("said") of
//     the languages in commonWords, compared as the matcher compares
//     words (case and diacritics folded);
//   - a single letter;
//   - a two-letter word in Latin letters written in lower case ("de",
//     "xq"): such words are function words in too many languages written
//     in Latin letters to list.
//
// A word of two or more letters written in capitals is an acronym (UN,
// EU, US, NATO) and always means something, even when it spells a common
// word: the matcher takes a capitalised word to match capitalised words
// only. A capitalised two-letter word that is no common word ("Xi") is a
// name. Two-letter words in other scripts with case (Cyrillic, Greek,
// Armenian) are judged by the lists, which cover their languages' short
// function words, so that an abbreviation written in lower case to match
// any case ("рф") passes. Words in scripts without case (Chinese,
// Japanese, Arabic, Hebrew, …) are judged by the lists alone: one or two
// characters can be a whole name there (王毅). Numbers are not judged.
//
// A stem matches every word it starts, so a stem needs minStemLetters
// letters (in a script with case) and must not be a common word.

// minStemLetters is the fewest letters a stem in a script with case may
// have.
const minStemLetters = 4

// commonWords lists, per language, words found in most texts of that
// language. The matcher folds case and diacritics, so they are written
// folded or not, as is natural.
func commonWords() []struct{ lang, words string } {
	return []struct{ lang, words string }{
		{"English", "a an the and or but nor if then than that this these those there here of in on at to from by for with " +
			"without about into onto over under after before between among against during through up down out off as " +
			"is are was were be been being am do does did done have has had will would shall should can could may might " +
			"must not no yes so too very just also only even more most much many some any all both each every other such " +
			"it its he him his she her hers they them their we us our you your i me my who whom whose which what when " +
			"where why how said says say told new news one two year years today"},
		{"Russian", "и в во не на я с со что а как по но он она оно они к у же вы за бы от из о об для до при так его ее её " +
			"их мы ты это этот эта эти то все всё уже или ли если только был была были было быть есть нет да там тут где " +
			"когда чем также после более году года сказал заявил"},
		{"Ukrainian", "і й та в у на з із зі до від за про що як але це цей ця ці його її їх він вона воно вони ми ви ти я " +
			"не ні так також чи або якщо вже був була були було бути є для при після під над році року заявив"},
		{"German", "der die das den dem des ein eine einen einem einer eines und oder aber nicht ist sind war waren wird " +
			"werden hat haben mit von zu zum zur im in an am auf aus bei nach für über unter vor als auch es er sie wir " +
			"ihr ich du sich dass wie so noch nur"},
		{"French", "le la les l un une des du de d et ou mais ne pas est sont était a ont avec pour par sur dans en au aux " +
			"ce cet cette ces il elle ils elles nous vous je on qui que dont où se sa son ses leur leurs plus comme"},
		{"Spanish", "el la los las un una unos unas y o pero no es son fue era ha han con por para en de del al a que se su " +
			"sus lo le les como más este esta estos estas ese esa"},
		{"Italian", "il lo la i gli le un uno una e o ma non è sono era ha hanno con per in di del della dei delle da dal al " +
			"alla che si suo sua come più questo questa"},
		{"Portuguese", "o a os as um uma e ou mas não é são foi com por para em de do da dos das no na nos nas ao que se " +
			"seu sua como mais este esta"},
		{"Dutch", "de het een en of maar niet is zijn was met van voor op in aan te bij als dat die dit er"},
		{"Polish", "i w we z ze na do od za o po nie to że jest są był była było się jak ale lub czy ten ta te jego jej " +
			"ich przez dla"},
		{"Czech and Slovak", "a i v ve z ze na do od za o po ne to že je jsou byl byla bylo se jak ale nebo pro při tak"},
		{"Croatian and Serbian", "i u na je su da se za od do s sa o ali ili kao što koji " +
			"и у на је су да се за од до са о али или као што који"},
		{"Bulgarian", "и в във на с със за от до по не е са се да че как но той тя те това като"},
		{"Hungarian", "a az és egy hogy nem is van volt meg de mint"},
		{"Turkish", "ve bir bu da de ile için gibi çok daha olarak"},
		{"Greek", "ο η το οι τα του της των τον την και να σε με για από που δεν είναι θα στο στη στην στον"},
		{"Armenian", "և ու է են որ այս այդ մեջ համար հետ էր"},
		{"Chinese", "的 了 是 在 和 也 有 不 这 那 我 你 他 她 它 们 与 及"},
		{"Japanese", "の は が を に と で も へ や"},
		{"Arabic", "في من على إلى عن أن و هذا هذه التي الذي"},
		{"Hebrew", "של את על עם זה זו אל כי לא גם"},
	}
}

// commonWordSet maps each common word, as the matcher normalises it, to
// the language that lists it first.
func commonWordSet() map[string]string {
	set := make(map[string]string)
	for _, l := range commonWords() {
		for w := range strings.FieldsSeq(l.words) {
			if _, ok := set[story.Normalize(w)]; !ok {
				set[story.Normalize(w)] = l.lang
			}
		}
	}
	return set
}

// terms refuses the phrases, context terms, aliases and stems that would
// match in nearly every text.
func (v *validator) terms(cfg *Config) {
	common := commonWordSet()
	lists := []struct {
		key  string
		list []string
	}{
		{"story.phrases", cfg.Story.Phrases},
		{"story.weak_phrases", cfg.Story.WeakPhrases},
		{"story.generic_phrases", cfg.Story.GenericPhrases},
		{"story.context", cfg.Story.Context},
	}
	for i, a := range cfg.Actors {
		lists = append(lists, struct {
			key  string
			list []string
		}{fmt.Sprintf("actors[%d].aliases", i), a.Aliases})
	}
	for _, l := range lists {
		for j, term := range l.list {
			if why := emptyTerm(term, common); why != "" {
				v.add(fmt.Sprintf("%s[%d]", l.key, j), "%s, so it would match in nearly every item; "+
					"use a longer phrase or name (write an acronym in capitals: UN, EU)", why)
			}
		}
	}
	for i, a := range cfg.Actors {
		for j, stem := range a.Stems {
			if why := shortStem(stem, common); why != "" {
				v.add(fmt.Sprintf("actors[%d].stems[%d]", i, j), "%q %s, and a stem matches every word it starts; "+
					"use a longer stem or list the forms as aliases", stem, why)
			}
		}
	}
}

// emptyTerm says why no word of term means anything on its own, or ""
// when one does (or term is blank, which other rules report).
func emptyTerm(term string, common map[string]string) string {
	words := termWords(term)
	var why string
	for _, w := range words {
		reason := emptyWord(w, common)
		if reason == "" {
			return ""
		}
		if why == "" {
			why = reason
		}
	}
	if len(words) > 1 && why != "" {
		return fmt.Sprintf("%q has no word that means something on its own (%s)", term, why)
	}
	return why
}

// emptyWord says why a word means nothing on its own (see the rules
// above), or "".
func emptyWord(word string, common map[string]string) string {
	c := countLetters(word)
	switch {
	case c.letters == 0:
		return ""
	case c.cased > 0 && c.letters+c.digits >= 2 && c.upper == c.cased:
		return "" // an acronym: UN, G7
	case c.cased > 0 && c.letters == 1 && c.digits == 0:
		return fmt.Sprintf("%q is a single letter", word)
	}
	if lang, ok := common[story.Normalize(word)]; ok {
		return fmt.Sprintf("%q is a common word in %s", word, lang)
	}
	if c.latin == 2 && c.letters == 2 && c.digits == 0 && c.lower == 2 {
		return fmt.Sprintf("%q is a two-letter word in lower case", word)
	}
	return ""
}

// shortStem says why a stem would match too many words, or "".
func shortStem(stem string, common map[string]string) string {
	stem = strings.TrimSpace(stem)
	if stem == "" {
		return ""
	}
	if lang, ok := common[story.Normalize(stem)]; ok {
		return fmt.Sprintf("is a common word in %s", lang)
	}
	if c := countLetters(stem); c.cased > 0 && c.letters < minStemLetters {
		return fmt.Sprintf("has fewer than %d letters", minStemLetters)
	}
	return ""
}

// termWords splits a term into its words: runs of letters, digits and
// combining marks.
func termWords(term string) []string {
	return strings.FieldsFunc(term, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
}

// letterCount counts the letters and digits of a word, the letters in a
// script with case, among them the upper- and lower-case ones, and the
// Latin letters.
type letterCount struct {
	letters, digits, cased, upper, lower, latin int
}

// countLetters counts the letters and digits of word.
func countLetters(word string) letterCount {
	var c letterCount
	for _, r := range word {
		if unicode.Is(unicode.Latin, r) {
			c.latin++
		}
		switch {
		case unicode.IsDigit(r):
			c.digits++
		case !unicode.IsLetter(r):
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			c.letters++
			c.cased++
			c.upper++
		case unicode.IsLower(r):
			c.letters++
			c.cased++
			c.lower++
		default:
			c.letters++
		}
	}
	return c
}
