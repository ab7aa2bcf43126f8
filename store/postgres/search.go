package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/unicode/norm"

	"storyline/store"
)

// searchSQL returns, among the latest $4 items matching the tsquery $1
// (read through the GIN index items_fts), the best $3: those matching $2,
// the same query within the title (weight A), first, newest first within
// each. The latest matches are sorted by seq alone (their vectors, read
// again for the ranked ones only, would make the sort spill to disk). For
// the best it cuts a headline of about 20 words from the title and from
// the text, the matched words between char(2) and char(3)
// (store.HighlightStart and HighlightEnd), and says whether more than $4
// items match.
const searchSQL = `
	WITH q AS (SELECT to_tsquery('simple', $1) AS q, to_tsquery('simple', $2) AS t),
	latest AS (
		SELECT seq FROM items, q WHERE fts @@ q.q ORDER BY seq DESC LIMIT $4 + 1
	), ranked AS (
		SELECT seq FROM latest ORDER BY seq DESC LIMIT $4
	), best AS (
		SELECT i.seq, CASE WHEN i.fts @@ q.t THEN 0 ELSE 1 END AS tier
		FROM ranked JOIN items AS i ON i.seq = ranked.seq, q
		ORDER BY tier, i.seq DESC LIMIT $3
	)
	SELECT i.id, i.title, i.link, i.feed_name, i.published, i.relevant, i.text,
	       ts_headline('simple', i.title, q.q, $5), ts_headline('simple', i.text, q.q, $5),
	       (SELECT count(*) FROM latest) > $4
	FROM best JOIN items AS i ON i.seq = best.seq, q
	ORDER BY best.tier, best.seq DESC`

// headlineOptions are ts_headline's options: the markers, and a fragment of
// 10 to 20 words around the matches.
const headlineOptions = "StartSel=" + store.HighlightStart + ", StopSel=" + store.HighlightEnd +
	", MaxWords=20, MinWords=10, ShortWord=0, MaxFragments=1, FragmentDelimiter=…"

// Search runs query as words (all required), "phrases", OR, NOT,
// parentheses and prefix* (see tsQuery); one that cannot be parsed is
// searched again as its plain words.
func (s *Store) Search(ctx context.Context, query string, limit int) (store.SearchResult, error) {
	words, err := store.SearchWords(query)
	if err != nil || len(words) == 0 {
		return store.SearchResult{}, err
	}
	if q, ok := tsQuery(query, ""); ok {
		title, _ := tsQuery(query, titleWeight)
		res, err := s.search(ctx, q, title, limit, store.SearchRanked)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42601" {
			if err != nil {
				return store.SearchResult{}, fmt.Errorf("search %q: %w", query, err)
			}
			return res, nil
		}
		s.logger.Debug("search query not parsed, searching plain words", "error", err)
	}
	res, err := s.search(ctx, plainQuery(words, ""), plainQuery(words, titleWeight), limit, store.SearchRanked)
	if err != nil {
		return store.SearchResult{}, fmt.Errorf("search %q: %w", query, err)
	}
	return res, nil
}

// titleWeight is the weight of the title's words in the full-text vector.
const titleWeight = "A"

// search runs one tsquery and its title-only form, ranking at most the
// latest ranked matches.
func (s *Store) search(ctx context.Context, tsquery, title string, limit, ranked int) (store.SearchResult, error) {
	var res store.SearchResult
	hits, err := queryRows(ctx, s.pool, func(r row) (store.SearchHit, error) {
		h, more, err := scanSearchHit(r)
		res.More = res.More || more
		return h, err
	}, searchSQL, tsquery, title, limit, ranked, headlineOptions)
	res.Hits = orNil(hits)
	return res, err
}

// scanSearchHit reads a row of searchSQL, keeping the headline with more
// matched words (the title's on a tie), and whether more items match.
func scanSearchHit(r row) (store.SearchHit, bool, error) {
	var h store.SearchHit
	var published int64
	var text, inTitle, inText string
	var more bool
	err := r.Scan(&h.Item.ID, &h.Item.Title, &h.Item.Link, &h.Item.FeedName, &published, &h.Relevant,
		&text, &inTitle, &inText, &more)
	h.Item.Published = fromMillis(published)
	if strings.Count(inText, store.HighlightStart) > strings.Count(inTitle, store.HighlightStart) {
		h.Snippet = ellipsis(inText, text)
	} else {
		h.Snippet = ellipsis(inTitle, h.Item.Title)
	}
	return h, more, err
}

// ellipsis marks with "…" where headline, cut from source, leaves words
// out before or after it. ts_headline cuts at words, so punctuation that
// ends (or starts) source after the last word is put back.
func ellipsis(headline, source string) string {
	bare := strings.TrimSpace(strings.NewReplacer(store.HighlightStart, "", store.HighlightEnd, "").Replace(headline))
	source = strings.TrimSpace(source)
	at := strings.Index(source, bare)
	if bare == "" || at < 0 {
		return headline
	}
	before, after := source[:at], source[at+len(bare):]
	if hasWord(before) {
		headline = "…" + headline
	} else {
		headline = before + headline
	}
	if hasWord(after) {
		headline += "…"
	} else {
		headline += after
	}
	return headline
}

// hasWord reports whether s has a letter or digit.
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// tsQuery translates a search query in the syntax of the SQLite store's
// FTS5 queries into the text of a PostgreSQL tsquery: words are required
// (&), "a phrase" keeps its words in order (<->), OR (|) and NOT (& !) are
// operators, parentheses group, and word* matches a prefix (:*). Each
// operand is quoted, so the server splits it into lexemes the way it split
// the stored text; with a weight, each operand matches only lexemes of that
// weight (titleWeight: the title's). It reports false for a query it cannot translate (an
// unclosed quote, an operand without words); the server refuses others
// (AND OR, an unclosed parenthesis) with a syntax error.
func tsQuery(query, weight string) (string, bool) {
	var b strings.Builder
	operand := false // the last token ends an operand: the next one needs an &
	emit := func(tok string, isOperand, opens bool) {
		if operand && opens {
			b.WriteString(" & ")
		}
		b.WriteString(tok)
		operand = isOperand
	}
	for rest := strings.TrimSpace(query); rest != ""; rest = strings.TrimSpace(rest) {
		switch c := rest[0]; c {
		case '"':
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return "", false
			}
			words, _ := store.SearchWords(rest[1 : end+1])
			if len(words) == 0 {
				return "", false
			}
			emit(quoteOperand(words, false, weight), true, true)
			rest = rest[end+2:]
		case '(':
			emit("(", false, true)
			rest = rest[1:]
		case ')':
			emit(")", true, false)
			rest = rest[1:]
		default:
			end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`"()`, r) })
			if end < 0 {
				end = len(rest)
			}
			word := rest[:end]
			rest = rest[end:]
			switch word {
			case "OR":
				emit(" | ", false, false)
				continue
			case "AND":
				emit(" & ", false, false)
				continue
			case "NOT":
				emit(" & !", false, false)
				continue
			}
			prefix := strings.HasSuffix(word, "*")
			words, _ := store.SearchWords(strings.TrimSuffix(word, "*"))
			if len(words) == 0 {
				return "", false
			}
			emit(quoteOperand(words, prefix, weight), true, true)
		}
	}
	return b.String(), true
}

// plainQuery is a tsquery that cannot fail to parse: each of words quoted,
// all of them required, of the given weight ("" for any).
func plainQuery(words []string, weight string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteOperand([]string{w}, false, weight)
	}
	return strings.Join(quoted, " & ")
}

// quoteOperand is a tsquery operand of words (letters, digits and marks
// only, so no quote to escape), folded as stored text is: the server makes
// a phrase of several, and a prefix of each with prefix; weight, when not
// empty, restricts it to lexemes of that weight.
func quoteOperand(words []string, prefix bool, weight string) string {
	op := "'" + searchText(strings.Join(words, " ")) + "'"
	switch {
	case prefix:
		op += ":*" + weight
	case weight != "":
		op += ":" + weight
	}
	return op
}

// searchText is text as the full-text vector indexes it: Latin letters
// without their diacritics (Zelénskyy, Zürich, Kraków read as Zelenskyy,
// Zurich, Krakow), other scripts as they are (й stays й), in NFC. The text
// search configuration `simple` then lowercases every word, in any script.
func searchText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	var base rune = -1
	for _, r := range norm.NFD.String(text) {
		if unicode.Is(unicode.Mn, r) && base >= 0 && base < 0x250 {
			continue // a mark on a Latin letter
		}
		if !unicode.Is(unicode.Mn, r) {
			base = r
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
