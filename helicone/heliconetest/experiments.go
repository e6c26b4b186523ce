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

// ExperimentInfo describes one seeded experiment.
type ExperimentInfo struct {
	ID, OrgID string
	// Dataset is the name of the experiment's dataset.
	Dataset string
	// Rows and Hypotheses count the dataset's rows and the hypotheses.
	Rows, Hypotheses int
}

// Experiments lists the seeded experiments of every organization, newest first per
// organization. Only the [Legacy] profile serves them.
func (h *Handler) Experiments() []ExperimentInfo {
	h.mu.RLock()
	orgs := make([]*org, 0, len(h.st.orgOrder))
	for _, id := range h.st.orgOrder {
		orgs = append(orgs, h.st.orgs[id])
	}
	h.mu.RUnlock()
	var out []ExperimentInfo
	for _, o := range orgs {
		o.mu.RLock()
		exps := slices.Clone(o.experiments)
		slices.SortStableFunc(exps, newestExperimentFirst)
		for _, e := range exps {
			out = append(out, ExperimentInfo{ID: e.seed.ID, OrgID: o.id, Dataset: e.seed.Dataset.Name, Rows: len(e.seed.Dataset.Rows), Hypotheses: len(e.seed.Hypotheses)})
		}
		o.mu.RUnlock()
	}
	return out
}

func newestExperimentFirst(a, b *experiment) int {
	if c := b.createdAt.Compare(a.createdAt); c != 0 {
		return c
	}
	return cmp.Compare(a.seed.ID, b.seed.ID)
}

// queryExperiments answers POST /v1/experiment/query: the body is validated in both
// profiles; the current profile then answers 500 Not implemented.
func (h *Handler) queryExperiments(w http.ResponseWriter, body *reqBody, o *org) {
	ents, ok := objectBody(w, body)
	if !ok {
		return
	}
	is := issues{}
	var filterRaw json.RawMessage
	var inc include
	for _, e := range ents {
		switch e.key {
		case "filter":
			filterRaw = e.val
		case "include":
			inc = parseInclude(is, e.val)
		default:
			is.excess("requestBody", e.key)
		}
	}
	if filterRaw == nil {
		is.add("requestBody.filter", "'filter' is required", nil)
	} else {
		checkFilter(is, "requestBody.filter", filterRaw, experimentRules)
	}
	if len(is) > 0 {
		validation(is).write(w)
		return
	}
	if h.cfg.profile != Legacy {
		writeJSON(w, http.StatusInternalServerError, bodyNotImpl)
		return
	}
	f := compileFilter(filterRaw, experimentRules)
	if f.fault != faultNone {
		writeJSON(w, http.StatusInternalServerError, bodyNotImpl)
		return
	}

	o.mu.RLock()
	var picked []*experiment
	for _, e := range o.experiments {
		if f.match(e) {
			picked = append(picked, e)
		}
	}
	slices.SortStableFunc(picked, newestExperimentFirst)
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

func parseInclude(v issues, raw json.RawMessage) include {
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

// experimentRules are the leaf rules of the experiment query: {"experiment": {"id" |
// "prompt_v2": {op: "..."}}}; only the first column and operator count.
var experimentRules = leafRules[*experiment]{validate: validateExperimentLeaf, compile: compileExperimentLeaf}

func validateExperimentLeaf(is issues, path string, leaf []entry) {
	for _, t := range leaf {
		if t.key != "experiment" {
			is.excess(path, t.key)
			continue
		}
		cols, ok := objectEntries(t.val)
		if !ok {
			is.add(path+".experiment", "invalid object", rawValue(t.val))
			continue
		}
		for _, c := range cols {
			if c.key != "id" && c.key != "prompt_v2" {
				is.excess(path+".experiment", c.key)
				continue
			}
			checkOps(is, path+".experiment."+c.key, c.val, textOps, stringValue)
		}
	}
}

func compileExperimentLeaf(leaf []entry) (matcher[*experiment], filterFault) {
	cols, _ := objectEntries(leaf[0].val)
	if len(cols) == 0 {
		return matchAll[*experiment], faultNone
	}
	op, val, ok := firstOp(cols[0].val)
	if !ok {
		return matchAll[*experiment], faultNone
	}
	s, _ := jsonString(val)
	cond := textCondition(op, s)
	if cols[0].key == "id" {
		return func(e *experiment) bool { return cond(e.seed.ID) }, faultNone
	}
	return func(e *experiment) bool { return cond(e.seed.Prompt) }, faultNone
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

// scoresOf renders a request's scores in Postgres score_value; nil (JSON null) when it has
// none.
func scoresOf(r *request) scoreMapOut {
	if r == nil || len(r.pgScores) == 0 {
		return nil
	}
	m := make(scoreMapOut, len(r.pgScores))
	for k, v := range r.pgScores {
		m[k] = scoreOut{Value: v, ValueType: valueType(k)}
	}
	return m
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
		for k, v := range r.pgScores {
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
		req := o.requests[canonicalID(row.RequestID)]
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
			req := o.requests[canonicalID(run.RequestID)]
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
