package datasets

// fastChatInputs reads the inputs of a chat completion request body as chatInputs does,
// in one pass over its bytes, for the common form: an object whose "system" is a string
// or null and whose "messages" are objects with a string "role" and a string or null
// "content". Other members are skipped (and validated). Anything else gives ok false and
// the general reader decides: content given as parts, a value of another type, a repeated
// member, a name that the general reader, which matches names ignoring case, could take
// for one of those four (written in another case, with escapes or outside ASCII), invalid
// UTF-8 or a lone surrogate escape, nesting deeper than maxScanDepth. When ok, the inputs
// are the ones the general reader gives.
func fastChatInputs(raw []byte) (inputs map[string]string, ok bool) {
	s := scanner{b: raw}
	var system string
	var hasSystem bool
	var msgs []chatMessage
	var seen uint32
	for first := true; ; first = false {
		name, done, ok := s.member(first)
		if !ok {
			return nil, false
		}
		if done {
			break
		}
		switch k, known := requestMember(name, requestKeys, &seen); {
		case !known:
			return nil, false
		case k == 0: // system
			if system, hasSystem, ok = s.optStr(); !ok {
				return nil, false
			}
		case k == 1: // messages
			if msgs, ok = s.messages(msgs[:0]); !ok {
				return nil, false
			}
		default:
			if !s.skip(0) {
				return nil, false
			}
		}
	}
	if s.space() != len(raw) {
		return nil, false
	}
	if len(msgs) == 0 {
		return nil, true
	}
	in := map[string]string{}
	if hasSystem && system != "" {
		in["system"] = system
	}
	for _, m := range msgs {
		switch m.role {
		case "system", "developer":
			if m.content != "" {
				in["system"] = m.content
			}
		case "user":
			in["prompt"] = m.content
		}
	}
	if len(in) == 0 {
		return nil, true
	}
	return in, true
}

// chatMessage is a message of a chat completion request as fastChatInputs reads it.
type chatMessage struct{ role, content string }

// The members fastChatInputs reads, at the top of the body and in a message.
var (
	requestKeys = []string{"system", "messages"}
	messageKeys = []string{"role", "content"}
)

// requestMember returns the index of name in keys (marking it in seen), or -1 for a member
// to skip; known is false for a repeated member and for a name that only ignoring case
// tells from one of keys, which the general reader would take for it.
func requestMember(name []byte, keys []string, seen *uint32) (k int, known bool) {
	if k, first := keyOnce(keys, name, seen); k >= 0 {
		return k, first
	}
	for _, key := range keys {
		if foldsTo(name, key) {
			return -1, false
		}
	}
	return -1, true
}

// foldsTo reports whether the ASCII name equals key, which is lower case, ignoring case
// and any '_' or '-' (more than the general reader ignores, to be safe).
func foldsTo(name []byte, key string) bool {
	j := 0
	for _, c := range name {
		if c == '_' || c == '-' {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if j == len(key) || key[j] != c {
			return false
		}
		j++
	}
	return j == len(key)
}

// optStr reads a string or null; has is false for null.
func (s *scanner) optStr() (v string, has, ok bool) {
	if s.literal("null") {
		return "", false, true
	}
	v, ok = s.str()
	return v, true, ok
}

// messages reads null or an array of messages, appended to msgs.
func (s *scanner) messages(msgs []chatMessage) ([]chatMessage, bool) {
	if s.literal("null") {
		return msgs, true
	}
	if !s.byte('[') {
		return nil, false
	}
	if s.byte(']') {
		return msgs, true
	}
	for {
		m, ok := s.message()
		if !ok {
			return nil, false
		}
		msgs = append(msgs, m)
		if s.byte(']') {
			return msgs, true
		}
		if !s.byte(',') {
			return nil, false
		}
	}
}

// message reads one message object.
func (s *scanner) message() (chatMessage, bool) {
	var m chatMessage
	var seen uint32
	for first := true; ; first = false {
		name, done, ok := s.member(first)
		if !ok {
			return m, false
		}
		if done {
			return m, true
		}
		switch k, known := requestMember(name, messageKeys, &seen); {
		case !known:
			return m, false
		case k == 0: // role
			if m.role, ok = s.str(); !ok {
				return m, false
			}
		case k == 1: // content
			if m.content, _, ok = s.optStr(); !ok {
				return m, false
			}
		default:
			if !s.skip(1) {
				return m, false
			}
		}
	}
}
