package story

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// LeadRunes is how much of an item's text, in characters, its signature
// reads after the title: the lead, where reports of one event overlap
// most. Page residue at its start (a byline, a dateline, a photo credit)
// does not count towards it.
const LeadRunes = 300

// The base weights of a signature's features. A word key found in the
// title counts twice as much as one found only in the lead; an actor
// named counts more than a word, since the matcher's canonical name is
// the same in every language and script.
const (
	leadWeight       = 1
	titleWeight      = 2
	leadActorWeight  = 2
	titleActorWeight = 3
)

// The marks a feature's weight byte carries above its base weight.
const (
	// storyWord marks a word key found in the report as part of a
	// configured story phrase or context term: the story's own
	// vocabulary, which all its developments share, so it tells them
	// apart less than other words until the index has seen enough
	// developments to say how common it is.
	storyWord = 0x80
	// nameWord marks a name: an actor, a word written with a capital
	// inside a sentence, or a number — what reports of one event in
	// different languages have in common.
	nameWord = 0x40
	// baseMask selects the base weight.
	baseMask = 0x0f
)

// The versions of a serialised signature. Version 1 signatures, written
// before actors and marks were part of a signature, are read as
// signatures without marks and flagged, so that the report's actors are
// added to them when they are clustered (see reportFeatures).
const (
	sigVersion1 = 1
	sigVersion  = 2
)

// ErrBadSignature is returned by Sig.UnmarshalBinary for bytes that are not
// a serialised signature.
var ErrBadSignature = errors.New("story: bad signature")

// Sig is the signature of a report that clustering compares: the
// script-independent keys of the words of its title and lead (see
// clusterKey) and the actors named there, each hashed, weighted by where
// it was found and marked as story vocabulary or as a name. The words of
// an actor's name are left out: the canonical name stands for them. The
// zero Sig is empty.
type Sig struct {
	// feats is sorted by hash, each hash once.
	feats []feature
	// v1 says the signature was read from version 1 bytes: it has no
	// actors and no marks.
	v1 bool
}

// feature is one weighted key of a signature. The low bits of weight are
// its base weight, the high bits its marks.
type feature struct {
	hash   uint32
	weight uint8
}

// base returns f's weight without its marks.
func (f feature) base() uint8 { return f.weight & baseMask }

// is reports whether f carries mark.
func (f feature) is(mark uint8) bool { return f.weight&mark != 0 }

// Signature returns the signature of a report's title and lead, given the
// matcher's verdict on them: m's spans tell which words name actors and
// which are story phrases or context terms (a zero Match marks none).
// Only the words and actors of lead that start within its first LeadRunes
// characters of text after any byline, dateline or photo credit count.
// Cyrillic, Greek and Latin text give comparable keys, so reports of one
// event in different languages share the keys of its places, numbers and
// loanwords, and their actors.
func Signature(title, lead string, m Match) Sig {
	weights := make(map[uint32]uint8)
	tw := Words(title)
	keys(weights, title, tw, len(title), nil, m.Spans, FieldTitle, titleWeight, !titleCase(tw))
	lw := Words(lead[:wordBoundaryAfter(lead, runeOffset(lead, LeadRunes+leadScan))])
	skip := leadSkips(lead, lw)
	limit := keptOffset(lead, skip, LeadRunes)
	keys(weights, lead, lw, limit, skip, m.Spans, FieldText, leadWeight, true)
	for _, sp := range m.Spans {
		if sp.Kind != KindActor || (sp.Field == FieldText && (sp.Start >= limit || inRanges(skip, sp.Start))) {
			continue
		}
		w := uint8(leadActorWeight)
		if sp.Field == FieldTitle {
			w = titleActorWeight
		}
		h := actorHash(sp.Term)
		weights[h] = max(weights[h]&baseMask, w) | nameWord
	}
	feats := make([]feature, 0, len(weights))
	for h, w := range weights {
		feats = append(feats, feature{hash: h, weight: w})
	}
	slices.SortFunc(feats, compareFeatures)
	return Sig{feats: feats}
}

// keys adds the hashed keys of words, which split text, to weights with
// base weight weight: only the words that start before byte offset limit
// and outside the skip ranges count, and words inside an actor span of
// field, or given names just before one, are left out. A key keeps the
// larger base weight of its occurrences, the storyWord mark when one
// occurrence is inside a phrase or context span, and the nameWord mark
// when one is a number or, if capitals says that capitals mean something
// in text, a word written with a capital inside a sentence.
func keys(weights map[uint32]uint8, text string, words []Word, limit int, skip [][2]int, spans []Span, field Field, weight uint8, capitals bool) {
	si := 0
	for i, w := range words {
		if w.Start >= limit {
			break
		}
		if inRanges(skip, w.Start) {
			continue
		}
		for si < len(spans) && (spans[si].Field != field || spans[si].End <= w.Start) {
			si++
		}
		kind := spanKindAt(spans[si:], field, w)
		if kind == KindActor || givenName(text, words, i, spans[si:], field) {
			continue
		}
		k := clusterKey(w.Text)
		if k == "" {
			continue
		}
		f := weight
		if kind == KindPhrase || kind == KindContext {
			f |= storyWord
		}
		if isDigits(w.Text) || (capitals && w.Capital && i > 0 && !sentenceStart(text[words[i-1].End:w.Start])) {
			f |= nameWord
		}
		h := fnv32a(k)
		if old, seen := weights[h]; seen {
			f = max(old&baseMask, f&baseMask) | ((old | f) & (storyWord | nameWord))
		}
		weights[h] = f
	}
}

// givenName reports whether words[i] is written with a capital right
// before an actor's span (Bram before the alias Otter, President before
// Trump): part of the name, which the actor already stands for.
func givenName(text string, words []Word, i int, spans []Span, field Field) bool {
	if !words[i].Capital || i+1 >= len(words) || strings.TrimSpace(text[words[i].End:words[i+1].Start]) != "" {
		return false
	}
	return spanKindAt(spans, field, words[i+1]) == KindActor
}

// spanKindAt returns the kind of the first span of field in spans (sorted
// by start, as the matcher gives them) that covers word w, or "" for none.
// Exclusions do not count: another story's phrase is no part of this
// one's vocabulary.
func spanKindAt(spans []Span, field Field, w Word) Kind {
	for _, s := range spans {
		if s.Field != field {
			continue
		}
		if s.Start > w.Start {
			break
		}
		if w.End <= s.End && s.Kind != KindExclude {
			return s.Kind
		}
	}
	return ""
}

// sentenceStart reports whether the gap between two words ends a sentence
// or opens a quotation, so that the capital of the next word says nothing.
func sentenceStart(gap string) bool {
	return strings.ContainsAny(gap, ".!?:;«»\"“”„")
}

// titleCase reports whether a title capitalises most of its longer words,
// as English headlines do, so that its capitals say nothing.
func titleCase(words []Word) bool {
	long, caps := 0, 0
	for _, w := range words {
		if len(w.Text) >= 4 {
			long++
			if w.Capital {
				caps++
			}
		}
	}
	return long >= 3 && caps*10 >= long*7
}

// wordBoundaryAfter returns the first white-space offset of text at or
// after end (or len(text)): cutting there keeps every word that starts
// before end whole, and spares tokenising the rest of a long text.
func wordBoundaryAfter(text string, end int) int {
	for i := end; i < len(text); i++ {
		switch text[i] {
		case ' ', '\t', '\n', '\r':
			return i
		}
	}
	return len(text)
}

// fnv32a is the 32-bit FNV-1a hash of s. Stored signatures depend on it:
// it must never change.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// actorHash is the feature hash of a canonical actor name; the NUL byte
// keeps it apart from every word key.
func actorHash(name string) uint32 { return fnv32a("\x00" + name) }

// compareFeatures orders features by hash, the larger base weight first.
func compareFeatures(a, b feature) int {
	switch {
	case a.hash < b.hash:
		return -1
	case a.hash > b.hash:
		return 1
	}
	return int(b.base()) - int(a.base())
}

// Len returns the number of distinct keys (words and actors) in s.
func (s Sig) Len() int { return len(s.feats) }

// WithoutActors returns s without the features of the actors named: the
// report's words alone.
func (s Sig) WithoutActors(actors []string) Sig {
	if len(actors) == 0 {
		return s
	}
	hashes := make([]uint32, len(actors))
	for i, a := range actors {
		hashes[i] = actorHash(a)
	}
	feats := slices.DeleteFunc(slices.Clone(s.feats), func(f feature) bool { return slices.Contains(hashes, f.hash) })
	return Sig{feats: feats, v1: s.v1}
}

// reportFeatures returns the features r is clustered on: its signature's,
// and, for a version 1 signature, which has none, its actors as if they
// were named in the lead.
func reportFeatures(r Report) []feature {
	if !r.Sig.v1 || len(r.Actors) == 0 {
		return r.Sig.feats
	}
	feats := slices.Clone(r.Sig.feats)
	for _, a := range r.Actors {
		feats = append(feats, feature{hash: actorHash(a), weight: leadActorWeight | nameWord})
	}
	slices.SortFunc(feats, compareFeatures)
	return slices.CompactFunc(feats, func(a, b feature) bool { return a.hash == b.hash })
}

// MarshalBinary serialises s for storage: a version byte, the number of
// keys as a uvarint, then each key as its hash (4 bytes, little-endian)
// and its weight byte, in hash order. A version 1 signature read back is
// written as version 1.
func (s Sig) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+5*len(s.feats))
	if s.v1 {
		b = append(b, sigVersion1)
	} else {
		b = append(b, sigVersion)
	}
	b = binary.AppendUvarint(b, uint64(len(s.feats)))
	for _, f := range s.feats {
		b = binary.LittleEndian.AppendUint32(b, f.hash)
		b = append(b, f.weight)
	}
	return b, nil
}

// UnmarshalBinary reads a signature written by MarshalBinary, in this
// version or version 1. Bytes of another version, with a count not in
// its shortest form, of the wrong length, with keys out of order or
// repeated, or with a weight byte that is not a base weight of 1 to 15
// and known marks (in version 1: none) give an error wrapping
// ErrBadSignature.
func (s *Sig) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || (data[0] != sigVersion && data[0] != sigVersion1) {
		return fmt.Errorf("%w: unknown version", ErrBadSignature)
	}
	marks := uint8(storyWord | nameWord)
	if data[0] == sigVersion1 {
		marks = 0
	}
	n, size := binary.Uvarint(data[1:])
	if size <= 0 || size != len(binary.AppendUvarint(nil, n)) {
		return fmt.Errorf("%w: bad key count", ErrBadSignature)
	}
	rest := data[1+size:]
	if n != uint64(len(rest)/5) || len(rest)%5 != 0 {
		return fmt.Errorf("%w: length does not match %d keys", ErrBadSignature, n)
	}
	feats := make([]feature, 0, n)
	for i := 0; i < len(rest); i += 5 {
		f := feature{hash: binary.LittleEndian.Uint32(rest[i:]), weight: rest[i+4]}
		if f.base() == 0 || f.weight&^(baseMask|marks) != 0 {
			return fmt.Errorf("%w: key %d has a bad weight", ErrBadSignature, len(feats))
		}
		if len(feats) > 0 && feats[len(feats)-1].hash >= f.hash {
			return fmt.Errorf("%w: key %d out of order", ErrBadSignature, len(feats))
		}
		feats = append(feats, f)
	}
	*s = Sig{feats: feats, v1: data[0] == sigVersion1}
	return nil
}
