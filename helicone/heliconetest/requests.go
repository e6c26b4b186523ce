package heliconetest

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request-query limits.
const (
	DefaultRequestLimit = 10
	MaxRequestLimit     = 1000
)

// textColumns are the text columns of request_response_rmt the emulator filters on.
var textColumns = map[string]func(*request) string{
	"request_id":    func(r *request) string { return r.seed.ID },
	"model":         func(r *request) string { return r.seed.Model },
	"provider":      provider,
	"user_id":       func(r *request) string { return r.seed.UserID },
	"target_url":    func(r *request) string { return r.seed.Path },
	"request_body":  func(r *request) string { return string(r.seed.RequestBody) },
	"response_body": func(r *request) string { return string(r.seed.ResponseBody) },
}

// numberColumns are the number columns of request_response_rmt the emulator filters on.
var numberColumns = map[string]func(*request) float64{
	"latency":           func(r *request) float64 { return float64(r.seed.LatencyMs) },
	"cost":              func(r *request) float64 { return r.seed.Cost },
	"status":            func(r *request) float64 { return float64(status(r)) },
	"prompt_tokens":     func(r *request) float64 { return float64(r.seed.PromptTokens) },
	"completion_tokens": func(r *request) float64 { return float64(r.seed.CompletionTokens) },
	"total_tokens":      func(r *request) float64 { return float64(r.seed.PromptTokens + r.seed.CompletionTokens) },
}

// sortColumns are the keys of "sort".
var sortColumns = map[string]func(a, b *request) int{
	"created_at":        func(a, b *request) int { return a.createdAt.Compare(b.createdAt) },
	"latency":           func(a, b *request) int { return cmp.Compare(a.seed.LatencyMs, b.seed.LatencyMs) },
	"cost":              func(a, b *request) int { return cmp.Compare(a.seed.Cost, b.seed.Cost) },
	"prompt_tokens":     func(a, b *request) int { return cmp.Compare(a.seed.PromptTokens, b.seed.PromptTokens) },
	"completion_tokens": func(a, b *request) int { return cmp.Compare(a.seed.CompletionTokens, b.seed.CompletionTokens) },
	"total_tokens": func(a, b *request) int {
		return cmp.Compare(a.seed.PromptTokens+a.seed.CompletionTokens, b.seed.PromptTokens+b.seed.CompletionTokens)
	},
	"model":   func(a, b *request) int { return cmp.Compare(a.seed.Model, b.seed.Model) },
	"user_id": func(a, b *request) int { return cmp.Compare(a.seed.UserID, b.seed.UserID) },
}

func status(r *request) int { return cmp.Or(r.seed.Status, http.StatusOK) }

// queryClickhouse answers POST /v1/request/query-clickhouse.
func (h *Handler) queryClickhouse(w http.ResponseWriter, r *http.Request, o *org) {
	ents, ok := h.readObject(w, r)
	if !ok {
		return
	}
	v := validation{}
	var (
		filterRaw         json.RawMessage
		limit             = float64(DefaultRequestLimit)
		offset            float64
		order             func(a, b *request) int
		desc              = true
		isScored, isInExp *bool
	)
	for _, e := range ents {
		switch e.key {
		case "filter":
			filterRaw = e.val
		case "limit":
			n, ok := number(e.val)
			if !ok {
				v.add("requestBody.limit", "invalid float number", rawValue(e.val))
			}
			limit = n
		case "offset":
			n, ok := number(e.val)
			if !ok {
				v.add("requestBody.offset", "invalid float number", rawValue(e.val))
			}
			offset = n
		case "sort":
			order, desc = parseSort(v, e.val)
		case "isScored", "isPartOfExperiment", "isCached", "includeInputs":
			b, ok := boolean(e.val)
			if !ok {
				v.add("requestBody."+e.key, "invalid boolean value", rawValue(e.val))
				continue
			}
			switch e.key {
			case "isScored":
				isScored = &b
			case "isPartOfExperiment":
				isInExp = &b
			}
		default:
			v.excess("requestBody", e.key)
		}
	}
	var m matcher[*request]
	if filterRaw == nil {
		v.required("requestBody", "filter")
	} else {
		m = compileFilter(v, "requestBody.filter", filterRaw, h.requestLeaf)
	}
	if len(v) > 0 || m == nil {
		v.write(w)
		return
	}
	if limit < 0 || limit > MaxRequestLimit {
		writeJSON(w, http.StatusInternalServerError, []byte(`{"data":null,"error":"invalid limit"}`))
		return
	}
	if offset < 0 {
		writeJSON(w, http.StatusInternalServerError, []byte(`{"data":null,"error":"invalid offset"}`))
		return
	}
	if order == nil {
		order = sortColumns["created_at"]
	}

	o.mu.RLock()
	var inExp map[string]bool
	if isInExp != nil {
		inExp = experimentRequests(o)
	}
	var picked []*request
	for _, req := range o.requests {
		if isScored != nil && (len(req.scores) > 0) != *isScored {
			continue
		}
		if isInExp != nil && inExp[req.seed.ID] != *isInExp {
			continue
		}
		if m(req) {
			picked = append(picked, req)
		}
	}
	slices.SortFunc(picked, func(a, b *request) int {
		c := order(a, b)
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.seed.ID, b.seed.ID)
		}
		return c
	})
	off, lim := int(offset), int(limit)
	if off > len(picked) {
		off = len(picked)
	}
	picked = picked[off:min(len(picked), off+lim)]
	rows := make([]requestRowOut, 0, len(picked))
	for _, req := range picked {
		rows = append(rows, h.renderRequest(req))
	}
	o.mu.RUnlock()

	b, err := json.Marshal(struct {
		Data  []requestRowOut `json:"data"`
		Error *string         `json:"error"`
	}{Data: rows})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, bodyInternal)
		return
	}
	writeJSON(w, http.StatusCreated, b)
}

// queryLegacy answers the legacy POST /v1/request/query as current servers do for the
// filters this project sends: an empty list.
func (h *Handler) queryLegacy(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.readObject(w, r); !ok {
		return
	}
	writeJSON(w, http.StatusOK, []byte(`{"data":[],"error":null}`))
}

func experimentRequests(o *org) map[string]bool {
	m := map[string]bool{}
	for _, e := range o.experiments {
		for _, row := range e.seed.Dataset.Rows {
			m[row.RequestID] = true
		}
		for _, hy := range e.seed.Hypotheses {
			for _, run := range hy.Runs {
				m[run.RequestID] = true
			}
		}
	}
	return m
}

func number(raw json.RawMessage) (float64, bool) {
	switch jsonKind(raw) {
	case "number":
		f, err := strconv.ParseFloat(string(raw), 64)
		return f, err == nil
	case "string":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	return 0, false
}

func boolean(raw json.RawMessage) (bool, bool) {
	switch strings.Trim(string(raw), `"`) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func parseSort(v validation, raw json.RawMessage) (func(a, b *request) int, bool) {
	ents, ok := objectEntries(raw)
	if !ok {
		v.add("requestBody.sort", "invalid object", rawValue(raw))
		return nil, true
	}
	var order func(a, b *request) int
	desc := true
	for _, e := range ents {
		f, known := sortColumns[e.key]
		if !known {
			v.excess("requestBody.sort", e.key)
			continue
		}
		var dir string
		if json.Unmarshal(e.val, &dir) != nil || (dir != "asc" && dir != "desc") {
			v.add("requestBody.sort."+e.key, "should be one of the following; ['asc','desc']", rawValue(e.val))
			continue
		}
		if order == nil {
			order, desc = f, dir == "desc"
		}
	}
	return order, desc
}

// requestLeaf compiles {"request_response_rmt": {<column>: ...}}.
func (h *Handler) requestLeaf(v validation, path string, leaf []entry) matcher[*request] {
	var out matcher[*request]
	bad := false
	for i, t := range leaf {
		if t.key != "request_response_rmt" {
			v.excess(path, t.key)
			bad = true
			continue
		}
		tp := path + ".request_response_rmt"
		cols, ok := objectEntries(t.val)
		if !ok {
			v.add(tp, "invalid object", rawValue(t.val))
			bad = true
			continue
		}
		for j, c := range cols {
			m := compileColumn(v, tp, c)
			if m == nil {
				bad = true
				continue
			}
			if i == 0 && j == 0 {
				out = m
			}
		}
	}
	if bad {
		return nil
	}
	if out == nil {
		return matchAll[*request]
	}
	return out
}

// compileColumn compiles the condition on one column of request_response_rmt.
func compileColumn(v validation, path string, c entry) matcher[*request] {
	p := path + "." + c.key
	if get, ok := textColumns[c.key]; ok {
		cond := compileTextOp(v, p, c.val)
		if cond == nil {
			return nil
		}
		return func(r *request) bool { return cond(get(r)) }
	}
	if get, ok := numberColumns[c.key]; ok {
		cond := compileNumberOp(v, p, c.val)
		if cond == nil {
			return nil
		}
		return func(r *request) bool { return cond(get(r)) }
	}
	switch c.key {
	case "request_created_at":
		cond := compileTimeOp(v, p, c.val)
		if cond == nil {
			return nil
		}
		return func(r *request) bool { return cond(r.createdAt) }
	case "properties", "scores":
		named, ok := objectEntries(c.val)
		if !ok {
			v.add(p, "invalid object", rawValue(c.val))
			return nil
		}
		var first matcher[*request]
		bad := false
		for k, n := range named {
			cond := compileTextOp(v, p+"."+n.key, n.val)
			if cond == nil {
				bad = true
				continue
			}
			if k > 0 {
				continue
			}
			name, negated := n.key, firstOpNegated(n.val)
			if c.key == "properties" {
				first = func(r *request) bool { return cond(r.seed.Properties[name]) }
			} else {
				first = func(r *request) bool {
					val, ok := r.scores[name]
					if !ok {
						// A missing score matches only a negated condition.
						return negated
					}
					return cond(strconv.FormatInt(val, 10))
				}
			}
		}
		if bad {
			return nil
		}
		if first == nil {
			return matchAll[*request]
		}
		return first
	}
	v.excess(path, c.key)
	return nil
}

// compileNumberOp compiles the first operator of {op: number}.
func compileNumberOp(v validation, path string, raw json.RawMessage) func(float64) bool {
	ents, ok := objectEntries(raw)
	if !ok {
		v.add(path, "invalid object", rawValue(raw))
		return nil
	}
	var first func(float64) bool
	bad := false
	for _, e := range ents {
		if !numberOps[e.key] {
			v.excess(path, e.key)
			bad = true
			continue
		}
		n, ok := number(e.val)
		if !ok {
			v.add(path+"."+e.key, "invalid float number", rawValue(e.val))
			bad = true
			continue
		}
		if first == nil {
			op := e.key
			first = func(x float64) bool { return compareOp(op, cmp.Compare(x, n)) }
		}
	}
	if bad {
		return nil
	}
	if first == nil {
		return func(float64) bool { return true }
	}
	return first
}

// compileTimeOp compiles the first operator of {op: "ISO-8601"}.
func compileTimeOp(v validation, path string, raw json.RawMessage) func(time.Time) bool {
	ents, ok := objectEntries(raw)
	if !ok {
		v.add(path, "invalid object", rawValue(raw))
		return nil
	}
	var first func(time.Time) bool
	bad := false
	for _, e := range ents {
		if !numberOps[e.key] {
			v.excess(path, e.key)
			bad = true
			continue
		}
		var s string
		if jsonKind(e.val) != "string" || json.Unmarshal(e.val, &s) != nil {
			v.add(path+"."+e.key, "invalid string value", rawValue(e.val))
			bad = true
			continue
		}
		t, ok := parseTime(s)
		if !ok {
			v.add(path+"."+e.key, "invalid ISO 8601 datetime format, i.e. YYYY-MM-DDTHH:mm:ss", s)
			bad = true
			continue
		}
		if first == nil {
			op := e.key
			first = func(x time.Time) bool { return compareOp(op, x.Compare(t)) }
		}
	}
	if bad {
		return nil
	}
	if first == nil {
		return func(time.Time) bool { return true }
	}
	return first
}

func compareOp(op string, c int) bool {
	switch op {
	case "equals":
		return c == 0
	case "not-equals":
		return c != 0
	case "gte":
		return c >= 0
	case "lte":
		return c <= 0
	case "gt":
		return c > 0
	default:
		return c < 0
	}
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// requestRowOut is one request of a query-clickhouse answer.
type requestRowOut struct {
	ResponseID        string            `json:"response_id"`
	ResponseCreatedAt string            `json:"response_created_at"`
	ResponseBody      json.RawMessage   `json:"response_body"`
	ResponseStatus    int               `json:"response_status"`
	ResponseModel     string            `json:"response_model"`
	RequestID         string            `json:"request_id"`
	RequestCreatedAt  string            `json:"request_created_at"`
	RequestBody       json.RawMessage   `json:"request_body"`
	RequestPath       string            `json:"request_path"`
	RequestUserID     string            `json:"request_user_id"`
	RequestProperties map[string]string `json:"request_properties"`
	RequestModel      string            `json:"request_model"`
	Model             string            `json:"model"`
	Provider          string            `json:"provider"`
	DelayMs           int64             `json:"delay_ms"`
	TotalTokens       int64             `json:"total_tokens"`
	PromptTokens      int64             `json:"prompt_tokens"`
	CompletionTokens  int64             `json:"completion_tokens"`
	Cost              float64           `json:"cost"`
	Status            int               `json:"status"`
	UserID            string            `json:"user_id"`
	Properties        map[string]string `json:"properties"`
	Scores            map[string]any    `json:"scores"`
}

// renderRequest builds one row; the caller holds the org's lock.
func (h *Handler) renderRequest(r *request) requestRowOut {
	props := map[string]string{}
	maps.Copy(props, r.seed.Properties)
	scores := make(map[string]any, len(r.scores))
	for k, val := range r.scores {
		if h.cfg.numericScores {
			scores[k] = val
		} else {
			scores[k] = strconv.FormatInt(val, 10)
		}
	}
	return requestRowOut{
		ResponseID:        derivedID("response", r.seed.ID),
		ResponseCreatedAt: timeText(r.createdAt.Add(time.Duration(r.seed.LatencyMs) * time.Millisecond)),
		ResponseBody:      rawOrNull(r.seed.ResponseBody),
		ResponseStatus:    status(r),
		ResponseModel:     r.seed.Model,
		RequestID:         r.seed.ID,
		RequestCreatedAt:  timeText(r.createdAt),
		RequestBody:       rawOrNull(r.seed.RequestBody),
		RequestPath:       r.seed.Path,
		RequestUserID:     r.seed.UserID,
		RequestProperties: props,
		RequestModel:      r.seed.Model,
		Model:             r.seed.Model,
		Provider:          provider(r),
		DelayMs:           r.seed.LatencyMs,
		TotalTokens:       r.seed.PromptTokens + r.seed.CompletionTokens,
		PromptTokens:      r.seed.PromptTokens,
		CompletionTokens:  r.seed.CompletionTokens,
		Cost:              r.seed.Cost,
		Status:            status(r),
		UserID:            r.seed.UserID,
		Properties:        props,
		Scores:            scores,
	}
}

// firstOpNegated reports whether the first operator of {op: value} is a negation.
func firstOpNegated(raw json.RawMessage) bool {
	ents, _ := objectEntries(raw)
	return len(ents) > 0 && (ents[0].key == "not-equals" || ents[0].key == "not-contains")
}
