package heliconetest

import (
	"bytes"
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// bodyKind is how the server's body parsers read a request body.
type bodyKind int

const (
	// bodyNone: no body, or a body no parser takes (no Content-Type): the route sees {}.
	bodyNone bodyKind = iota
	// bodyJSON: Content-Type application/json, parsed as JSON.
	bodyJSON
	// bodyForm: application/x-www-form-urlencoded, parsed as a form.
	bodyForm
	// bodyRaw: any other Content-Type; the route sees the raw bytes, whose keys are the
	// byte offsets (inferred: Object.keys of a Buffer).
	bodyRaw
)

// reqBody is a request body as the server's parsers read it, before any route sees it.
type reqBody struct {
	kind bodyKind
	json json.RawMessage
	form []entry
	raw  []byte
}

// parseBody reads and parses the body before authentication, as the server's body
// parsers do: JSON that does not parse (or is a top-level primitive) and a body over the
// limit answer the generic 500, even without a key. It returns false when it has answered.
func (h *Handler) parseBody(w http.ResponseWriter, r *http.Request) (*reqBody, bool) {
	b, err := readAllLimited(w, r, h.cfg.maxBody)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, bodyInternal)
		return nil, false
	}
	ct := r.Header.Get("Content-Type")
	if len(b) == 0 || ct == "" {
		return &reqBody{kind: bodyNone}, true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return &reqBody{kind: bodyRaw, raw: b}, true
	}
	switch mt {
	case "application/json":
		t := bytes.TrimSpace(b)
		if len(t) == 0 {
			return &reqBody{}, true
		}
		// The parser is strict: only objects and arrays.
		if (t[0] != '{' && t[0] != '[') || !json.Valid(t) {
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
			return nil, false
		}
		return &reqBody{kind: bodyJSON, json: t}, true
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(b))
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
			return nil, false
		}
		var form []entry
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			v, _ := json.Marshal(vals.Get(k))
			form = append(form, entry{k, v})
		}
		return &reqBody{kind: bodyForm, form: form}, true
	}
	return &reqBody{kind: bodyRaw, raw: b}, true
}

// objectBody returns the members of a body that must be an object; it answers 422 itself
// for a JSON array.
func objectBody(w http.ResponseWriter, b *reqBody) ([]entry, bool) {
	switch b.kind {
	case bodyJSON:
		ents, ok := objectEntries(b.json)
		if !ok {
			v := validation{}
			v.add("requestBody", "invalid object", rawValue(b.json))
			v.write(w)
			return nil, false
		}
		return ents, true
	case bodyForm:
		return b.form, true
	case bodyRaw:
		ents := make([]entry, len(b.raw))
		for i, c := range b.raw {
			ents[i] = entry{strconv.Itoa(i), json.RawMessage(strconv.Itoa(int(c)))}
		}
		return ents, true
	}
	return nil, true
}

// readAllLimited reads r's body up to limit bytes.
func readAllLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	n := r.ContentLength
	if n < 0 || n > limit {
		n = 512
	}
	buf := bytes.NewBuffer(make([]byte, 0, n+1))
	_, err := buf.ReadFrom(rd)
	return buf.Bytes(), err
}
