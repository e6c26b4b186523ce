package heliconetest

import (
	"cmp"
	"encoding/json"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
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

// LegacyQueryMaxOffset is the largest offset the legacy POST /v1/request/query takes.
const LegacyQueryMaxOffset = 10_000

// GetRequestCacheTTL is how long GET /v1/request/{requestId} keeps serving a found row as
// it was (scores and properties frozen).
const GetRequestCacheTTL = 24 * time.Hour

// placeholderBody is the body text ClickHouse holds in place of a body it does not have.
const placeholderBody = `{"helicone_message": "fetching body from signed_url... contact engineering@helicone.ai for more information"}`

// sortKey is one "sort" key of a request query.
type sortKey struct {
	name    string
	compare func(a, b row) int
}

// sortKeys are the sort keys in the order the server tries them: the first present wins.
var sortKeys = []sortKey{
	{"random", nil},
	{"created_at", func(a, b row) int { return a.r.createdAt.Compare(b.r.createdAt) }},
	{"cache_created_at", func(a, b row) int { return a.r.createdAt.Compare(b.r.createdAt) }},
	{"latency", func(a, b row) int { return cmp.Compare(a.r.seed.LatencyMs, b.r.seed.LatencyMs) }},
	{"last_active", func(a, b row) int { return a.r.createdAt.Compare(b.r.createdAt) }},
	{"total_tokens", func(a, b row) int { return cmp.Compare(totalTokens(a.r), totalTokens(b.r)) }},
	{"completion_tokens", func(a, b row) int { return cmp.Compare(a.r.seed.CompletionTokens, b.r.seed.CompletionTokens) }},
	{"prompt_tokens", func(a, b row) int { return cmp.Compare(a.r.seed.PromptTokens, b.r.seed.PromptTokens) }},
	{"user_id", func(a, b row) int { return cmp.Compare(a.r.userID, b.r.userID) }},
	{"body_model", func(a, b row) int { return cmp.Compare(a.r.seed.Model, b.r.seed.Model) }},
	{"is_cached", func(a, b row) int { return 0 }},
	{"request_prompt", func(a, b row) int { return cmp.Compare(string(a.r.seed.RequestBody), string(b.r.seed.RequestBody)) }},
	{"response_text", func(a, b row) int { return cmp.Compare(string(a.r.seed.ResponseBody), string(b.r.seed.ResponseBody)) }},
	{"values", func(a, b row) int { return 0 }},
	{"cost", func(a, b row) int { return cmp.Compare(a.r.seed.Cost, b.r.seed.Cost) }},
	{"time_to_first_token", func(a, b row) int { return cmp.Compare(a.r.seed.TimeToFirstTokenMs, b.r.seed.TimeToFirstTokenMs) }},
	{"properties", nil},
}

// sortPropertyKey is what a properties sort key must look like.
var sortPropertyKey = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)

// requestQuery is a validated body of query-clickhouse (or the legacy request query).
type requestQuery struct {
	filter        json.RawMessage
	limit, offset float64
	sort          []entry
	isScored      *bool
}

// parseRequestQuery validates a request-query body; it answers 422 itself.
func parseRequestQuery(w http.ResponseWriter, body *reqBody) (requestQuery, bool) {
	ents, ok := objectBody(w, body)
	if !ok {
		return requestQuery{}, false
	}
	q := requestQuery{limit: DefaultRequestLimit}
	is := issues{}
	for _, e := range ents {
		switch e.key {
		case "filter":
			q.filter = e.val
		case "limit", "offset":
			if msg := numberValue(e.val); msg != "" {
				is.add("requestBody."+e.key, msg, rawValue(e.val))
				continue
			}
			n, ok := number(e.val)
			if !ok {
				n = math.NaN() // Number() of text such as "-."
			}
			if e.key == "limit" {
				q.limit = n
			} else {
				q.offset = n
			}
		case "sort":
			q.sort = checkSort(is, e.val)
		case "isScored", "isCached", "includeInputs", "isPartOfExperiment":
			if msg := boolValue(e.val); msg != "" {
				is.add("requestBody."+e.key, msg, rawValue(e.val))
				continue
			}
			if e.key == "isScored" {
				b := strings.EqualFold(strings.Trim(string(e.val), `"`), "true")
				q.isScored = &b
			}
		default:
			is.excess("requestBody", e.key)
		}
	}
	if q.filter == nil {
		is.add("requestBody.filter", "'filter' is required", nil)
	} else {
		checkFilter(is, "requestBody.filter", q.filter, requestRules)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return requestQuery{}, false
	}
	return q, true
}

// checkSort validates "sort" and returns its members.
func checkSort(is issues, raw json.RawMessage) []entry {
	ents, ok := objectEntries(raw)
	if !ok {
		is.add("requestBody.sort", "invalid object", rawValue(raw))
		return nil
	}
	dir := func(path string, v json.RawMessage) {
		if s, _ := jsonString(v); s != "asc" && s != "desc" {
			is.add(path, "should be one of the following; ['asc','desc']", rawValue(v))
		}
	}
	for _, e := range ents {
		p := "requestBody.sort." + e.key
		switch {
		case e.key == "random":
			if string(e.val) != "true" {
				is.add(p, "should be one of the following; [true]", rawValue(e.val))
			}
		case e.key == "properties":
			props, ok := objectEntries(e.val)
			if !ok {
				is.add(p, "invalid object", rawValue(e.val))
				continue
			}
			for _, pe := range props {
				dir(p+"."+pe.key, pe.val)
			}
		case slices.ContainsFunc(sortKeys, func(k sortKey) bool { return k.name == e.key }):
			dir(p, e.val)
		default:
			is.excess("requestBody.sort", e.key)
		}
	}
	return ents
}

// buildSort returns the order of a valid "sort", or false when building it throws (a
// properties key that is not ^[a-zA-Z0-9_]+$).
func buildSort(ents []entry) (func(a, b row) int, bool) {
	for _, k := range sortKeys {
		i := indexEntry(ents, k.name)
		if i < 0 {
			continue
		}
		e := ents[i]
		switch k.name {
		case "random":
			seed := rand.Uint64()
			return func(a, b row) int { return cmp.Compare(mix(seed, a.r.id), mix(seed, b.r.id)) }, true
		case "properties":
			props, _ := objectEntries(e.val)
			if len(props) == 0 {
				continue
			}
			key := props[0].key
			if !sortPropertyKey.MatchString(key) {
				return nil, false
			}
			desc := strings.Contains(string(props[0].val), "desc")
			return direct(func(a, b row) int { return cmp.Compare(a.v.props[key], b.v.props[key]) }, desc), true
		default:
			return direct(k.compare, strings.Contains(string(e.val), "desc")), true
		}
	}
	return direct(sortKeys[1].compare, true), true
}

func mix(seed uint64, id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64() ^ seed
}

// direct orders by c (reversed when desc), then by request id and newest version first.
func direct(c func(a, b row) int, desc bool) func(a, b row) int {
	return func(a, b row) int {
		x := c(a, b)
		if desc {
			x = -x
		}
		if x == 0 {
			x = cmp.Compare(a.r.id, b.r.id)
		}
		if x == 0 {
			x = -cmp.Compare(a.v.seq, b.v.seq)
		}
		return x
	}
}

// queryClickhouse answers POST /v1/request/query-clickhouse.
func (h *Handler) queryClickhouse(w http.ResponseWriter, r *http.Request, body *reqBody, o *org) {
	q, ok := parseRequestQuery(w, body)
	if !ok {
		return
	}
	if math.IsNaN(q.limit) || math.IsNaN(q.offset) {
		writeError(w, http.StatusInternalServerError, "Invalid offset or limit")
		return
	}
	order, ok := buildSort(q.sort)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, bodyInternal)
		return
	}
	if q.limit < 0 || q.limit > MaxRequestLimit {
		writeError(w, http.StatusInternalServerError, "invalid limit")
		return
	}
	f := compileFilter(q.filter, requestRules)
	if f.fault == faultInternal {
		writeJSON(w, http.StatusInternalServerError, bodyInternal)
		return
	}
	// ClickHouse refuses a negative or fractional LIMIT/OFFSET; the server answers []
	// (inferred).
	if f.fault == faultEmpty || q.offset < 0 || q.offset != math.Trunc(q.offset) || q.limit != math.Trunc(q.limit) || math.IsInf(q.offset, 0) {
		writeData(w, http.StatusCreated, []any{})
		return
	}
	now := h.cfg.clock()
	host := requestHost(r)
	h.mu.RLock()
	st := h.st
	h.mu.RUnlock()
	key := queryKey(q)
	o.mu.RLock()
	page := h.selectRowsCached(o, st, key, f, q.isScored, order, int(q.offset), int(q.limit), now)
	out := make([]*requestRowOut, 0, len(page))
	for _, x := range page {
		out = append(out, h.renderRow(o, x, host, now))
	}
	o.mu.RUnlock()
	writeData(w, http.StatusCreated, out)
}

// queryKey identifies a query's filter, sort and isScored, the parts that pick and order
// rows.
func queryKey(q requestQuery) string {
	var b strings.Builder
	b.Write(q.filter)
	for _, e := range q.sort {
		b.WriteString("\x00" + e.key + "\x00")
		b.Write(e.val)
	}
	switch {
	case q.isScored == nil:
		b.WriteString("\x00-")
	case *q.isScored:
		b.WriteString("\x00t")
	default:
		b.WriteString("\x00f")
	}
	return b.String()
}

// selectRowsCached runs a request query over o's raw row versions: filter, sort, offset and limit,
// and only then de-duplication by request id (the newest version, at the place of the
// first), so a page can be shorter than the limit while more rows exist. The caller holds
// o.mu.
//
// The next pages of the org's last query are read from the rows it picked and sorted, as
// long as no row version was written since and no request it left out for being in the
// future has come due.
func (h *Handler) selectRowsCached(o *org, st *state, key string, f compiledFilter[row], isScored *bool, order func(a, b row) int, offset, limit int, now time.Time) []row {
	o.idxMu.Lock()
	c := o.lastQuery
	o.idxMu.Unlock()
	if c == nil || c.key != key || c.seq != st.seq.Load() || (!c.due.IsZero() && !now.Add(5*time.Minute).Before(c.due)) {
		seq := st.seq.Load()
		picked, due := h.pickRows(o, f, isScored, order, now)
		c = &cachedQuery{key: key, seq: seq, due: due, rows: picked}
		o.idxMu.Lock()
		o.lastQuery = c
		o.idxMu.Unlock()
	}
	return pageRows(c.rows, offset, limit)
}

// cachedQuery is the rows a request query picked, sorted, before offset and limit.
type cachedQuery struct {
	key  string
	seq  uint64
	due  time.Time
	rows []row
}

// pickRows returns the row versions a query picks, sorted, and the earliest creation time of
// the requests it left out for being in the future (zero: none).
func (h *Handler) pickRows(o *org, f compiledFilter[row], isScored *bool, order func(a, b row) int, now time.Time) ([]row, time.Time) {
	var picked []row
	var due time.Time
	visit := func(req *request) {
		if req.createdAt.After(now.Add(5 * time.Minute)) {
			if due.IsZero() || req.createdAt.Before(due) {
				due = req.createdAt
			}
			return
		}
		for _, v := range req.versions {
			x := row{req, v}
			if isScored != nil && (len(v.scores) > 0) != *isScored {
				continue
			}
			if f.match(x) {
				picked = append(picked, x)
			}
		}
	}
	if f.restricted() {
		seen := map[*request]bool{}
		once := func(req *request) {
			if req != nil && !seen[req] {
				seen[req] = true
				visit(req)
			}
		}
		for id := range f.ids {
			once(o.requests[id])
		}
		if f.props != nil {
			idx := o.propertyIndex()
			for p := range f.props {
				for _, req := range idx[p] {
					once(req)
				}
			}
		}
	} else {
		for _, req := range o.requests {
			visit(req)
		}
	}
	slices.SortFunc(picked, order)
	return picked, due
}

// pageRows takes a page of sorted rows, then de-duplicates it by request id (see selectRowsCached).
func pageRows(picked []row, offset, limit int) []row {
	offset = min(offset, len(picked))
	picked = picked[offset:min(len(picked), offset+limit)]
	at := map[string]int{}
	out := picked[:0:0]
	for _, x := range picked {
		i, seen := at[x.r.id]
		if !seen {
			at[x.r.id] = len(out)
			out = append(out, x)
			continue
		}
		if x.v.updatedAt.After(out[i].v.updatedAt) || x.v.updatedAt.Equal(out[i].v.updatedAt) && x.v.seq > out[i].v.seq {
			out[i] = x
		}
	}
	return out
}

// requestRowOut is one row of a request answer, with the keys and in the order the server
// sends them.
type requestRowOut struct {
	ResponseID             string            `json:"response_id"`
	ResponseBody           any               `json:"response_body"`
	ResponseCreatedAt      string            `json:"response_created_at"`
	ResponseStatus         int               `json:"response_status"`
	RequestID              string            `json:"request_id"`
	RequestBody            any               `json:"request_body"`
	RequestCreatedAt       string            `json:"request_created_at"`
	RequestUserID          string            `json:"request_user_id"`
	RequestProperties      map[string]string `json:"request_properties"`
	Provider               string            `json:"provider"`
	DelayMs                int64             `json:"delay_ms"`
	RequestModel           string            `json:"request_model"`
	Model                  string            `json:"model"`
	AIGatewayBodyMapping   string            `json:"ai_gateway_body_mapping"`
	TimeToFirstToken       any               `json:"time_to_first_token"`
	TotalTokens            any               `json:"total_tokens"`
	CompletionTokens       any               `json:"completion_tokens"`
	ReasoningTokens        any               `json:"reasoning_tokens"`
	PromptCacheReadTokens  any               `json:"prompt_cache_read_tokens"`
	PromptCacheWriteTokens any               `json:"prompt_cache_write_tokens"`
	PromptTokens           any               `json:"prompt_tokens"`
	CountryCode            *string           `json:"country_code"`
	Scores                 map[string]any    `json:"scores"`
	Properties             map[string]string `json:"properties"`
	AssetIDs               []string          `json:"asset_ids"`
	TargetURL              string            `json:"target_url"`
	CacheReferenceID       string            `json:"cache_reference_id"`
	RequestReferrer        *string           `json:"request_referrer"`
	CacheEnabled           bool              `json:"cache_enabled"`
	Cost                   float64           `json:"cost"`
	PromptID               string            `json:"prompt_id"`
	PromptVersion          string            `json:"prompt_version"`
	UpdatedAt              string            `json:"updated_at"`
	StorageLocation        string            `json:"storage_location"`
	FeedbackCreatedAt      *string           `json:"feedback_created_at"`
	SignedBodyURL          *string           `json:"signed_body_url,omitempty"`
	AssetURLs              any               `json:"asset_urls,omitempty"`
}

// RowKeys are the keys of a request row, in order; s3 rows add signed_body_url and
// asset_urls.
var RowKeys = []string{
	"response_id", "response_body", "response_created_at", "response_status", "request_id",
	"request_body", "request_created_at", "request_user_id", "request_properties", "provider",
	"delay_ms", "request_model", "model", "ai_gateway_body_mapping", "time_to_first_token",
	"total_tokens", "completion_tokens", "reasoning_tokens", "prompt_cache_read_tokens",
	"prompt_cache_write_tokens", "prompt_tokens", "country_code", "scores", "properties",
	"asset_ids", "target_url", "cache_reference_id", "request_referrer", "cache_enabled", "cost",
	"prompt_id", "prompt_version", "updated_at", "storage_location", "feedback_created_at",
}

// int64Value renders an Int64 column: quoted by ClickHouse's older default, a number with
// WithNumericScores.
func (h *Handler) int64Value(n int64) any {
	if h.cfg.numericScores {
		return n
	}
	return strconv.FormatInt(n, 10)
}

// renderRow builds one row; the caller holds o.mu.
func (h *Handler) renderRow(o *org, x row, host string, now time.Time) *requestRowOut {
	r, v := x.r, x.v
	props := maps.Clone(v.props)
	if props == nil {
		props = map[string]string{}
	}
	scores := make(map[string]any, len(v.scores))
	for k, val := range v.scores {
		scores[k] = h.int64Value(val)
	}
	out := &requestRowOut{
		ResponseID:             derivedID("response", r.id),
		ResponseCreatedAt:      timeText(responseCreatedAt(r)),
		ResponseStatus:         status(r),
		RequestID:              r.id,
		RequestCreatedAt:       r.createdText,
		RequestUserID:          r.userID,
		RequestProperties:      props,
		Provider:               provider(r),
		DelayMs:                r.seed.LatencyMs,
		RequestModel:           r.seed.Model,
		Model:                  r.seed.Model,
		TotalTokens:            h.int64Value(totalTokens(r)),
		CompletionTokens:       h.int64Value(r.seed.CompletionTokens),
		ReasoningTokens:        h.int64Value(r.seed.ReasoningTokens),
		PromptCacheReadTokens:  h.int64Value(r.seed.PromptCacheReadTokens),
		PromptCacheWriteTokens: h.int64Value(r.seed.PromptCacheWriteTokens),
		PromptTokens:           h.int64Value(r.seed.PromptTokens),
		Scores:                 scores,
		Properties:             props,
		AssetIDs:               []string{},
		TargetURL:              targetURL(r),
		CacheReferenceID:       defaultUUID,
		CacheEnabled:           r.seed.CacheEnabled,
		Cost:                   r.seed.Cost,
		PromptID:               v.promptID,
		PromptVersion:          v.promptVersion,
		UpdatedAt:              timeText(v.updatedAt),
		StorageLocation:        r.storage,
	}
	if r.seed.TimeToFirstTokenMs != 0 {
		out.TimeToFirstToken = h.int64Value(r.seed.TimeToFirstTokenMs)
	}
	if r.seed.CountryCode != "" {
		cc := r.seed.CountryCode
		out.CountryCode = &cc
	}
	if !v.feedbackAt.IsZero() {
		t := timeText(v.feedbackAt)
		out.FeedbackCreatedAt = &t
	}
	expired := now.Sub(r.createdAt) > BodyTTL
	switch r.storage {
	case StorageClickhouse:
		out.RequestBody = inlineBody(r.seed.RequestBody, expired)
		out.ResponseBody = inlineBody(r.seed.ResponseBody, expired)
	case StorageS3:
		out.RequestBody, out.ResponseBody = placeholderBody, placeholderBody
		if !expired {
			out.RequestBody = bodyText(r.seed.RequestBody)
			out.ResponseBody = bodyText(r.seed.ResponseBody)
		}
		u := h.signURL(host, requestObjectKey(o.id, r.id), now)
		out.SignedBodyURL = &u
		out.AssetURLs = map[string]string{}
	default:
		out.RequestBody, out.ResponseBody = placeholderBody, placeholderBody
	}
	return out
}

// inlineBody is a body of a clickhouse row: the parsed JSON, or the object
// {"helicone_message": ...} once the TTL has removed it.
func inlineBody(b json.RawMessage, expired bool) any {
	if expired || len(b) == 0 {
		b = json.RawMessage(placeholderBody)
	}
	if !json.Valid(b) {
		return string(b)
	}
	return b
}

// maxBodyText is how much of a body an s3 row's text keeps (inferred).
const maxBodyText = 1000

// bodyText is the text an s3 row holds of a body: its strings as printable ASCII, truncated.
func bodyText(b json.RawMessage) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			for _, c := range t {
				if c >= 0x20 && c < 0x7f {
					sb.WriteRune(c)
				}
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				if k == "content" || k == "text" || k == "messages" || k == "choices" || k == "message" || k == "input" || k == "output" || k == "parts" || k == "candidates" {
					walk(t[k])
				}
			}
		}
	}
	walk(v)
	s := sb.String()
	if len(s) > maxBodyText {
		s = s[:maxBodyText]
	}
	return s
}

// requestHost is the host a signed URL of an answer to r points at: the one r was sent to.
func requestHost(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// queryLegacy answers the legacy POST /v1/request/query, which reads the Postgres request
// table: the filters this project sends find nothing.
func (h *Handler) queryLegacy(w http.ResponseWriter, body *reqBody) {
	q, ok := parseRequestQuery(w, body)
	if !ok {
		return
	}
	if q.offset > LegacyQueryMaxOffset {
		writeError(w, http.StatusInternalServerError, "unsupport offset value")
		return
	}
	writeData(w, http.StatusCreated, []any{})
}

// cachedRow is a found answer of GET /v1/request/{requestId}, kept for 24 hours.
type cachedRow struct {
	row     *requestRowOut
	expires time.Time
}

// findRow looks a request up as GET /v1/request/{id} and query-ids do: the newest row
// version of the last 90 days, served from the 24-hour cache once found. The caller holds
// o.mu for writing.
func (h *Handler) findRow(o *org, id, host string, now time.Time) *requestRowOut {
	id = canonicalID(id)
	if c, ok := o.byID[id]; ok && now.Before(c.expires) {
		return c.row
	}
	req := o.requests[id]
	if req == nil || now.Sub(req.createdAt) > BodyTTL {
		return nil
	}
	out := h.renderRow(o, row{req, req.newest()}, host, now)
	o.byID[id] = cachedRow{row: out, expires: now.Add(GetRequestCacheTTL)}
	return out
}

// getRequest answers GET /v1/request/{requestId}?includeBody=.
func (h *Handler) getRequest(w http.ResponseWriter, r *http.Request, o *org, id string) {
	now := h.cfg.clock()
	o.mu.Lock()
	found := h.findRow(o, id, requestHost(r), now)
	o.mu.Unlock()
	switch {
	case found != nil:
		writeData(w, http.StatusOK, found)
	case r.URL.Query().Get("includeBody") == "true":
		writeJSON(w, http.StatusOK, bodyOKNull)
	default:
		writeJSON(w, http.StatusOK, []byte(`{"error":null}`))
	}
}

// queryIDs answers POST /v1/request/query-ids {"requestIds":[...]}: the cached lookup per
// id, null for an unknown one (inferred).
func (h *Handler) queryIDs(w http.ResponseWriter, r *http.Request, body *reqBody, o *org) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var ids []string
	found := false
	for _, e := range ents {
		if e.key != "requestIds" {
			is.excess("requestBody", e.key)
			continue
		}
		found = true
		var raw []json.RawMessage
		if json.Unmarshal(e.val, &raw) != nil || jsonKind(e.val) != "array" {
			is.add("requestBody.requestIds", "invalid array", rawValue(e.val))
			continue
		}
		for i, x := range raw {
			s, ok := jsonString(x)
			if !ok {
				is.add("requestBody.requestIds.$"+strconv.Itoa(i), "invalid string value", rawValue(x))
			}
			ids = append(ids, s)
		}
	}
	if !found {
		is.add("requestBody.requestIds", "'requestIds' is required", nil)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	now := h.cfg.clock()
	host := requestHost(r)
	out := make([]*requestRowOut, len(ids))
	o.mu.Lock()
	for i, id := range ids {
		out[i] = h.findRow(o, id, host, now)
	}
	o.mu.Unlock()
	writeData(w, http.StatusOK, out)
}

// setProperty answers PUT /v1/request/{requestId}/property {"key":...,"value":...}: a
// synchronous merge that keeps the key's case.
func (h *Handler) setProperty(w http.ResponseWriter, body *reqBody, o *org, id string) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	vals := map[string]string{}
	for _, e := range ents {
		if e.key != "key" && e.key != "value" {
			is.excess("requestBody", e.key)
			continue
		}
		s, ok := jsonString(e.val)
		if !ok {
			is.add("requestBody."+e.key, "invalid string value", rawValue(e.val))
			continue
		}
		vals[e.key] = s
	}
	for _, k := range []string{"key", "value"} {
		if _, ok := vals[k]; !ok && is["requestBody."+k] == nil {
			is.add("requestBody."+k, "'"+k+"' is required", nil)
		}
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	now := h.cfg.clock()
	h.mu.RLock()
	st := h.st
	h.mu.RUnlock()
	o.mu.Lock()
	req := o.requests[canonicalID(id)]
	if req == nil {
		o.mu.Unlock()
		writeError(w, http.StatusInternalServerError, "Request not found")
		return
	}
	cur := req.newest()
	props := maps.Clone(cur.props)
	if props == nil {
		props = map[string]string{}
	}
	props[vals["key"]] = vals["value"]
	o.dropPropertyIndex()
	req.insert(&rowVersion{scores: cur.scores, props: props, updatedAt: now, promptID: cur.promptID, promptVersion: cur.promptVersion, feedbackAt: cur.feedbackAt, seq: st.seq.Add(1)}, now)
	o.mu.Unlock()
	writeJSON(w, http.StatusCreated, bodyOKNull)
}

// addFeedback answers POST /v1/request/{requestId}/feedback {"rating": boolean}: a score
// write of helicone-score-feedback, 1 or 0 (201, inferred).
func (h *Handler) addFeedback(w http.ResponseWriter, body *reqBody, o *org, id string) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var rating *bool
	for _, e := range ents {
		if e.key != "rating" {
			is.excess("requestBody", e.key)
			continue
		}
		if msg := boolValue(e.val); msg != "" {
			is.add("requestBody.rating", msg, rawValue(e.val))
			continue
		}
		b := strings.EqualFold(strings.Trim(string(e.val), `"`), "true")
		rating = &b
	}
	if rating == nil && is["requestBody.rating"] == nil {
		is.add("requestBody.rating", "'rating' is required", nil)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	h.acceptWrite(w, &scoreWrite{org: o, requestID: id, scores: map[string]int64{FeedbackKey: b2i(*rating)}, feedback: true})
}
