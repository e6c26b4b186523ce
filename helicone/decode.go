package helicone

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// prefixBytes is how much of an answer is kept to quote in a [DecodeError].
const prefixBytes = 4096

// maxValueBytes bounds one value of a streamed answer (an experiment's row, run or header
// member): the answer itself may be of any size, as nothing holds it whole.
const maxValueBytes = 256 << 20

// decodeOptions are the rules the answers are read with: object member names match the
// fields' names ignoring case (but not dashes and underscores), a repeated name is allowed
// (the last wins) and invalid UTF-8 is replaced, as encoding/json does.
var decodeOptions = json.JoinOptions(
	json.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

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

// errValueTooLarge stops the reading of a streamed answer one of whose values exceeds
// maxValueBytes.
var errValueTooLarge = fmt.Errorf("one value of the answer is larger than %d MiB", maxValueBytes>>20)

// errStopped is returned through the decoder when the consumer of a streamed answer stops
// reading it.
var errStopped = errors.New("helicone: the reader of the answer stopped")

// valueLimit counts the bytes read since the last mark and fails past max (when max > 0).
type valueLimit struct {
	r      io.Reader
	n, max int64
}

func (l *valueLimit) Read(p []byte) (int, error) {
	if l.max > 0 && l.n > l.max {
		return 0, errValueTooLarge
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// answer is the decoding state of one 2xx answer. Answers are pooled, with their read
// buffers, so that a run of many small calls does not allocate a buffer per answer.
type answer struct {
	lim valueLimit
	dec *jsontext.Decoder
	// err is the first error of a well-formed value of the wrong shape; decoding goes on
	// after it, as encoding/json does.
	err error
}

var answers = sync.Pool{New: func() any {
	a := &answer{}
	a.dec = jsontext.NewDecoder(&a.lim, decodeOptions)
	return a
}}

func getAnswer(r io.Reader, limit int64) *answer {
	a := answers.Get().(*answer)
	a.lim = valueLimit{r: r, max: limit}
	a.dec.Reset(&a.lim, decodeOptions)
	return a
}

func putAnswer(a *answer) {
	a.lim = valueLimit{}
	a.err = nil
	a.dec.Reset(&a.lim, decodeOptions) // drop the body
	answers.Put(a)
}

// mark starts the count of the next value's bytes.
func (a *answer) mark() { a.lim.n = 0 }

func (a *answer) keep(err error) {
	if a.err == nil {
		a.err = err
	}
}

// peek returns the kind of the next token, or the error that stops reading there.
func (a *answer) peek() (jsontext.Kind, error) {
	if k := a.dec.PeekKind(); k != 0 {
		return k, nil
	}
	_, err := a.dec.ReadToken()
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return 0, err
}

// value decodes the next value into out (a non-nil pointer). A value of the wrong shape is
// kept in a.err and skipped, and value reports false; the error returned stops reading (the
// JSON is broken, or reading failed).
func (a *answer) value(out any) (bool, error) {
	depth, off := a.dec.StackDepth(), a.dec.InputOffset()
	err := json.UnmarshalDecode(a.dec, out)
	if err == nil {
		return true, nil
	}
	if fatal(err) {
		return false, err
	}
	a.keep(err)
	// Skip what is left of the value.
	for a.dec.StackDepth() > depth {
		if _, err := a.dec.ReadToken(); err != nil {
			return false, err
		}
	}
	if a.dec.InputOffset() == off {
		return false, a.dec.SkipValue()
	}
	return false, nil
}

// into decodes the data into out; null data leaves out as it is.
func (a *answer) into(out any) error {
	k, err := a.peek()
	if err != nil {
		return err
	}
	if k == 'n' {
		_, err := a.dec.ReadToken()
		return err
	}
	_, err = a.value(out)
	return err
}

// fatal reports whether a decoding error means the input is broken (or reading failed)
// rather than of the wrong shape.
func fatal(err error) bool {
	var se *json.SemanticError
	var syn *jsontext.SyntacticError
	return !errors.As(err, &se) || errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, errValueTooLarge) || errors.Is(err, errStopped)
}

// dataFunc decodes an envelope's data (the next value of a.dec). It is called once per
// data member of an answer, so once per attempt of a call.
type dataFunc func(a *answer) error

// intoValue is the dataFunc of a call whose data is decoded into one Go value.
func intoValue(out any) dataFunc {
	return func(a *answer) error { return a.into(out) }
}

// decodeBody decodes a 2xx answer as it is read: the envelope's data is handed to data
// (which may be nil), without holding the raw body. A non-null envelope error gives an
// [*APIError]; a bare JSON array is accepted as data; an empty body or null data is success.
// When data is nil, a body that is not JSON at all is accepted too: any 2xx is success. A
// failure of br's reader is left in br.err for the caller to report. limit, when positive,
// bounds each value that data marks (see [answer.mark]) instead of the whole answer.
func (c *Client) decodeBody(method, path string, status int, br *bodyReader, rl RateLimit, data dataFunc, limit int64) error {
	strict := data != nil
	a := getAnswer(br, limit)
	defer putAnswer(a)
	dec := a.dec
	// decodeErr quotes the start of the body and keeps the key out of the error, whose
	// text may name members of the answer.
	decodeErr := func(err error, damaged bool) error {
		return &DecodeError{Method: method, Path: path, Status: status, Err: redact(err, c.redactor), Body: snippet(c.scrub(br.prefix)), damaged: damaged}
	}
	// fail handles a body that is not valid JSON, which may be transient (truncated, an
	// HTML page from a proxy...). The rest is read so that a broken transfer is reported.
	fail := func(err error) error {
		var changed *ExperimentChangedError
		if errors.Is(err, errStopped) || errors.As(err, &changed) {
			return err
		}
		if errors.Is(err, errValueTooLarge) {
			return decodeErr(errValueTooLarge, false)
		}
		_, _ = io.Copy(io.Discard, br)
		if !strict {
			return nil
		}
		return decodeErr(err, true)
	}
	end := func() error {
		switch _, err := dec.ReadToken(); {
		case err == io.EOF:
			return nil
		case err != nil:
			return fail(err)
		default:
			return fail(errors.New("invalid JSON: more data after the answer"))
		}
	}
	first := dec.PeekKind()
	if first == 0 {
		if _, err := dec.ReadToken(); err != io.EOF {
			return fail(err)
		}
		// An empty body is success; a read failure is in br.err.
		return nil
	}
	switch first {
	case '[':
		if !strict {
			return fail(nil)
		}
		if err := data(a); err != nil {
			return fail(err)
		}
		if err := end(); err != nil {
			return err
		}
	case '{':
		if _, err := dec.ReadToken(); err != nil {
			return fail(err)
		}
		var errRaw, msgRaw, detRaw []byte
		for {
			k, err := a.peek()
			if err != nil {
				return fail(err)
			}
			if k == '}' {
				break
			}
			tok, err := dec.ReadToken()
			if err != nil {
				return fail(err)
			}
			switch key := tok.String(); {
			case strict && strings.EqualFold(key, "data"):
				err = data(a)
			case strings.EqualFold(key, "error"):
				errRaw, err = readRaw(dec)
			case strings.EqualFold(key, "message"):
				msgRaw, err = readRaw(dec)
			case strings.EqualFold(key, "details"):
				detRaw, err = readRaw(dec)
			default:
				err = dec.SkipValue()
			}
			if err != nil {
				return fail(err)
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return fail(err)
		}
		if err := end(); err != nil {
			return err
		}
		if !IsJSONNull(errRaw) {
			return newAPIError(method, path, status, c.scrub(errorBody(errRaw, msgRaw, detRaw)), rl)
		}
	default:
		if err := dec.SkipValue(); err != nil {
			return fail(err)
		}
		if err := end(); err != nil {
			return err
		}
		if strict && first != 'n' {
			return decodeErr(errors.New("the answer is a JSON "+jsonKind(first)+", not an object with data and error"), false)
		}
	}
	if strict && a.err != nil {
		return decodeErr(a.err, false)
	}
	return nil
}

// readRaw reads the next value and returns a copy of it.
func readRaw(dec *jsontext.Decoder) ([]byte, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	return bytes.Clone(v), nil
}

// errorBody rebuilds the parts of an envelope that [newAPIError] reads.
func errorBody(errRaw, msgRaw, detRaw []byte) []byte {
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

func jsonKind(k jsontext.Kind) string {
	switch k {
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
