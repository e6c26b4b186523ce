package heliconetest

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// MaxExperiments is how many experiments one query returns at most.
const MaxExperiments = 30

type include struct{ inputs, promptVersion, responseBodies, score bool }

// queryExperiments answers POST /v1/experiment/query.
func (h *Handler) queryExperiments(w http.ResponseWriter, r *http.Request, o *org) {
	if h.cfg.deprecated {
		writeJSON(w, http.StatusInternalServerError, bodyNotImpl)
		return
	}
	ents, ok := h.readObject(w, r)
	if !ok {
		return
	}
	v := validation{}
	var filterRaw json.RawMessage
	var inc include
	for _, e := range ents {
		switch e.key {
		case "filter":
			filterRaw = e.val
		case "include":
			inc = parseInclude(v, e.val)
		default:
			v.excess("requestBody", e.key)
		}
	}
	var m matcher[*experiment]
	if filterRaw == nil {
		v.required("requestBody", "filter")
	} else {
		m = compileFilter(v, "requestBody.filter", filterRaw, experimentLeaf)
	}
	if len(v) > 0 || m == nil {
		v.write(w)
		return
	}

	o.mu.RLock()
	var picked []*experiment
	for _, e := range o.experiments {
		if m(e) {
			picked = append(picked, e)
		}
	}
	slices.SortStableFunc(picked, func(a, b *experiment) int {
		if c := b.createdAt.Compare(a.createdAt); c != 0 {
			return c
		}
		return cmp.Compare(a.seed.ID, b.seed.ID)
	})
	if len(picked) > MaxExperiments {
		picked = picked[:MaxExperiments]
	}
	out := make([]expOut, 0, len(picked))
	for _, e := range picked {
		out = append(out, h.renderExperiment(o, e, inc))
	}
	o.mu.RUnlock()

	b, err := json.Marshal(struct {
		Data  []expOut `json:"data"`
		Error *string  `json:"error"`
	}{Data: out})
	if err != nil {
		h.cfg.logger.Error("helicone emulator: encoding experiments", "error", err)
		writeJSON(w, http.StatusInternalServerError, bodyNotImpl)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func parseInclude(v validation, raw json.RawMessage) include {
	var inc include
	ents, ok := objectEntries(raw)
	if !ok {
		v.add("requestBody.include", "invalid object", rawValue(raw))
		return inc
	}
	for _, e := range ents {
		var dst *bool
		switch e.key {
		case "inputs":
			dst = &inc.inputs
		case "promptVersion":
			dst = &inc.promptVersion
		case "responseBodies":
			dst = &inc.responseBodies
		case "score":
			dst = &inc.score
		default:
			v.excess("requestBody.include", e.key)
			continue
		}
		if string(e.val) != "true" {
			v.add("requestBody.include."+e.key, "should be one of the following; [true]", rawValue(e.val))
			continue
		}
		*dst = true
	}
	return inc
}

// experimentLeaf compiles {"experiment": {"id"|"prompt_v2": {op: "..."}}}.
func experimentLeaf(v validation, path string, leaf []entry) matcher[*experiment] {
	var out matcher[*experiment]
	bad := false
	for i, t := range leaf {
		if t.key != "experiment" {
			v.excess(path, t.key)
			bad = true
			continue
		}
		cols, ok := objectEntries(t.val)
		if !ok {
			v.add(path+".experiment", "invalid object", rawValue(t.val))
			bad = true
			continue
		}
		for j, c := range cols {
			p := path + ".experiment." + c.key
			var get func(*experiment) string
			switch c.key {
			case "id":
				get = func(e *experiment) string { return e.seed.ID }
			case "prompt_v2":
				get = func(e *experiment) string { return e.seed.Prompt }
			default:
				v.excess(path+".experiment", c.key)
				bad = true
				continue
			}
			cond := compileTextOp(v, p, c.val)
			if cond == nil {
				bad = true
				continue
			}
			if i == 0 && j == 0 {
				out = func(e *experiment) bool { return cond(get(e)) }
			}
		}
	}
	if bad {
		return nil
	}
	if out == nil {
		return matchAll[*experiment]
	}
	return out
}

// The answer's shapes, in the server's field order.
type (
	expOut struct {
		ID           string          `json:"id"`
		Organization string          `json:"organization"`
		Dataset      datasetOut      `json:"dataset"`
		Meta         json.RawMessage `json:"meta"`
		CreatedAt    string          `json:"createdAt"`
		Hypotheses   []hypothesisOut `json:"hypotheses"`
		Scores       *expScoresOut   `json:"scores,omitempty"`
	}
	datasetOut struct {
		Rows []any  `json:"rows"`
		Name string `json:"name"`
		ID   string `json:"id"`
	}
	rowOut struct {
		RowID       *string         `json:"rowId"`
		InputRecord *inputRecordOut `json:"inputRecord,omitempty"`
		RowIndex    *int            `json:"rowIndex"`
		ColumnID    *string         `json:"columnId"`
		Scores      scoreMapOut     `json:"scores"`
	}
	// nullRowOut is the row sent for a dataset without rows.
	nullRowOut struct {
		RowID       *string         `json:"rowId"`
		InputRecord *inputRecordOut `json:"inputRecord"`
		RowIndex    *int            `json:"rowIndex"`
		ColumnID    *string         `json:"columnId"`
		Scores      scoreMapOut     `json:"scores"`
	}
	inputRecordOut struct {
		Request     *requestRefOut `json:"request,omitempty"`
		Response    *responseOut   `json:"response,omitempty"`
		AutoInputs  []any          `json:"autoInputs"`
		Inputs      any            `json:"inputs,omitempty"`
		RequestPath string         `json:"requestPath"`
		RequestID   string         `json:"requestId"`
		ID          string         `json:"id"`
	}
	requestRefOut struct {
		ID       string `json:"id"`
		Provider string `json:"provider"`
	}
	responseOut struct {
		Body                   json.RawMessage `json:"body"`
		CreatedAt              string          `json:"createdAt"`
		CompletionTokens       int64           `json:"completionTokens"`
		PromptTokens           int64           `json:"promptTokens"`
		PromptCacheWriteTokens int64           `json:"promptCacheWriteTokens"`
		PromptCacheReadTokens  int64           `json:"promptCacheReadTokens"`
		DelayMs                int64           `json:"delayMs"`
		Model                  string          `json:"model"`
	}
	hypothesisOut struct {
		Runs                []runOut          `json:"runs"`
		ProviderKey         string            `json:"providerKey"`
		CreatedAt           string            `json:"createdAt"`
		Status              string            `json:"status"`
		Model               string            `json:"model"`
		ParentPromptVersion *promptVersionOut `json:"parentPromptVersion,omitempty"`
		PromptVersion       *promptVersionOut `json:"promptVersion,omitempty"`
		PromptVersionID     string            `json:"promptVersionId"`
		ID                  string            `json:"id"`
	}
	promptVersionOut struct {
		Template json.RawMessage `json:"template"`
	}
	runOut struct {
		Request         *requestRefOut `json:"request,omitempty"`
		Scores          scoreMapOut    `json:"scores"`
		Response        *responseOut   `json:"response,omitempty"`
		ResultRequestID string         `json:"resultRequestId"`
		DatasetRowID    string         `json:"datasetRowId"`
	}
	scoreOut struct {
		Value     any    `json:"value"`
		ValueType string `json:"valueType"`
	}
	scoreMapOut  map[string]scoreOut
	expScoresOut struct {
		Dataset    scoreBlockOut `json:"dataset"`
		Hypothesis scoreBlockOut `json:"hypothesis"`
	}
	scoreBlockOut struct {
		Scores map[string]scoreOut `json:"scores"`
	}
)

func valueType(key string) string {
	if strings.HasSuffix(key, BoolSuffix) {
		return "boolean"
	}
	return "number"
}

// scoresOf renders a request's scores; nil (JSON null) when it has none.
func scoresOf(r *request) scoreMapOut {
	if r == nil || len(r.scores) == 0 {
		return nil
	}
	m := make(scoreMapOut, len(r.scores))
	for k, v := range r.scores {
		m[k] = scoreOut{Value: v, ValueType: valueType(k)}
	}
	return m
}

func provider(r *request) string {
	if r.seed.Provider != "" {
		return r.seed.Provider
	}
	return "OPENAI"
}

func responseOf(r *request) *responseOut {
	return &responseOut{
		Body:             rawOrNull(r.seed.ResponseBody),
		CreatedAt:        timeText(r.createdAt),
		CompletionTokens: r.seed.CompletionTokens,
		PromptTokens:     r.seed.PromptTokens,
		DelayMs:          r.seed.LatencyMs,
		Model:            r.seed.Model,
	}
}

// mean averages the scores of reqs per key.
func mean(reqs []*request) map[string]scoreOut {
	sum := map[string]float64{}
	n := map[string]int{}
	for _, r := range reqs {
		for k, v := range r.scores {
			sum[k] += float64(v)
			n[k]++
		}
	}
	out := make(map[string]scoreOut, len(sum))
	for _, k := range slices.Sorted(maps.Keys(sum)) {
		out[k] = scoreOut{Value: sum[k] / float64(n[k]), ValueType: valueType(k)}
	}
	return out
}

// renderExperiment builds one experiment of the answer; the caller holds o.mu.
func (h *Handler) renderExperiment(o *org, e *experiment, inc include) expOut {
	out := expOut{
		ID:           e.seed.ID,
		Organization: o.id,
		Meta:         rawOrNull(e.seed.Meta),
		CreatedAt:    timeText(e.createdAt),
		Dataset:      datasetOut{ID: e.seed.Dataset.ID, Name: e.seed.Dataset.Name},
		Hypotheses:   []hypothesisOut{},
	}
	var rowReqs, runReqs []*request
	for i, row := range e.seed.Dataset.Rows {
		req := o.requests[row.RequestID]
		if req == nil {
			continue
		}
		rowReqs = append(rowReqs, req)
		rowID, idx, col := row.RowID, i, derivedID("column", e.seed.Dataset.ID)
		var rec *inputRecordOut
		if inc.inputs {
			rec = &inputRecordOut{
				AutoInputs:  []any{},
				RequestPath: req.seed.Path,
				RequestID:   row.RequestID,
				ID:          derivedID("input-record", e.seed.ID, row.RowID),
			}
			in := map[string]string{}
			maps.Copy(in, row.Inputs)
			rec.Inputs = in
			if inc.responseBodies {
				rec.Request = &requestRefOut{ID: row.RequestID, Provider: provider(req)}
				rec.Response = responseOf(req)
			}
		}
		out.Dataset.Rows = append(out.Dataset.Rows, rowOut{RowID: &rowID, InputRecord: rec, RowIndex: &idx, ColumnID: &col, Scores: scoresOf(req)})
	}
	if len(out.Dataset.Rows) == 0 {
		out.Dataset.Rows = []any{nullRowOut{}}
	}
	for _, hy := range e.hypotheses {
		ho := hypothesisOut{
			ProviderKey:     hy.seed.ProviderKey,
			CreatedAt:       timeText(hy.createdAt),
			Status:          cmp.Or(hy.seed.Status, "COMPLETED"),
			Model:           hy.seed.Model,
			PromptVersionID: hy.seed.PromptVersionID,
			ID:              hy.seed.ID,
		}
		if inc.promptVersion {
			ho.PromptVersion = &promptVersionOut{Template: rawOrNull(hy.seed.PromptTemplate)}
			ho.ParentPromptVersion = &promptVersionOut{Template: rawOrNull(hy.seed.ParentTemplate)}
		}
		for _, run := range hy.seed.Runs {
			req := o.requests[run.RequestID]
			if req == nil {
				continue
			}
			runReqs = append(runReqs, req)
			ro := runOut{Scores: scoresOf(req), ResultRequestID: run.RequestID, DatasetRowID: run.DatasetRowID}
			if inc.responseBodies {
				ro.Request = &requestRefOut{ID: run.RequestID, Provider: provider(req)}
				ro.Response = responseOf(req)
			}
			ho.Runs = append(ho.Runs, ro)
		}
		out.Hypotheses = append(out.Hypotheses, ho)
	}
	if inc.responseBodies {
		out.Scores = &expScoresOut{Dataset: scoreBlockOut{Scores: mean(rowReqs)}, Hypothesis: scoreBlockOut{Scores: mean(runReqs)}}
	}
	return out
}
