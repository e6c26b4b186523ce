package idkey

import "strings"

// Pack returns the 16 bytes of a lower-case UUID ("8-4-4-4-12" hex digits), and false for
// any other text.
func Pack(id string) ([16]byte, bool) {
	var k [16]byte
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return k, false
	}
	var bad byte // the union of the digits' values: above 15 when one is not a digit
	for i, j := 0, 0; j < 16; j++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
		}
		hi, lo := hexDigit[id[i]], hexDigit[id[i+1]]
		bad |= hi | lo
		k[j] = hi<<4 | lo
		i += 2
	}
	if bad > 15 {
		return [16]byte{}, false
	}
	return k, true
}

// hexDigit is the value of each lower-case hex digit, and 0xff for every other byte.
var hexDigit = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()

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
