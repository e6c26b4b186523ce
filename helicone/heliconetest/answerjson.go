package heliconetest

import (
	"maps"
	"slices"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
)

// The experiment answer's rows and runs, most of a large answer, are appended by hand in
// the bytes encoding/json writes for them (field order, omitted members, sorted map keys,
// HTML-escaped strings); a row or run of any other form than the answer's usual one (see
// handWritten) is encoded by go-json-experiment, as every other piece of the answer is.
// The tests hold the two to the same bytes.

// reflectPieces makes the answer writer encode rows and runs with go-json-experiment too:
// the tests' reference for the hand-written pieces.
var reflectPieces = false

// appendString appends s as encoding/json writes a string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			// Escapes, and invalid UTF-8, as encoding/json writes them; a string always
			// encodes.
			out, _ := jsonv2.Marshal(s, v1Options)
			return append(b, out...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// handWritten reports whether the appenders write a row's or run's scores, and a row's
// input record, in their usual forms: integer score values, no automatic inputs, inputs
// as text.
func handWritten(scores scoreMapOut, rec *inputRecordOut) bool {
	for _, s := range scores {
		if _, ok := s.Value.(int64); !ok {
			return false
		}
	}
	if rec == nil {
		return true
	}
	switch rec.Inputs.(type) {
	case nil, map[string]string:
	default:
		return false
	}
	return rec.AutoInputs != nil && len(rec.AutoInputs) == 0
}

// appendMember appends a member's name (with what precedes it) and its string value.
func appendMember(b []byte, name, s string) []byte { return appendString(append(b, name...), s) }

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendScores appends a request's scores: null without any, else an object by key.
func appendScores(b []byte, m scoreMapOut) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		s := m[k]
		b = appendString(b, k)
		b = append(b, `:{"value":`...)
		b = strconv.AppendInt(b, s.Value.(int64), 10) // handWritten
		b = appendMember(b, `,"valueType":`, s.ValueType)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendRequestRef(b []byte, r *requestRefOut) []byte {
	b = appendMember(b, `{"id":`, r.ID)
	b = appendMember(b, `,"provider":`, r.Provider)
	return append(b, '}')
}

// appendResponse appends a response with body (as [request.responseJSON] gives it).
func appendResponse(b []byte, r *responseOut, body []byte) []byte {
	b = append(b, `{"body":`...)
	b = append(b, body...)
	b = appendMember(b, `,"createdAt":`, r.CreatedAt)
	for _, m := range [...]struct {
		name string
		v    int64
	}{
		{`,"completionTokens":`, r.CompletionTokens},
		{`,"promptTokens":`, r.PromptTokens},
		{`,"promptCacheWriteTokens":`, r.PromptCacheWriteTokens},
		{`,"promptCacheReadTokens":`, r.PromptCacheReadTokens},
		{`,"delayMs":`, r.DelayMs},
	} {
		b = append(b, m.name...)
		b = strconv.AppendInt(b, m.v, 10)
	}
	b = appendMember(b, `,"model":`, r.Model)
	return append(b, '}')
}

// appendRun appends a hypothesis run; body is its response's, when it has one.
func appendRun(b []byte, r *runOut, body []byte) []byte {
	b = append(b, '{')
	if r.Request != nil {
		b = append(b, `"request":`...)
		b = appendRequestRef(b, r.Request)
		b = append(b, ',')
	}
	b = append(b, `"scores":`...)
	b = appendScores(b, r.Scores)
	if r.Response != nil {
		b = append(b, `,"response":`...)
		b = appendResponse(b, r.Response, body)
	}
	b = appendMember(b, `,"resultRequestId":`, r.ResultRequestID)
	b = appendMember(b, `,"datasetRowId":`, r.DatasetRowID)
	return append(b, '}')
}

// appendRow appends a dataset row; body is its input record's response's, when it has one.
func appendRow(b []byte, r *rowOut, body []byte) []byte {
	b = append(b, `{"rowId":`...)
	b = appendStringPtr(b, r.RowID)
	if rec := r.InputRecord; rec != nil {
		b = append(b, `,"inputRecord":{`...)
		if rec.Request != nil {
			b = append(b, `"request":`...)
			b = appendRequestRef(b, rec.Request)
			b = append(b, ',')
		}
		if rec.Response != nil {
			b = append(b, `"response":`...)
			b = appendResponse(b, rec.Response, body)
			b = append(b, ',')
		}
		b = append(b, `"autoInputs":[]`...) // handWritten
		if in, ok := rec.Inputs.(map[string]string); ok {
			b = append(b, `,"inputs":{`...)
			for i, k := range slices.Sorted(maps.Keys(in)) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, k)
				b = append(b, ':')
				b = appendString(b, in[k])
			}
			b = append(b, '}')
		}
		b = appendMember(b, `,"requestPath":`, rec.RequestPath)
		b = appendMember(b, `,"requestId":`, rec.RequestID)
		b = appendMember(b, `,"id":`, rec.ID)
		b = append(b, '}')
	}
	b = append(b, `,"rowIndex":`...)
	if r.RowIndex == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*r.RowIndex), 10)
	}
	b = append(b, `,"columnId":`...)
	b = appendStringPtr(b, r.ColumnID)
	b = append(b, `,"scores":`...)
	b = appendScores(b, r.Scores)
	return append(b, '}')
}

// writeRow writes a dataset row of the answer; body is its response's (and err the failure
// to give it), when the row includes one.
func (aw *answerWriter) writeRow(r *rowOut, body []byte, err error) {
	if reflectPieces || !handWritten(r.Scores, r.InputRecord) {
		aw.valueWithBody(r, body, err)
		return
	}
	aw.piece(err, func(b []byte) []byte { return appendRow(b, r, body) })
}

// writeRun writes a hypothesis run of the answer, as writeRow a row.
func (aw *answerWriter) writeRun(r *runOut, body []byte, err error) {
	if reflectPieces || !handWritten(r.Scores, nil) {
		aw.valueWithBody(r, body, err)
		return
	}
	aw.piece(err, func(b []byte) []byte { return appendRun(b, r, body) })
}

func (aw *answerWriter) piece(err error, appendTo func([]byte) []byte) {
	if aw.err != nil {
		return
	}
	if err != nil {
		aw.err, aw.encodeErr = err, err
		return
	}
	aw.scratch = appendTo(aw.scratch[:0])
	_, aw.err = aw.w.Write(aw.scratch)
}
