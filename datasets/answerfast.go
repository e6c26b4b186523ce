package datasets

import (
	"bytes"
	"io"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// Keys that may appear in a chat completion read by fastChatText, as they are written in
// the body (quoted, unescaped). Their values are ignored by the general reader, so any
// value is accepted.
var (
	fastTopKeys     = map[string]bool{`"id"`: true, `"created"`: true, `"model"`: true, `"usage"`: true, `"system_fingerprint"`: true, `"service_tier"`: true}
	fastChoiceKeys  = map[string]bool{`"index"`: true, `"finish_reason"`: true, `"logprobs"`: true, `"content_filter_results"`: true}
	fastMessageKeys = map[string]bool{`"role"`: true, `"annotations"`: true, `"audio"`: true}
)

// fastReader is the decoder of fastChatText and the copy of the body it reads, kept
// between calls.
type fastReader struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

// maxPooledBody is the largest body whose copy a fastReader keeps for the next call.
const maxPooledBody = 256 << 10

var fastReaders = sync.Pool{New: func() any { return new(fastReader) }}

// fastChatText reads the common OpenAI chat completion: one choice whose message content
// is a plain string and that has no tool or function calls. It validates raw and reads it
// in one pass, with a strict decoder: a body that is not valid JSON, holds invalid UTF-8
// or a duplicate key, a key written with escapes, or anything the fast path does not know
// gives ok false, and the general reader decides. When ok, the text is the one the general
// reader gives.
func fastChatText(raw []byte) (text string, ok bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return "", false
	}
	if text, ok := scanChatText(raw); ok {
		return text, true
	}
	r := fastReaders.Get().(*fastReader)
	r.buf.Reset()
	r.buf.Write(raw)
	r.dec.Reset(&r.buf)
	text, ok = r.completion()
	r.buf.Reset()
	r.dec.Reset(&r.buf)
	if r.buf.Cap() <= maxPooledBody {
		fastReaders.Put(r)
	}
	return text, ok
}

// completion reads the whole body: an object of the known top-level keys with exactly one
// choice, and nothing after it.
func (r *fastReader) completion() (string, bool) {
	d := &r.dec
	if !r.open('{') {
		return "", false
	}
	var text string
	seen := false
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil {
			return "", false
		}
		switch string(name) {
		case `"choices"`:
			t, ok := r.choices()
			if !ok {
				return "", false
			}
			text, seen = t, true
		case `"object"`:
			tok, err := d.ReadToken()
			if err != nil || tok.Kind() != '"' || tok.String() != "chat.completion" {
				return "", false
			}
		default:
			if !fastTopKeys[string(name)] || d.SkipValue() != nil {
				return "", false
			}
		}
	}
	if !r.open('}') {
		return "", false
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return "", false
	}
	return text, seen
}

// choices reads an array of exactly one choice.
func (r *fastReader) choices() (string, bool) {
	if !r.open('[') || r.dec.PeekKind() != '{' {
		return "", false
	}
	text, ok := r.choice()
	return text, ok && r.open(']')
}

// choice reads a choice object, which must hold a message.
func (r *fastReader) choice() (string, bool) {
	d := &r.dec
	if !r.open('{') {
		return "", false
	}
	var text string
	seen := false
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil {
			return "", false
		}
		switch {
		case string(name) == `"message"`:
			t, ok := r.message()
			if !ok {
				return "", false
			}
			text, seen = t, true
		case !fastChoiceKeys[string(name)] || d.SkipValue() != nil:
			return "", false
		}
	}
	return text, seen && r.open('}')
}

// message reads a message object: string content, a null or string refusal, no tool or
// function calls.
func (r *fastReader) message() (string, bool) {
	d := &r.dec
	if !r.open('{') {
		return "", false
	}
	var text string
	seen := false
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil {
			return "", false
		}
		switch string(name) {
		case `"content"`:
			tok, err := d.ReadToken()
			if err != nil || tok.Kind() != '"' {
				return "", false
			}
			text, seen = tok.String(), true
		case `"refusal"`:
			if k := r.kind(); k != 'n' && k != '"' {
				return "", false
			}
		case `"tool_calls"`:
			switch r.kind() {
			case 'n':
			case '[':
				if !r.open(']') {
					return "", false
				}
			default:
				return "", false
			}
		case `"function_call"`:
			if r.kind() != 'n' {
				return "", false
			}
		default:
			if !fastMessageKeys[string(name)] || d.SkipValue() != nil {
				return "", false
			}
		}
	}
	return text, seen && r.open('}')
}

// open reads the next token and reports whether it is the delimiter k.
func (r *fastReader) open(k jsontext.Kind) bool {
	tok, err := r.dec.ReadToken()
	return err == nil && tok.Kind() == k
}

// kind reads the next token and returns its kind; 0 when it cannot be read.
func (r *fastReader) kind() jsontext.Kind {
	tok, err := r.dec.ReadToken()
	if err != nil {
		return 0
	}
	return tok.Kind()
}
