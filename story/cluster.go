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
// most.
const LeadRunes = 300

// SigBands is the number of band keys a signature yields for candidate
// lookup.
const SigBands = 16

// The weights of a signature's features: a word key found in the title
// counts twice as much as one found only in the lead.
const (
	leadWeight  = 1
	titleWeight = 2
)

// sigVersion is the first byte of a serialised signature.
const sigVersion = 1

// ErrBadSignature is returned by Sig.UnmarshalBinary for bytes that are not
// a serialised signature.
var ErrBadSignature = errors.New("story: bad signature")

// Sig is the near-duplicate signature of a report: the script-independent
// keys of the words of its title and lead (see clusterKey), each hashed
// and weighted by where it was found. The zero Sig is empty.
type Sig struct {
	// feats is sorted by hash, each hash once.
	feats []feature
}

// feature is one weighted word key of a signature.
type feature struct {
	hash   uint32
	weight uint8
}

// Signature returns the signature of a report's title and lead; only the
// words of lead that start within its first LeadRunes characters count. Cyrillic and Latin text
// give comparable keys, so an English and a Russian report about one
// event share the keys of its names and places.
func Signature(title, lead string) Sig {
	weights := make(map[uint32]uint8)
	addKeys(weights, title, len(title), titleWeight)
	addKeys(weights, lead, runeOffset(lead, LeadRunes), leadWeight)
	feats := make([]feature, 0, len(weights))
	for h, w := range weights {
		feats = append(feats, feature{hash: h, weight: w})
	}
	slices.SortFunc(feats, func(a, b feature) int { return compareHash(a.hash, b.hash) })
	return Sig{feats: feats}
}

// wordBoundaryAfter returns the first white-space offset of text at or
// after end (or len(text)): cutting there keeps every word that starts
// before end whole, and spares tokenising the rest of a long text.
func wordBoundaryAfter(text string, end int) int {
	if end >= len(text) {
		return len(text)
	}
	if i := strings.IndexAny(text[end:], " \t\n\r"); i >= 0 {
		return end + i
	}
	return len(text)
}

// addKeys adds the hashed keys of the words of text that start before
// byte offset end to weights, keeping the larger weight of a key seen
// twice.
func addKeys(weights map[uint32]uint8, text string, end int, weight uint8) {
	for _, w := range Words(text[:wordBoundaryAfter(text, end)]) {
		if w.Start >= end {
			break
		}
		k := clusterKey(w.Text)
		if k == "" {
			continue
		}
		h := fnv32a(k)
		weights[h] = max(weights[h], weight)
	}
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

// compareHash orders hashes ascending.
func compareHash(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Len returns the number of distinct word keys in s.
func (s Sig) Len() int { return len(s.feats) }

// Similarity returns the weighted Jaccard similarity of a and b, from 0
// (no key in common) to 1 (the same keys with the same weights): the sum
// over all keys of the smaller weight divided by the sum of the larger.
// Two empty signatures have similarity 0.
func (a Sig) Similarity(b Sig) float64 {
	var common, total int
	i, j := 0, 0
	for i < len(a.feats) && j < len(b.feats) {
		x, y := a.feats[i], b.feats[j]
		switch {
		case x.hash < y.hash:
			total += int(x.weight)
			i++
		case x.hash > y.hash:
			total += int(y.weight)
			j++
		default:
			common += int(min(x.weight, y.weight))
			total += int(max(x.weight, y.weight))
			i++
			j++
		}
	}
	for _, f := range a.feats[i:] {
		total += int(f.weight)
	}
	for _, f := range b.feats[j:] {
		total += int(f.weight)
	}
	if total == 0 {
		return 0
	}
	return float64(common) / float64(total)
}

// Merge returns the union of sigs: every key of any of them with its
// largest weight. It is the profile of a development that a new report is
// compared with.
func Merge(sigs ...Sig) Sig {
	n := 0
	for _, s := range sigs {
		n += len(s.feats)
	}
	all := make([]feature, 0, n)
	for _, s := range sigs {
		all = append(all, s.feats...)
	}
	slices.SortFunc(all, func(a, b feature) int {
		if c := compareHash(a.hash, b.hash); c != 0 {
			return c
		}
		return int(b.weight) - int(a.weight)
	})
	return Sig{feats: slices.CompactFunc(all, func(a, b feature) bool { return a.hash == b.hash })}
}

// Bands returns s's SigBands locality-sensitive band keys: band i is the
// smallest of the key hashes under the i-th fixed permutation (MinHash
// with one row a band), tagged with i. Two signatures share band i with
// probability equal to the Jaccard similarity of their key sets, so a
// report that resembles an earlier one shares a band key with it almost
// surely (1−(1−J)^16 ≥ 0.97 for J ≥ 0.2) while unrelated reports rarely
// do. An empty signature has no bands.
func (s Sig) Bands() []int64 {
	if len(s.feats) == 0 {
		return nil
	}
	bands := make([]int64, SigBands)
	for i := range bands {
		seed := mix64(uint64(i) + 0x9e3779b97f4a7c15)
		least := uint32(1<<32 - 1)
		for _, f := range s.feats {
			least = min(least, uint32(mix64(uint64(f.hash)^seed)>>32))
		}
		bands[i] = int64(i)<<32 | int64(least)
	}
	return bands
}

// mix64 is the SplitMix64 finaliser: a fixed bijection of 64-bit values
// whose outputs look independent of their inputs.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// MarshalBinary serialises s for storage: a version byte, the number of
// keys as a uvarint, then each key as its hash (4 bytes, little-endian)
// and its weight (1 byte), in hash order.
func (s Sig) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+5*len(s.feats))
	b = append(b, sigVersion)
	b = binary.AppendUvarint(b, uint64(len(s.feats)))
	for _, f := range s.feats {
		b = binary.LittleEndian.AppendUint32(b, f.hash)
		b = append(b, f.weight)
	}
	return b, nil
}

// UnmarshalBinary reads a signature written by MarshalBinary. Bytes of
// another version, with a count not in its shortest form, of the wrong
// length, with keys out of order or repeated, or with a zero weight give
// an error wrapping ErrBadSignature.
func (s *Sig) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != sigVersion {
		return fmt.Errorf("%w: unknown version", ErrBadSignature)
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
		if f.weight == 0 {
			return fmt.Errorf("%w: key %d has weight 0", ErrBadSignature, len(feats))
		}
		if len(feats) > 0 && feats[len(feats)-1].hash >= f.hash {
			return fmt.Errorf("%w: key %d out of order", ErrBadSignature, len(feats))
		}
		feats = append(feats, f)
	}
	s.feats = feats
	return nil
}
