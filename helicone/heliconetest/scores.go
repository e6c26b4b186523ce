package heliconetest

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// BoolSuffix is appended to the key of a boolean score when it is stored.
const BoolSuffix = "-hcone-bool"

// MaxScoreAge is how old a request may be and still take scores.
const MaxScoreAge = 30 * 24 * time.Hour

// DropReason says why an acknowledged score write was not stored.
type DropReason string

// Why the server drops a score write after acknowledging it.
const (
	DropNotUUID           DropReason = "not-a-uuid"
	DropUnknownRequest    DropReason = "unknown-request"
	DropOtherOrganization DropReason = "other-organization"
	DropTooOld            DropReason = "too-old"
)

// Drop is a score write that was acknowledged with 201 and then not stored.
type Drop struct {
	RequestID string
	// Scores are the scores of the write, by stored key.
	Scores map[string]int64
	Reason DropReason
	// OrgID is the organization of the key that sent the write.
	OrgID string
	At    time.Time
}

// scoreValue is one decoded score value.
type scoreValue struct {
	isBool bool
	b      bool
	num    string
}

// addScores answers POST /v1/request/{requestId}/score.
func (h *Handler) addScores(w http.ResponseWriter, r *http.Request, o *org, requestID string) {
	ents, ok := h.readObject(w, r)
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
			v.add(path, `Could not match the union against any of the items. Issues: [{"`+path+`":{"message":"invalid float number"}},{"`+path+`":{"message":"invalid boolean value"}}] lastError: invalid boolean value`, rawValue(m.val))
			continue
		}
		values[i] = sv
	}
	if len(v) > 0 {
		v.write(w)
		return
	}
	stored := make(map[string]int64, len(members))
	for i, m := range members {
		sv := values[i]
		if sv.isBool {
			n := int64(0)
			if sv.b {
				n = 1
			}
			stored[m.key+BoolSuffix] = n
			continue
		}
		n, ok := integer(sv.num)
		if !ok {
			h.cfg.logger.Debug("helicone emulator: score rejected", "error", "Score value for key '"+m.key+"' must be an integer. Received: "+sv.num)
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
			return
		}
		stored[m.key] = n
	}
	if h.wal != nil {
		if err := h.wal.append(o.id, requestID, stored); err != nil {
			h.cfg.logger.Error("helicone emulator: the durable score log could not be written; the write was refused", "error", err)
			writeJSON(w, http.StatusInternalServerError, bodyInternal)
			return
		}
	}
	if d := h.cfg.writeDelay; d > 0 {
		h.pending.Add(1)
		time.AfterFunc(d, func() {
			defer h.pending.Done()
			h.apply(o, requestID, stored, true)
		})
	} else {
		h.apply(o, requestID, stored, true)
	}
	writeJSON(w, http.StatusCreated, bodyOKNull)
}

// coerceScore reads a score value as the server's validation does: numbers and booleans,
// numeric strings as numbers and "true"/"false" as booleans.
func coerceScore(raw json.RawMessage) (scoreValue, bool) {
	switch jsonKind(raw) {
	case "number":
		return scoreValue{num: string(raw)}, true
	case "bool":
		return scoreValue{isBool: true, b: string(raw) == "true"}, true
	case "string":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return scoreValue{}, false
		}
		t := strings.TrimSpace(s)
		if t != "" {
			if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return scoreValue{num: t}, true
			}
		}
		switch s {
		case "true":
			return scoreValue{isBool: true, b: true}, true
		case "false":
			return scoreValue{isBool: true, b: false}, true
		}
	}
	return scoreValue{}, false
}

// integer reads a JSON number that must be a whole number within int64.
func integer(num string) (int64, bool) {
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// apply stores an acknowledged write, or records why it is dropped.
func (h *Handler) apply(o *org, requestID string, stored map[string]int64, live bool) {
	now := h.cfg.clock()
	reason := DropReason("")
	if !isUUID(requestID) {
		reason = DropNotUUID
	} else {
		h.mu.RLock()
		owner := h.st.owners[requestID]
		h.mu.RUnlock()
		switch {
		case owner == nil:
			reason = DropUnknownRequest
		case owner != o:
			reason = DropOtherOrganization
		default:
			o.mu.Lock()
			r := o.requests[requestID]
			if r == nil {
				reason = DropUnknownRequest
			} else if live && now.Sub(r.createdAt) > MaxScoreAge {
				reason = DropTooOld
			} else {
				for k, v := range stored {
					r.scores[k] = v
				}
			}
			o.mu.Unlock()
		}
	}
	if reason == "" || !live {
		return
	}
	h.obsMu.Lock()
	h.drops = append(h.drops, Drop{RequestID: requestID, Scores: stored, Reason: reason, OrgID: o.id, At: now})
	h.obsMu.Unlock()
}

// replay applies a write read back from the durable store.
func (h *Handler) replay(orgID, requestID string, stored map[string]int64) {
	h.mu.RLock()
	o := h.st.orgs[orgID]
	h.mu.RUnlock()
	if o != nil {
		h.apply(o, requestID, stored, false)
	}
}

// isUUID reports whether s is a UUID in canonical 8-4-4-4-12 form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// experimentScore answers GET /v2/experiment/{experimentId}/{requestId}/{scoreKey}.
func (h *Handler) experimentScore(w http.ResponseWriter, o *org, requestID, key string) {
	if key == "scores" {
		// GET /v2/experiment/{experimentId}/{promptVersionId}/scores is matched first.
		writeJSON(w, http.StatusOK, []byte(`{"data":{},"error":null}`))
		return
	}
	o.mu.RLock()
	var (
		val   int64
		found bool
	)
	if r := o.requests[requestID]; r != nil {
		val, found = r.scores[key]
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
