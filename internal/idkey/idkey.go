package idkey

import "strings"

// Pack returns the 16 bytes of a lower-case UUID ("8-4-4-4-12" hex digits), and false for
// any other text.
func Pack(id string) ([16]byte, bool) {
	var k [16]byte
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return k, false
	}
	j := 0
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		c := id[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		default:
			return [16]byte{}, false
		}
		k[j/2] |= v << (4 * (1 - j%2))
		j++
	}
	return k, true
}

// Map maps ids to values. The zero Map is empty and ready to use.
type Map[V any] struct {
	uuids map[[16]byte]V
	other map[string]V
}

// Set maps id to v.
func (m *Map[V]) Set(id string, v V) {
	if k, ok := Pack(id); ok {
		if m.uuids == nil {
			m.uuids = map[[16]byte]V{}
		}
		m.uuids[k] = v
		return
	}
	if m.other == nil {
		m.other = map[string]V{}
	}
	m.other[id] = v
}

// Get returns the value of id and whether it has one.
func (m *Map[V]) Get(id string) (V, bool) {
	if k, ok := Pack(id); ok {
		v, found := m.uuids[k]
		return v, found
	}
	v, found := m.other[id]
	return v, found
}

// Len is the number of ids in m.
func (m *Map[V]) Len() int { return len(m.uuids) + len(m.other) }

// Format is the text of a packed UUID, lower case: Format(k) is id when Pack(id) is k.
func Format(k [16]byte) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, c := range k {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&15])
	}
	return string(b)
}

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 form, hex digits of either
// case, of any version.
func IsUUID(s string) bool {
	_, ok := Pack(strings.ToLower(s)) // ToLower copies nothing when s has no upper case
	return ok
}
