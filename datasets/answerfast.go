package datasets

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Keys that may appear in a chat completion read by fastChatText. Their values are
// ignored by the general reader, so any value is accepted.
var (
	fastTopKeys     = map[string]bool{`"id"`: true, `"created"`: true, `"model"`: true, `"usage"`: true, `"system_fingerprint"`: true, `"service_tier"`: true}
	fastChoiceKeys  = map[string]bool{`"index"`: true, `"finish_reason"`: true, `"logprobs"`: true, `"content_filter_results"`: true}
	fastMessageKeys = map[string]bool{`"role"`: true, `"annotations"`: true, `"audio"`: true}
)

// fastChatText reads the common OpenAI chat completion: one choice whose message content
// is a plain string and that has no tool or function calls. raw must be a valid JSON
// object. ok is false for any other body; then the general reader decides, and the
// result of fastChatText, when ok, is the one the general reader gives.
func fastChatText(raw []byte) (text string, ok bool) {
	var choices gjson.Result
	seen := map[string]bool{}
	good := true
	gjson.ParseBytes(raw).ForEach(func(k, v gjson.Result) bool {
		switch {
		case seen[k.Raw]:
			good = false
		case k.Raw == `"choices"`:
			choices = v
		case k.Raw == `"object"`:
			good = v.Type == gjson.String && v.Str == "chat.completion"
		default:
			good = fastTopKeys[k.Raw]
		}
		seen[k.Raw] = true
		return good
	})
	if !good || !choices.IsArray() {
		return "", false
	}
	var choice gjson.Result
	n := 0
	choices.ForEach(func(_, v gjson.Result) bool {
		choice = v
		n++
		return n < 2
	})
	if n != 1 || !choice.IsObject() {
		return "", false
	}
	var message gjson.Result
	clear(seen)
	choice.ForEach(func(k, v gjson.Result) bool {
		switch {
		case seen[k.Raw]:
			good = false
		case k.Raw == `"message"`:
			message = v
		default:
			good = fastChoiceKeys[k.Raw]
		}
		seen[k.Raw] = true
		return good
	})
	if !good || !message.IsObject() {
		return "", false
	}
	var content gjson.Result
	clear(seen)
	message.ForEach(func(k, v gjson.Result) bool {
		switch {
		case seen[k.Raw]:
			good = false
		case k.Raw == `"content"`:
			content = v
		case k.Raw == `"refusal"`:
			good = v.Type == gjson.Null || v.Type == gjson.String
		case k.Raw == `"tool_calls"`:
			good = v.Type == gjson.Null || (v.IsArray() && len(v.Array()) == 0)
		case k.Raw == `"function_call"`:
			good = v.Type == gjson.Null
		default:
			good = fastMessageKeys[k.Raw]
		}
		seen[k.Raw] = true
		return good
	})
	if !good || content.Type != gjson.String {
		return "", false
	}
	if !hasEscape(content.Raw) && utf8.ValidString(content.Raw) {
		return content.Raw[1 : len(content.Raw)-1], true
	}
	var s string
	if json.Unmarshal([]byte(content.Raw), &s) != nil {
		return "", false
	}
	return s, true
}

// hasEscape reports whether the raw JSON string holds a backslash or a control character.
func hasEscape(raw string) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' || raw[i] < 0x20 {
			return true
		}
	}
	return false
}
