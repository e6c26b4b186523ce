package heliconetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// entry is one member of a JSON object, in document order.
type entry struct {
	key string
	val json.RawMessage
}

// entryDecoders keeps the decoders of objectEntries, which the emulator calls on every node
// of every filter it reads.
var entryDecoders = sync.Pool{New: func() any { return jsontext.NewDecoder(emptyReader) }}

// emptyReader is what a pooled decoder reads, so that it holds no body.
var emptyReader = bytes.NewReader(nil)

// objectEntries returns the members of a JSON object in document order, or false when raw
// is not an object. Each value is raw's own bytes; names are unescaped as encoding/json
// unescapes them (invalid UTF-8 replaced), and a repeated name is kept twice.
func objectEntries(raw json.RawMessage) ([]entry, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	dec := entryDecoders.Get().(*jsontext.Decoder)
	defer func() {
		dec.Reset(emptyReader)
		entryDecoders.Put(dec)
	}()
	dec.Reset(bytes.NewBuffer(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if _, err := dec.ReadToken(); err != nil {
		return nil, false
	}
	var out []entry
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, false
		}
		name := tok.String()
		v, err := dec.ReadValue()
		if err != nil {
			return nil, false
		}
		end := int(dec.InputOffset())
		out = append(out, entry{name, raw[end-len(v) : end : end]})
	}
	return out, true
}

// jsonKind names the JSON type of raw: "object", "array", "string", "number", "bool",
// "null" or "" when empty.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// validation collects tsoa-style validation errors (422).
type validation map[string]map[string]any

func (v validation) add(path, msg string, value any) {
	d := map[string]any{"message": msg}
	if value != nil {
		d["value"] = value
	}
	v[path] = d
}

func (v validation) excess(path, key string) {
	v.add(path+"."+key, strconv.Quote(key)+" is an excess property and therefore is not allowed", key)
}

func (v validation) required(path, key string) {
	v.add(path+"."+key, "'"+key+"' is required", nil)
}

// write answers 422 with the collected errors.
func (v validation) write(w http.ResponseWriter) {
	b, err := marshalJSON(map[string]any{"message": "Validation Failed", "details": map[string]map[string]any(v)})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, bodyInternal)
		return
	}
	writeJSON(w, http.StatusUnprocessableEntity, b)
}

// unionMessage is the message of a union that matched none of its members: the fixed text
// and the JSON array of each member's errors, nothing appended.
func unionMessage(issues []map[string]any) string {
	b, err := marshalJSON(issues)
	if err != nil {
		b = []byte("[]")
	}
	return "Could not match the union against any of the items. Issues: " + string(b)
}

// rawValue turns raw JSON into a value for a validation detail.
func rawValue(raw json.RawMessage) any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return v
}

// marshalJSON encodes v as JavaScript's JSON.stringify would: without escaping <, > and &
// (otherwise as encoding/json does, with go-json-experiment's faster engine; the bytes
// differ from encoding/json's only in how U+2028 and U+2029 inside raw values and invalid
// UTF-8 are written, not in what they decode to).
func marshalJSON(v any) ([]byte, error) {
	return jsonv2.Marshal(v, stringifyOptions)
}

var stringifyOptions = jsonv2.JoinOptions(v1Options, jsontext.EscapeForHTML(false))
