package datasets

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
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
		exps, err := env.Client.QueryExperiments(ctx, helicone.ExperimentQuery{Filter: f, Include: &inc})
		if err != nil {
			yield(heval.Sample{}, fmt.Errorf("datasets: reading %s: %w", s, err))
			return
		}
		if !s.byPrompt {
			// Keep only the experiment asked for, whatever else the server sent.
			exps = slices.DeleteFunc(exps, func(e helicone.Experiment) bool { return e.ID != s.id })
		}
		if len(exps) == 0 {
			nf := &ExperimentNotFoundError{ID: s.id, BaseURL: env.Client.BaseURL()}
			if s.byPrompt {
				nf.Prompt = fmt.Sprintf("%s %q", s.promptOp, s.prompt)
			}
			yield(heval.Sample{}, nf)
			return
		}
		for i := range exps {
			for smp, err := range ExperimentSamples(&exps[i], s.options()...) {
				if !yield(smp, err) || err != nil {
					return
				}
			}
			exps[i] = helicone.Experiment{} // let the decoded experiment go
		}
	}
}

func (s *experimentSource) options() []ExperimentOption {
	return []ExperimentOption{func(c *experimentConfig) { *c = s.cfg }}
}

// ExperimentSamples turns one decoded experiment into samples, as [Experiment] does.
func ExperimentSamples(e *helicone.Experiment, opts ...ExperimentOption) iter.Seq2[heval.Sample, error] {
	cfg := newExperimentConfig(opts)
	return func(yield func(heval.Sample, error) bool) {
		labels := metaLabels(e.Meta)
		for k, v := range cfg.labels {
			labels[k] = v
		}
		name := cmp.Or(cfg.name, e.Dataset.Name, metaName(e.Meta))
		rows := make(map[string]*helicone.DatasetRow, len(e.Dataset.Rows))
		for i := range e.Dataset.Rows {
			r := &e.Dataset.Rows[i]
			if isPlaceholderRow(r) {
				continue
			}
			if r.RowID != "" {
				rows[r.RowID] = r
			}
			if !cfg.rows {
				continue
			}
			if r.InputRecord == nil || r.InputRecord.RequestID == "" {
				yield(heval.Sample{}, fmt.Errorf("datasets: experiment %s: dataset row %q (index %d) has no input record, so its request id is unknown; the server's answer is incomplete", e.ID, r.RowID, r.RowIndex))
				return
			}
			if !yield(named(rowSample(e, r), name), nil) {
				return
			}
		}
		if !cfg.runs {
			return
		}
		for hi := range e.Hypotheses {
			h := &e.Hypotheses[hi]
			label := h.ID
			if l, ok := labels[h.ID]; ok && l != "" {
				label = l
			}
			if len(cfg.hypotheses) > 0 && !slices.Contains(cfg.hypotheses, h.ID) && !slices.Contains(cfg.hypotheses, label) {
				continue
			}
			for ri := range h.Runs {
				run := &h.Runs[ri]
				if run.ResultRequestID == "" {
					yield(heval.Sample{}, fmt.Errorf("datasets: experiment %s: hypothesis %s has a run (dataset row %q) without a result request id; the server's answer is incomplete", e.ID, h.ID, run.DatasetRowID))
					return
				}
				if !yield(named(runSample(e, h, label, run, rows[run.DatasetRowID]), name), nil) {
					return
				}
			}
		}
	}
}

// isPlaceholderRow reports whether r is the all-null row the server sends for an empty
// dataset.
func isPlaceholderRow(r *helicone.DatasetRow) bool {
	in := r.InputRecord
	return r.RowID == "" && r.ColumnID == "" && len(r.Scores) == 0 &&
		(in == nil || (in.ID == "" && in.RequestID == "" && in.Request == nil && in.Response == nil && len(in.Inputs) == 0))
}

func rowSample(e *helicone.Experiment, r *helicone.DatasetRow) heval.Sample {
	in := r.InputRecord
	s := heval.Sample{
		Kind:         heval.KindDatasetRow,
		RequestID:    in.RequestID,
		ExperimentID: e.ID,
		Hypothesis:   DatasetHypothesis,
		DatasetRowID: r.RowID,
		RowIndex:     int(r.RowIndex),
		Inputs:       textInputs(in.Inputs),
	}
	if in.Request != nil {
		s.Provider = in.Request.Provider
	}
	if in.Response != nil {
		fillResponse(&s, in.Response)
	}
	return Prepare(s)
}

func runSample(e *helicone.Experiment, h *helicone.Hypothesis, label string, run *helicone.Run, row *helicone.DatasetRow) heval.Sample {
	s := heval.Sample{
		Kind:            heval.KindHypothesisRun,
		RequestID:       run.ResultRequestID,
		ExperimentID:    e.ID,
		HypothesisID:    h.ID,
		Hypothesis:      label,
		Model:           h.Model,
		PromptVersionID: h.PromptVersionID,
		DatasetRowID:    run.DatasetRowID,
		RowIndex:        -1,
	}
	if run.Request != nil {
		s.Provider = run.Request.Provider
	}
	if run.Response != nil {
		fillResponse(&s, run.Response)
	}
	if row != nil {
		s.RowIndex = int(row.RowIndex)
		if in := row.InputRecord; in != nil {
			s.Inputs = textInputs(in.Inputs)
			if in.Response != nil {
				s.Reference = in.Response.Body
			}
		}
	}
	return Prepare(s)
}

func fillResponse(s *heval.Sample, r *helicone.ResponseInfo) {
	s.Body = r.Body
	if r.Model != "" {
		s.Model = r.Model
	}
	s.PromptTokens = int64(r.PromptTokens)
	s.CompletionTokens = int64(r.CompletionTokens)
	s.Latency = time.Duration(r.DelayMs) * time.Millisecond
	s.CreatedAt = helicone.ParseTime(r.CreatedAt)
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

// metaLabels reads the "hypothesis_labels" object of an experiment's meta, if any.
// named returns s with its experiment's name.
func named(s heval.Sample, name string) heval.Sample {
	s.Experiment = name
	return s
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
