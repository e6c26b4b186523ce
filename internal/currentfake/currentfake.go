// Package currentfake is a scripted stand-in for current Helicone (hosted Helicone today,
// the "current" profile of shared/helicone-api.md), on 127.0.0.1, for the tests of
// datasets, harness and cmd/heval until the emulator helicone/heliconetest serves that
// profile. Only tests import it.
//
// It does what the page says current Helicone does for the routes heval uses: the
// experiment query validates and then answers 500 "Not implemented"; the v2 score route
// always answers {"data":null,"error":null}; score writes are acknowledged with 201 and
// applied later (after the write delay), each as a new version of the request's row, and
// dropped silently for unknown requests and requests older than 30 days; query-clickhouse
// applies its limit to raw row versions and removes older versions afterwards (short
// pages), sends Int64 scores as strings and booleans under "-hcone-bool"; Helicone
// Datasets answer 200 or 500, count rows as strings and serve each row's bodies at a
// signed URL (gzip JSON, Content-Encoding: gzip, refusing any Authorization header, 403
// once expired); an unknown path gets Express's HTML 404; a read-only key gets 401
// {"error":null} on every POST.
package currentfake

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Keys of the fake's organization.
const (
	// APIKey has read and write permission.
	APIKey = "sk-helicone-fake000-current-0000000-rw00000"
	// ReadOnlyKey has read permission only: every POST fails with 401 {"error":null}.
	ReadOnlyKey = "sk-helicone-fake000-current-0000000-ro00000"
)

// Routes counted by [Server.Count].
const (
	RouteScore        = "score"
	RouteQuery        = "query-clickhouse"
	RouteExperiment   = "experiment-query"
	RouteExperimentV2 = "experiment-score-v2"
	RouteDatasetList  = "dataset-list"
	RouteDatasetRows  = "dataset-rows"
	RouteDatasetCount = "dataset-count"
	RouteSigned       = "signed-body"
)

// scoreWindow is how old a request may be for Helicone to store its scores.
const scoreWindow = 30 * 24 * time.Hour

// Request is a logged request of the fake.
type Request struct {
	ID        string
	CreatedAt time.Time
	Model     string
	Provider  string
	// Properties are the custom properties as stored (header-set names lower-case).
	Properties                map[string]string
	RequestBody, ResponseBody json.RawMessage
	// InS3 stores the bodies in S3: the row's inline bodies are text and its
	// signed_body_url serves the JSON.
	InS3                           bool
	LatencyMs                      int64
	PromptTokens, CompletionTokens int64
}

// version is one raw row version: every applied score write adds one.
type version struct {
	updatedAt time.Time
	scores    map[string]int64
}

type request struct {
	Request
	versions []version
}

type dataset struct {
	id, name  string
	createdAt time.Time
	rows      []*row
}

type row struct {
	id, origin, datasetID string
	createdAt             time.Time
	request, response     json.RawMessage
	failSigning           bool
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	writeDelay time.Duration
	numeric    bool
	budget     int
	window     time.Duration

	mu          sync.Mutex
	requests    map[string]*request
	order       []string
	datasets    []*dataset
	signatures  map[string]bool // signature -> still valid
	counts      map[string]int
	signedAuth  []string
	dropped     []string
	lost        map[string]bool
	windowStart time.Time
	used        int
	clock       time.Time // the creation time given to the next dataset's rows
}

// Option configures a [Server].
type Option func(*Server)

// WithWriteDelay applies every score write d after acknowledging it, as Helicone's queue
// does (default: at once).
func WithWriteDelay(d time.Duration) Option { return func(s *Server) { s.writeDelay = d } }

// WithNumericScores sends query-clickhouse score values as JSON numbers (ClickHouse 25.8)
// instead of strings.
func WithNumericScores() Option { return func(s *Server) { s.numeric = true } }

// WithRateLimit counts every authenticated request against budget per window, with the
// RateLimit-* headers and 429 + Retry-After once it is spent.
func WithRateLimit(window time.Duration, budget int) Option {
	return func(s *Server) { s.window, s.budget = window, budget }
}

// New starts a fake; close it with Close.
func New(opts ...Option) *Server {
	s := &Server{requests: map[string]*request{}, signatures: map[string]bool{}, counts: map[string]int{}, clock: time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)}
	for _, o := range opts {
		o(s)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddRequest logs a request. A zero CreatedAt is an hour ago.
func (s *Server) AddRequest(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().Add(-time.Hour)
	}
	r.CreatedAt = r.CreatedAt.UTC().Truncate(time.Millisecond)
	if _, ok := s.requests[r.ID]; !ok {
		s.order = append(s.order, r.ID)
	}
	s.requests[r.ID] = &request{Request: r, versions: []version{{updatedAt: r.CreatedAt, scores: map[string]int64{}}}}
}

// AddDataset creates a dataset with one row per request id, as one mutate does (the rows
// share their creation time, later datasets' rows are newer), and returns its id and the
// row ids in the order given. The rows copy the requests' bodies.
func (s *Server) AddDataset(name string, requestIDs ...string) (string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = s.clock.Add(time.Second)
	d := &dataset{id: newUUID(), name: name, createdAt: s.clock}
	ids := make([]string, len(requestIDs))
	for i, rid := range requestIDs {
		r := &row{id: newUUID(), origin: rid, datasetID: d.id, createdAt: s.clock}
		if req, ok := s.requests[rid]; ok {
			r.request, r.response = req.RequestBody, req.ResponseBody
		}
		d.rows = append(d.rows, r)
		ids[i] = r.id
	}
	s.datasets = append(s.datasets, d)
	return d.id, ids
}

// FailSigning makes the row's signed_url an error envelope.
func (s *Server) FailSigning(rowID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.datasets {
		for _, r := range d.rows {
			if r.id == rowID {
				r.failSigning = true
			}
		}
	}
}

// ExpireSignedURLs makes every signed URL handed out so far answer 403, as S3 does after
// 24 hours.
func (s *Server) ExpireSignedURLs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.signatures {
		s.signatures[k] = false
	}
}

// Scores returns the scores of the newest version of a request, as stored (booleans under
// "<key>-hcone-bool").
func (s *Server) Scores(id string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return nil
	}
	return maps.Clone(r.versions[len(r.versions)-1].scores)
}

// Versions returns how many row versions a request has (one plus one per applied write).
func (s *Server) Versions(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[id]; ok {
		return len(r.versions)
	}
	return 0
}

// Count returns how often a route was called (one of the Route constants).
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Total returns the number of authenticated API requests (signed bodies not included).
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.counts {
		if k != RouteSigned {
			n += v
		}
	}
	return n
}

// SignedAuth returns the Authorization headers that signed-URL requests carried; a client
// that sends none leaves it empty.
func (s *Server) SignedAuth() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.signedAuth)
}

// LoseWrites makes the fake acknowledge score writes to the requests and never apply them,
// as a queue message lost or overtaken by another write to the same request.
func (s *Server) LoseWrites(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost == nil {
		s.lost = map[string]bool{}
	}
	for _, id := range ids {
		s.lost[id] = true
	}
}

// Dropped returns the request ids of score writes that were acknowledged and dropped.
func (s *Server) Dropped() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dropped)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

func timeText(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func envelope(w http.ResponseWriter, status int, data any) {
	b, _ := json.Marshal(map[string]any{"data": data, "error": nil})
	writeJSON(w, status, string(b))
}

func failure(w http.ResponseWriter, msg string) {
	b, _ := json.Marshal(map[string]any{"data": nil, "error": msg})
	writeJSON(w, 500, string(b))
}

const internalError = `{"message":"Internal Server Error","details":"Internal Server Error"}`

func (s *Server) count(route string) {
	s.mu.Lock()
	s.counts[route]++
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_storage/") {
		s.serveSigned(w, r)
		return
	}
	auth, ok := r.Header["Authorization"]
	if !ok {
		writeJSON(w, 401, `{"error":"No authorization header","trace":"isAuthenticated.error"}`)
		return
	}
	key, _ := strings.CutPrefix(auth[0], "Bearer ")
	switch {
	case key == APIKey:
	case key == ReadOnlyKey && r.Method == http.MethodGet:
	case key == ReadOnlyKey:
		writeJSON(w, 401, `{"error":null,"trace":"isAuthenticated.error"}`)
		return
	default:
		writeJSON(w, 401, `{"error":"No API key found","trace":"isAuthenticated.error"}`)
		return
	}
	if !s.admit(w) {
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 500, internalError)
			return
		}
	}
	switch {
	case r.Method == "POST" && len(parts) == 4 && parts[0] == "v1" && parts[1] == "request" && parts[3] == "score":
		s.count(RouteScore)
		s.score(w, parts[2], body)
	case r.Method == "POST" && r.URL.Path == "/v1/request/query-clickhouse":
		s.count(RouteQuery)
		s.query(w, body)
	case r.Method == "POST" && r.URL.Path == "/v1/experiment/query":
		s.count(RouteExperiment)
		if _, ok := body["filter"]; !ok {
			writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody.filter":{"message":"'filter' is required"}}}`)
			return
		}
		writeJSON(w, 500, `{"data":null,"error":"Not implemented"}`)
	case r.Method == "GET" && len(parts) == 5 && parts[0] == "v2" && parts[1] == "experiment":
		s.count(RouteExperimentV2)
		writeJSON(w, 200, `{"data":null,"error":null}`)
	case r.Method == "POST" && r.URL.Path == "/v1/helicone-dataset/query":
		s.count(RouteDatasetList)
		s.listDatasets(w, body)
	case r.Method == "POST" && len(parts) == 4 && parts[1] == "helicone-dataset" && parts[3] == "query":
		s.count(RouteDatasetRows)
		s.datasetRows(w, r, parts[2], body)
	case r.Method == "POST" && len(parts) == 4 && parts[1] == "helicone-dataset" && parts[3] == "count":
		s.count(RouteDatasetCount)
		s.countRows(w, parts[2])
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(404)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot %s %s</pre>\n</body>\n</html>\n", r.Method, r.URL.Path)
	}
}

// admit applies the rate limit, if any.
func (s *Server) admit(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.budget <= 0 {
		return true
	}
	now := time.Now()
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.window {
		s.windowStart, s.used = now, 0
	}
	reset := int((s.window - now.Sub(s.windowStart) + time.Second - 1) / time.Second)
	w.Header().Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", s.budget, int(s.window/time.Second)))
	w.Header().Set("RateLimit-Limit", strconv.Itoa(s.budget))
	w.Header().Set("RateLimit-Reset", strconv.Itoa(reset))
	if s.used >= s.budget {
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("Retry-After", strconv.Itoa(reset))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(429)
		_, _ = w.Write([]byte(`{"error":"Too many requests, please try again later."}`))
		s.counts["429"]++
		return false
	}
	s.used++
	w.Header().Set("RateLimit-Remaining", strconv.Itoa(s.budget-s.used))
	return true
}

func (s *Server) score(w http.ResponseWriter, id string, body map[string]json.RawMessage) {
	var scores map[string]json.RawMessage
	if err := json.Unmarshal(body["scores"], &scores); err != nil || scores == nil {
		writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody.scores":{"message":"'scores' is required"}}}`)
		return
	}
	parsed := map[string]int64{}
	for k, raw := range scores {
		v := strings.TrimSpace(string(raw))
		switch v {
		case "true":
			parsed[k+"-hcone-bool"] = 1
			continue
		case "false", "null":
			parsed[k+"-hcone-bool"] = 0
			continue
		}
		f, err := strconv.ParseFloat(strings.Trim(v, `"`), 64)
		if err != nil {
			writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody.scores":{"message":"Could not match the union against any of the items. Issues: []"}}}`)
			return
		}
		if f != float64(int64(f)) {
			writeJSON(w, 500, internalError)
			return
		}
		parsed[k] = int64(f)
	}
	writeJSON(w, 201, `{"data":null,"error":null}`)
	apply := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		r, ok := s.requests[id]
		if !ok || !isUUID(id) || time.Since(r.CreatedAt) > scoreWindow || s.lost[id] {
			s.dropped = append(s.dropped, id)
			return
		}
		merged := maps.Clone(r.versions[len(r.versions)-1].scores)
		maps.Copy(merged, parsed)
		at := time.Now().UTC().Truncate(time.Millisecond)
		if last := r.versions[len(r.versions)-1].updatedAt; !at.After(last) {
			at = last.Add(time.Millisecond)
		}
		r.versions = append(r.versions, version{updatedAt: at, scores: merged})
	}
	if s.writeDelay > 0 {
		time.AfterFunc(s.writeDelay, apply)
		return
	}
	apply()
}

// rawRow is one version of one request, as ClickHouse stores it.
type rawRow struct {
	r *request
	v *version
}

func (s *Server) query(w http.ResponseWriter, body map[string]json.RawMessage) {
	limit, offset := 10, 0
	for k, raw := range body {
		switch k {
		case "filter":
		case "limit", "offset":
			var n float64
			if json.Unmarshal(raw, &n) != nil {
				writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody.`+k+`":{"message":"invalid float number"}}}`)
				return
			}
			if k == "limit" {
				limit = int(n)
			} else {
				offset = int(n)
			}
		case "sort", "isScored", "isCached", "includeInputs", "isPartOfExperiment":
		default:
			writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody":{"message":"\"`+k+`\" is an excess property and therefore is not allowed"}}}`)
			return
		}
	}
	if _, ok := body["filter"]; !ok {
		writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody.filter":{"message":"'filter' is required"}}}`)
		return
	}
	if limit < 0 || limit > 1000 {
		failure(w, "invalid limit")
		return
	}
	match, ok := compile(body["filter"])
	if !ok {
		writeJSON(w, 500, internalError)
		return
	}
	desc := true
	var sort map[string]string
	if json.Unmarshal(body["sort"], &sort) == nil && sort["created_at"] == "asc" {
		desc = false
	}
	s.mu.Lock()
	var raw []rawRow
	for _, id := range s.order {
		r := s.requests[id]
		for i := range r.versions {
			if match(r, &r.versions[i]) {
				raw = append(raw, rawRow{r, &r.versions[i]})
			}
		}
	}
	slices.SortStableFunc(raw, func(a, b rawRow) int {
		c := a.r.CreatedAt.Compare(b.r.CreatedAt)
		if desc {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.r.ID, b.r.ID))
	})
	// The limit runs over raw versions; only then are older versions removed.
	page := raw[min(max(offset, 0), len(raw)):min(max(offset, 0)+limit, len(raw))]
	var out []map[string]any
	at := map[string]int{}
	for _, rr := range page {
		if i, ok := at[rr.r.ID]; ok {
			if rr.v.updatedAt.After(out[i]["_updated"].(time.Time)) {
				out[i] = s.render(rr)
			}
			continue
		}
		at[rr.r.ID] = len(out)
		out = append(out, s.render(rr))
	}
	s.mu.Unlock()
	for _, o := range out {
		delete(o, "_updated")
	}
	if out == nil {
		out = []map[string]any{}
	}
	envelope(w, 201, out)
}

func (s *Server) render(rr rawRow) map[string]any {
	r := rr.r
	scores := map[string]any{}
	for k, v := range rr.v.scores {
		if s.numeric {
			scores[k] = v
		} else {
			scores[k] = strconv.FormatInt(v, 10)
		}
	}
	props := maps.Clone(r.Properties)
	if props == nil {
		props = map[string]string{}
	}
	out := map[string]any{
		"_updated":            rr.v.updatedAt,
		"request_id":          r.ID,
		"request_created_at":  timeText(r.CreatedAt),
		"response_created_at": timeText(r.CreatedAt.Add(time.Duration(r.LatencyMs) * time.Millisecond)),
		"updated_at":          timeText(rr.v.updatedAt),
		"model":               r.Model,
		"request_model":       r.Model,
		"provider":            r.Provider,
		"delay_ms":            r.LatencyMs,
		"prompt_tokens":       strconv.FormatInt(r.PromptTokens, 10),
		"completion_tokens":   strconv.FormatInt(r.CompletionTokens, 10),
		"total_tokens":        strconv.FormatInt(r.PromptTokens+r.CompletionTokens, 10),
		"properties":          props,
		"request_properties":  props,
		"scores":              scores,
		"storage_location":    "clickhouse",
		"request_body":        rawOr(r.RequestBody),
		"response_body":       rawOr(r.ResponseBody),
	}
	if r.InS3 {
		out["storage_location"] = "s3"
		out["request_body"] = "user: (the request as text)"
		out["response_body"] = "assistant: (the response as text)"
		out["signed_body_url"] = s.sign("requests/" + r.ID)
	}
	return out
}

func rawOr(b json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// compile compiles a filter; ok is false for what the server answers with its generic 500.
func compile(raw json.RawMessage) (func(*request, *version) bool, bool) {
	all := func(*request, *version) bool { return true }
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return all, str == "all"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	if len(m) == 0 {
		return all, true
	}
	if op, ok := m["operator"]; ok {
		l, okl := compile(m["left"])
		r, okr := compile(m["right"])
		if !okl || !okr {
			return nil, false
		}
		switch strings.Trim(string(op), `"`) {
		case "and":
			return func(q *request, v *version) bool { return l(q, v) && r(q, v) }, true
		case "or":
			return func(q *request, v *version) bool { return l(q, v) || r(q, v) }, true
		}
		return nil, false
	}
	leaf, ok := m["request_response_rmt"]
	if !ok {
		return func(*request, *version) bool { return false }, true // another table: []
	}
	var cols map[string]json.RawMessage
	if json.Unmarshal(leaf, &cols) != nil || len(cols) != 1 {
		return nil, false
	}
	for col, ops := range cols {
		switch col {
		case "request_id", "model", "provider":
			cond, ok := textCond(ops)
			if !ok {
				return nil, false
			}
			return func(q *request, _ *version) bool {
				return cond(map[string]string{"request_id": q.ID, "model": q.Model, "provider": q.Provider}[col])
			}, true
		case "request_created_at":
			var o map[string]string
			if json.Unmarshal(ops, &o) != nil || len(o) != 1 {
				return nil, false
			}
			for op, val := range o {
				t, err := time.Parse(time.RFC3339Nano, val)
				if err != nil {
					return nil, false
				}
				return func(q *request, _ *version) bool {
					c := q.CreatedAt.Compare(t)
					switch op {
					case "gte":
						return c >= 0
					case "lte":
						return c <= 0
					case "gt":
						return c > 0
					}
					return c < 0
				}, true
			}
		case "property_key":
			var o map[string]string
			if json.Unmarshal(ops, &o) != nil || o["equals"] == "" {
				return nil, false
			}
			return func(q *request, _ *version) bool { _, ok := q.Properties[o["equals"]]; return ok }, true
		case "properties", "scores":
			var byName map[string]json.RawMessage
			if json.Unmarshal(ops, &byName) != nil || len(byName) != 1 {
				return nil, false
			}
			for name, o := range byName {
				cond, ok := textCond(o)
				if !ok {
					return nil, false
				}
				if col == "properties" {
					return func(q *request, _ *version) bool { v, ok := q.Properties[name]; return ok && cond(v) }, true
				}
				return func(_ *request, v *version) bool {
					n, ok := v.scores[name]
					return ok && cond(strconv.FormatInt(n, 10))
				}, true
			}
		}
	}
	return nil, false
}

func textCond(raw json.RawMessage) (func(string) bool, bool) {
	var o map[string]string
	if json.Unmarshal(raw, &o) != nil || len(o) != 1 {
		return nil, false
	}
	for op, val := range o {
		switch op {
		case "equals":
			return func(s string) bool { return s == val }, true
		case "not-equals":
			return func(s string) bool { return s != val }, true
		case "contains":
			return func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(val)) }, true
		}
	}
	return nil, false
}

func (s *Server) listDatasets(w http.ResponseWriter, body map[string]json.RawMessage) {
	var ids []string
	for k, raw := range body {
		if k != "datasetIds" || json.Unmarshal(raw, &ids) != nil {
			writeJSON(w, 422, `{"message":"Validation Failed","details":{"requestBody":{"message":"\"`+k+`\" is an excess property and therefore is not allowed"}}}`)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, d := range s.datasets {
		if body["datasetIds"] != nil && !slices.Contains(ids, d.id) {
			continue
		}
		out = append(out, map[string]any{"id": d.id, "name": d.name, "created_at": timeText(d.createdAt), "dataset_type": "helicone",
			"meta": nil, "organization": "00000000-0000-4000-8000-00000000f00d", "requests_count": strconv.Itoa(len(d.rows)), "signed_url": map[string]any{}})
	}
	envelope(w, 200, out)
}

func (s *Server) find(id string) *dataset {
	for _, d := range s.datasets {
		if d.id == id {
			return d
		}
	}
	return nil
}

func (s *Server) datasetRows(w http.ResponseWriter, r *http.Request, id string, body map[string]json.RawMessage) {
	if !isUUID(id) {
		failure(w, fmt.Sprintf("invalid input syntax for type uuid: %q", id))
		return
	}
	num := func(k string) int {
		var f float64
		if json.Unmarshal(body[k], &f) == nil {
			return int(f)
		}
		var str string
		if json.Unmarshal(body[k], &str) == nil {
			n, _ := strconv.Atoi(str)
			return n
		}
		return 0
	}
	limit, offset := num("limit"), max(num("offset"), 0)
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 10000)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	if d := s.find(id); d != nil {
		rows := slices.Clone(d.rows)
		slices.SortStableFunc(rows, func(a, b *row) int { return b.createdAt.Compare(a.createdAt) })
		for _, rw := range rows[min(offset, len(rows)):min(offset+limit, len(rows))] {
			signed := map[string]any{"data": s.sign("rows/" + rw.id), "error": nil}
			if rw.failSigning {
				signed = map[string]any{"data": nil, "error": "Failed to sign the object"}
			}
			out = append(out, map[string]any{"id": rw.id, "origin_request_id": rw.origin, "dataset_id": rw.datasetID,
				"created_at": timeText(rw.createdAt), "signed_url": signed})
		}
	}
	envelope(w, 200, out)
}

func (s *Server) countRows(w http.ResponseWriter, id string) {
	if !isUUID(id) {
		failure(w, "invalid dataset id")
		return
	}
	s.mu.Lock()
	n := 0
	if d := s.find(id); d != nil {
		n = len(d.rows)
	}
	s.mu.Unlock()
	envelope(w, 200, strconv.Itoa(n))
}

// sign returns a signed URL of an object; the caller holds the lock.
func (s *Server) sign(object string) string {
	sig := newUUID()
	s.signatures[sig] = true
	return s.URL + "/_storage/" + object + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=86400&X-Amz-Signature=" + sig
}

const storageError = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>%s</Code><Message>%s</Message></Error>`

func (s *Server) serveSigned(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts[RouteSigned]++
	if a := r.Header.Get("Authorization"); a != "" {
		s.signedAuth = append(s.signedAuth, a)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(400)
		fmt.Fprintf(w, storageError, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	valid, known := s.signatures[r.URL.Query().Get("X-Amz-Signature")]
	var body []byte
	object := strings.TrimPrefix(r.URL.Path, "/_storage/")
	if kind, id, ok := strings.Cut(object, "/"); ok {
		switch kind {
		case "rows":
			for _, d := range s.datasets {
				for _, rw := range d.rows {
					if rw.id == id {
						body, _ = json.Marshal(map[string]json.RawMessage{"request": rawOr(rw.request), "response": rawOr(rw.response)})
					}
				}
			}
		case "requests":
			if req, ok := s.requests[id]; ok {
				body, _ = json.Marshal(map[string]json.RawMessage{"request": rawOr(req.RequestBody), "response": rawOr(req.ResponseBody)})
			}
		}
	}
	s.mu.Unlock()
	switch {
	case !known || !valid:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(403)
		fmt.Fprintf(w, storageError, "AccessDenied", "Request has expired")
		return
	case body == nil:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(404)
		fmt.Fprintf(w, storageError, "NoSuchKey", "The specified key does not exist.")
		return
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(body)
	_ = zw.Close()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	_, _ = w.Write(gz.Bytes())
}
