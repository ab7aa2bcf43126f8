package story

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// leadScan is how many characters beyond LeadRunes a signature reads of a
// lead, so that residue skipped at its start does not shorten it.
const leadScan = 160

// leadSkips returns the byte ranges of lead that are page residue rather
// than report, in order: a byline ("By Jane Doe and John Roe,"), a
// dateline ("KYIV, Nov 20 (Reuters) –", "МОСКВА, 21 ноября /ТАСС/."), photo
// credits ("Photo: Jane Doe / Reuters", "Фото: Офіс президента") and
// pointers to other articles ("Read more: …", "Читайте также: …"). Their
// words would make two reports of one event look different, or two
// reports of different events from one outlet look alike.
// head is the words of lead's first LeadRunes+leadScan characters.
func leadSkips(lead string, head []Word) [][2]int {
	var skips [][2]int
	at := 0
	if end, ok := byline(lead, head); ok {
		skips = append(skips, [2]int{0, end})
		at = wordIndexFrom(head, end)
	}
	if end, ok := dateline(lead, head, at); ok {
		start := 0
		if at < len(head) {
			start = head[at].Start
		}
		skips = append(skips, [2]int{start, end})
	}
	skips = append(skips, credits(lead, head)...)
	return mergeRanges(skips)
}

// isBylineOpener reports whether the folded word w opens a byline.
func isBylineOpener(w string) bool {
	switch w {
	case "by", "von", "par", "por", "di", "door", "автор", "авторка", "від", "от":
		return true
	}
	return false
}

// isNameJoiner reports whether the folded word w joins the names of a
// byline.
func isNameJoiner(w string) bool {
	switch w {
	case "and", "und", "et", "y", "e", "i", "en", "и", "та", "і", "й":
		return true
	}
	return false
}

// byline returns where a byline at the start of lead ends (after the
// punctuation that closes it), and false when lead does not open with
// one: an opener written with a capital followed by two to six
// capitalised names (joined by "and" and the like) and then punctuation or
// a word in lower case.
func byline(lead string, words []Word) (int, bool) {
	if len(words) < 3 || !words[0].Capital || !isBylineOpener(words[0].Text) || strings.TrimSpace(lead[:words[0].Start]) != "" {
		return 0, false
	}
	names, last := 0, 0
	for i := 1; i < len(words) && i <= 8; i++ {
		w := words[i]
		switch {
		case w.Capital:
			names++
			last = i
		case isNameJoiner(w.Text):
		default:
			i = len(words)
			continue
		}
		if i+1 < len(words) && strings.ContainsAny(lead[w.End:words[i+1].Start], ",|–—:/(\n") {
			break
		}
	}
	if names < 2 || names > 6 {
		return 0, false
	}
	return skipSeparators(lead, words[last].End), true
}

// dateline returns where a dateline starting at word at of lead ends, and
// false when there is none. A dateline is at most eight words closed by a
// dash or by an agency between slashes, and it starts with a place in
// capitals (KYIV, МОСКВА), names an agency in brackets or slashes
// ("(Reuters)", "/ТАСС/") or carries a date (a number within six words).
// A short agency name after the dash ("— РИА Новости.") goes with it.
func dateline(lead string, words []Word, at int) (int, bool) {
	for k := at; k < len(words) && k < at+8; k++ {
		gapEnd := len(lead)
		if k+1 < len(words) {
			gapEnd = words[k+1].Start
		}
		gap := lead[words[k].End:gapEnd]
		dash := strings.ContainsAny(gap, "–—") || strings.Contains(gap, " -") || strings.HasPrefix(gap, "-")
		slashes := strings.HasPrefix(strings.TrimSpace(gap), "/.") || strings.HasPrefix(strings.TrimSpace(gap), "/ ")
		if !dash && !slashes {
			if strings.ContainsAny(gap, ".!?;") && !strings.ContainsAny(gap, ")/") {
				return 0, false
			}
			continue
		}
		seg := lead[words[at].Start:words[k].End]
		agency := strings.Contains(gap, ")") || strings.Contains(seg, "/") || slashes
		capsPlace := isUpperWord(lead[words[at].Start:words[at].End])
		dated := k-at < 6 && hasDigitWord(words[at:k+1])
		if !agency && !capsPlace && !dated {
			return 0, false
		}
		end := skipSeparators(lead, words[k].End)
		if dash {
			end = agencyAfterDash(lead, words, k+1, end)
		}
		return end, true
	}
	return 0, false
}

// agencyAfterDash returns where a short agency name (one to three
// capitalised words closed by a full stop) starting at word k ends, or end
// when there is none.
func agencyAfterDash(lead string, words []Word, k, end int) int {
	for n := 0; n < 3 && k+n < len(words); n++ {
		w := words[k+n]
		if !w.Capital {
			return end
		}
		next := len(lead)
		if k+n+1 < len(words) {
			next = words[k+n+1].Start
		}
		if gap := lead[w.End:next]; strings.HasPrefix(strings.TrimSpace(gap), ".") {
			return skipSeparators(lead, w.End)
		} else if strings.TrimSpace(gap) != "" {
			return end
		}
	}
	return end
}

// creditOpener returns the words that must follow the folded word w for
// it to open a photo credit or a pointer to another article (none, one or
// two), and false when no opener starts with w.
func creditOpener(w string) (next1, next2 string, ok bool) {
	switch w {
	case "photo", "photograph", "photos", "picture", "image", "credit", "illustration", "foto", "fotos",
		"fot", "bild", "фото", "ілюстрація", "иллюстрация", "weiterlesen":
		return "", "", true
	case "getty":
		return "images", "", true
	case "continue":
		return "reading", "", true
	case "lire":
		return "aussi", "", true
	case "lesen":
		return "sie", "auch", true
	case "leer":
		return "mas", "", true
	case "also":
		return "read", "", true
	case "читать":
		return "далее", "", true
	case "читати":
		return "далі", "", true
	}
	return "", "", false
}

// creditLen returns the number of words of the credit opener starting at
// words[i], or 0 for none.
func creditLen(words []Word, i int) int {
	w := words[i].Text
	next1, next2, ok := creditOpener(w)
	switch {
	case !ok:
		// Openers whose first word starts several.
		switch w {
		case "read":
			if i+1 < len(words) && (words[i+1].Text == "more" || words[i+1].Text == "also") {
				return 2
			}
		case "czytaj":
			if i+1 < len(words) && (words[i+1].Text == "tez" || words[i+1].Text == "wiecej") {
				return 2
			}
		case "читайте":
			if i+1 < len(words) && (words[i+1].Text == "также" || words[i+1].Text == "також") {
				return 2
			}
		}
		return 0
	case next1 == "":
		return 1
	case i+1 >= len(words) || words[i+1].Text != next1:
		return 0
	case next2 == "":
		return 2
	case i+2 >= len(words) || words[i+2].Text != next2:
		return 0
	}
	return 3
}

// credits returns the ranges of photo credits and pointers to other
// articles among words: from the opener (written with a capital, or in
// brackets) to the end of its sentence or bracket, at most twelve words.
func credits(lead string, words []Word) [][2]int {
	var out [][2]int
	for i := 0; i < len(words); i++ {
		n := creditAt(lead, words, i)
		if n == 0 {
			continue
		}
		start := words[i].Start
		if i > 0 && strings.HasSuffix(strings.TrimRight(lead[words[i-1].End:start], " "), "(") {
			start = words[i-1].End
		}
		last := i + n - 1
		for j := last + 1; j < len(words) && j < i+12; j++ {
			gap := lead[words[j-1].End:words[j].Start]
			if strings.ContainsAny(gap, ")]") || sentenceEnds(gap, words[j]) {
				break
			}
			last = j
		}
		out = append(out, [2]int{start, skipSeparators(lead, words[last].End)})
		i = last
	}
	return out
}

// creditAt returns the number of words of the credit opener at words[i],
// or 0: the opener must be written with a capital or follow a bracket, and
// be followed by a colon, a full stop, a dash or "by".
func creditAt(lead string, words []Word, i int) int {
	n := creditLen(words, i)
	if n == 0 {
		return 0
	}
	before := ""
	if i > 0 {
		before = strings.TrimSpace(lead[words[i-1].End:words[i].Start])
	}
	if !words[i].Capital && !strings.HasSuffix(before, "(") {
		return 0
	}
	end := words[i+n-1].End
	after := len(lead)
	if i+n < len(words) {
		after = words[i+n].Start
	}
	gap := lead[end:after]
	if strings.ContainsAny(gap, ":.–—") || strings.Contains(gap, "-") ||
		(i+n < len(words) && words[i+n].Text == "by") {
		return n
	}
	return 0
}

// sentenceEnds reports whether the gap before word next ends a sentence:
// a full stop, question or exclamation mark followed by a capital.
func sentenceEnds(gap string, next Word) bool {
	return strings.ContainsAny(gap, ".!?") && next.Capital
}

// skipSeparators returns the offset after the punctuation and spaces that
// follow offset i of s, up to the next letter or digit.
func skipSeparators(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '"' || r == '«' || r == '“' || r == '\'' {
			break
		}
		i += size
	}
	return i
}

// wordIndexFrom returns the index of the first word starting at or after
// offset.
func wordIndexFrom(words []Word, offset int) int {
	for i, w := range words {
		if w.Start >= offset {
			return i
		}
	}
	return len(words)
}

// isUpperWord reports whether s has at least three letters and no lower
// case one.
func isUpperWord(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 3
}

// hasDigitWord reports whether one of words is a number.
func hasDigitWord(words []Word) bool {
	for _, w := range words {
		if w.Text != "" && w.Text[0] >= '0' && w.Text[0] <= '9' {
			return true
		}
	}
	return false
}

// mergeRanges sorts ranges by start and merges those that overlap.
func mergeRanges(ranges [][2]int) [][2]int {
	for i := 1; i < len(ranges); i++ {
		for j := i; j > 0 && ranges[j][0] < ranges[j-1][0]; j-- {
			ranges[j], ranges[j-1] = ranges[j-1], ranges[j]
		}
	}
	var out [][2]int
	for _, r := range ranges {
		if n := len(out); n > 0 && r[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// inRanges reports whether offset i falls in one of the sorted ranges.
func inRanges(ranges [][2]int, i int) bool {
	for _, r := range ranges {
		if i < r[0] {
			return false
		}
		if i < r[1] {
			return true
		}
	}
	return false
}

// keptOffset returns the byte offset of text after its first n characters
// outside the skip ranges, or len(text).
func keptOffset(text string, skip [][2]int, n int) int {
	for i := range text {
		if inRanges(skip, i) {
			continue
		}
		if n == 0 {
			return i
		}
		n--
	}
	return len(text)
}

// runeOffset returns the byte offset of the n-th rune of s, or len(s).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
