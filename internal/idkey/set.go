package idkey

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// Set is a set of ids. A lower-case UUID takes about 20 bytes in it, against 30 to 40 in a
// map: new ids go into a small map, which moves into one sorted slice, searched by
// bisection, each time it holds a sixteenth as many ids as the slice (or setBatch, when
// more). Any other id is kept in a map as it is. The zero Set is empty and ready to use.
type Set struct {
	sorted []key
	recent map[key]struct{}
	other  map[string]struct{}
}

// key is a packed UUID as two integers, which compare faster than 16 bytes do.
type key struct{ hi, lo uint64 }

func toKey(k [16]byte) key {
	return key{binary.BigEndian.Uint64(k[:8]), binary.BigEndian.Uint64(k[8:])}
}

// bytes is the id's 16 bytes again.
func (k key) bytes() [16]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return b
}

func compareKeys(a, b key) int { return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo)) }

// setBatch is the fewest ids the small map holds before it moves into the slice.
const setBatch = 4096

// Add adds id to s and reports whether it was not there before.
func (s *Set) Add(id string) bool {
	p, ok := Pack(id)
	if !ok {
		if _, dup := s.other[id]; dup {
			return false
		}
		if s.other == nil {
			s.other = map[string]struct{}{}
		}
		s.other[id] = struct{}{}
		return true
	}
	k := toKey(p)
	if s.has(k) {
		return false
	}
	if s.recent == nil {
		s.recent = make(map[key]struct{}, setBatch)
	}
	s.recent[k] = struct{}{}
	if len(s.recent) >= max(setBatch, len(s.sorted)/16) {
		s.merge()
	}
	return true
}

// Has reports whether id is in s.
func (s *Set) Has(id string) bool {
	if p, ok := Pack(id); ok {
		return s.has(toKey(p))
	}
	_, ok := s.other[id]
	return ok
}

func (s *Set) has(k key) bool {
	if _, ok := s.recent[k]; ok {
		return true
	}
	_, found := slices.BinarySearchFunc(s.sorted, k, compareKeys)
	return found
}

// merge moves the small map's ids into the sorted slice, merging from the back so that the
// slice grows in place.
func (s *Set) merge() {
	batch := make([]key, 0, len(s.recent))
	for k := range s.recent {
		batch = append(batch, k)
	}
	slices.SortFunc(batch, compareKeys)
	n := len(s.sorted)
	s.sorted = slices.Grow(s.sorted, len(batch))[:n+len(batch)]
	i, j := n-1, len(batch)-1
	for w := len(s.sorted) - 1; j >= 0; w-- {
		if i >= 0 && compareKeys(s.sorted[i], batch[j]) > 0 {
			s.sorted[w] = s.sorted[i]
			i--
		} else {
			s.sorted[w] = batch[j]
			j--
		}
	}
	clear(s.recent)
}

// Len is the number of ids in s.
func (s *Set) Len() int { return len(s.sorted) + len(s.recent) + len(s.other) }
