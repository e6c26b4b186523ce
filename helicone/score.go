package helicone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unique"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/heval-dev/heval/internal/jsonscan"
)

// BoolSuffix is appended by Helicone to the key of a boolean score when it stores it:
// {"is_factual": true} is read back as "is_factual-hcone-bool" = 1.
const BoolSuffix = "-hcone-bool"

// ScoreValue is a score Helicone can store: an int64 or a bool. The zero value is the
// integer 0. There is no way to build a ScoreValue from a float.
type ScoreValue struct {
	isBool bool
	b      bool
	i      int64
}

// Int returns an integer score value.
func Int(v int64) ScoreValue { return ScoreValue{i: v} }

// Bool returns a boolean score value; Helicone stores it as 1 or 0 under "<key>-hcone-bool".
func Bool(v bool) ScoreValue { return ScoreValue{isBool: true, b: v} }

// IsBool reports whether v is a boolean.
func (v ScoreValue) IsBool() bool { return v.isBool }

// Int64 returns the value as Helicone stores it: the integer, or 1/0 for a boolean.
func (v ScoreValue) Int64() int64 {
	if v.isBool {
		if v.b {
			return 1
		}
		return 0
	}
	return v.i
}

// BoolValue returns the boolean and true when v is a boolean.
func (v ScoreValue) BoolValue() (bool, bool) { return v.b, v.isBool }

// StoredKey is the key under which Helicone stores a score sent under key: the key itself
// for integers, key+BoolSuffix for booleans.
func (v ScoreValue) StoredKey(key string) string {
	if v.isBool {
		return key + BoolSuffix
	}
	return key
}

// String formats v as it is sent on the wire.
func (v ScoreValue) String() string {
	if v.isBool {
		return strconv.FormatBool(v.b)
	}
	return strconv.FormatInt(v.i, 10)
}

// MarshalJSON writes a JSON integer or boolean.
func (v ScoreValue) MarshalJSON() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalJSON accepts a JSON integer or boolean and rejects everything else, floats included.
func (v *ScoreValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "true":
		*v = Bool(true)
		return nil
	case "false":
		*v = Bool(false)
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("helicone: score value %s is not an int64 or a bool", truncate(string(b), 40))
	}
	*v = Int(n)
	return nil
}

// Scores maps score keys to values; it is the body of one score write.
type Scores map[string]ScoreValue

// MarshalJSON writes the scores as encoding/json writes the map, keys sorted, without
// reflection: a score write encodes one per request.
func (s Scores) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	return s.AppendJSON(make([]byte, 0, s.jsonSize())), nil
}

// jsonSize is room enough for the scores' JSON: braces, and per key its quotes, colon and
// comma and the longest value.
func (s Scores) jsonSize() int {
	size := 2
	for k := range s {
		size += len(k) + 28
	}
	return size
}

// AppendJSON appends the scores to b as [Scores.MarshalJSON] writes them.
func (s Scores) AppendJSON(b []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	var small [16]string // a write has a handful of keys: sorted without allocating
	keys := small[:0]
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if plainKey(k) {
			b = append(b, '"')
			b = append(b, k...)
			b = append(b, '"')
		} else {
			q, _ := json.Marshal(k) // a string always encodes
			b = append(b, q...)
		}
		b = append(b, ':')
		if v := s[k]; v.isBool {
			b = strconv.AppendBool(b, v.b)
		} else {
			b = strconv.AppendInt(b, v.i, 10)
		}
	}
	return append(b, '}')
}

// plainKey reports whether encoding/json writes k as it is between quotes: printable
// ASCII without a quote, a backslash or a character it escapes for HTML.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c < 0x20 || c >= utf8.RuneSelf, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// StoredScore is a score as the server returns it when read back (experiment rows and runs,
// the v2 score route). Max and Min are declared by the published reference but not sent by
// the server; they are nil when absent.
type StoredScore struct {
	Value     FlexValue `json:"value"`
	ValueType string    `json:"valueType"`
	Max       *float64  `json:"max,omitempty"`
	Min       *float64  `json:"min,omitempty"`
}

// UnmarshalJSON accepts the fields in any JSON form: max and min as numbers, numeric
// strings or null, valueType as any scalar. Unknown fields are ignored.
func (s *StoredScore) UnmarshalJSON(b []byte) error {
	if s.scanPlain(b) {
		return nil
	}
	return s.unmarshalGeneral(b)
}

// scanPlain reads the commonest form of a score, an object of some of the keys value,
// valueType, max and min (once each) whose values are numbers, true, false, null or
// strings of printable ASCII without escapes, and reports whether b is exactly that. Any
// other form is left to the general decoding, which gives the same result for this one.
func (s *StoredScore) scanPlain(b []byte) bool {
	i := jsonscan.Space(b, 0)
	if i == len(b) || b[i] != '{' {
		return false
	}
	var fields [4]FlexValue
	fields[0].Null, fields[2].Null, fields[3].Null = true, true, true
	var seen [4]bool
	i = jsonscan.Space(b, i+1)
	for first := true; ; first = false {
		if i < len(b) && b[i] == '}' && first {
			break
		}
		name, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		k := -1
		switch string(name) {
		case "value":
			k = 0
		case "valueType":
			k = 1
		case "max":
			k = 2
		case "min":
			k = 3
		}
		if k < 0 || seen[k] {
			return false
		}
		seen[k] = true
		if i = jsonscan.Space(b, j); i == len(b) || b[i] != ':' {
			return false
		}
		i = jsonscan.Space(b, i+1)
		f := &fields[k]
		if text, j, ok := plainString(b, i); ok {
			*f = FlexValue{}
			f.setText(shortString(text))
			i = j
		} else if j, ok := plainScalar(b, i); ok {
			// As UnmarshalJSON reads these.
			switch string(b[i:j]) {
			case "null":
				*f = FlexValue{Null: true}
			case "true":
				*f = FlexValue{Raw: "1", IsNumber: true, Number: 1}
			case "false":
				*f = FlexValue{Raw: "0", IsNumber: true, Number: 0}
			default:
				*f = FlexValue{}
				f.setText(shortString(b[i:j]))
			}
			i = j
		} else {
			return false
		}
		if i = jsonscan.Space(b, i); i == len(b) {
			return false
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return false
		}
		i = jsonscan.Space(b, i+1)
	}
	if jsonscan.Space(b, i+1) != len(b) {
		return false
	}
	*s = StoredScore{Value: fields[0], ValueType: fields[1].Raw}
	if fields[2].IsNumber {
		n := fields[2].Number
		s.Max = &n
	}
	if fields[3].IsNumber {
		n := fields[3].Number
		s.Min = &n
	}
	return true
}

// shortString is string(b), the same string for the same short bytes: a stored score's
// key, type and value repeat on every request of a run, and each of them was an allocation.
func shortString(b []byte) string {
	if len(b) > 32 {
		return string(b)
	}
	return unique.Make(string(b)).Value()
}

// plainString reads a JSON string at b[i] made of printable ASCII without escapes and
// returns its contents and the index after it.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i == len(b) || b[i] != '"' {
		return nil, i, false
	}
	j := jsonscan.Plain(b, i+1)
	if j == len(b) || b[j] != '"' {
		return nil, i, false
	}
	return b[i+1 : j], j + 1, true
}

// plainScalar returns the index after the JSON number, true, false or null at b[i].
func plainScalar(b []byte, i int) (int, bool) {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
			return i + len(lit), true
		}
	}
	return jsonscan.Number(b, i)
}

// unmarshalGeneral is UnmarshalJSON for any form of the score.
func (s *StoredScore) unmarshalGeneral(b []byte) error {
	var raw struct {
		Value     FlexValue `json:"value"`
		ValueType FlexValue `json:"valueType"`
		Max       FlexValue `json:"max"`
		Min       FlexValue `json:"min"`
	}
	raw.Value.Null, raw.Max.Null, raw.Min.Null = true, true, true
	if err := jsonv2.Unmarshal(b, &raw, decodeOptions); err != nil {
		return err
	}
	*s = StoredScore{Value: raw.Value, ValueType: raw.ValueType.Raw}
	if raw.Max.IsNumber {
		s.Max = &raw.Max.Number
	}
	if raw.Min.IsNumber {
		s.Min = &raw.Min.Number
	}
	return nil
}

// ScoreMap is the scores of one request as the server returns them, keyed by stored key
// (booleans carry BoolSuffix). A null map decodes as nil.
type ScoreMap map[string]StoredScore

// FlexValue is a JSON value the server sends as a number or a string ("92", a date-time,
// free text). Null decodes as the zero FlexValue.
type FlexValue struct {
	// Raw is the value as text: the digits of a number, or the string's contents.
	Raw string
	// IsNumber is true when Raw is a decimal number (sent as a number or a numeric string).
	IsNumber bool
	// Number is the numeric value when IsNumber.
	Number float64
	// Null is true when the server sent null or nothing.
	Null bool
}

// UnmarshalJSON accepts numbers, strings, booleans and null.
func (f *FlexValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = FlexValue{}
	switch {
	case len(b) == 0 || string(b) == "null":
		f.Null = true
		return nil
	case string(b) == "true":
		f.Raw, f.IsNumber, f.Number = "1", true, 1
		return nil
	case string(b) == "false":
		f.Raw, f.IsNumber, f.Number = "0", true, 0
		return nil
	case b[0] == '"':
		// Most stored values and types are printable ASCII without escapes.
		if text, end, ok := plainString(b, 0); ok && end == len(b) {
			f.setText(string(text))
			return nil
		}
		var s string
		if err := jsonv2.Unmarshal(b, &s, decodeOptions); err != nil {
			return err
		}
		f.setText(s)
	case b[0] == '{' || b[0] == '[':
		f.Raw = string(b)
	default:
		f.setText(string(b))
	}
	return nil
}

// setText sets the value to the text of a string or number: numeric when it is a decimal
// number.
func (f *FlexValue) setText(raw string) {
	f.Raw = raw
	t := strings.TrimSpace(raw)
	// A finite number starts with a sign, a digit or a point; ParseFloat's other forms
	// (inf, nan) are not numbers here, and text such as "number" would cost it an error.
	if t == "" || !(t[0] == '+' || t[0] == '-' || t[0] == '.' || t[0] >= '0' && t[0] <= '9') {
		return
	}
	if n, err := strconv.ParseFloat(t, 64); err == nil && !math.IsNaN(n) && !math.IsInf(n, 0) {
		f.IsNumber, f.Number = true, n
	}
}

// MarshalJSON writes a number when the value is numeric, a string otherwise.
func (f FlexValue) MarshalJSON() ([]byte, error) {
	switch {
	case f.Null:
		return []byte("null"), nil
	case f.IsNumber:
		if n, err := strconv.ParseInt(strings.TrimSpace(f.Raw), 10, 64); err == nil {
			return strconv.AppendInt(nil, n, 10), nil
		}
		return []byte(strconv.FormatFloat(f.Number, 'f', -1, 64)), nil
	default:
		return json.Marshal(f.Raw)
	}
}

// Int64 returns the value as an integer when it is a whole number within int64. Integer
// text is read exactly (9223372036854775807 is itself, not the nearest float64).
func (f FlexValue) Int64() (int64, bool) {
	if !f.IsNumber {
		return 0, false
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(f.Raw), 10, 64); err == nil {
		return n, true
	}
	// 1e2, 85.0: whole numbers written otherwise; float64(MaxInt64) is 2^63, outside int64.
	if f.Number != math.Trunc(f.Number) || f.Number < math.MinInt64 || f.Number >= math.MaxInt64 {
		return 0, false
	}
	return int64(f.Number), true
}

// truncate shortens s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
