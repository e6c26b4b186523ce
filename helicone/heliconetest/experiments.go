package heliconetest

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Options makes go-json-experiment write what encoding/json writes.
var v1Options = jsonv1.DefaultOptionsV1()

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
	o.mu.RUnlock()
	slices.SortStableFunc(picked, newestExperimentFirst)
	if len(picked) > MaxExperiments {
		picked = picked[:MaxExperiments]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	aw := newAnswerWriter(w)
	aw.raw(`{"data":[`)
	for i, e := range picked {
		if i > 0 {
			aw.raw(",")
		}
		h.writeExperiment(aw, o, e, inc)
	}
	aw.raw(`],"error":null}`)
	if err := aw.flush(); err != nil {
		if aw.encodeErr != nil {
			// The status is sent: cut the answer, so that the client sees it is broken.
			h.cfg.logger.Error("helicone emulator: encoding experiments", "error", err)
			panic(http.ErrAbortHandler)
		}
	}
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

// The answer's shapes, in the server's field order (an experiment and its dataset are
// written member by member by writeExperiment).
type (
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
		Body                   bodyMark `json:"body"`
		CreatedAt              string   `json:"createdAt"`
		CompletionTokens       int64    `json:"completionTokens"`
		PromptTokens           int64    `json:"promptTokens"`
		PromptCacheWriteTokens int64    `json:"promptCacheWriteTokens"`
		PromptCacheReadTokens  int64    `json:"promptCacheReadTokens"`
		DelayMs                int64    `json:"delayMs"`
		Model                  string   `json:"model"`
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
		CreatedAt:        r.createdText,
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

// answerWriter writes an answer piece by piece through a buffer, each piece encoded as
// json.Marshal encodes it inside the whole answer, so that no answer is held whole however
// large it is. After the first failure it writes nothing more.
type answerWriter struct {
	w         *bufio.Writer
	buf       bytes.Buffer
	scratch   []byte // the row or run being written
	err       error
	encodeErr error
}

func newAnswerWriter(w io.Writer) *answerWriter {
	aw := &answerWriter{w: bufio.NewWriterSize(w, 64<<10)}
	return aw
}

func (aw *answerWriter) raw(s string) {
	if aw.err == nil {
		_, aw.err = aw.w.WriteString(s)
	}
}

// encode returns the JSON encoding of v, valid until the next call; nil after a failure.
func (aw *answerWriter) encode(v any) []byte {
	if aw.err != nil {
		return nil
	}
	aw.buf.Reset()
	if err := jsonv2.MarshalWrite(&aw.buf, v, v1Options); err != nil {
		aw.err, aw.encodeErr = err, err
		return nil
	}
	return aw.buf.Bytes()
}

// value writes the JSON encoding of v.
func (aw *answerWriter) value(v any) {
	if b := aw.encode(v); b != nil {
		_, aw.err = aw.w.Write(b)
	}
}

// bodyMark stands for a response body in a piece of the answer: encoding/json compacts and
// re-escapes a json.RawMessage every time it is written, which was most of the work of
// writing a large experiment answer, so the piece is encoded with this mark in the body's
// place and the mark replaced by the body as encoding/json writes it, computed once per
// request ([request.responseJSON]).
type bodyMark struct{}

// bodyMarkJSON is the mark's encoding: a string no emulator-written member before a
// body (ids, a provider's name) is.
const bodyMarkJSON = `"\u0000heval-emulator-response-body\u0000"`

func (bodyMark) MarshalJSON() ([]byte, error) { return []byte(bodyMarkJSON), nil }

// valueWithBody writes the JSON encoding of v, whose one bodyMark (if any) becomes body.
func (aw *answerWriter) valueWithBody(v any, body []byte, err error) {
	if aw.err != nil {
		return
	}
	if err != nil {
		aw.err, aw.encodeErr = err, err
		return
	}
	b := aw.encode(v)
	if b == nil {
		return
	}
	if body != nil {
		if i := bytes.Index(b, []byte(bodyMarkJSON)); i >= 0 {
			if _, aw.err = aw.w.Write(b[:i]); aw.err == nil {
				if _, aw.err = aw.w.Write(body); aw.err == nil {
					_, aw.err = aw.w.Write(b[i+len(bodyMarkJSON):])
				}
			}
			return
		}
	}
	_, aw.err = aw.w.Write(b)
}

func (aw *answerWriter) flush() error {
	if aw.err == nil {
		aw.err = aw.w.Flush()
	}
	return aw.err
}

// writeExperiment writes one experiment of the answer, in the server's field order: its
// rows and runs one by one, each rendered under o.mu (read) and written without it, so that
// a slow reader never holds up score writes.
func (h *Handler) writeExperiment(aw *answerWriter, o *org, e *experiment, inc include) {
	aw.raw(`{"id":`)
	aw.value(e.seed.ID)
	aw.raw(`,"organization":`)
	aw.value(o.id)
	aw.raw(`,"dataset":{"rows":[`)
	col := derivedID("column", e.seed.Dataset.ID)
	rows := 0
	for i, row := range e.seed.Dataset.Rows {
		o.mu.RLock()
		out, req := renderRow(o, e, i, row, col, inc)
		o.mu.RUnlock()
		if req == nil {
			continue
		}
		if rows > 0 {
			aw.raw(",")
		}
		rows++
		var body []byte
		var err error
		if out.InputRecord != nil && out.InputRecord.Response != nil {
			body, err = req.responseJSON()
		}
		aw.writeRow(&out, body, err)
	}
	if rows == 0 {
		aw.value(nullRowOut{})
	}
	aw.raw(`],"name":`)
	aw.value(e.seed.Dataset.Name)
	aw.raw(`,"id":`)
	aw.value(e.seed.Dataset.ID)
	aw.raw(`},"meta":`)
	aw.value(rawOrNull(e.seed.Meta))
	aw.raw(`,"createdAt":`)
	aw.value(timeText(e.createdAt))
	aw.raw(`,"hypotheses":[`)
	for hi, hy := range e.hypotheses {
		if hi > 0 {
			aw.raw(",")
		}
		runs := 0
		for _, run := range hy.seed.Runs {
			o.mu.RLock()
			out, req := renderRun(o, run, inc)
			o.mu.RUnlock()
			if req == nil {
				continue
			}
			if runs == 0 {
				aw.raw(`{"runs":[`)
			} else {
				aw.raw(",")
			}
			runs++
			var body []byte
			var err error
			if out.Response != nil {
				body, err = req.responseJSON()
			}
			aw.writeRun(&out, body, err)
		}
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
		// The header is encoded with "runs":null first; without runs it is written as it
		// is, else what follows its "runs" member closes the runs written above.
		head := aw.encode(ho)
		if head == nil {
			return
		}
		if runs == 0 {
			_, aw.err = aw.w.Write(head)
			continue
		}
		aw.raw("],")
		if aw.err == nil {
			_, aw.err = aw.w.Write(bytes.TrimPrefix(head, []byte(`{"runs":null,`)))
		}
	}
	aw.raw("]")
	if inc.responseBodies {
		o.mu.RLock()
		scores := expScoresOut{Dataset: scoreBlockOut{Scores: mean(experimentRequests(o, e, true))}, Hypothesis: scoreBlockOut{Scores: mean(experimentRequests(o, e, false))}}
		o.mu.RUnlock()
		aw.raw(`,"scores":`)
		aw.value(scores)
	}
	aw.raw("}")
}

// experimentRequests lists the requests of e's rows (rows) or runs that o has; the caller
// holds o.mu.
func experimentRequests(o *org, e *experiment, rows bool) []*request {
	var out []*request
	if rows {
		for _, row := range e.seed.Dataset.Rows {
			if req := o.requests[canonicalID(row.RequestID)]; req != nil {
				out = append(out, req)
			}
		}
		return out
	}
	for _, hy := range e.hypotheses {
		for _, run := range hy.seed.Runs {
			if req := o.requests[canonicalID(run.RequestID)]; req != nil {
				out = append(out, req)
			}
		}
	}
	return out
}

// renderRow builds row i of e's dataset and returns its request; nil when o lacks it. The
// caller holds o.mu.
func renderRow(o *org, e *experiment, i int, row SeedRow, col string, inc include) (rowOut, *request) {
	req := o.requests[canonicalID(row.RequestID)]
	if req == nil {
		return rowOut{}, nil
	}
	rowID, idx := row.RowID, i
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
	return rowOut{RowID: &rowID, InputRecord: rec, RowIndex: &idx, ColumnID: &col, Scores: scoresOf(req)}, req
}

// renderRun builds one hypothesis run and returns its request; nil when o lacks it. The
// caller holds o.mu.
func renderRun(o *org, run SeedRun, inc include) (runOut, *request) {
	req := o.requests[canonicalID(run.RequestID)]
	if req == nil {
		return runOut{}, nil
	}
	ro := runOut{Scores: scoresOf(req), ResultRequestID: run.RequestID, DatasetRowID: run.DatasetRowID}
	if inc.responseBodies {
		ro.Request = &requestRefOut{ID: run.RequestID, Provider: provider(req)}
		ro.Response = responseOf(req)
	}
	return ro, req
}
