package story

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Page residue is the text of a page that is not the report: datelines
// ("KYIV, Nov 20 (Reuters) -", "МОСКВА, 21 ноября. /ТАСС/."), bylines,
// photo credits ("Photo: Jane Doe/Getty Images", "(AP Photo/…)"),
// pointers to other articles ("Read also: …"), list headers and kickers.
// Feeds carry it in their texts; a summary must not.

// datelineWindow is how far into a text a dateline is looked for: past a
// heading, a standfirst, a caption and its credit.
const datelineWindow = 400

// maxDatelineWords is the most words a dateline has before its agency or
// dash.
const maxDatelineWords = 7

// findDateline returns the byte range of the dateline that starts the
// report in text, and false when there is none within datelineWindow
// bytes. A dateline ends with an agency in brackets before a dash
// ("(Reuters) -", "(dpa) –"), an agency between slashes ("/ТАСС/."), or
// a dash after a place in capitals ("KYIV —") or after a place and a date
// at the start of the text ("Київ, 20 листопада —"); a short agency name
// after the dash ("— РИА Новости.") goes with it. What precedes a dateline
// (a heading, standfirst, caption or byline) is not the report either.
func findDateline(text string) (start, end int, ok bool) {
	limit := min(len(text), datelineWindow)
	if !hasDatelineMark(text[:limit]) {
		return 0, 0, false
	}
	for i := 0; i < limit; i++ {
		var closed int
		switch text[i] {
		case '(':
			closed = bracketAgency(text, i)
		case '/':
			closed = slashAgency(text, i)
		case ' ', 0xe2: // a space before a hyphen, or the first byte of – and —
			if s, e, ok := dashDateline(text, i); ok {
				return s, e, true
			}
			continue
		default:
			continue
		}
		if closed > 0 {
			return placeBefore(text, i), closed, true
		}
	}
	return 0, 0, false
}

// hasDatelineMark reports whether s has a bracket, slash or dash, one of
// which every dateline has.
func hasDatelineMark(s string) bool {
	return strings.IndexByte(s, '(') >= 0 || strings.IndexByte(s, '/') >= 0 || strings.IndexByte(s, '-') >= 0 ||
		strings.Contains(s, "–") || strings.Contains(s, "—")
}

// bracketAgency returns where the dateline ends when text[i] opens a
// bracketed agency name followed by a dash ("(Reuters) - "), or 0.
func bracketAgency(text string, i int) int {
	end := strings.IndexByte(text[i:min(len(text), i+40)], ')')
	if end < 0 || !isAgencyName(text[i+1:i+end]) {
		return 0
	}
	after, ok := dashAfter(text, i+end+1)
	if !ok {
		return 0
	}
	return dashAgencyEnd(text, after)
}

// slashAgency returns where the dateline ends when text[i] opens an
// agency name between slashes followed by a full stop or a dash
// ("/ТАСС/. ", "/TASS/ - "), or 0.
func slashAgency(text string, i int) int {
	end := strings.IndexByte(text[i+1:min(len(text), i+32)], '/')
	if end < 0 || !isAgencyName(text[i+1:i+1+end]) {
		return 0
	}
	after := i + 2 + end
	if strings.HasPrefix(text[after:], ".") {
		return skipSpace(text, after+1)
	}
	if e, ok := dashAfter(text, after); ok {
		return dashAgencyEnd(text, e)
	}
	return 0
}

// dashDateline reports a dateline closed by the dash at or just after
// text[i]: a place in capitals anywhere the report may start (the start
// of text, after a sentence, a bracket or a byline), or a place and a date
// at the very start.
func dashDateline(text string, i int) (start, end int, ok bool) {
	after, ok := dashAfter(text, i)
	if !ok {
		return 0, 0, false
	}
	start = placeBefore(text, i)
	if start == i {
		return 0, 0, false
	}
	prefix := text[start:i]
	if caps, ok := firstUpperWord(prefix); ok {
		start += caps
		prefix = text[start:i]
	}
	first, _ := wordAfter(prefix, 0)
	next, ok := wordAfter(text, after)
	if !ok || !next.capital && !unicode.IsDigit(firstRune(text[next.start:])) && !isQuote(firstRune(text[after:])) {
		return 0, 0, false
	}
	switch {
	case first.upper && first.end-first.start >= 3 && reportMayStart(text, start):
	case start == skipSpace(text, 0) && strings.Contains(prefix, ",") && strings.ContainsFunc(prefix, unicode.IsDigit):
	default:
		return 0, 0, false
	}
	return start, dashAgencyEnd(text, after), true
}

// firstUpperWord returns the offset of the first word of s written in
// capitals, of three letters or more.
func firstUpperWord(s string) (int, bool) {
	for i := 0; ; {
		w, ok := wordAfter(s, i)
		if !ok {
			return 0, false
		}
		if w.upper && w.end-w.start >= 3 {
			return w.start, true
		}
		i = w.end
	}
}

// reportMayStart reports whether a report may start at offset at of
// text: at its start, after a sentence's end or a closing bracket, or
// after a byline at the start of text.
func reportMayStart(text string, at int) bool {
	before := strings.TrimRightFunc(text[:at], unicode.IsSpace)
	if before == "" {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(before)
	if strings.ContainsRune(".!?)]»\"”", last) {
		return true
	}
	return bylineEnd(text) > 0 && at <= bylineEnd(text)+1
}

// isQuote reports whether r opens a quotation.
func isQuote(r rune) bool {
	return r == '"' || r == '«' || r == '“' || r == '„' || r == '\''
}

// dashAfter reports whether text has, from byte i, optional spaces, a
// dash and a space (or a dash of – or — alone), and returns the offset
// after them.
func dashAfter(text string, i int) (int, bool) {
	j := skipSpace(text, i)
	r, size := utf8.DecodeRuneInString(text[j:])
	switch {
	case r == '–' || r == '—':
	case r == '-' && j > i:
	default:
		return 0, false
	}
	k := j + size
	if k < len(text) && !unicode.IsSpace(firstRune(text[k:])) && r == '-' {
		return 0, false
	}
	return skipSpace(text, k), true
}

// skipSpace returns the offset of the first rune at or after i that is
// not white space.
func skipSpace(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// isAgencyName reports whether s, found between brackets or slashes,
// reads as a news agency's name: one to three words and no digit, none
// of them starting in lower case but the first (dpa).
func isAgencyName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 30 || strings.ContainsAny(s, "/()0123456789,;:") {
		return false
	}
	words := 0
	for i := 0; ; {
		w, ok := wordAfter(s, i)
		if !ok {
			break
		}
		if words > 0 && !w.capital {
			return false
		}
		words++
		i = w.end
	}
	return words >= 1 && words <= 3
}

// placeBefore returns where the place and date before offset i of text
// start: the run of words before it that are capitalised, numbers, or
// words next to a number (a month), separated by spaces, commas and full
// stops, at most maxDatelineWords of them. It returns i when there is
// none.
func placeBefore(text string, i int) int {
	start := i
	words := 0
	afterNumber := false
	for at := i; words < maxDatelineWords; {
		gapStart := at
		for gapStart > 0 {
			r, size := utf8.DecodeLastRuneInString(text[:gapStart])
			if isWordRune(r) {
				break
			}
			if !unicode.IsSpace(r) && r != ',' && r != '.' {
				return start
			}
			gapStart -= size
		}
		if gapStart == 0 {
			return start
		}
		wStart := gapStart
		for wStart > 0 {
			r, size := utf8.DecodeLastRuneInString(text[:wStart])
			if !isWordRune(r) && r != '-' {
				break
			}
			wStart -= size
		}
		w, _ := wordAfter(text[:gapStart], wStart)
		number := unicode.IsDigit(firstRune(text[wStart:]))
		nextNumber := afterNumber
		if !w.capital && !number && !nextNumber && !(wStart > 0 && precededByNumber(text, wStart)) {
			return start
		}
		start, at, words, afterNumber = wStart, wStart, words+1, number
	}
	return start
}

// precededByNumber reports whether the word at offset i of text follows
// a number ("21 ноября").
func precededByNumber(text string, i int) bool {
	before := strings.TrimRightFunc(text[:i], unicode.IsSpace)
	if before == "" {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(before)
	return unicode.IsDigit(r)
}

// dashAgencyEnd returns where a short agency name after a dateline's
// dash ends (one to three capitalised words closed by a full stop: "—
// РИА Новости."), or i when there is none.
func dashAgencyEnd(text string, i int) int {
	at := i
	for n := 0; n < 3; n++ {
		w, ok := wordAfter(text, at)
		if !ok || !w.capital || !onlySpaceOrEmpty(text[at:w.start]) {
			return i
		}
		if strings.HasPrefix(text[w.end:], ".") {
			return skipSpace(text, w.end+1)
		}
		at = w.end
	}
	return i
}

// onlySpaceOrEmpty reports whether s holds nothing but white space.
func onlySpaceOrEmpty(s string) bool {
	return strings.TrimSpace(s) == ""
}

// bylineEnd returns where a byline at the start of text ends ("By Jane
// Doe and John Roe", "Von Anna Schmidt,"), or 0 when text opens with
// none: an opener with a capital, then one to three names of two
// capitalised words each, joined by "and", commas and the like, then
// the end of the text, punctuation, a word in capitals (a dateline) or a
// word that opens a sentence.
func bylineEnd(text string) int {
	w, ok := wordAfter(text, 0)
	if !ok || !w.capital || !onlySpaceOrEmpty(text[:w.start]) || !isBylineWord(text[w.start:w.end]) {
		return 0
	}
	at, names, lastEnd := w.end, 0, 0
	for names < 3 {
		a, ok1 := wordAfter(text, at)
		if !ok1 || !a.capital || a.upper || !onlySpaceOrEmpty(text[at:a.start]) {
			break
		}
		b, ok2 := wordAfter(text, a.end)
		if !ok2 || !b.capital || b.upper || !onlySpaceOrEmpty(text[a.end:b.start]) {
			break
		}
		names++
		at, lastEnd = b.end, b.end
		j, ok := wordAfter(text, at)
		gap := text[at:min(len(text), max(at, j.start))]
		if ok && (strings.TrimSpace(gap) == "," || onlySpace(gap) && joinsNames(text[j.start:j.end])) {
			if ok && onlySpace(gap) {
				at = j.end
			} else {
				at += len(gap) - len(strings.TrimLeft(gap, " ,"))
			}
			continue
		}
		break
	}
	if names == 0 {
		return 0
	}
	if r := firstRune(text[lastEnd:]); lastEnd < len(text) && !unicode.IsSpace(r) && !strings.ContainsRune(",.;:|–—-", r) {
		// Trump's: the last name goes on.
		return 0
	}
	rest := skipSpace(text, at)
	if rest == len(text) {
		return rest
	}
	if !isWordRune(firstRune(text[rest:])) {
		return pastSeparators(text, rest)
	}
	next, _ := wordAfter(text, rest)
	if next.upper || next.capital && openerAt(text, next) != openerNone {
		return rest
	}
	if end := agencyEnd(text, rest); end > rest && strings.HasSuffix(strings.TrimSpace(text[:rest]), ",") {
		return end
	}
	return 0
}

// agencyEnd returns where the outlet named after a byline's comma ends
// ("By Jane Roe, Reuters."): one or two capitalised words closed by
// punctuation. It returns at when there is no such name.
func agencyEnd(text string, at int) int {
	i := at
	for n := 0; n < 2; n++ {
		w, ok := wordAfter(text, i)
		if !ok || !w.capital || !onlySpaceOrEmpty(text[i:w.start]) {
			return at
		}
		i = w.end
		if i == len(text) || strings.ContainsRune(".,;|", firstRune(text[i:])) {
			return pastSeparators(text, i)
		}
	}
	return at
}

// isBylineWord reports whether w opens a byline.
func isBylineWord(w string) bool {
	for _, o := range []string{"By", "Von", "Par", "Por", "Door", "Autor", "Autorka", "Автор", "Авторка"} {
		if w == o {
			return true
		}
	}
	return false
}

// joinsNames reports whether w joins the names of a byline.
func joinsNames(w string) bool {
	switch w {
	case "and", "und", "et", "y", "e", "i", "oraz", "и", "та", "і", "й", "&":
		return true
	}
	return false
}

// pastSeparators returns the offset after the punctuation and spaces at
// offset i of s, up to the next letter, digit or quotation mark.
func pastSeparators(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) || isQuote(r) {
			break
		}
		i += size
	}
	return i
}

// maxCreditWords is the most words of a photo credit after its opener.
const maxCreditWords = 8

// creditRanges appends to out the byte ranges of the photo credits and
// bracketed production notes in unit s: a bracket holding a credit
// ("(AP Photo/Jane Doe)", "(Reporting by …; Editing by …)"); an opener
// ("Photo:", "Фото:", "Fot.", "Photo by", "©") and the names after it; and
// a credit in the "Jane Doe/Getty Images" form opening the unit.
func creditRanges(out [][2]int, s string) [][2]int {
	if !mayHoldCredit(s) {
		return out
	}
	if end := slashCredit(s, 0); end > 0 {
		out = append(out, [2]int{0, end})
	}
	// A credit's opener is marked by what follows it (a colon, a slash,
	// a dash, "by", the full stop of "Fot.") or precedes it (a bracket, a
	// copyright sign): the marks are found first, the words after.
	for i := 0; i < len(s); i++ {
		var start, end int
		switch c := s[i]; {
		case c == '(':
			w, ok := wordAfter(s, i+1)
			if !ok || !onlySpaceOrEmpty(s[i+1:w.start]) {
				continue
			}
			start, end = i, bracketCredit(s, w.start)
		case c == 0xc2 && strings.HasPrefix(s[i:], "©"):
			w, ok := wordAfter(s, i+len("©"))
			if !ok {
				continue
			}
			start, end = i, creditNamesEnd(s, w.start)
		case c == ':' || c == '/' || c == '-' || c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "fot") ||
			c == 0xe2 && (strings.HasPrefix(s[i:], "–") || strings.HasPrefix(s[i:], "—")) ||
			c == 'b' && i > 0 && s[i-1] == ' ' && strings.HasPrefix(s[i:], "by "):
			w, ok := wordEndingAt(s, i)
			if !ok || !w.capital {
				continue
			}
			start, end = w.start, openedCredit(s, w)
		default:
			continue
		}
		if end > 0 {
			out = append(out, [2]int{start, end})
			i = end - 1
		}
	}
	return out
}

// wordEndingAt returns the word that ends at offset i of s or before it,
// with nothing but spaces between.
func wordEndingAt(s string, i int) (rawWord, bool) {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	k := j
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:k])
		if !isWordRune(r) {
			break
		}
		k -= size
	}
	if k == j {
		return rawWord{}, false
	}
	w, ok := wordAfter(s[:j], k)
	return w, ok && w.start == k
}

// mayHoldCredit reports whether s has any of the marks a credit needs: a
// colon, a slash, a bracket, a copyright sign or " by". ("Fot." comes
// with a photographer's agency and slash.)
func mayHoldCredit(s string) bool {
	return strings.IndexByte(s, ':') >= 0 || strings.IndexByte(s, '/') >= 0 || strings.IndexByte(s, '(') >= 0 ||
		strings.IndexByte(s, 0xc2) >= 0 && strings.Contains(s, "©") || strings.Contains(s, " by ")
}

// isCreditOpener reports whether the lower-case word w opens a photo
// credit.
func isCreditOpener(w string) bool {
	switch w {
	case "photo", "photos", "photograph", "picture", "image", "credit", "illustration", "foto",
		"fotos", "fot", "zdjęcie", "bild", "фото", "світлина", "ілюстрація", "иллюстрация":
		return true
	}
	return false
}

// openedCredit returns where a credit opened by word w of s ends, or 0
// when w opens none: the opener ("Photo", "Фото", "Fot") must be followed
// by a colon, a full stop, a dash, a slash or "by", then by the credited
// names.
func openedCredit(s string, w rawWord) int {
	var buf [maxOpenerBytes]byte
	b := lowerWord(&buf, s, w)
	if b == nil || !isCreditOpener(string(b)) {
		return 0
	}
	at := w.end
	switch rest := strings.TrimLeft(s[at:], " "); {
	case strings.HasPrefix(rest, ":"), strings.HasPrefix(rest, "."), strings.HasPrefix(rest, "/"),
		strings.HasPrefix(rest, "–"), strings.HasPrefix(rest, "—"), strings.HasPrefix(rest, "- "):
		at = len(s) - len(rest) + utf8.RuneLen(firstRune(rest))
	case strings.HasPrefix(rest, "by "):
		at = len(s) - len(rest) + len("by ")
	default:
		return 0
	}
	return creditNamesEnd(s, at)
}

// creditNamesEnd returns where the names of a credit starting at offset
// at of s end. After a slash ("Jane Doe/Getty Images", "Reuters/Jane
// Doe") the credit is at most two words more, and "via" with two more;
// without one it is the run of capitalised words, less the last one or
// two when a word in lower case follows them (those start the report's
// sentence: "Фото: Офіс Президента Володимир Зеленський обговорив").
func creditNamesEnd(s string, at int) int {
	type span struct{ start, end int }
	var run [maxCreditWords]span
	n, slash := 0, -1
	end := at
	for i := at; n < maxCreditWords; {
		w, ok := wordAfter(s, i)
		if !ok {
			return len(s)
		}
		gap := s[i:w.start]
		if n > 0 && strings.ContainsAny(gap, ".,;|)") {
			return run[n-1].end
		}
		if strings.Contains(gap, "/") {
			slash = n
		}
		lower := string(s[w.start:w.end])
		if !w.capital && !unicode.IsDigit(firstRune(lower)) {
			if lower == "via" && slash >= 0 {
				i = w.end
				slash = n
				continue
			}
			break
		}
		run[n] = span{w.start, w.end}
		n++
		end = w.end
		i = w.end
		if slash >= 0 && n-slash >= 2 {
			return end
		}
		if slash == n-1 && w.upper {
			// An agency in capitals (AFP, EPA) ends the credit unless a
			// credit's own word follows it.
			next, ok := wordAfter(s, end)
			if !ok || s[next.start:next.end] != "via" && !isCreditTail(s[next.start:next.end]) {
				return end
			}
		}
	}
	if n == 0 {
		return 0
	}
	if _, ok := wordAfter(s, end); !ok {
		return len(s)
	}
	switch {
	case slash >= 0:
		return end
	case n >= 4:
		return run[n-3].end
	case n >= 2:
		return run[n-2].end
	}
	return end
}

// bracketCredit returns where the bracket opened just before offset at of
// s ends when it holds a credit or a production note, or 0.
func bracketCredit(s string, at int) int {
	closeAt := strings.IndexByte(s[at:min(len(s), at+120)], ')')
	if closeAt < 0 {
		return 0
	}
	inner := s[at : at+closeAt]
	end := at + closeAt + 1
	if hasPrefixFold(inner, "reporting by") || hasPrefixFold(inner, "additional reporting") ||
		hasPrefixFold(inner, "writing by") || hasPrefixFold(inner, "editing by") || hasPrefixFold(inner, "compiled by") {
		return end
	}
	if strings.Contains(inner, "©") {
		return end
	}
	for i := 0; i < len(inner); {
		w, ok := wordAfter(inner, i)
		if !ok {
			break
		}
		var buf [maxOpenerBytes]byte
		if b := lowerWord(&buf, inner, w); b != nil && isCreditOpener(string(b)) {
			return end
		}
		i = w.end
	}
	if slashCredit(inner, 0) > 0 {
		return end
	}
	return 0
}

// slashCredit returns where a credit of the "Jane Doe/Getty Images" form
// at offset at of s ends, or 0: one to three capitalised words, a slash,
// and after it a name in capitals (AFP, EPA) or "via", "Images", "Pool".
func slashCredit(s string, at int) int {
	i, words := at, 0
	for words < 3 {
		w, ok := wordAfter(s, i)
		if !ok || !w.capital || !onlySpaceOrEmpty(s[i:w.start]) && !(words > 0 && strings.TrimSpace(s[i:w.start]) == "/") {
			return 0
		}
		words++
		i = w.end
		if strings.HasPrefix(s[i:], "/") {
			after, ok := wordAfter(s, i+1)
			if !ok || after.start != i+1 || !after.capital {
				return 0
			}
			if !after.upper && !creditTailFollows(s, after) {
				return 0
			}
			return creditNamesEnd(s, i)
		}
	}
	return 0
}

// creditTailFollows reports whether word w of s, after a credit's slash,
// is followed by a word that only credits have there (Images, Pool, via).
func creditTailFollows(s string, w rawWord) bool {
	next, ok := wordAfter(s, w.end)
	if !ok {
		return false
	}
	return s[next.start:next.end] == "via" || isCreditTail(s[next.start:next.end])
}

// isCreditTail reports whether w is a word that ends credits after a
// slash (Getty Images, Reuters Pool, AP Photo).
func isCreditTail(w string) bool {
	switch w {
	case "Images", "Pool", "Photo", "Photos":
		return true
	}
	return false
}

// hasPrefixFold reports whether s starts with prefix, ignoring case,
// followed by the end of s or a character that is not a letter.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return false
	}
	if len(s) == len(prefix) {
		return true
	}
	return !unicode.IsLetter(firstRune(s[len(prefix):]))
}

// residueLeads returns the openings, in lower case, of units that point
// elsewhere or credit the page's makers rather than report: links to
// other articles, calls to subscribe, production notes and time stamps.
func residueLeads() [56]string {
	return [...]string{
		"read also", "read more", "see also", "related:", "related coverage", "related stories",
		"watch:", "listen:", "subscribe", "sign up", "follow us", "advertisement",
		"reporting by", "writing by", "editing by", "additional reporting", "compiled by",
		"editor's note", "updated:", "published:", "last updated",
		"читайте также", "читайте також", "читать также", "смотрите также", "дивіться також",
		"подробнее:", "детальніше:", "по теме:", "на тему:", "реклама", "подписывайтесь",
		"підписуйтесь", "обновлено:", "оновлено:",
		"czytaj też", "czytaj także", "czytaj więcej", "zobacz też", "zobacz także", "przeczytaj też",
		"lesen sie auch", "lesen sie mehr", "mehr zum thema", "weiterlesen", "aktualisiert:",
		"lire aussi", "à lire aussi", "a lire aussi", "voir aussi", "mis à jour",
		"lee también", "leer más", "leggi anche", "more:", "video:",
	}
}

// isResidueLeadWord reports whether the lower-case word w is the first
// word of one of residueLeads.
func isResidueLeadWord(w string) bool {
	switch w {
	case "read", "see", "related", "watch", "listen", "subscribe", "sign", "follow", "advertisement",
		"reporting", "writing", "editing", "additional", "compiled", "editor", "updated", "published",
		"last", "читайте", "читать", "смотрите", "дивіться", "подробнее", "детальніше", "по", "на",
		"реклама", "подписывайтесь", "підписуйтесь", "обновлено", "оновлено", "czytaj", "zobacz",
		"przeczytaj", "lesen", "mehr", "weiterlesen", "aktualisiert", "lire", "à", "a", "voir", "mis",
		"lee", "leer", "leggi", "more", "video":
		return true
	}
	return false
}

// maxLeadBytes is the longest of residueLeads, in bytes.
const maxLeadBytes = 32

// opensResidueLead reports whether s opens with one of residueLeads,
// ignoring case, followed by a character that is not a letter.
func opensResidueLead(s string) bool {
	// Most sentences start with a word no lead starts with.
	w, ok := wordAfter(s, 0)
	if !ok || w.start != 0 {
		return false
	}
	var first [maxOpenerBytes]byte
	b := lowerWord(&first, s, w)
	if b == nil {
		return false
	}
	firstWord := string(b)
	if !isResidueLeadWord(firstWord) {
		return false
	}
	var buf [maxLeadBytes + utf8.UTFMax]byte
	head := buf[:0]
	for _, lead := range residueLeads() {
		if !strings.HasPrefix(lead, firstWord) {
			continue
		}
		if len(head) == 0 {
			for _, r := range s {
				if len(head) >= maxLeadBytes {
					break
				}
				head = utf8.AppendRune(head, toLower(r))
			}
		}
		if len(head) >= len(lead) && string(head[:len(lead)]) == lead &&
			(len(head) == len(lead) || !unicode.IsLetter(firstRune(string(head[len(lead):])))) {
			return true
		}
	}
	return false
}

// isResidueUnit reports whether a folded unit is residue as a whole: a
// pointer to another article or production note (residueLeads), a list
// header (a short unit ending in a colon) or a kicker (a short unit in
// capitals, "EXCLUSIVE").
func isResidueUnit(s string) bool {
	if opensResidueLead(s) {
		return true
	}
	header := strings.HasSuffix(s, ":")
	if !header && len(s) > 48 {
		return false
	}
	words, lower := 0, false
	for i := 0; ; {
		w, ok := wordAfter(s, i)
		if !ok {
			break
		}
		words++
		lower = lower || !w.upper
		i = w.end
	}
	if header {
		return words <= 8
	}
	return !lower && words <= 4 && words > 0
}
