package heliconetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
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

// The emulated routes.
const (
	RouteAddScores       Route = "POST /v1/request/{requestId}/score"
	RouteQueryExperiment Route = "POST /v1/experiment/query"
	RouteExperimentScore Route = "GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}"
	RouteQueryClickhouse Route = "POST /v1/request/query-clickhouse"
	RouteQueryRequests   Route = "POST /v1/request/query"
	// AnyRoute matches every route in [Handler.Inject].
	AnyRoute Route = "*"
)

// Routes lists the emulated routes.
var Routes = []Route{RouteAddScores, RouteQueryExperiment, RouteExperimentScore, RouteQueryClickhouse, RouteQueryRequests}

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

	wal     *wal
	pending sync.WaitGroup
	faults  faultSet

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
	h := &Handler{cfg: cfg}
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
	if err := st.addKey(st.defaultOrg, key); err != nil {
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
// those in the durable store), drops, the call log, counts and faults are cleared, and
// seed times are taken relative to now again. Organizations and seeds added with
// [Handler.AddOrganization] and [Handler.AddSeed] are kept.
func (h *Handler) Reset() error {
	h.pending.Wait()
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

// WaitWrites blocks until every acknowledged score write has been stored or dropped
// (useful with [WithWriteDelay]).
func (h *Handler) WaitWrites() { h.pending.Wait() }

// Close waits for delayed writes and closes the durable store. The handler must not be
// used afterwards.
func (h *Handler) Close() error {
	if h.closing.Swap(true) {
		return nil
	}
	h.pending.Wait()
	if h.wal != nil {
		return h.wal.close()
	}
	return nil
}

// Scores returns the stored scores of a request, by stored key (booleans under
// "<key>-hcone-bool" as 1/0), or nil when no organization has the request.
func (h *Handler) Scores(requestID string) map[string]int64 {
	h.mu.RLock()
	o := h.st.owners[requestID]
	h.mu.RUnlock()
	if o == nil {
		return nil
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	r := o.requests[requestID]
	if r == nil {
		return nil
	}
	return maps.Clone(r.scores)
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
			if len(r.scores) > 0 {
				out[id] = maps.Clone(r.scores)
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
	c := &call{}
	c.route, c.params = matchRoute(r)
	sw := &statusWriter{ResponseWriter: w}
	sw.done = func(status int) {
		orgID := ""
		if c.org != nil {
			orgID = c.org.id
		}
		h.record(Call{Method: r.Method, Path: r.URL.Path, Route: c.route, Status: status, OrgID: orgID, At: h.cfg.clock()})
	}
	defer sw.finish(0)
	if c.route == "" {
		notFound(sw, r)
		return
	}
	h.count(c.route)
	if f := h.faults.take(c.route); f != nil {
		h.applyFault(sw, r, c, f)
		return
	}
	h.serve(sw, r, c)
}

// serve authenticates, applies the rate limit and runs the route.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, c *call) {
	if r.ContentLength > h.cfg.maxBody {
		h.tooLarge(w)
		return
	}
	o, body := h.authenticate(r)
	if o == nil {
		writeJSON(w, http.StatusUnauthorized, body)
		return
	}
	c.org = o
	if h.cfg.rateLimit && !h.rateLimit(w, o) {
		return
	}
	switch c.route {
	case RouteAddScores:
		h.addScores(w, r, o, c.params[0])
	case RouteQueryExperiment:
		h.queryExperiments(w, r, o)
	case RouteExperimentScore:
		h.experimentScore(w, o, c.params[1], c.params[2])
	case RouteQueryClickhouse:
		h.queryClickhouse(w, r, o)
	case RouteQueryRequests:
		h.queryLegacy(w, r)
	}
}

var (
	bodyNoAuth   = []byte(`{"error":"No authorization header","trace":"isAuthenticated.error"}`)
	bodyNoKey    = []byte(`{"error":"No API key found","trace":"isAuthenticated.error"}`)
	bodyInternal = []byte(`{"message":"Internal Server Error","details":"Internal Server Error"}`)
	bodyRate     = []byte(`{"error":"Too many requests, please try again later."}`)
	bodyOKNull   = []byte(`{"data":null,"error":null}`)
	bodyNotImpl  = []byte(`{"data":null,"error":"Not implemented"}`)
)

// authenticate finds the organization of the call's key, or returns the 401 body.
func (h *Handler) authenticate(r *http.Request) (*org, []byte) {
	v := strings.TrimSpace(r.Header.Get("Authorization"))
	if v == "" {
		return nil, bodyNoAuth
	}
	if len(v) >= 7 && strings.EqualFold(v[:7], "bearer ") {
		v = strings.TrimSpace(v[7:])
	}
	sum := hashKey(v) // the map is keyed by digest, so lookups do not compare key bytes
	h.mu.RLock()
	o := h.st.keys[sum]
	h.mu.RUnlock()
	if o == nil {
		return nil, bodyNoKey
	}
	return o, nil
}

// matchRoute finds the route of r and its path parameters.
func matchRoute(r *http.Request) (Route, []string) {
	p := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range seg {
		if u, err := url.PathUnescape(s); err == nil {
			seg[i] = u
		}
	}
	switch {
	case r.Method == http.MethodPost && len(seg) == 4 && seg[0] == "v1" && seg[1] == "request" && seg[3] == "score" && seg[2] != "":
		return RouteAddScores, []string{seg[2]}
	case r.Method == http.MethodPost && len(seg) == 3 && seg[0] == "v1" && seg[1] == "experiment" && seg[2] == "query":
		return RouteQueryExperiment, nil
	case r.Method == http.MethodGet && len(seg) == 5 && seg[0] == "v2" && seg[1] == "experiment" && seg[2] != "" && seg[3] != "" && seg[4] != "":
		return RouteExperimentScore, seg[2:]
	case r.Method == http.MethodPost && len(seg) == 3 && seg[0] == "v1" && seg[1] == "request" && seg[2] == "query-clickhouse":
		return RouteQueryClickhouse, nil
	case r.Method == http.MethodPost && len(seg) == 3 && seg[0] == "v1" && seg[1] == "request" && seg[2] == "query":
		return RouteQueryRequests, nil
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

// tooLarge answers a body over the limit.
func (h *Handler) tooLarge(w http.ResponseWriter) {
	writeJSON(w, http.StatusRequestEntityTooLarge, fmt.Appendf(nil,
		`{"message":"Payload Too Large","details":"the request body is larger than the limit of %d bytes; send less per call"}`, h.cfg.maxBody))
}

// readObject reads a request body and parses it as a JSON object; when either fails it has
// already written the answer the real server gives.
func (h *Handler) readObject(w http.ResponseWriter, r *http.Request) ([]entry, bool) {
	body, ok := h.readBody(w, r)
	if !ok {
		return nil, false
	}
	return parseObjectBody(w, body)
}

// readBody reads the body within the limit; it answers 413 itself and returns false when
// the body is too large or cannot be read.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := readAllLimited(w, r, h.cfg.maxBody)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.tooLarge(w)
		} else {
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
		}
		return nil, false
	}
	return body, true
}
