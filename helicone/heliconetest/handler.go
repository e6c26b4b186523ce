package heliconetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Route names one of the emulated routes, for [Handler.Inject] and [Handler.Counts].
type Route string

// The emulated routes of both profiles.
const (
	RouteAddScores       Route = "POST /v1/request/{requestId}/score"
	RouteFeedback        Route = "POST /v1/request/{requestId}/feedback"
	RouteGetRequest      Route = "GET /v1/request/{requestId}"
	RouteQueryIDs        Route = "POST /v1/request/query-ids"
	RouteSetProperty     Route = "PUT /v1/request/{requestId}/property"
	RouteEvals           Route = "POST /v1/evals/{requestId}"
	RouteQueryExperiment Route = "POST /v1/experiment/query"
	RouteExperimentScore Route = "GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}"
	RouteQueryClickhouse Route = "POST /v1/request/query-clickhouse"
	RouteQueryRequests   Route = "POST /v1/request/query"
	// AnyRoute matches every route in [Handler.Inject].
	AnyRoute Route = "*"
)

// The Helicone Datasets routes, served by the [Current] profile only.
const (
	RouteDatasetCreate  Route = "POST /v1/helicone-dataset"
	RouteDatasetMutate  Route = "POST /v1/helicone-dataset/{datasetId}/mutate"
	RouteDatasetRows    Route = "POST /v1/helicone-dataset/{datasetId}/query"
	RouteDatasetCount   Route = "POST /v1/helicone-dataset/{datasetId}/count"
	RouteDatasetList    Route = "POST /v1/helicone-dataset/query"
	RouteDatasetEditRow Route = "POST /v1/helicone-dataset/{datasetId}/request/{rowId}"
	RouteDatasetDelete  Route = "POST /v1/helicone-dataset/{datasetId}/delete"
)

// RouteSignedBody is a GET of a signed body URL (a request's signed_body_url, a dataset
// row's signed_url), which the emulator serves itself in place of S3: no key, valid for
// [SignedURLTTL].
const RouteSignedBody Route = "GET {signed body URL}"

// Routes lists the API routes both profiles serve.
var Routes = []Route{
	RouteAddScores, RouteFeedback, RouteGetRequest, RouteQueryIDs, RouteSetProperty, RouteEvals,
	RouteQueryExperiment, RouteExperimentScore, RouteQueryClickhouse, RouteQueryRequests,
}

// DatasetRoutes lists the Helicone Datasets routes, which only the [Current] profile serves.
var DatasetRoutes = []Route{
	RouteDatasetCreate, RouteDatasetMutate, RouteDatasetRows, RouteDatasetCount,
	RouteDatasetList, RouteDatasetEditRow, RouteDatasetDelete,
}

// Call is one answered HTTP call, as recorded by [Handler.Log]. It never holds a key.
type Call struct {
	Method string
	Path   string
	// Route is the matched route, empty for an unknown path.
	Route Route
	// Status is the status answered, 0 when the connection was dropped without an answer.
	Status int
	// OrgID is the organization of the key, empty when the call was not authenticated.
	OrgID string
	At    time.Time
}

// Organization describes one tenant of the emulator.
type Organization struct {
	ID   string
	Name string
	Tier string
	// Keys are the organization's API keys.
	Keys []string
}

// Handler is the emulated Helicone API as an http.Handler, with methods to seed it, inject
// faults and inspect what it stored. It is safe for concurrent use. Build it with
// [NewHandler]; [Server] wraps it in a loopback listener.
type Handler struct {
	cfg *config

	mu sync.RWMutex // guards st
	st *state

	wal      *wal
	pending  sync.WaitGroup
	consumer consumer
	faults   faultSet
	signer   *signer // signs body URLs

	obsMu   sync.Mutex
	log     []Call // a ring of at most cfg.logLimit calls; logHead is the oldest once full
	logHead int
	drops   []Drop

	counts  sync.Map // Route → *atomic.Int64
	apiKey  string
	closing atomic.Bool
}

// NewHandler builds an emulator from opts: it loads the seeds, creates the default
// organization and, with [WithDataDir], replays the durable score log.
func NewHandler(opts ...Option) (*Handler, error) {
	cfg := newConfig(opts)
	for _, p := range cfg.seedFiles {
		s, err := LoadSeedFile(p)
		if err != nil {
			return nil, err
		}
		cfg.seeds = append(cfg.seeds, s)
	}
	cfg.seedFiles = nil
	if _, err := ParseProfile(string(cfg.profile)); err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg}
	h.signer = newSigner()
	st, key, err := h.buildState()
	if err != nil {
		return nil, err
	}
	h.st, h.apiKey = st, key
	if cfg.dataDir != "" {
		w, err := openWAL(cfg.dataDir, cfg.logger, h.replay)
		if err != nil {
			return nil, err
		}
		h.wal = w
	}
	return h, nil
}

// buildState seeds a fresh state from the configuration.
func (h *Handler) buildState() (*state, string, error) {
	st := newState()
	now := h.cfg.clock()
	for _, s := range h.cfg.seeds {
		if err := st.addSeed(s, now); err != nil {
			return nil, "", err
		}
	}
	if st.defaultOrg == nil {
		st.defaultOrg = st.ensureOrg(DefaultOrganizationID, "Default", TierPro)
	}
	key := h.cfg.apiKey
	if key == "" && h.apiKey != "" {
		key = h.apiKey
	}
	if key == "" && len(st.defaultOrg.keys) > 0 {
		key = st.defaultOrg.keys[0]
	}
	if key == "" {
		key = generateKey()
	}
	if err := st.addKey(st.defaultOrg, key, permRead|permWrite); err != nil {
		return nil, "", err
	}
	return st, key, nil
}

// generateKey makes a random key shaped like a Helicone key.
func generateKey() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 28)
	_, _ = rand.Read(b)
	var sb strings.Builder
	sb.WriteString("sk-helicone")
	for i, c := range b {
		if i%7 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func hashKey(key string) [32]byte { return sha256.Sum256([]byte(key)) }

// DefaultAPIKey returns a key of the default organization.
func (h *Handler) DefaultAPIKey() string { return h.apiKey }

// DefaultOrganizationID returns the id of the default organization: the first
// organization of the first seed, or [DefaultOrganizationID].
func (h *Handler) DefaultOrganizationID() string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.st.defaultOrg.id
}

// AddSeed merges s into the emulator, with times relative to now. Organizations with an
// existing id are extended. Nothing changes when s is invalid.
func (h *Handler) AddSeed(s Seed) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.st.addSeed(s, h.cfg.clock()); err != nil {
		return err
	}
	h.cfg.seeds = append(h.cfg.seeds, s)
	return nil
}

// AddOrganization adds an organization (or extends one) with a rate-limit tier ("free",
// "pro" or "enterprise") and API keys.
func (h *Handler) AddOrganization(id, tier string, keys ...string) error {
	return h.AddSeed(Seed{Organizations: []SeedOrganization{{ID: id, Tier: tier, Keys: keys}}})
}

// Organizations lists the organizations in the order they were added.
func (h *Handler) Organizations() []Organization {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]Organization, 0, len(h.st.orgOrder))
	for _, id := range h.st.orgOrder {
		o := h.st.orgs[id]
		out = append(out, Organization{ID: o.id, Name: o.name, Tier: o.tier, Keys: slices.Clone(o.keys)})
	}
	return out
}

// Reset puts the emulator back to its seeded state: scores written since the start (also
// those in the durable store), properties set, Helicone Datasets created or changed, drops,
// the call log, counts and faults are cleared, and seed times are taken relative to now
// again. Waiting score writes are applied first (and then cleared). Organizations and seeds added with
// [Handler.AddOrganization] and [Handler.AddSeed] are kept.
func (h *Handler) Reset() error {
	h.flushNow()
	st, _, err := h.buildState()
	if err != nil {
		return err
	}
	if h.wal != nil {
		if err := h.wal.truncate(); err != nil {
			return err
		}
	}
	h.mu.Lock()
	h.st = st
	h.mu.Unlock()
	h.obsMu.Lock()
	h.log, h.logHead, h.drops = nil, 0, nil
	h.obsMu.Unlock()
	h.counts.Clear()
	h.faults.clear()
	return nil
}

// WaitWrites blocks until every acknowledged score write has been stored or dropped: it
// waits for the consumer batch under way (see [WithWriteDelay]).
func (h *Handler) WaitWrites() { h.pending.Wait() }

// FlushWrites applies the consumer batch waiting now, without waiting for the write delay,
// and returns when it is applied.
func (h *Handler) FlushWrites() { h.flushNow() }

// Profile returns the server profile the emulator plays ([Current] or [Legacy]).
func (h *Handler) Profile() Profile { return h.cfg.profile }

// WriteDelay returns how long after its 201 a score write is applied.
func (h *Handler) WriteDelay() time.Duration { return h.cfg.writeDelay }

// Latency returns how long each request waits before it is handled ([WithLatency]).
func (h *Handler) Latency() time.Duration { return h.cfg.latency }

// Close applies the waiting score writes at once and closes the durable store. The handler
// must not be used afterwards.
func (h *Handler) Close() error {
	if h.closing.Swap(true) {
		return nil
	}
	h.flushNow()
	if h.wal != nil {
		return h.wal.close()
	}
	return nil
}

// Scores returns the stored scores of a request (its newest row version in ClickHouse),
// by stored key (booleans under "<key>-hcone-bool" as 1/0), or nil when no organization
// has the request.
func (h *Handler) Scores(requestID string) map[string]int64 {
	r, unlock := h.lookup(requestID)
	if r == nil {
		return nil
	}
	defer unlock()
	return maps.Clone(r.newest().scores)
}

// PostgresScores returns a request's scores in the legacy profile's Postgres score_value,
// which both experiment routes read (the first value written per key wins; written
// synchronously, before the 201). It is nil in the current profile and for an unknown
// request.
func (h *Handler) PostgresScores(requestID string) map[string]int64 {
	if h.cfg.profile != Legacy {
		return nil
	}
	r, unlock := h.lookup(requestID)
	if r == nil {
		return nil
	}
	defer unlock()
	return maps.Clone(r.pgScores)
}

// Properties returns a request's custom properties (its newest row version), or nil when
// no organization has the request.
func (h *Handler) Properties(requestID string) map[string]string {
	r, unlock := h.lookup(requestID)
	if r == nil {
		return nil
	}
	defer unlock()
	return maps.Clone(r.newest().props)
}

// RowVersions returns how many row versions of a request queries see: one when it was
// logged, one more for every score write or property change applied since (until a merge
// removes old ones).
func (h *Handler) RowVersions(requestID string) int {
	r, unlock := h.lookup(requestID)
	if r == nil {
		return 0
	}
	defer unlock()
	return len(r.versions)
}

// lookup finds a request and read-locks its organization; unlock releases the lock.
func (h *Handler) lookup(requestID string) (*request, func()) {
	id := canonicalID(requestID)
	h.mu.RLock()
	o := h.st.owners[id]
	h.mu.RUnlock()
	if o == nil {
		return nil, nil
	}
	o.mu.RLock()
	r := o.requests[id]
	if r == nil {
		o.mu.RUnlock()
		return nil, nil
	}
	return r, o.mu.RUnlock
}

// AllScores returns the stored scores of every request that has at least one.
func (h *Handler) AllScores() map[string]map[string]int64 {
	h.mu.RLock()
	orgs := slices.Collect(maps.Values(h.st.orgs))
	h.mu.RUnlock()
	out := map[string]map[string]int64{}
	for _, o := range orgs {
		o.mu.RLock()
		for id, r := range o.requests {
			if sc := r.newest().scores; len(sc) > 0 {
				out[id] = maps.Clone(sc)
			}
		}
		o.mu.RUnlock()
	}
	return out
}

// Dropped returns the acknowledged score writes that were not stored, oldest first.
func (h *Handler) Dropped() []Drop {
	h.obsMu.Lock()
	defer h.obsMu.Unlock()
	out := make([]Drop, len(h.drops))
	for i, d := range h.drops {
		d.Scores = maps.Clone(d.Scores)
		out[i] = d
	}
	return out
}

// Log returns the answered calls, oldest first (at most the [WithLogLimit] newest).
func (h *Handler) Log() []Call {
	h.obsMu.Lock()
	defer h.obsMu.Unlock()
	out := make([]Call, 0, len(h.log))
	out = append(out, h.log[h.logHead:]...)
	return append(out, h.log[:h.logHead]...)
}

// Counts returns how many calls each route received (faulted ones included).
func (h *Handler) Counts() map[Route]int {
	out := map[Route]int{}
	h.counts.Range(func(k, v any) bool {
		out[k.(Route)] = int(v.(*atomic.Int64).Load())
		return true
	})
	return out
}

func (h *Handler) count(rt Route) {
	v, ok := h.counts.Load(rt)
	if !ok {
		v, _ = h.counts.LoadOrStore(rt, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func (h *Handler) record(c Call) {
	h.obsMu.Lock()
	if len(h.log) < h.cfg.logLimit {
		h.log = append(h.log, c)
	} else {
		h.log[h.logHead] = c
		h.logHead = (h.logHead + 1) % len(h.log)
	}
	h.obsMu.Unlock()
	if h.cfg.logger.Enabled(context.Background(), slog.LevelDebug) {
		h.cfg.logger.Debug("helicone emulator", "method", c.Method, "path", c.Path, "status", c.Status, "org", c.OrgID)
	}
}

// call is the state of one answer in progress.
type call struct {
	route  Route
	params []string
	org    *org
}

// statusWriter records the call in the log when its status is known, before any byte of
// the answer is sent, so that a client that has its answer finds the call in the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	done   func(status int)
}

func (w *statusWriter) WriteHeader(code int) {
	w.finish(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.finish(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// finish records the call once, with status (0 when no answer was sent).
func (w *statusWriter) finish(status int) {
	if w.done != nil {
		w.status = status
		w.done(status)
		w.done = nil
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP answers one call as Helicone would.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := h.cfg.latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set(ProfileHeader, string(h.cfg.profile))
	c := &call{}
	c.route, c.params = h.matchRoute(r)
	sw := &statusWriter{ResponseWriter: w}
	sw.done = func(status int) {
		orgID := ""
		if c.org != nil {
			orgID = c.org.id
		}
		h.record(Call{Method: r.Method, Path: r.URL.Path, Route: c.route, Status: status, OrgID: orgID, At: h.cfg.clock()})
	}
	defer sw.finish(0)
	if c.route != "" {
		h.count(c.route)
		if f := h.faults.take(c.route); f != nil {
			h.applyFault(sw, r, c, f)
			return
		}
	}
	h.serve(sw, r, c)
}

// serve parses the body, authenticates, applies the rate limit and runs the route, in the
// server's order.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, c *call) {
	if c.route == RouteSignedBody {
		h.serveObject(w, r, c.params[0])
		return
	}
	body, ok := h.parseBody(w, r)
	if !ok {
		return
	}
	ki, fail := h.authenticate(r)
	if fail != nil {
		writeJSON(w, http.StatusUnauthorized, fail)
		return
	}
	o := ki.org
	c.org = o
	if h.cfg.rateLimit && !h.rateLimit(w, o, c.route) {
		return
	}
	p := c.params
	switch c.route {
	case "":
		notFound(w, r)
	case RouteAddScores:
		h.addScores(w, body, o, p[0])
	case RouteFeedback:
		h.addFeedback(w, body, o, p[0])
	case RouteGetRequest:
		h.getRequest(w, r, o, p[0])
	case RouteQueryIDs:
		h.queryIDs(w, r, body, o)
	case RouteSetProperty:
		h.setProperty(w, body, o, p[0])
	case RouteEvals:
		if _, ok := objectBody(w, body); ok {
			writeJSON(w, http.StatusCreated, bodyOKNull)
		}
	case RouteQueryExperiment:
		h.queryExperiments(w, body, o)
	case RouteExperimentScore:
		h.experimentScore(w, o, p[0], p[1], p[2])
	case RouteQueryClickhouse:
		h.queryClickhouse(w, r, body, o)
	case RouteQueryRequests:
		h.queryLegacy(w, body)
	case RouteDatasetCreate:
		h.datasetCreate(w, body, o)
	case RouteDatasetMutate:
		h.datasetMutate(w, body, o, p[0])
	case RouteDatasetRows:
		h.datasetRows(w, r, body, o, p[0])
	case RouteDatasetCount:
		h.datasetCount(w, o, p[0])
	case RouteDatasetList:
		h.datasetList(w, body, o)
	case RouteDatasetEditRow:
		h.datasetEditRow(w, body, o, p[0], p[1])
	case RouteDatasetDelete:
		h.datasetDelete(w, o, p[0])
	}
}

var (
	bodyNoAuth    = []byte(`{"error":"No authorization header","trace":"isAuthenticated.error"}`)
	bodyNoKey     = []byte(`{"error":"No API key found","trace":"isAuthenticated.error"}`)
	bodyBadAuth   = []byte(`{"error":"Invalid auth header","trace":"isAuthenticated.error"}`)
	bodyBadFormat = []byte(`{"error":"Invalid auth header format","trace":"isAuthenticated.error"}`)
	bodyNoPerm    = []byte(`{"error":null,"trace":"isAuthenticated.error"}`)
	bodyInternal  = []byte(`{"message":"Internal Server Error","details":"Internal Server Error"}`)
	bodyRate      = []byte(`{"error":"Too many requests, please try again later."}`)
	bodyOKNull    = []byte(`{"data":null,"error":null}`)
	bodyNotImpl   = []byte(`{"data":null,"error":"Not implemented"}`)
)

// authenticate finds the organization and permissions of the call's key, or returns the
// 401 body. Authorization is read first, and a case-sensitive "Bearer " is stripped once;
// without it, helicone-authorization must be JSON {"_type":...,"token":...}.
func (h *Handler) authenticate(r *http.Request) (keyInfo, []byte) {
	token := r.Header.Get("Authorization")
	if token == "" {
		raw := r.Header.Get("Helicone-Authorization")
		if raw == "" {
			return keyInfo{}, bodyNoAuth
		}
		var auth struct {
			Type  any `json:"_type"`
			Token any `json:"token"`
			OrgID any `json:"orgId"`
		}
		if json.Unmarshal([]byte(raw), &auth) != nil {
			return keyInfo{}, bodyBadAuth
		}
		typ, _ := auth.Type.(string)
		tok, tokOK := auth.Token.(string)
		_, orgOK := auth.OrgID.(string)
		switch {
		case (typ == "bearer" || typ == "bearerProxy") && tokOK:
			token = tok
		case typ == "jwt" && tokOK && orgOK:
			// The emulator has no users, so no JWT is valid (inferred: as an unknown key).
			return keyInfo{}, bodyNoKey
		default:
			return keyInfo{}, bodyBadFormat
		}
	}
	token = strings.TrimPrefix(token, "Bearer ")
	sum := hashKey(token) // the map is keyed by digest, so lookups do not compare key bytes
	h.mu.RLock()
	ki, ok := h.st.keys[sum]
	h.mu.RUnlock()
	if !ok {
		return keyInfo{}, bodyNoKey
	}
	need := permWrite
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		need = permRead
	}
	if ki.perms&need == 0 {
		return keyInfo{}, bodyNoPerm
	}
	return ki, nil
}

// signedBodyPrefix is the path under which the emulator serves signed body URLs.
const signedBodyPrefix = "/heval-emulator-s3/"

// matchRoute finds the route of r and its path parameters. The Helicone Datasets routes
// exist in the current profile only.
func (h *Handler) matchRoute(r *http.Request) (Route, []string) {
	if rest, ok := strings.CutPrefix(r.URL.Path, signedBodyPrefix); ok {
		return RouteSignedBody, []string{rest}
	}
	p := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range seg {
		if u, err := url.PathUnescape(s); err == nil {
			seg[i] = u
		}
	}
	post, get := r.Method == http.MethodPost, r.Method == http.MethodGet
	n := len(seg)
	if n < 2 || seg[0] == "" {
		return "", nil
	}
	v1, v2 := seg[0] == "v1", seg[0] == "v2"
	switch {
	case v1 && seg[1] == "request":
		switch {
		case post && n == 3 && seg[2] == "query-clickhouse":
			return RouteQueryClickhouse, nil
		case post && n == 3 && seg[2] == "query":
			return RouteQueryRequests, nil
		case post && n == 3 && seg[2] == "query-ids":
			return RouteQueryIDs, nil
		case get && n == 3 && seg[2] != "":
			return RouteGetRequest, []string{seg[2]}
		case post && n == 4 && seg[3] == "score" && seg[2] != "":
			return RouteAddScores, []string{seg[2]}
		case post && n == 4 && seg[3] == "feedback" && seg[2] != "":
			return RouteFeedback, []string{seg[2]}
		case r.Method == http.MethodPut && n == 4 && seg[3] == "property" && seg[2] != "":
			return RouteSetProperty, []string{seg[2]}
		}
	case v1 && post && n == 3 && seg[1] == "evals" && seg[2] != "":
		return RouteEvals, []string{seg[2]}
	case v1 && post && n == 3 && seg[1] == "experiment" && seg[2] == "query":
		return RouteQueryExperiment, nil
	case v2 && get && n == 5 && seg[1] == "experiment" && seg[2] != "" && seg[3] != "" && seg[4] != "":
		return RouteExperimentScore, seg[2:]
	case v1 && post && seg[1] == "helicone-dataset" && h.cfg.profile == Current:
		switch {
		case n == 2:
			return RouteDatasetCreate, nil
		case n == 3 && seg[2] == "query":
			return RouteDatasetList, nil
		case n == 4 && seg[3] == "mutate":
			return RouteDatasetMutate, []string{seg[2]}
		case n == 4 && seg[3] == "query":
			return RouteDatasetRows, []string{seg[2]}
		case n == 4 && seg[3] == "count":
			return RouteDatasetCount, []string{seg[2]}
		case n == 4 && seg[3] == "delete":
			return RouteDatasetDelete, []string{seg[2]}
		case n == 5 && seg[3] == "request" && seg[4] != "":
			return RouteDatasetEditRow, []string{seg[2], seg[4]}
		}
	}
	return "", nil
}

// notFound answers an unknown route as Express does.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot %s %s</pre>\n</body>\n</html>\n",
		html.EscapeString(r.Method), html.EscapeString(r.URL.Path))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeData answers status with the envelope {"data": data, "error": null}.
func writeData(w http.ResponseWriter, status int, data any) {
	b, err := marshalJSON(struct {
		Data  any     `json:"data"`
		Error *string `json:"error"`
	}{Data: data})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, bodyInternal)
		return
	}
	writeJSON(w, status, b)
}

// writeError answers status with the envelope {"data": null, "error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := marshalJSON(map[string]any{"data": nil, "error": msg})
	writeJSON(w, status, b)
}
