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

// transliterate spells the Cyrillic and Greek letters of a normalised word
// in Latin letters, the way English-language news spells Russian,
// Ukrainian and Greek names (Женева → zheneva, Київ → kyiv, Ουκρανία →
// oukrania); other letters are kept.
func transliterate(w string) string {
	var b strings.Builder
	b.Grow(len(w) * 2)
	prev := rune(0)
	for _, r := range w {
		if t, ok := cyrillicLatin(r); ok {
			b.WriteString(t)
		} else if r == 'υ' && (prev == 'α' || prev == 'ε' || prev == 'η') {
			b.WriteByte('v')
		} else if t, ok := greekLatin(r); ok {
			b.WriteString(t)
		} else {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// greekLatin returns the Latin spelling of a lower-case Greek letter, and
// false for any other rune.
func greekLatin(r rune) (string, bool) {
	const first = 'α'
	// latin spells α…ω in alphabet order (ς is σ at a word's end); υ
	// after α, ε or η is v, as in Γενεύη.
	latin := [...]string{
		"a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p",
		"r", "s", "s", "t", "i", "f", "k", "ps", "o",
	}
	if r >= first && r < first+rune(len(latin)) {
		return latin[r-first], true
	}
	return "", false
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

// isStopWord reports whether the normalised word w is a function word or a
// reporting verb, in one of the languages news about a story is commonly
// written in, that says nothing about which event a report is about.
func isStopWord(w string) bool {
	return stopEnglish(w) || stopRussian(w) || stopUkrainian(w) || stopBulgarian(w) ||
		stopGerman(w) || stopFrench(w) || stopSpanishPortuguese(w) || stopItalian(w) ||
		stopPolishCzech(w) || stopDutch(w) || stopSouthSlavic(w) || stopHungarianTurkish(w) ||
		stopGreek(w)
}

// stopEnglish reports whether w is an English stop word.
func stopEnglish(w string) bool {
	switch w {
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
		"thursday", "friday", "saturday", "sunday", "because", "since", "until", "upon", "whether",
		"though", "although", "even", "ever", "never", "already", "made", "make", "makes",
		"year", "years", "first", "last", "next", "near", "like", "him", "himself", "itself":
		return true
	}
	return false
}

// stopRussian reports whether w is a Russian stop word.
func stopRussian(w string) bool {
	switch w {
	case "что", "это", "как", "так", "его", "она", "они", "оно", "был", "была", "было", "были",
		"быть", "будет", "будут", "для", "при", "про", "под", "над", "без", "через", "после",
		"перед", "между", "ему", "ней", "них", "нее", "или", "если", "уже", "еще", "также", "тоже",
		"только", "когда", "где", "там", "тут", "этот", "эта", "эти", "этого", "этом", "этой",
		"тот", "того", "том", "чем", "чтобы", "может", "могут", "которые", "который", "которая",
		"которое", "которых", "свой", "своей", "своих", "себя", "все", "всех", "всего", "более",
		"менее", "очень", "заявил", "заявила", "заявили", "сообщил", "сообщила", "сообщили",
		"сказал", "сказала", "словам", "пишет", "пишут", "сообщает", "сообщают", "пока", "ранее",
		"однако", "теперь", "сейчас", "против", "около", "среди", "которой", "которому", "этих",
		"два", "две", "три", "году", "года":
		return true
	}
	return false
}

// stopUkrainian reports whether w is a Ukrainian stop word.
func stopUkrainian(w string) bool {
	switch w {
	case "цей", "цього", "цим", "він", "вона", "воно", "вони", "був", "була", "було", "були",
		"бути", "буде", "будуть", "під", "після", "між", "його", "або", "якщо", "вже", "також",
		"теж", "тільки", "лише", "коли", "який", "яка", "яке", "які", "якого", "якій", "свій",
		"своєї", "своїх", "себе", "усі", "всі", "всіх", "може", "можуть", "має", "мають", "щоб",
		"дуже", "заявив", "повідомив", "повідомила", "повідомили", "сказав", "словами", "пише",
		"пишуть", "повідомляє", "наразі", "поки", "для", "про", "через", "проти", "перед", "раніше",
		"однак", "тепер", "зараз", "серед", "цих", "цієї", "яких", "якому", "заявила", "заявили",
		"два", "дві", "три", "році", "року":
		return true
	}
	return false
}

// stopBulgarian reports whether w is a Bulgarian stop word.
func stopBulgarian(w string) bool {
	switch w {
	case "със", "към", "след", "преди", "като", "това", "този", "тази", "тези", "която", "което",
		"които", "той", "има", "няма", "беше", "бяха", "бил", "била", "било", "още", "вече", "само",
		"също", "според", "заяви", "каза", "две", "нов", "нова", "нейния", "неговия", "техния":
		return true
	}
	return false
}

// stopGerman reports whether w is a German stop word.
func stopGerman(w string) bool {
	switch w {
	case "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
		"eines", "und", "oder", "aber", "als", "auch", "auf", "aus", "bei", "bis", "durch", "fur",
		"gegen", "hat", "haben", "hatte", "ist", "sind", "war", "waren", "wird", "werden", "wurde",
		"wurden", "nach", "nicht", "noch", "nur", "mit", "sich", "sie", "ihr", "ihre", "ihren",
		"sein", "seine", "seiner", "seinen", "uber", "unter", "vom", "von", "vor", "zum", "zur",
		"zwischen", "wie", "was", "wer", "wenn", "dass", "damit", "dies", "diese", "dieser",
		"dieses", "doch", "schon", "sehr", "soll", "sollen", "kann", "konnen", "muss", "mussen",
		"will", "wollen", "heute", "gestern", "laut", "sagte", "sagt", "bereits", "jetzt", "dann",
		"denn", "weil", "ohne", "mehr", "man", "uns", "wir", "ich", "ihm", "ihn", "ihnen", "beim",
		"zwei", "drei", "neue", "neuen", "neuer", "erste", "ersten", "worden":
		return true
	}
	return false
}

// stopFrench reports whether w is a French stop word.
func stopFrench(w string) bool {
	switch w {
	case "les", "des", "une", "dans", "pour", "par", "sur", "avec", "sans", "sous", "entre",
		"vers", "chez", "est", "sont", "etait", "ete", "etre", "avoir", "ont", "avait", "qui",
		"que", "quoi", "dont", "ses", "son", "leurs", "leur", "nos", "notre", "vos", "votre",
		"cette", "ces", "cet", "aux", "plus", "moins", "tres", "tout", "tous", "toute", "toutes",
		"mais", "ainsi", "alors", "apres", "avant", "depuis", "selon", "lors", "comme", "aussi",
		"encore", "deja", "elle", "elles", "ils", "nous", "vous", "lui", "eux", "fait", "faire",
		"peut", "doit", "deux", "trois", "nouveau", "nouvelle", "premier", "premiere", "dit",
		"declare", "affirme", "pas":
		return true
	}
	return false
}

// stopSpanishPortuguese reports whether w is a Spanish or Portuguese stop
// word.
func stopSpanishPortuguese(w string) bool {
	switch w {
	case "los", "las", "del", "una", "unos", "unas", "para", "por", "con", "sin", "sobre",
		"entre", "hacia", "desde", "hasta", "segun", "que", "quien", "cual", "como", "donde",
		"cuando", "este", "esta", "estos", "estas", "ese", "esa", "eso", "esos", "esas", "sus",
		"muy", "mas", "pero", "sino", "tambien", "todo", "todos", "toda", "todas", "fue",
		"fueron", "sido", "ser", "estar", "estan", "han", "hay", "hace", "dijo", "dice", "tras",
		"ante", "durante", "dos", "tres", "nuevo", "nueva", "primer", "primera",
		"das", "uma", "umas", "uns", "pelo", "pela", "pelos", "pelas", "com", "sem", "ate",
		"qual", "onde", "quando", "estes", "esse", "essa", "isso", "seu", "sua", "seus", "suas",
		"ja", "foi", "foram", "estao", "tem", "tinha", "apos", "antes", "dois", "novo",
		"nova", "disse", "segundo":
		return true
	}
	return false
}

// stopItalian reports whether w is an Italian stop word.
func stopItalian(w string) bool {
	switch w {
	case "gli", "dei", "delle", "della", "dello", "degli", "nel", "nella", "nei", "negli", "nelle",
		"sul", "sulla", "sui", "per", "tra", "fra", "uno", "che", "chi", "cui", "non", "piu",
		"anche", "dove", "questo", "questa", "questi", "queste", "quello", "quella", "sono", "era",
		"erano", "stato", "stata", "essere", "hanno", "avere", "dopo", "prima", "ancora", "gia",
		"tutto", "tutti", "loro", "suo", "suoi", "sue", "nostro", "molto", "due", "tre", "nuovo",
		"nuova", "detto":
		return true
	}
	return false
}

// stopPolishCzech reports whether w is a Polish, Czech or Slovak stop word.
func stopPolishCzech(w string) bool {
	switch w {
	case "nie", "sie", "jest", "byl", "byla", "bylo", "byli", "oraz", "ale", "lub", "czy",
		"dla", "przez", "przy", "pod", "nad", "bez", "przed", "miedzy", "jak", "jego", "jej",
		"ich", "ten", "tym", "tej", "tego", "tych", "ktory", "ktora", "ktore", "ktorego",
		"ktorych", "ktorym", "kto", "juz", "tez", "takze", "tylko", "jeszcze", "bardzo", "moze",
		"mozna", "bedzie", "beda", "zostal", "zostala", "zostalo", "jako", "tak", "gdy", "gdzie",
		"kiedy", "teraz", "wiec", "aby", "zeby", "swoj", "swoje", "swojej", "dwa", "trzy", "nowy",
		"nowa", "powiedzial", "powiedziala", "wedlug",
		"jsou", "nebo", "pro", "pri", "pred", "mezi", "jeji", "jejich", "tento", "tato",
		"toto", "ktery", "ktera", "ktere", "kde", "kdy", "jen", "take", "jiz", "bude", "budou",
		"podle", "rekl", "rekla", "tri", "novy", "som", "ako", "alebo", "pre", "podla":
		return true
	}
	return false
}

// stopDutch reports whether w is a Dutch stop word.
func stopDutch(w string) bool {
	switch w {
	case "het", "een", "van", "den", "met", "voor", "naar", "niet", "maar", "ook", "als", "bij",
		"uit", "aan", "dat", "die", "dit", "deze", "zijn", "was", "waren", "wordt", "worden",
		"werd", "hebben", "heeft", "had", "zal", "zou", "kan", "kunnen", "nog", "wel", "geen",
		"meer", "over", "onder", "tegen", "tussen", "door", "haar", "hun", "zich", "wij", "zij",
		"hij", "ons", "twee", "drie", "nieuwe", "volgens", "zegt", "zei":
		return true
	}
	return false
}

// stopSouthSlavic reports whether w is a Croatian, Serbian, Bosnian or
// Slovene stop word written in Latin letters.
func stopSouthSlavic(w string) bool {
	switch w {
	case "bio", "bila", "bilo", "bili", "sam", "smo", "ste", "biti", "nije", "nisu", "ali",
		"ili", "kao", "koji", "koja", "koje", "kojeg", "kojem", "kojoj", "kojih", "sto", "ima",
		"imaju", "nakon", "prije", "izmedu", "prema", "tijekom", "kako", "samo", "jos", "vec",
		"dva", "tri", "novi", "nova", "rekao", "rekla", "njegov", "njihov", "ovaj", "ova", "ovo",
		"taj", "bez", "pod", "nad", "oko", "kod", "protiv":
		return true
	}
	return false
}

// stopHungarianTurkish reports whether w is a Hungarian or Turkish stop
// word.
func stopHungarianTurkish(w string) bool {
	switch w {
	case "egy", "hogy", "nem", "meg", "mar", "csak", "mint", "vagy", "volt", "lesz", "lett",
		"van", "vannak", "azt", "ezt", "ami", "aki", "akik", "amely", "amelyek", "szerint",
		"utan", "elott", "alatt", "kozott", "miatt", "majd", "most", "pedig", "illetve", "ket",
		"harom", "uj",
		"bir", "icin", "ile", "olarak", "ama", "gibi", "daha", "cok", "sonra", "once", "kadar",
		"gore", "olan", "oldu", "dedi", "iki", "uzere", "ancak", "veya":
		return true
	}
	return false
}

// stopGreek reports whether w is a Greek stop word (accents folded).
func stopGreek(w string) bool {
	switch w {
	case "και", "του", "της", "των", "τον", "την", "στο", "στη", "στην", "στον", "στα", "στις",
		"στους", "απο", "για", "που", "ενα", "ενας", "μια", "ειναι", "οτι", "μετα", "τις", "τους",
		"δεν", "αλλα", "προς", "οπως", "οποια", "οποιο", "ηταν", "εχει", "εχουν", "δυο", "τρια":
		return true
	}
	return false
}
