package helicone

import (
	"bufio"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
)

// prefixBytes is how much of an answer is kept to quote in a [DecodeError].
const prefixBytes = 4096

// bodyReader reads an answer, keeping its first bytes for error messages and the first
// failure of the underlying reader (io.EOF is not a failure).
type bodyReader struct {
	r      io.Reader
	prefix []byte
	err    error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if k := min(n, prefixBytes-len(b.prefix)); k > 0 {
		b.prefix = append(b.prefix, p[:k]...)
	}
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// decodeBody decodes a 2xx answer as it is read: the envelope's data goes straight into out
// (which may be nil), without holding the raw body. A non-null envelope error gives an
// [*APIError]; a bare JSON array is accepted as data; an empty body or null data is success.
// When out is nil, a body that is not JSON at all is accepted too: any 2xx is success. A
// failure of br's reader is left in br.err for the caller to report.
func (c *Client) decodeBody(method, path string, status int, br *bodyReader, rl RateLimit, out any) error {
	strict := out != nil
	in := bufio.NewReaderSize(br, 64<<10)
	first, err := firstByte(in)
	if err != nil {
		// An empty body is success; a read failure is in br.err.
		return nil
	}
	dec := json.NewDecoder(in)
	s := &streamer{dec: dec}
	// fail handles a body that is not valid JSON, which may be transient (truncated, an
	// HTML page from a proxy...). The rest is read so that a broken transfer is reported.
	fail := func(err error) error {
		_, _ = io.Copy(io.Discard, in)
		if !strict {
			return nil
		}
		return &DecodeError{Method: method, Path: path, Status: status, Err: err, Body: snippet(c.scrub(br.prefix)), damaged: true}
	}
	end := func() error {
		switch _, err := dec.Token(); {
		case err == io.EOF:
			return nil
		case err != nil:
			return fail(err)
		default:
			return fail(errors.New("invalid JSON: more data after the answer"))
		}
	}
	switch first {
	case '[':
		if !strict {
			return fail(nil)
		}
		if err := s.data(out); err != nil {
			return fail(err)
		}
		if err := end(); err != nil {
			return err
		}
	case '{':
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
		var errRaw, msgRaw, detRaw json.RawMessage
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return fail(err)
			}
			key, _ := tok.(string)
			switch {
			case strict && strings.EqualFold(key, "data"):
				err = s.data(out)
			case strings.EqualFold(key, "error"):
				err = dec.Decode(&errRaw)
			case strings.EqualFold(key, "message"):
				err = dec.Decode(&msgRaw)
			case strings.EqualFold(key, "details"):
				err = dec.Decode(&detRaw)
			default:
				err = s.skip()
			}
			if err != nil {
				return fail(err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
		if err := end(); err != nil {
			return err
		}
		if !IsJSONNull(errRaw) {
			return newAPIError(method, path, status, c.scrub(errorBody(errRaw, msgRaw, detRaw)), rl)
		}
	default:
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		if err := end(); err != nil {
			return err
		}
		if strict && !IsJSONNull(raw) {
			return &DecodeError{Method: method, Path: path, Status: status, Body: snippet(c.scrub(br.prefix)),
				Err: errors.New("the answer is a JSON " + jsonKind(raw[0]) + ", not an object with data and error")}
		}
	}
	if strict && s.err != nil {
		return &DecodeError{Method: method, Path: path, Status: status, Err: s.err, Body: snippet(c.scrub(br.prefix))}
	}
	return nil
}

// firstByte returns the first byte of in that is not JSON white space, leaving it unread.
func firstByte(in *bufio.Reader) (byte, error) {
	for {
		b, err := in.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return b, in.UnreadByte()
		}
	}
}

// errorBody rebuilds the parts of an envelope that [newAPIError] reads.
func errorBody(errRaw, msgRaw, detRaw json.RawMessage) []byte {
	b := []byte(`{"error":`)
	b = append(b, errRaw...)
	if len(msgRaw) > 0 {
		b = append(append(b, `,"message":`...), msgRaw...)
	}
	if len(detRaw) > 0 {
		b = append(append(b, `,"details":`...), detRaw...)
	}
	return append(b, '}')
}

func jsonKind(b byte) string {
	switch b {
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "number"
}

// streamer decodes one JSON value into a Go value as its tokens arrive: slices element by
// element and plain structs field by field, so that no large value is buffered whole.
// Anything else (types with their own decoding, maps, scalars) is decoded with Decode.
type streamer struct {
	dec *json.Decoder
	// err is the first error of a well-formed value of the wrong shape; decoding goes on,
	// as json.Unmarshal does.
	err error
}

// data decodes the envelope's data into out. Null data leaves out as it is.
func (s *streamer) data(out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer && !v.IsNil() && streamable(v.Elem().Type()) {
		return s.value(v.Elem(), true)
	}
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return err
	}
	if !IsJSONNull(raw) {
		s.keep(json.Unmarshal(raw, out))
	}
	return nil
}

func (s *streamer) keep(err error) {
	if s.err == nil {
		s.err = err
	}
}

// value decodes the next value into v, which is addressable. It returns only errors that
// stop decoding: a body that is not valid JSON, or a failed read.
func (s *streamer) value(v reflect.Value, keepOnNull bool) error {
	t := v.Type()
	if !streamable(t) {
		err := s.dec.Decode(v.Addr().Interface())
		if err != nil && !fatal(err) {
			s.keep(err)
			return nil
		}
		return err
	}
	tok, err := s.dec.Token()
	if err != nil {
		return err
	}
	want := json.Delim('{')
	if t.Kind() == reflect.Slice {
		want = '['
	}
	switch {
	case tok == nil:
		if t.Kind() == reflect.Slice && !keepOnNull {
			v.SetZero()
		}
		return nil
	case tok != want:
		s.keep(&json.UnmarshalTypeError{Value: tokenKind(tok), Type: t, Offset: s.dec.InputOffset()})
		return s.skipRest(tok)
	case t.Kind() == reflect.Slice:
		if v.IsNil() {
			v.Set(reflect.MakeSlice(t, 0, 0))
		} else {
			v.SetLen(0)
		}
		zero := reflect.Zero(t.Elem())
		for s.dec.More() {
			v.Set(reflect.Append(v, zero))
			if err := s.value(v.Index(v.Len()-1), false); err != nil {
				return err
			}
		}
	default:
		fields := structFields(t)
		for s.dec.More() {
			tok, err := s.dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			if i := fields.find(key); i >= 0 {
				err = s.value(v.Field(i), false)
			} else {
				err = s.skip()
			}
			if err != nil {
				return err
			}
		}
	}
	_, err = s.dec.Token()
	return err
}

// skip reads past the next value.
func (s *streamer) skip() error {
	tok, err := s.dec.Token()
	if err != nil {
		return err
	}
	return s.skipRest(tok)
}

// skipRest reads past the rest of a value whose first token was tok.
func (s *streamer) skipRest(tok json.Token) error {
	depth := 0
	for {
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
		var err error
		if tok, err = s.dec.Token(); err != nil {
			return err
		}
	}
}

// fatal reports whether a Decode error means the input is broken rather than of the wrong
// shape.
func fatal(err error) bool {
	var syn *json.SyntaxError
	return errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF
}

func tokenKind(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "number"
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// streamable reports whether values of t are decoded token by token: slices (not of
// bytes) and structs of plain named fields, neither with its own decoding.
func streamable(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	if t.Implements(unmarshalerType) || p.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) || p.Implements(textUnmarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8
	case reflect.Struct:
		return structFields(t).plain
	}
	return false
}

// fieldSet is the JSON names of a struct's fields, by field index.
type fieldSet struct {
	names []string
	index []int
	// plain is false when the struct has embedded fields or ",string" options, which are
	// left to encoding/json.
	plain bool
}

// find returns the index of the field named key (exactly, else ignoring case, as
// encoding/json matches), or -1.
func (f *fieldSet) find(key string) int {
	for i, n := range f.names {
		if n == key {
			return f.index[i]
		}
	}
	for i, n := range f.names {
		if strings.EqualFold(n, key) {
			return f.index[i]
		}
	}
	return -1
}

var fieldCache sync.Map // reflect.Type → *fieldSet

func structFields(t reflect.Type) *fieldSet {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*fieldSet)
	}
	f := &fieldSet{plain: true}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			f.plain = false
			continue
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		for o := range strings.SplitSeq(opts, ",") {
			if o == "string" {
				f.plain = false
			}
		}
		if name != "" && !validTagName(name) {
			f.plain = false
		}
		if name == "" {
			name = sf.Name
		}
		f.names = append(f.names, name)
		f.index = append(f.index, i)
	}
	actual, _ := fieldCache.LoadOrStore(t, f)
	return actual.(*fieldSet)
}

// validTagName is a conservative version of encoding/json's rule for a tag's name: a name
// it might refuse makes the struct non-plain instead of guessing.
func validTagName(s string) bool {
	for _, r := range s {
		if r != '_' && r != '-' && r != '.' && r != '$' && !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && !('0' <= r && r <= '9') {
			return false
		}
	}
	return true
}
