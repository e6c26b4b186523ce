package helicone

import (
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/heval-dev/heval/internal/jsonscan"
)

// An experiment's rows and runs are most of its answer. Each is read whole from the
// decoder (which checks its syntax) and, when it has the form Helicone writes, filled from
// those bytes by a scan that knows its fields; any other form goes to the general decoder,
// on the same bytes, with the same result. The scan takes only what it reads exactly as
// the general decoder does:
//   - member names spelled as the fields' names (no escapes, no other case), each once;
//     other plain ASCII names that match no field are skipped;
//   - strings of printable ASCII without escapes, or null, for string fields;
//   - objects or null for the nested records;
//   - for the counts (FlexInt) and the scores, whatever their own decoding reads.
// FuzzFastValues holds the two ways to the same values.

// fastValues, when false, sends every row and run to the general decoder (for tests that
// compare the two).
var fastValues = true

// valueRaw decodes the next value into out as value does, reading it whole first: fast
// fills out from the value's bytes when it can, and reports false, leaving out as it was,
// when it cannot; then the general decoder reads the bytes. An error of a value of the
// wrong shape names the value as value's would (its place in the answer and its offset).
func (a *answer) valueRaw(out any, fast func(raw []byte) bool) (bool, error) {
	if !fastValues {
		return a.value(out)
	}
	raw, err := a.dec.ReadValue()
	if err != nil {
		return false, err
	}
	if fast(raw) {
		return true, nil
	}
	err = json.Unmarshal(raw, out, decodeOptions)
	if err == nil {
		return true, nil
	}
	a.keep(placed(err, a.dec, raw))
	return false, nil
}

// placed names the place of a decoding error of raw, the value dec has just read whole, as
// the error of decoding it from dec would: its JSON pointer and offset in the answer.
func placed(err error, dec *jsontext.Decoder, raw []byte) error {
	if se, ok := err.(*json.SemanticError); ok {
		se.JSONPointer = dec.StackPointer() + se.JSONPointer
		se.ByteOffset += dec.InputOffset() - int64(len(raw))
	}
	return err
}

// scan reads the members of the JSON object at b[i] (a well-formed value): member is
// called with each name and the index of its value, and returns the index after the value
// and whether it could read it. scan returns the index after the object, or false when
// b[i] is not an object, a name is not plain, or member refused its value.
func scan(b []byte, i int, member func(name []byte, v int) (int, bool)) (int, bool) {
	if i >= len(b) || b[i] != '{' {
		return i, false
	}
	i = jsonscan.Space(b, i+1)
	if b[i] == '}' {
		return i + 1, true
	}
	for {
		name, j, ok := plainString(b, i)
		if !ok {
			return i, false
		}
		j = jsonscan.Space(b, j)
		j = jsonscan.Space(b, j+1) // the colon
		if j, ok = member(name, j); !ok {
			return j, false
		}
		j = jsonscan.Space(b, j)
		if b[j] == '}' {
			return j + 1, true
		}
		i = jsonscan.Space(b, j+1) // the comma
	}
}

// skip returns the index after the well-formed JSON value at b[i].
func skip(b []byte, i int) int {
	switch b[i] {
	case '"':
		for i++; ; i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skip(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// nameSet is the member names of a record a scan reads, in lower case.
type nameSet map[string]struct{}

func nameSetOf(names ...string) nameSet {
	set := nameSet{}
	for _, n := range names {
		set[strings.ToLower(n)] = struct{}{}
	}
	return set
}

// unknown reports whether a member name matches none of names, not even ignoring case:
// a member the general decoder skips too. Names outside ASCII are not judged here. (For
// ASCII, matching ignoring case is matching in lower case.)
func unknown(name []byte, names nameSet) bool {
	var buf [64]byte
	if len(name) > len(buf) {
		for _, c := range name {
			if c >= 0x80 {
				return false
			}
		}
		return true // longer than every name a scan reads
	}
	for i, c := range name {
		if c >= 0x80 {
			return false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	_, known := names[string(buf[:len(name)])]
	return !known
}

// seen marks member k of an object read; it reports false for a member read before.
func seen(mask *uint32, k int) bool {
	if *mask&(1<<k) != 0 {
		return false
	}
	*mask |= 1 << k
	return true
}

// isNull reports whether the value at b[i] is null, and the index after it.
func isNull(b []byte, i int) (int, bool) {
	if len(b)-i >= 4 && string(b[i:i+4]) == "null" {
		return i + 4, true
	}
	return i, false
}

// plainStr reads a string field's value at b[i]: a plain string, or null (dst unchanged).
func plainStr(b []byte, i int, dst *string) (int, bool) {
	if j, ok := isNull(b, i); ok {
		return j, true
	}
	s, j, ok := plainString(b, i)
	if ok {
		*dst = string(s)
	}
	return j, ok
}

// flexInt reads a count at b[i]: a plain integer directly, any other value as
// FlexInt.UnmarshalJSON reads it.
func flexInt(b []byte, i int, dst *FlexInt) (int, bool) {
	j := i
	if b[j] == '-' {
		j++
	}
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j > i && j-i <= 18 && (j == len(b) || b[j] != '.' && b[j] != 'e' && b[j] != 'E') {
		if n, err := strconv.ParseInt(string(b[i:j]), 10, 64); err == nil {
			*dst = FlexInt(n)
			return j, true
		}
	}
	end := skip(b, i)
	var n FlexInt
	if n.UnmarshalJSON(b[i:end]) != nil {
		return end, false
	}
	*dst = n
	return end, true
}

// general reads the value at b[i] into dst with the general decoder: for the parts of a row
// or run (scores, inputs) whose own decoding is what the general one does anyway.
func general(b []byte, i int, dst any) (int, bool) {
	end := skip(b, i)
	return end, json.Unmarshal(b[i:end], dst, decodeOptions) == nil
}

// rawCopy keeps the value at b[i] as a RawMessage does: its bytes, copied.
func rawCopy(b []byte, i int, dst *[]byte) int {
	end := skip(b, i)
	*dst = append([]byte(nil), b[i:end]...)
	return end
}

// scores reads a ScoreMap at b[i]: an object of plain names, each once, whose scores have
// the plain form StoredScore.scanPlain reads, directly; any other form with the general
// decoder. (A run of an experiment that was judged before carries every key it was given;
// the general decoder spent 11 µs on six of them.) The map is a variable of its own, so
// that the record being filled can stay off the heap.
func scores(b []byte, i int, dst *ScoreMap) (int, bool) {
	var m ScoreMap
	end, ok := scan(b, i, func(name []byte, v int) (int, bool) {
		end := skip(b, v)
		if m == nil {
			m = make(ScoreMap, 8)
		} else if _, dup := m[string(name)]; dup {
			return end, false
		}
		var s StoredScore
		if !s.scanPlain(b[v:end]) {
			return end, false
		}
		m[shortString(name)] = s
		return end, true
	})
	if !ok {
		m = nil
		if end, ok = general(b, i, &m); !ok {
			return end, false
		}
	} else if m == nil {
		m = ScoreMap{} // {}
	}
	*dst = m
	return end, true
}

var requestRefNames = nameSetOf("id", "provider")

// fastRequestRef reads a RequestRef (or null) at b[i].
func fastRequestRef(b []byte, i int, dst **RequestRef) (int, bool) {
	if j, ok := isNull(b, i); ok {
		return j, true
	}
	var r RequestRef
	var mask uint32
	j, ok := scan(b, i, func(name []byte, v int) (int, bool) {
		switch string(name) {
		case "id":
			return plainStrOnce(b, v, &r.ID, &mask, 0)
		case "provider":
			return plainStrOnce(b, v, &r.Provider, &mask, 1)
		}
		return skip(b, v), unknown(name, requestRefNames)
	})
	if ok {
		*dst = &r
	}
	return j, ok
}

// plainStrOnce is plainStr for member k of an object, which must not repeat.
func plainStrOnce(b []byte, i int, dst *string, mask *uint32, k int) (int, bool) {
	if !seen(mask, k) {
		return i, false
	}
	return plainStr(b, i, dst)
}

var responseInfoNames = nameSetOf("body", "createdAt", "completionTokens", "promptTokens",
	"promptCacheWriteTokens", "promptCacheReadTokens", "delayMs", "model")

// fastResponseInfo reads a ResponseInfo (or null) at b[i].
func fastResponseInfo(b []byte, i int, dst **ResponseInfo) (int, bool) {
	if j, ok := isNull(b, i); ok {
		return j, true
	}
	var r ResponseInfo
	var mask uint32
	count := func(v int, dst *FlexInt, k int) (int, bool) {
		if !seen(&mask, k) {
			return v, false
		}
		return flexInt(b, v, dst)
	}
	j, ok := scan(b, i, func(name []byte, v int) (int, bool) {
		switch string(name) {
		case "body":
			if !seen(&mask, 0) {
				return v, false
			}
			if end, null := isNull(b, v); null {
				// A RawMessage keeps null as its text.
				r.Body = []byte("null")
				return end, true
			}
			return rawCopy(b, v, (*[]byte)(&r.Body)), true
		case "createdAt":
			return plainStrOnce(b, v, &r.CreatedAt, &mask, 1)
		case "completionTokens":
			return count(v, &r.CompletionTokens, 2)
		case "promptTokens":
			return count(v, &r.PromptTokens, 3)
		case "promptCacheWriteTokens":
			return count(v, &r.PromptCacheWriteTokens, 4)
		case "promptCacheReadTokens":
			return count(v, &r.PromptCacheReadTokens, 5)
		case "delayMs":
			return count(v, &r.DelayMs, 6)
		case "model":
			return plainStrOnce(b, v, &r.Model, &mask, 7)
		}
		return skip(b, v), unknown(name, responseInfoNames)
	})
	if ok {
		*dst = &r
	}
	return j, ok
}

var runNames = nameSetOf("request", "scores", "response", "resultRequestId", "datasetRowId")

// fastRun fills run from raw, one well-formed JSON value, when it has the form described
// above; it reports false, leaving run as it was, otherwise.
func fastRun(raw []byte, run *Run) bool {
	i := jsonscan.Space(raw, 0)
	var r Run
	var mask uint32
	end, ok := scan(raw, i, func(name []byte, v int) (int, bool) {
		switch string(name) {
		case "request":
			if !seen(&mask, 0) {
				return v, false
			}
			return fastRequestRef(raw, v, &r.Request)
		case "scores":
			if !seen(&mask, 1) {
				return v, false
			}
			if end, null := isNull(raw, v); null {
				return end, true
			}
			return scores(raw, v, &r.Scores)
		case "response":
			if !seen(&mask, 2) {
				return v, false
			}
			return fastResponseInfo(raw, v, &r.Response)
		case "resultRequestId":
			return plainStrOnce(raw, v, &r.ResultRequestID, &mask, 3)
		case "datasetRowId":
			return plainStrOnce(raw, v, &r.DatasetRowID, &mask, 4)
		}
		return skip(raw, v), unknown(name, runNames)
	})
	if !ok || jsonscan.Space(raw, end) != len(raw) {
		return false
	}
	*run = r
	return true
}

var inputRecordNames = nameSetOf("id", "requestId", "requestPath", "inputs", "autoInputs", "request", "response")

// fastInputRecord reads an InputRecord (or null) at b[i].
func fastInputRecord(b []byte, i int, dst **InputRecord) (int, bool) {
	if j, ok := isNull(b, i); ok {
		return j, true
	}
	var r InputRecord
	var mask uint32
	j, ok := scan(b, i, func(name []byte, v int) (int, bool) {
		switch string(name) {
		case "id":
			return plainStrOnce(b, v, &r.ID, &mask, 0)
		case "requestId":
			return plainStrOnce(b, v, &r.RequestID, &mask, 1)
		case "requestPath":
			return plainStrOnce(b, v, &r.RequestPath, &mask, 2)
		case "inputs":
			if !seen(&mask, 3) {
				return v, false
			}
			return general(b, v, &r.Inputs)
		case "autoInputs":
			if !seen(&mask, 4) {
				return v, false
			}
			return general(b, v, &r.AutoInputs)
		case "request":
			if !seen(&mask, 5) {
				return v, false
			}
			return fastRequestRef(b, v, &r.Request)
		case "response":
			if !seen(&mask, 6) {
				return v, false
			}
			return fastResponseInfo(b, v, &r.Response)
		}
		return skip(b, v), unknown(name, inputRecordNames)
	})
	if ok {
		*dst = &r
	}
	return j, ok
}

var datasetRowNames = nameSetOf("rowId", "inputRecord", "rowIndex", "columnId", "scores")

// fastDatasetRow fills row from raw as fastRun fills a run.
func fastDatasetRow(raw []byte, row *DatasetRow) bool {
	i := jsonscan.Space(raw, 0)
	var r DatasetRow
	var mask uint32
	end, ok := scan(raw, i, func(name []byte, v int) (int, bool) {
		switch string(name) {
		case "rowId":
			return plainStrOnce(raw, v, &r.RowID, &mask, 0)
		case "inputRecord":
			if !seen(&mask, 1) {
				return v, false
			}
			return fastInputRecord(raw, v, &r.InputRecord)
		case "rowIndex":
			if !seen(&mask, 2) {
				return v, false
			}
			return flexInt(raw, v, &r.RowIndex)
		case "columnId":
			return plainStrOnce(raw, v, &r.ColumnID, &mask, 3)
		case "scores":
			if !seen(&mask, 4) {
				return v, false
			}
			if end, null := isNull(raw, v); null {
				return end, true
			}
			return scores(raw, v, &r.Scores)
		}
		return skip(raw, v), unknown(name, datasetRowNames)
	})
	if !ok || jsonscan.Space(raw, end) != len(raw) {
		return false
	}
	*row = r
	return true
}
