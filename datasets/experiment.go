package datasets

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/spool"
)

// ErrNoClient is returned by a source that needs Helicone when [Env] has no client.
var ErrNoClient = errors.New("datasets: this source reads from Helicone but the environment has no Helicone client")

// ErrExperimentNotFound is wrapped by the error of an experiment source whose experiment the
// server does not return.
var ErrExperimentNotFound = errors.New("experiment not found")

// ExperimentNotFoundError says which experiment (or prompt) was asked for and where.
type ExperimentNotFoundError struct {
	// ID is the experiment id asked for; empty when the source selects by prompt.
	ID string
	// Prompt is the prompt filter ("equals support-bot"); empty when the source selects by id.
	Prompt string
	// BaseURL is the Helicone server that was asked.
	BaseURL string
}

func (e *ExperimentNotFoundError) Error() string {
	what := fmt.Sprintf("experiment %s", e.ID)
	if e.ID == "" {
		what = "no experiment with prompt " + e.Prompt
	}
	return fmt.Sprintf("datasets: %s not found on %s: the API key's organization has no such experiment there (check the id, the region (US or EU) and that the key belongs to the organization that owns the experiment)", what, e.BaseURL)
}

// Is matches [ErrExperimentNotFound].
func (e *ExperimentNotFoundError) Is(target error) bool { return target == ErrExperimentNotFound }

// ExperimentOption configures an experiment source: a legacy [Experiment], or a
// [DatasetExperiment] on current Helicone.
type ExperimentOption func(*experimentConfig)

type experimentConfig struct {
	rows, runs bool
	hypotheses []string
	labels     map[string]string
	// name, when set, is every sample's Experiment.
	name string
	// The tagged runs of a DatasetExperiment: which properties name the hypothesis and the
	// row, and which requests to consider.
	hypothesisProperty, rowProperty string
	runFilter                       helicone.Filter
}

// RowsOnly makes an experiment source yield only the dataset rows (the original requests).
func RowsOnly() ExperimentOption {
	return func(c *experimentConfig) { c.rows, c.runs = true, false }
}

// RunsOnly makes an experiment source yield only the hypothesis runs.
func RunsOnly() ExperimentOption {
	return func(c *experimentConfig) { c.rows, c.runs = false, true }
}

// Hypotheses keeps only the runs of the named hypotheses (by id or label); dataset rows
// are still included unless [RunsOnly] is given too.
func Hypotheses(idsOrLabels ...string) ExperimentOption {
	return func(c *experimentConfig) { c.hypotheses = append(c.hypotheses, idsOrLabels...) }
}

// WithLabels names hypotheses: each sample of a run of hypothesis id gets labels[id] as its
// Hypothesis label. Without a label the label is the experiment meta's
// "hypothesis_labels"[id] when the meta has one, else the hypothesis id.
func WithLabels(labels map[string]string) ExperimentOption {
	return func(c *experimentConfig) {
		if c.labels == nil {
			c.labels = map[string]string{}
		}
		for k, v := range labels {
			c.labels[k] = v
		}
	}
}

// RunTags sets the properties that tag the runs of a [DatasetExperiment]: the one naming
// the hypothesis (default [DefaultHypothesisProperty]) and the one naming the dataset row
// (default [DefaultRowProperty]). An empty name keeps the default; a name may be given with
// or without the Helicone-Property- prefix and matches ignoring case. [Experiment] ignores
// this option.
func RunTags(hypothesisProperty, rowProperty string) ExperimentOption {
	return func(c *experimentConfig) {
		if n := propertyName(hypothesisProperty); n != "" {
			c.hypothesisProperty = n
		}
		if n := propertyName(rowProperty); n != "" {
			c.rowProperty = n
		}
	}
}

// WithExperimentName sets the short name the samples carry as their Experiment (reports
// qualify group labels with it, "support/candidate", when a run holds several
// experiments). By default it is the experiment's dataset name, else the "name" of its
// meta; for a [DatasetExperiment], the Helicone dataset's name.
func WithExperimentName(name string) ExperimentOption {
	return func(c *experimentConfig) { c.name = strings.TrimSpace(name) }
}

// RunFilter narrows the tagged runs of a [DatasetExperiment] to requests matching f as
// well, for example helicone.CreatedAt(helicone.Gte, lastNight) when the same rows were run
// on several nights, or a property naming one evaluation. [Experiment] ignores this option.
func RunFilter(f helicone.Filter) ExperimentOption {
	return func(c *experimentConfig) { c.runFilter = helicone.And(c.runFilter, f) }
}

// DatasetHypothesis is the Hypothesis label of dataset-row samples.
const DatasetHypothesis = "dataset"

// Experiment returns a source of the samples of one Helicone experiment: one per dataset
// row (the row's original request, Hypothesis "dataset") and one per hypothesis run, joined
// to its row (the run's Inputs are the row's, its Reference the row's original answer).
// It queries POST /v1/experiment/query with the id filter and every include flag.
//
// A run whose row is missing from the answer is still a sample, with no inputs and
// RowIndex -1. When the server does not know the experiment the error wraps
// [ErrExperimentNotFound]; when the experiments API is unavailable (hosted Helicone after
// the 2025 deprecation) the client's [helicone.ErrExperimentsUnavailable] error comes
// through unchanged, with its advice to use [Requests] instead.
func Experiment(id string, opts ...ExperimentOption) Source {
	return &experimentSource{id: strings.TrimSpace(id), cfg: newExperimentConfig(opts)}
}

// ExperimentsByPrompt returns a source of the samples of every experiment whose prompt
// matches (for example helicone.Equals, "support-bot"): at most 30 experiments, newest
// first, as the server returns them. No match is an error wrapping [ErrExperimentNotFound].
func ExperimentsByPrompt(op helicone.Op, prompt string, opts ...ExperimentOption) Source {
	return &experimentSource{promptOp: op, prompt: prompt, byPrompt: true, cfg: newExperimentConfig(opts)}
}

func newExperimentConfig(opts []ExperimentOption) experimentConfig {
	c := experimentConfig{rows: true, runs: true, hypothesisProperty: DefaultHypothesisProperty, rowProperty: DefaultRowProperty}
	for _, o := range opts {
		o(&c)
	}
	return c
}

type experimentSource struct {
	id       string
	byPrompt bool
	promptOp helicone.Op
	prompt   string
	cfg      experimentConfig
}

func (s *experimentSource) String() string {
	if s.byPrompt {
		return fmt.Sprintf("experiments with prompt %s %q", s.promptOp, s.prompt)
	}
	return "experiment " + s.id
}

func (s *experimentSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		if env.Client == nil {
			yield(heval.Sample{}, ErrNoClient)
			return
		}
		if !s.byPrompt && s.id == "" {
			yield(heval.Sample{}, errors.New("datasets: Experiment needs an experiment id"))
			return
		}
		f := helicone.ExperimentID(helicone.Equals, s.id)
		if s.byPrompt {
			f = helicone.ExperimentPrompt(s.promptOp, s.prompt)
		}
		inc := helicone.IncludeAll()
		q := helicone.ExperimentQuery{Filter: f, Include: &inc}
		// The join reads the answer in a goroutine of its own; this one builds and yields
		// the samples (see builder).
		tasks := make(chan joinTask, joinTasks)
		stop := make(chan struct{})
		rctx, cancel := context.WithCancel(ctx)
		j := &experimentJoin{cfg: s.cfg, out: tasks, done: stop}
		if !s.byPrompt {
			// Keep only the experiment asked for, whatever else the server sent.
			j.want = s.id
		}
		go func() {
			defer close(tasks)
			defer func() {
				// A fault of the join is the source's error, not the process's end.
				if v := recover(); v != nil {
					err := fmt.Errorf("datasets: reading %s: panic: %v\n%s", s, v, debug.Stack())
					select {
					case tasks <- joinTask{kind: taskErr, err: err}:
					case <-stop:
					}
				}
			}()
			for it, err := range env.Client.StreamExperiments(rctx, q) {
				if err != nil {
					j.fail(fmt.Errorf("datasets: reading %s: %w", s, err))
					return
				}
				if !j.add(&it) {
					return
				}
			}
		}()
		b := &builder{yield: yield}
		stopped := false
		halt := func() {
			if !stopped {
				stopped = true
				close(stop)
				cancel()
			}
		}
		defer func() {
			// Also when the consumer panicked: the join stops, and the spool is closed
			// once its goroutine has ended (it closes tasks).
			halt()
			for range tasks {
			}
			j.close()
		}()
		for t := range tasks {
			if !b.stopped && !b.do(t) {
				halt()
			}
		}
		if b.stopped || j.stopped {
			return
		}
		if j.found == 0 {
			nf := &ExperimentNotFoundError{ID: s.id, BaseURL: env.Client.BaseURL()}
			if s.byPrompt {
				nf.Prompt = fmt.Sprintf("%s %q", s.promptOp, s.prompt)
			}
			yield(heval.Sample{}, nf)
		}
	}
}

// joinTasks is how many tasks the join may hand on before the builder takes them: enough
// to keep both busy, few enough that the samples they hold stay a few megabytes.
const joinTasks = 256

// ExperimentSamples turns one decoded experiment into samples, as [Experiment] does.
func ExperimentSamples(e *helicone.Experiment, opts ...ExperimentOption) iter.Seq2[heval.Sample, error] {
	cfg := newExperimentConfig(opts)
	return func(yield func(heval.Sample, error) bool) {
		j := &experimentJoin{cfg: cfg, b: &builder{yield: yield}, whole: true}
		defer j.close()
		head := *e
		head.Dataset.Rows = nil
		head.Hypotheses = make([]helicone.Hypothesis, len(e.Hypotheses))
		for i, h := range e.Hypotheses {
			h.Runs = nil
			head.Hypotheses[i] = h
		}
		for i := range e.Dataset.Rows {
			if !j.add(&helicone.ExperimentItem{Part: helicone.PartRow, Experiment: &head, Row: &e.Dataset.Rows[i]}) {
				return
			}
		}
		for hi := range e.Hypotheses {
			h := &head.Hypotheses[hi]
			if !j.add(&helicone.ExperimentItem{Part: helicone.PartHypothesis, Experiment: &head, HypothesisIndex: hi, Hypothesis: h}) {
				return
			}
			for ri := range e.Hypotheses[hi].Runs {
				if !j.add(&helicone.ExperimentItem{Part: helicone.PartRun, Experiment: &head, HypothesisIndex: hi, Hypothesis: h, Run: &e.Hypotheses[hi].Runs[ri]}) {
					return
				}
			}
		}
		j.add(&helicone.ExperimentItem{Part: helicone.PartExperiment, Experiment: &head})
	}
}

// isPlaceholderRow reports whether r is the all-null row the server sends for an empty
// dataset.
func isPlaceholderRow(r *helicone.DatasetRow) bool {
	in := r.InputRecord
	return r.RowID == "" && r.ColumnID == "" && len(r.Scores) == 0 &&
		(in == nil || (in.ID == "" && in.RequestID == "" && in.Request == nil && in.Response == nil && len(in.Inputs) == 0))
}

// response is what a sample takes of a logged response.
type response struct {
	body                     []byte
	model, createdAt         string
	promptTokens, compTokens int64
	delayMs                  int64
}

func responseOf(r *helicone.ResponseInfo) *response {
	if r == nil {
		return nil
	}
	return &response{body: r.Body, model: r.Model, createdAt: r.CreatedAt,
		promptTokens: int64(r.PromptTokens), compTokens: int64(r.CompletionTokens), delayMs: int64(r.DelayMs)}
}

// rowPart is what the samples take of a dataset row: its own sample, and the inputs, index
// and reference of its runs' samples.
type rowPart struct {
	rowID     string
	rowIndex  int
	hasInput  bool
	requestID string
	provider  string
	inputs    map[string]string
	resp      *response
	// text is the answer text of resp, read once for the row's sample and its runs'
	// reference when the row's runs join it (textRead); textOK says it was read without
	// error ("" otherwise, as a reference that cannot be read has no text).
	text             string
	textRead, textOK bool
}

// readText reads the answer text of the row's response, for its sample and as the
// reference of its runs.
func (p *rowPart) readText() {
	if p.resp == nil {
		return
	}
	text, err := AnswerText(p.resp.body)
	p.text, p.textRead, p.textOK = text, true, err == nil
}

func rowPartOf(r *helicone.DatasetRow) *rowPart {
	p := &rowPart{rowID: r.RowID, rowIndex: int(r.RowIndex)}
	if in := r.InputRecord; in != nil {
		p.hasInput = true
		p.requestID = in.RequestID
		p.inputs = textInputs(in.Inputs)
		if in.Request != nil {
			p.provider = in.Request.Provider
		}
		p.resp = responseOf(in.Response)
	}
	return p
}

// runPart is what a run's sample takes of the run.
type runPart struct {
	requestID, rowID, provider string
	resp                       *response
}

func runPartOf(r *helicone.Run) *runPart {
	p := &runPart{requestID: r.ResultRequestID, rowID: r.DatasetRowID, resp: responseOf(r.Response)}
	if r.Request != nil {
		p.provider = r.Request.Provider
	}
	return p
}

// The spool records of parts held back.

func encodeResponse(e *spool.Encoder, r *response) {
	e.Bool(r != nil)
	if r != nil {
		e.Blob(r.body)
		e.String(r.model)
		e.String(r.createdAt)
		e.Int(r.promptTokens)
		e.Int(r.compTokens)
		e.Int(r.delayMs)
	}
}

func decodeResponse(d *spool.Decoder) *response {
	if !d.Bool() {
		return nil
	}
	return &response{body: d.Blob(), model: d.String(), createdAt: d.String(), promptTokens: d.Int(), compTokens: d.Int(), delayMs: d.Int()}
}

func (p *rowPart) encode(e *spool.Encoder) {
	e.String(p.rowID)
	e.Int(int64(p.rowIndex))
	e.Bool(p.hasInput)
	e.String(p.requestID)
	e.String(p.provider)
	e.Uint(uint64(len(p.inputs)))
	for _, k := range slices.Sorted(maps.Keys(p.inputs)) {
		e.String(k)
		e.String(p.inputs[k])
	}
	encodeResponse(e, p.resp)
	e.Bool(p.textRead)
	if p.textRead {
		e.Bool(p.textOK)
		e.String(p.text)
	}
}

func decodeRowPart(rec []byte) (*rowPart, error) {
	d := spool.NewDecoder(rec)
	p := &rowPart{rowID: d.String(), rowIndex: int(d.Int()), hasInput: d.Bool(), requestID: d.String(), provider: d.String()}
	if n := d.Uint(); n > 0 && d.Err() == nil {
		p.inputs = make(map[string]string, min(n, 1024))
		for range n {
			k := d.String()
			p.inputs[k] = d.String()
			if d.Err() != nil {
				break
			}
		}
	}
	p.resp = decodeResponse(d)
	if p.textRead = d.Bool(); p.textRead {
		p.textOK = d.Bool()
		p.text = d.String()
	}
	return p, d.Err()
}

func (p *runPart) encode(e *spool.Encoder) {
	e.String(p.requestID)
	e.String(p.rowID)
	e.String(p.provider)
	encodeResponse(e, p.resp)
}

func decodeRunPart(rec []byte) (*runPart, error) {
	d := spool.NewDecoder(rec)
	p := &runPart{requestID: d.String(), rowID: d.String(), provider: d.String()}
	p.resp = decodeResponse(d)
	return p, d.Err()
}

// experimentJoin turns the parts of an experiment answer into samples as they arrive.
//
// A row's sample needs the experiment's id and name, a run's sample its hypothesis's id,
// model and label and its row's inputs. The server sends each experiment's rows before the
// dataset's name, and each hypothesis's runs before its id, so what cannot be built yet is
// held back in a spool file (compact records, not the decoded parts) and yielded as soon
// as what it needs has been read: the rows when the name arrives, a hypothesis's runs when
// its header ends. What the joins need of the rows (inputs, index, reference) is in the
// spool too, found by row id; only that index and the offsets of the parts held back
// (spool.Offsets, about two bytes each) stay in memory.
type experimentJoin struct {
	cfg  experimentConfig
	want string // the experiment id asked for; "" takes every experiment
	// out takes the tasks of a builder in another goroutine, which closes done when it
	// stops; with out nil, b carries each task out at once.
	out  chan<- joinTask
	done <-chan struct{}
	b    *builder
	// whole is set for an experiment decoded whole: every header is complete from the
	// start.
	whole bool
	// found counts the experiments taken.
	found int

	sp  *spool.File
	enc spool.Encoder
	// limit is the size of the spool written to its file.
	limit int64

	// The experiment being read.
	index    int
	started  bool
	e        *helicone.Experiment
	ended    bool
	rowsSeen bool
	rowsDone bool
	hypDone  []bool
	rowAt    *rowIndex
	info     *expInfo
	hyps     []*hypInfo
	heldRows spool.Offsets
	heldRuns []spool.Offsets
	labels   map[string]string
	named    bool
	nameText string
	stopped  bool
}

func (j *experimentJoin) close() {
	if j.sp != nil {
		_ = j.sp.Close()
	}
}

// spoolError is the error of experiment id's spool, the temporary file of the parts of
// the answer held back, while doing what.
func spoolError(id, what string, err error) error {
	return fmt.Errorf("datasets: experiment %s: %s: %w", id, what, err)
}

// fail hands err on and stops.
func (j *experimentJoin) fail(err error) bool {
	j.emit(joinTask{kind: taskErr, err: err})
	j.stopped = true
	return false
}

// emit hands t to the builder, with the size of the spool written to its file: the task
// reads no record past it. The spool is written out only for a task that reads what is
// not written yet (held parts, a run's row), not once per row. emit reports whether to go on.
func (j *experimentJoin) emit(t joinTask) bool {
	if j.sp != nil {
		read := t.kind == taskHeldRows || t.kind == taskHeldRuns || t.kind == taskRun && t.hasRow && t.rowOff >= j.limit
		if read && j.limit < j.sp.Size() {
			limit, err := j.sp.Flush()
			if err != nil {
				return j.fail(spoolError(j.e.ID, "holding back parts of the answer", err))
			}
			j.limit = limit
		}
		t.sp, t.limit = j.sp, j.limit
	}
	if j.out == nil {
		if !j.b.do(t) {
			j.stopped = true
			return false
		}
		return true
	}
	select {
	case j.out <- t:
		return true
	case <-j.done:
		j.stopped = true
		return false
	}
}

// fence waits until the builder has carried out every task handed to it.
func (j *experimentJoin) fence() bool {
	if j.out == nil {
		return true
	}
	done := make(chan struct{})
	if !j.emit(joinTask{kind: taskFence, fence: done}) {
		return false
	}
	select {
	case <-done:
		return true
	case <-j.done:
		j.stopped = true
		return false
	}
}

// expInfo is what the experiment's samples take of it; it is called once its name is known.
func (j *experimentJoin) expInfo() *expInfo {
	if j.info == nil || j.info.id != j.e.ID {
		j.info = &expInfo{id: j.e.ID, name: j.name(), rows: j.rowAt}
	}
	return j.info
}

// hypInfo is what the runs of hypothesis hi take of it, nil when the runs are not wanted;
// it is called once the hypothesis's header and the experiment's labels are known.
func (j *experimentJoin) hypInfo(hi int) *hypInfo {
	for len(j.hyps) <= hi {
		j.hyps = append(j.hyps, nil)
	}
	if j.hyps[hi] == nil {
		h := &j.e.Hypotheses[hi]
		label := j.label(h)
		unwanted := len(j.cfg.hypotheses) > 0 && !slices.Contains(j.cfg.hypotheses, h.ID) && !slices.Contains(j.cfg.hypotheses, label)
		j.hyps[hi] = &hypInfo{id: h.ID, label: label, model: h.Model, promptVersionID: h.PromptVersionID, unwanted: unwanted}
	}
	if j.hyps[hi].unwanted {
		return nil
	}
	return j.hyps[hi]
}

func (j *experimentJoin) spool(p interface{ encode(*spool.Encoder) }) (int64, bool) {
	if j.sp == nil {
		sp, err := spool.Create("")
		if err != nil {
			return 0, j.fail(spoolError(j.e.ID, "holding back parts of the answer", err))
		}
		j.sp = sp
	}
	j.enc.Reset()
	p.encode(&j.enc)
	off, err := j.sp.Append(j.enc.Bytes())
	if err != nil {
		return 0, j.fail(spoolError(j.e.ID, "holding back parts of the answer", err))
	}
	return off, true
}

// begin starts the experiment of it.
func (j *experimentJoin) begin(it *helicone.ExperimentItem) bool {
	if j.started && !j.ended && !j.finish() {
		return false
	}
	if j.sp != nil && j.sp.Size() > 0 {
		// The builder may still be reading what the last experiment held back.
		if !j.fence() {
			return false
		}
		if err := j.sp.Reset(); err != nil {
			return j.fail(spoolError(j.e.ID, "emptying the parts held back", err))
		}
	}
	*j = experimentJoin{cfg: j.cfg, want: j.want, out: j.out, done: j.done, b: j.b, whole: j.whole, found: j.found,
		sp: j.sp, enc: j.enc, limit: j.limit, index: it.Index, started: true, rowAt: &rowIndex{}}
	return true
}

// add takes one part; it reports whether to go on.
func (j *experimentJoin) add(it *helicone.ExperimentItem) bool {
	if j.stopped {
		return false
	}
	if !j.started || it.Index != j.index || j.ended {
		if !j.begin(it) {
			return false
		}
	}
	j.e = it.Experiment
	if it.Part != helicone.PartRow && (j.rowsSeen || j.whole) {
		j.rowsDone = true
	}
	switch it.Part {
	case helicone.PartRow:
		j.rowsSeen = true
		if !j.row(it.Row) {
			return false
		}
	case helicone.PartRun:
		if !j.run(it.HypothesisIndex, it.Run) {
			return false
		}
	case helicone.PartHypothesis:
		j.hypothesis(it.HypothesisIndex)
	case helicone.PartExperiment:
		return j.finish()
	}
	return j.release()
}

func (j *experimentJoin) hypothesis(hi int) {
	for len(j.hypDone) <= hi {
		j.hypDone = append(j.hypDone, false)
	}
	j.hypDone[hi] = true
}

// finish ends the experiment: everything held back can be built now.
func (j *experimentJoin) finish() bool {
	j.ended, j.rowsDone = true, true
	for hi := range j.e.Hypotheses {
		j.hypothesis(hi)
	}
	if !j.release() {
		return false
	}
	if j.taken() {
		j.found++
	}
	return true
}

// skipped reports whether the experiment is known not to be the one asked for.
func (j *experimentJoin) skipped() bool {
	return j.want != "" && (j.e.ID != "" || j.ended || j.whole) && j.e.ID != j.want
}

// taken reports whether the experiment is known to be one asked for.
func (j *experimentJoin) taken() bool {
	return j.want == "" || j.e.ID == j.want
}

func (j *experimentJoin) nameKnown() bool {
	return j.whole || j.ended || j.cfg.name != "" || j.e.Dataset.Name != ""
}

// name is the samples' Experiment; it is called once nameKnown.
func (j *experimentJoin) name() string {
	if !j.named {
		j.nameText, j.named = cmp.Or(j.cfg.name, j.e.Dataset.Name, metaName(j.e.Meta)), true
	}
	return j.nameText
}

func (j *experimentJoin) labelsKnown() bool { return j.whole || j.ended || j.e.Meta != nil }

func (j *experimentJoin) label(h *helicone.Hypothesis) string {
	if j.labels == nil {
		j.labels = metaLabels(j.e.Meta)
		maps.Copy(j.labels, j.cfg.labels)
	}
	if l, ok := j.labels[h.ID]; ok && l != "" {
		return l
	}
	return h.ID
}

func (j *experimentJoin) rowsReady() bool {
	return j.taken() && j.nameKnown() && j.heldRows.Len() == 0
}

func (j *experimentJoin) row(r *helicone.DatasetRow) bool {
	if isPlaceholderRow(r) || j.skipped() {
		return true
	}
	p := rowPartOf(r)
	// A row its runs look up is in the spool already; held back, it is read from there too.
	var off int64
	lookedUp := j.cfg.runs && r.RowID != "" && !(j.whole && !j.runsNeedRows())
	if lookedUp {
		p.readText()
		var ok bool
		if off, ok = j.spool(p); !ok {
			return false
		}
		j.rowAt.set(r.RowID, off)
	}
	if !j.cfg.rows {
		return true
	}
	if j.rowsReady() {
		return j.emit(joinTask{kind: taskRow, row: p, exp: j.expInfo()})
	}
	if !lookedUp {
		var ok bool
		if off, ok = j.spool(p); !ok {
			return false
		}
	}
	j.heldRows.Add(off)
	return true
}

// runsNeedRows reports whether any run of a decoded experiment is yielded.
func (j *experimentJoin) runsNeedRows() bool { return len(j.e.Hypotheses) > 0 }

func (j *experimentJoin) runReady(hi int) bool {
	return j.taken() && j.nameKnown() && j.labelsKnown() && j.heldRows.Len() == 0 &&
		hi < len(j.hypDone) && j.hypDone[hi] && (hi >= len(j.heldRuns) || j.heldRuns[hi].Len() == 0)
}

func (j *experimentJoin) run(hi int, r *helicone.Run) bool {
	if !j.cfg.runs || j.skipped() {
		return true
	}
	p := runPartOf(r)
	if j.runReady(hi) {
		if rowOff, hasRow := j.rowAt.get(p.rowID); j.rowsDone || hasRow {
			h := j.hypInfo(hi)
			if h == nil {
				return true
			}
			return j.emit(joinTask{kind: taskRun, run: p, exp: j.expInfo(), hyp: h, rowOff: rowOff, hasRow: hasRow})
		}
	}
	off, ok := j.spool(p)
	if !ok {
		return false
	}
	for len(j.heldRuns) <= hi {
		j.heldRuns = append(j.heldRuns, spool.Offsets{})
	}
	j.heldRuns[hi].Add(off)
	return true
}

// release hands on what was held back and can be built now.
func (j *experimentJoin) release() bool {
	if j.skipped() {
		j.heldRows, j.heldRuns = spool.Offsets{}, nil
		return true
	}
	if !j.taken() || !j.nameKnown() {
		return true
	}
	if j.heldRows.Len() > 0 {
		held := j.heldRows
		j.heldRows = spool.Offsets{}
		if !j.emit(joinTask{kind: taskHeldRows, offs: held, exp: j.expInfo()}) {
			return false
		}
	}
	if !j.labelsKnown() || !j.rowsDone {
		return true
	}
	for hi := range j.heldRuns {
		if j.heldRuns[hi].Len() == 0 || hi >= len(j.hypDone) || !j.hypDone[hi] {
			continue
		}
		held := j.heldRuns[hi]
		j.heldRuns[hi] = spool.Offsets{}
		if h := j.hypInfo(hi); h != nil && !j.emit(joinTask{kind: taskHeldRuns, offs: held, exp: j.expInfo(), hyp: h}) {
			return false
		}
	}
	return true
}

func fillResponse(s *heval.Sample, r *response) {
	if r == nil {
		return
	}
	s.Body = r.body
	if r.model != "" {
		s.Model = r.model
	}
	s.PromptTokens = r.promptTokens
	s.CompletionTokens = r.compTokens
	s.Latency = time.Duration(r.delayMs) * time.Millisecond
	s.CreatedAt = helicone.ParseTime(r.createdAt)
}

// textInputs turns prompt inputs into text: strings as they are, other values as JSON.
func textInputs(in map[string]any) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = inputText(v)
	}
	return out
}

func inputText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case json.RawMessage:
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return string(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// metaName is the "name" of an experiment's meta, or "".
func metaName(meta json.RawMessage) string {
	var m struct {
		Name string `json:"name"`
	}
	if helicone.IsJSONNull(meta) || json.Unmarshal(meta, &m) != nil {
		return ""
	}
	return strings.TrimSpace(m.Name)
}

// metaLabels reads the "hypothesis_labels" object of an experiment's meta, if any.
func metaLabels(meta json.RawMessage) map[string]string {
	labels := map[string]string{}
	if helicone.IsJSONNull(meta) {
		return labels
	}
	var m struct {
		Labels map[string]any `json:"hypothesis_labels"`
	}
	if json.Unmarshal(meta, &m) != nil {
		return labels
	}
	for k, v := range m.Labels {
		if s, ok := v.(string); ok {
			labels[k] = s
		}
	}
	return labels
}
