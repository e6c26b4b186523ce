package heliconetest

import (
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heval-dev/heval/internal/idkey"
)

// BoolSuffix is appended to the key of a boolean score when it is stored.
const BoolSuffix = "-hcone-bool"

// FeedbackKey is the stored key of a request's feedback (POST /v1/request/{id}/feedback),
// 1 or 0, without the boolean suffix.
const FeedbackKey = "helicone-score-feedback"

// MaxScoreAge is how old a request may be and still take scores.
const MaxScoreAge = 30 * 24 * time.Hour

// DropReason says why an acknowledged score write was not stored.
type DropReason string

// Why the server drops a score write after acknowledging it.
const (
	// DropNotUUID: the request id is not one the uuid package's validate accepts (a
	// version 1-5 UUID with variant 8, 9, a or b, or the nil UUID).
	DropNotUUID DropReason = "not-a-uuid"
	// DropUnknownRequest: no request of any organization has the id.
	DropUnknownRequest DropReason = "unknown-request"
	// DropOtherOrganization: the request belongs to another organization than the key's.
	DropOtherOrganization DropReason = "other-organization"
	// DropTooOld: the request is older than [MaxScoreAge].
	DropTooOld DropReason = "too-old"
	// DropSuperseded: a newer write for the same request fell into the same consumer batch,
	// and only the newest write of a request is applied, not merged (see [WithWriteDelay]).
	DropSuperseded DropReason = "superseded"
	// DropLost: the write was lost on its way to storage, as a queue message can be (only
	// with [Handler.LoseWrites]).
	DropLost DropReason = "lost"
	// DropInt64Overflow: a value is a whole number outside Int64 (1e300, 2^63), so the
	// insert of the whole row failed after the 201 (inferred).
	DropInt64Overflow DropReason = "int64-overflow"
)

// Drop is a score write that was acknowledged with 201 and then not stored.
type Drop struct {
	RequestID string
	// Scores are the scores of the write, by stored key (empty for an Int64 overflow).
	Scores map[string]int64
	Reason DropReason
	// OrgID is the organization of the key that sent the write.
	OrgID string
	At    time.Time
}

// scoreWrite is one acknowledged write waiting to be applied.
type scoreWrite struct {
	org       *org
	requestID string
	scores    map[string]int64
	overflow  bool
	feedback  bool
	n         uint64 // its record in the durable store, 0 without one
}

// consumer batches acknowledged writes as the server's queue consumer does.
type consumer struct {
	mu    sync.Mutex
	queue []*scoreWrite
	timer *time.Timer
}

// numericText is validator.js's isFloat, which the server's validation runs on
// String(value) before it turns the value into a number.
var numericText = regexp.MustCompile(`^[-+]?[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?$`)

// scoreValue is one value that passed validation.
type scoreValue struct {
	isBool bool
	b      bool
	num    float64
	text   string
}

// addScores answers POST /v1/request/{requestId}/score.
func (h *Handler) addScores(w http.ResponseWriter, body *reqBody, o *org, requestID string) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	v := validation{}
	var scoresRaw json.RawMessage
	found := false
	for _, e := range ents {
		if e.key == "scores" {
			scoresRaw, found = e.val, true
			continue
		}
		v.excess("requestBody", e.key)
	}
	var members []entry
	switch {
	case !found:
		v.required("requestBody", "scores")
	default:
		var isObj bool
		members, isObj = objectEntries(scoresRaw)
		if !isObj {
			v.add("requestBody.scores", "invalid object", rawValue(scoresRaw))
		}
	}
	values := make([]scoreValue, len(members))
	for i, m := range members {
		sv, ok := coerceScore(m.val)
		if !ok {
			path := "requestBody.scores." + m.key
			val := rawValue(m.val)
			v.add(path, unionMessage([]map[string]any{
				{path: map[string]any{"message": "invalid float number", "value": val}},
				{path: map[string]any{"message": "invalid boolean value", "value": val}},
			}), val)
			continue
		}
		values[i] = sv
	}
	if len(v) > 0 {
		v.write(w)
		return
	}
	stored := make(map[string]int64, len(members))
	overflow := false
	for i, m := range members {
		sv := values[i]
		if m.key == "" {
			continue // an empty key is acknowledged and never stored
		}
		if sv.isBool {
			stored[m.key+BoolSuffix] = b2i(sv.b)
			continue
		}
		if math.IsNaN(sv.num) || math.IsInf(sv.num, 0) || sv.num != math.Trunc(sv.num) {
			h.cfg.logger.Debug("helicone emulator: score rejected", "error", "Score value for key '"+m.key+"' must be an integer. Received: "+sv.text)
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
			return
		}
		if sv.num >= 0x1p63 || sv.num < -0x1p63 {
			overflow = true
			continue
		}
		stored[m.key] = int64(sv.num) // a double: 2^53 and above lose their last digits
	}
	h.acceptWrite(w, &scoreWrite{org: o, requestID: requestID, scores: stored, overflow: overflow})
}

// acceptWrite writes to the legacy Postgres store, logs the write durably, acknowledges it
// and queues it for the consumer.
func (h *Handler) acceptWrite(w http.ResponseWriter, sw *scoreWrite) {
	if sw.overflow {
		sw.scores = map[string]int64{}
	}
	if h.cfg.profile == Legacy && !sw.overflow {
		h.writePostgres(sw.org, sw.requestID, sw.scores)
	}
	if h.wal != nil && !sw.overflow && len(sw.scores) > 0 {
		n, err := h.wal.append(walRecord{Org: sw.org.id, Request: sw.requestID, Scores: sw.scores, Feedback: sw.feedback})
		if err != nil {
			h.cfg.logger.Error("helicone emulator: the durable score log could not be written; the write was refused", "error", err)
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
			return
		}
		sw.n = n
	}
	h.enqueue(sw)
	writeJSON(w, http.StatusCreated, bodyOKNull)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// jsString is JavaScript's String(value) of a JSON value, as the validation sees it.
func jsString(raw json.RawMessage) string {
	switch jsonKind(raw) {
	case "string":
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case "null":
		return "null"
	case "object":
		return "[object Object]"
	case "array":
		var elems []json.RawMessage
		_ = json.Unmarshal(raw, &elems)
		parts := make([]string, len(elems))
		for i, e := range elems {
			if jsonKind(e) != "null" {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	default:
		return strings.TrimSpace(string(raw))
	}
}

// coerceScore reads a score value as the server's validation does, a number | boolean
// union with body coercion: numbers, numeric text (validator.js isFloat on String(value),
// so "85", "1e2" and [1], not " 85 ", "" or []), booleans, "true"/"false" in any case, and
// null as false.
func coerceScore(raw json.RawMessage) (scoreValue, bool) {
	kind := jsonKind(raw)
	switch kind {
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
		if err != nil {
			f = math.Inf(1) // beyond float64: not an integer the database can take
		}
		return scoreValue{num: f, text: string(raw)}, true
	case "bool":
		return scoreValue{isBool: true, b: string(raw) == "true"}, true
	case "null":
		return scoreValue{isBool: true}, true
	}
	s := jsString(raw)
	if s != "" && s != "." && s != "-" && s != "+" && numericText.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f = math.NaN() // Number("-.") and the like
		}
		return scoreValue{num: f, text: s}, true
	}
	switch strings.ToLower(s) {
	case "true":
		return scoreValue{isBool: true, b: true}, true
	case "false":
		return scoreValue{isBool: true, b: false}, true
	}
	return scoreValue{}, false
}

// writePostgres stores a write in the legacy Postgres score_value synchronously: the first
// value per key wins. Ids that are not UUIDs and requests of other organizations are
// skipped; age is not checked (inferred).
func (h *Handler) writePostgres(o *org, requestID string, scores map[string]int64) {
	if !isValidUUID(requestID) {
		return
	}
	id := canonicalID(requestID)
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.requests[id]
	if r == nil {
		return
	}
	for k, v := range scores {
		if _, ok := r.pgScores[k]; !ok {
			r.pgScores[k] = v
		}
	}
}

// enqueue hands an acknowledged write to the consumer: at once without a write delay, else
// into the batch that is applied writeDelay after its first write.
func (h *Handler) enqueue(sw *scoreWrite) {
	if h.cfg.writeDelay <= 0 {
		h.applyBatch([]*scoreWrite{sw})
		return
	}
	h.pending.Add(1)
	c := &h.consumer
	c.mu.Lock()
	c.queue = append(c.queue, sw)
	if c.timer == nil {
		c.timer = time.AfterFunc(h.cfg.writeDelay, h.flushConsumer)
	}
	c.mu.Unlock()
}

// flushConsumer applies the batch waiting in the consumer.
func (h *Handler) flushConsumer() {
	c := &h.consumer
	c.mu.Lock()
	batch := c.queue
	c.queue, c.timer = nil, nil
	c.mu.Unlock()
	h.applyBatch(batch)
	h.pending.Add(-len(batch))
}

// flushNow applies the waiting batch at once (on Close and Reset).
func (h *Handler) flushNow() {
	c := &h.consumer
	c.mu.Lock()
	t := c.timer
	c.mu.Unlock()
	if t != nil && t.Stop() {
		h.flushConsumer()
	}
	h.pending.Wait()
}

// applyBatch applies one consumer batch: per request only the newest write, the others
// dropped as superseded.
func (h *Handler) applyBatch(batch []*scoreWrite) {
	newest := make(map[string]int, len(batch))
	for i, sw := range batch {
		newest[sw.org.id+"\x00"+canonicalID(sw.requestID)] = i
	}
	now := h.cfg.clock()
	for i, sw := range batch {
		superseded := newest[sw.org.id+"\x00"+canonicalID(sw.requestID)] != i
		if superseded || h.faults.has(&h.faults.lost, sw.requestID) {
			reason := DropSuperseded
			if !superseded {
				reason = DropLost
			}
			h.recordDrop(sw, reason, now)
			if h.wal != nil && sw.n != 0 {
				if _, err := h.wal.append(walRecord{Org: sw.org.id, Skip: sw.n}); err != nil {
					h.cfg.logger.Error("helicone emulator: the durable score log could not record a write that was not applied", "error", err, "reason", reason)
				}
			}
			continue
		}
		if reason := h.apply(sw, now); reason != "" {
			h.recordDrop(sw, reason, now)
		}
	}
}

func (h *Handler) recordDrop(sw *scoreWrite, reason DropReason, now time.Time) {
	h.obsMu.Lock()
	h.drops = append(h.drops, Drop{RequestID: sw.requestID, Scores: maps.Clone(sw.scores), Reason: reason, OrgID: sw.org.id, At: now})
	h.obsMu.Unlock()
}

// apply stores one write as the consumer does: it reads the newest row version of the
// request, merges the scores per key and inserts the whole row again. It returns why the
// write was dropped, or "".
func (h *Handler) apply(sw *scoreWrite, now time.Time) DropReason {
	if !isValidUUID(sw.requestID) {
		return DropNotUUID
	}
	id := canonicalID(sw.requestID)
	h.mu.RLock()
	st := h.st
	owner := st.owners[id]
	h.mu.RUnlock()
	switch {
	case owner == nil:
		return DropUnknownRequest
	case owner != sw.org:
		return DropOtherOrganization
	case sw.overflow:
		return DropInt64Overflow
	}
	o := sw.org
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.requests[id]
	if r == nil {
		return DropUnknownRequest
	}
	if now.Sub(r.createdAt) > MaxScoreAge {
		return DropTooOld
	}
	cur := r.newest()
	scores := maps.Clone(cur.scores)
	maps.Copy(scores, sw.scores)
	nv := &rowVersion{scores: scores, props: cur.props, updatedAt: now, feedbackAt: cur.feedbackAt, seq: st.seq.Add(1)}
	if sw.feedback {
		nv.feedbackAt = now
	}
	r.insert(nv, now)
	return ""
}

// replay applies the writes read back from the durable store: each in order, except those
// a consumer batch superseded, by the same rules as when they were acknowledged (drops are
// not recorded again).
func (h *Handler) replay(recs []walRecord) {
	skip := map[uint64]bool{}
	for _, rec := range recs {
		if rec.Skip != 0 {
			skip[rec.Skip] = true
		}
	}
	now := h.cfg.clock()
	for _, rec := range recs {
		if rec.Skip != 0 {
			continue
		}
		h.mu.RLock()
		o := h.st.orgs[rec.Org]
		h.mu.RUnlock()
		if o == nil {
			continue
		}
		if h.cfg.profile == Legacy {
			h.writePostgres(o, rec.Request, rec.Scores)
		}
		if skip[rec.N] {
			continue
		}
		h.apply(&scoreWrite{org: o, requestID: rec.Request, scores: rec.Scores, feedback: rec.Feedback}, now)
	}
}

// isValidUUID reports whether the uuid package's validate (version 9) accepts s: versions
// 1 to 5 with variant 8, 9, a or b, or the nil UUID, in any case.
func isValidUUID(s string) bool {
	if !isUUIDShape(s) {
		return false
	}
	return '1' <= s[14] && s[14] <= '5' && strings.ContainsRune("89abAB", rune(s[19])) ||
		s == "00000000-0000-0000-0000-000000000000"
}

// isUUIDShape reports whether s is a UUID in canonical 8-4-4-4-12 form, of any version.
func isUUIDShape(s string) bool { return idkey.IsUUID(s) }

// experimentScore answers GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}: in the
// legacy profile from Postgres score_value, in the current profile always null.
func (h *Handler) experimentScore(w http.ResponseWriter, o *org, experimentID, requestID, key string) {
	if key == "scores" {
		// GET /v2/experiment/{experimentId}/{promptVersionId}/scores is matched first.
		o.mu.RLock()
		has := false
		for _, e := range o.experiments {
			has = has || e.seed.ID == experimentID
		}
		o.mu.RUnlock()
		if !has {
			writeJSON(w, http.StatusOK, []byte(`{"data":null,"error":"Unauthorized"}`))
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"data":{},"error":null}`))
		return
	}
	if h.cfg.profile != Legacy {
		writeJSON(w, http.StatusOK, bodyOKNull)
		return
	}
	o.mu.RLock()
	var (
		val   int64
		found bool
	)
	if r := o.requests[canonicalID(requestID)]; r != nil {
		val, found = r.pgScores[key]
	}
	o.mu.RUnlock()
	if !found {
		writeJSON(w, http.StatusOK, bodyOKNull)
		return
	}
	vt := "number"
	if strings.HasSuffix(key, BoolSuffix) {
		vt = "boolean"
	}
	writeJSON(w, http.StatusOK, []byte(`{"data":{"value":`+strconv.FormatInt(val, 10)+`,"valueType":"`+vt+`"},"error":null}`))
}
