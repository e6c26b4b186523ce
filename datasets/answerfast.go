package datasets

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heval-dev/heval/internal/jsonscan"
)

// fastChatText reads the common OpenAI chat completion: one choice whose message content
// is a string and that has no tool or function calls. It validates raw and reads it in one
// pass over its bytes, with no copy and no decoder. Anything it does not know or that is
// unusual (invalid UTF-8, a lone surrogate escape, a key outside ASCII or with escapes, a
// duplicate or unknown key, nesting deeper than maxScanDepth) gives ok false, and the
// general reader decides. When ok, the text is the one the general reader gives.
func fastChatText(raw []byte) (text string, ok bool) {
	s := scanner{b: raw}
	text, ok = s.completion()
	if !ok || s.space() != len(raw) {
		return "", false
	}
	return text, true
}

// maxScanDepth is how deeply the values fastChatText skips may nest.
const maxScanDepth = 32

// scanner is a position in a body read by fastChatText.
type scanner struct {
	b []byte
	i int
}

// space skips JSON whitespace and returns the position after it.
func (s *scanner) space() int {
	s.i = jsonscan.Space(s.b, s.i)
	return s.i
}

// byte reads c after whitespace.
func (s *scanner) byte(c byte) bool {
	if s.space() < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// member reads the start of an object's next member, after its '{' when first, and
// returns its name (as written, without its quotes; a name with escapes or outside ASCII
// is refused); done reports the end of the object instead.
func (s *scanner) member(first bool) (name []byte, done, ok bool) {
	if first && !s.byte('{') {
		return nil, false, false
	}
	if s.byte('}') {
		return nil, true, true
	}
	if !first && !s.byte(',') {
		return nil, false, false
	}
	if s.space() == len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	start := s.i + 1
	end := jsonscan.Plain(s.b, start)
	if end == len(s.b) || s.b[end] != '"' {
		return nil, false, false
	}
	s.i = end + 1
	if !s.byte(':') {
		return nil, false, false
	}
	return s.b[start:end], false, true
}

// keyOnce returns the index of name in names and marks it in seen; ok false for a name
// not in names or seen before.
func keyOnce(names []string, name []byte, seen *uint32) (int, bool) {
	for k, n := range names {
		if n == string(name) {
			if *seen&(1<<k) != 0 {
				return k, false
			}
			*seen |= 1 << k
			return k, true
		}
	}
	return -1, false
}

// The objects fastChatText reads, each with its keys; the first key is the one it needs.
const (
	topLevel = iota
	choiceLevel
	messageLevel
)

var scanKeys = [...][]string{
	topLevel:     {"choices", "object", "id", "created", "model", "usage", "system_fingerprint", "service_tier"},
	choiceLevel:  {"message", "index", "finish_reason", "logprobs", "content_filter_results"},
	messageLevel: {"content", "refusal", "tool_calls", "function_call", "role", "annotations", "audio"},
}

func (s *scanner) completion() (string, bool) { return s.object(topLevel) }

// object reads an object of level, each of its keys once, and returns the text it holds.
func (s *scanner) object(level int) (string, bool) {
	var text string
	var seen uint32
	for first := true; ; first = false {
		name, done, ok := s.member(first)
		if !ok {
			return "", false
		}
		if done {
			return text, seen&1 != 0
		}
		k, ok := keyOnce(scanKeys[level], name, &seen)
		if ok {
			text, ok = s.value(level, k, text)
		}
		if !ok {
			return "", false
		}
	}
}

// value reads the value of key k of an object of level, whose text so far is text, and
// returns the object's text.
func (s *scanner) value(level, k int, text string) (string, bool) {
	switch {
	case level == topLevel && k == 0: // choices: exactly one
		if !s.byte('[') {
			return "", false
		}
		t, ok := s.object(choiceLevel)
		return t, ok && s.byte(']')
	case level == topLevel && k == 1: // object
		t, ok := s.strBytes(true)
		return text, ok && string(t) == "chat.completion"
	case level == choiceLevel && k == 0: // message
		return s.object(messageLevel)
	case level == messageLevel && k == 0: // content
		return s.str()
	case level == messageLevel && k == 1: // refusal: null or a string
		if s.literal("null") {
			return text, true
		}
		_, ok := s.strBytes(false)
		return text, ok
	case level == messageLevel && k == 2: // tool_calls: null or empty
		return text, s.literal("null") || (s.byte('[') && s.byte(']'))
	case level == messageLevel && k == 3: // function_call: null
		return text, s.literal("null")
	}
	return text, s.skip(0)
}

// literal reads lit after whitespace.
func (s *scanner) literal(lit string) bool {
	if s.space()+len(lit) <= len(s.b) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// str reads a string after whitespace and returns its value.
func (s *scanner) str() (string, bool) {
	v, ok := s.strBytes(true)
	return string(v), ok
}

// strBytes reads a string after whitespace and returns its value when build (valid until
// the next read; a string without escapes is a part of the body); otherwise it only checks
// the string.
func (s *scanner) strBytes(build bool) ([]byte, bool) {
	if s.space() == len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	j := jsonscan.Plain(s.b, start)
	if j < len(s.b) && s.b[j] == '"' {
		s.i = j + 1
		return s.b[start:j], true
	}
	var out []byte
	if build {
		out = make([]byte, 0, j-start+64)
		out = append(out, s.b[start:j]...)
	}
	for j < len(s.b) {
		if k := jsonscan.Plain(s.b, j); k > j {
			if build {
				out = append(out, s.b[j:k]...)
			}
			if j = k; j == len(s.b) {
				break
			}
		}
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return out, true
		case c == '\\':
			if j+1 == len(s.b) {
				return nil, false
			}
			e := s.b[j+1]
			switch e {
			case '"', '\\', '/':
			case 'b':
				e = '\b'
			case 'f':
				e = '\f'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			case 'u':
				r, ok := jsonscan.Hex4(s.b, j+2)
				if !ok {
					return nil, false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					// Only a pair is read here; a lone half, which the general reader
					// replaces, is refused.
					var lo rune
					if j+1 < len(s.b) && s.b[j] == '\\' && s.b[j+1] == 'u' {
						lo, ok = jsonscan.Hex4(s.b, j+2)
					}
					if r = utf16.DecodeRune(r, lo); !ok || r == utf8.RuneError {
						return nil, false
					}
					j += 6
				}
				if build {
					out = utf8.AppendRune(out, r)
				}
				continue
			default:
				return nil, false
			}
			if build {
				out = append(out, e)
			}
			j += 2
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s.b[j:])
			if r == utf8.RuneError && size == 1 {
				return nil, false // invalid UTF-8, which the general reader replaces
			}
			if build {
				out = append(out, s.b[j:j+size]...)
			}
			j += size
		case c < 0x20:
			return nil, false
		default:
			if build {
				out = append(out, c)
			}
			j++
		}
	}
	return nil, false
}

// skip reads any JSON value after whitespace, validating it; depth is how deeply it nests
// in what skip is reading. Objects may repeat names here: their values are not read.
func (s *scanner) skip(depth int) bool {
	if depth > maxScanDepth || s.space() == len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.strBytes(false)
		return ok
	case c == '{':
		for first := true; ; first = false {
			_, done, ok := s.member(first)
			if !ok {
				return false
			}
			if done {
				return true
			}
			if !s.skip(depth + 1) {
				return false
			}
		}
	case c == '[':
		s.i++
		if s.byte(']') {
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if s.byte(']') {
				return true
			}
			if !s.byte(',') {
				return false
			}
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

// number reads a JSON number.
func (s *scanner) number() bool {
	end, ok := jsonscan.Number(s.b, s.i)
	s.i = end
	return ok
}
