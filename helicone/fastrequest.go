package helicone

import (
	"encoding/json"

	"github.com/heval-dev/heval/internal/jsonscan"
)

// A page of request rows is decoded as an experiment's rows and runs are (see fastvalue.go):
// each row whole from the decoder, then, in the form Helicone writes, by a scan that knows
// its columns, and in any other form by the general decoder on the same bytes.
// FuzzFastRequest holds the two ways to the same values.

// requestNames are the columns fastRequest reads (every other plain name is skipped).
var requestNames = nameSetOf("request_id", "request_created_at", "request_path", "model", "provider", "status",
	"user_id", "request_body", "response_body", "delay_ms", "prompt_tokens", "completion_tokens", "cost",
	"properties", "scores", "updated_at", "storage_location", "signed_body_url",
	"request_user_id", "response_status", "request_properties", "latency")

// fastRequest fills r from raw, one well-formed JSON value, when it has the form described
// above; it reports false, leaving r as it was, otherwise.
func fastRequest(raw []byte, r *Request) bool {
	var w requestWire
	var mask uint32
	str := func(v int, dst *string, k int) (int, bool) { return plainStrOnce(raw, v, dst, &mask, k) }
	count := func(v int, dst *FlexInt, k int) (int, bool) {
		if !seen(&mask, k) {
			return v, false
		}
		return flexInt(raw, v, dst)
	}
	body := func(v int, dst *json.RawMessage, k int) (int, bool) {
		if !seen(&mask, k) {
			return v, false
		}
		if end, null := isNull(raw, v); null {
			*dst = []byte("null") // a RawMessage keeps null as its text
			return end, true
		}
		return rawCopy(raw, v, (*[]byte)(dst)), true
	}
	props := func(v int, dst *Properties, k int) (int, bool) {
		if !seen(&mask, k) {
			return v, false
		}
		return fastProperties(raw, v, dst)
	}
	optCount := func(v int, dst **FlexInt, k int) (int, bool) {
		if !seen(&mask, k) {
			return v, false
		}
		if end, null := isNull(raw, v); null {
			return end, true
		}
		var n FlexInt
		end, ok := flexInt(raw, v, &n)
		*dst = &n
		return end, ok
	}
	end, ok := scan(raw, jsonscan.Space(raw, 0), func(name []byte, v int) (int, bool) {
		switch string(name) {
		case "request_id":
			return str(v, &w.RequestID, 0)
		case "request_created_at":
			return str(v, &w.RequestCreatedAt, 1)
		case "request_path":
			return str(v, &w.RequestPath, 2)
		case "model":
			return str(v, &w.Model, 3)
		case "provider":
			return str(v, &w.Provider, 4)
		case "status":
			return count(v, &w.Status, 5)
		case "user_id":
			return str(v, &w.UserID, 6)
		case "request_body":
			return body(v, &w.RequestBody, 7)
		case "response_body":
			return body(v, &w.ResponseBody, 8)
		case "delay_ms":
			return count(v, &w.DelayMs, 9)
		case "prompt_tokens":
			return count(v, &w.PromptTokens, 10)
		case "completion_tokens":
			return count(v, &w.CompletionTokens, 11)
		case "cost":
			if !seen(&mask, 12) {
				return v, false
			}
			end := skip(raw, v)
			return end, w.Cost.UnmarshalJSON(raw[v:end]) == nil
		case "properties":
			return props(v, &w.Properties, 13)
		case "scores":
			if !seen(&mask, 14) {
				return v, false
			}
			return fastFlexMap(raw, v, &w.Scores)
		case "updated_at":
			return str(v, &w.UpdatedAt, 15)
		case "storage_location":
			return str(v, &w.StorageLocation, 16)
		case "signed_body_url":
			return str(v, &w.SignedBodyURL, 17)
		case "request_user_id":
			if !seen(&mask, 18) {
				return v, false
			}
			if end, null := isNull(raw, v); null {
				return end, true
			}
			s, end, ok := plainString(raw, v)
			if ok {
				text := string(s)
				w.RequestUserID = &text
			}
			return end, ok
		case "response_status":
			return optCount(v, &w.ResponseStatus, 19)
		case "request_properties":
			return props(v, &w.RequestProperties, 20)
		case "latency":
			return optCount(v, &w.Latency, 21)
		}
		return skip(raw, v), unknown(name, requestNames)
	})
	if !ok || jsonscan.Space(raw, end) != len(raw) {
		return false
	}
	*r = w.request()
	return true
}

// fastProperties reads Properties (or null) at b[i]: an object of plain names, each once,
// with plain string values, directly; any other form as Properties.UnmarshalJSON does.
func fastProperties(b []byte, i int, dst *Properties) (int, bool) {
	if j, null := isNull(b, i); null {
		*dst = nil
		return j, true
	}
	p := Properties{}
	end, ok := scan(b, i, func(name []byte, v int) (int, bool) {
		if _, dup := p[string(name)]; dup {
			return v, false
		}
		s, end, ok := plainString(b, v)
		if ok {
			p[shortString(name)] = shortString(s)
		}
		return end, ok
	})
	if ok {
		*dst = p
		return end, true
	}
	end = skip(b, i)
	var whole Properties
	if whole.UnmarshalJSON(b[i:end]) != nil {
		return end, false
	}
	*dst = whole
	return end, true
}

// fastFlexMap reads a map of FlexValues (or null) at b[i]: an object of plain names, each
// once, directly; any other form with the general decoder.
func fastFlexMap(b []byte, i int, dst *map[string]FlexValue) (int, bool) {
	if j, null := isNull(b, i); null {
		*dst = nil
		return j, true
	}
	m := map[string]FlexValue{}
	end, ok := scan(b, i, func(name []byte, v int) (int, bool) {
		end := skip(b, v)
		if _, dup := m[string(name)]; dup {
			return end, false
		}
		var f FlexValue
		if f.UnmarshalJSON(b[v:end]) != nil {
			return end, false
		}
		m[shortString(name)] = f
		return end, true
	})
	if ok {
		*dst = m
		return end, true
	}
	var whole map[string]FlexValue
	if end, ok = general(b, i, &whole); ok {
		*dst = whole
	}
	return end, ok
}
