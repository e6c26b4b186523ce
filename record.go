package heval

import (
	"errors"
	"time"
)

// RunInfo describes a run; it is passed to every handler before the first record.
type RunInfo struct {
	// RunID identifies the run (unique per run).
	RunID string
	// Started is when the run started (UTC).
	Started time.Time
	// Source describes what was judged, for example "experiment 4b0c2f4e-…".
	Source string
	// Evaluators are the names of the evaluators, in declaration order.
	Evaluators []string
	// DryRun is true when scores were not submitted.
	DryRun bool
	// Version is heval's version.
	Version string
	// GitCommit, GitBranch and CIJobID describe where the run happened, when known.
	GitCommit, GitBranch, CIJobID string
	// Shard is "K/N" when the run is one shard of N, else empty.
	Shard string
	// Declared describes the evaluators of Evaluators, in the same order: their specs,
	// directions and where they were declared. A run's handlers, and every report, take
	// an evaluator's direction and spec from here.
	Declared []EvaluatorInfo
	// File and Line are where the run was declared (a suite's suite.Evaluate call), as a
	// path relative to the module root when it is known; empty for the command line.
	File string
	Line int
	// RequestsURL is the Helicone page a request id links to in the reports, with the id
	// appended as the requestId query parameter, for example
	// "https://eu.helicone.ai/requests"; empty when the server has no known web app (a
	// self-hosted Helicone, an emulator).
	RequestsURL string
}

// Evaluator returns the declaration of the evaluator named name.
func (info *RunInfo) Evaluator(name string) (EvaluatorInfo, bool) {
	for _, e := range info.Declared {
		if e.Name == name {
			return e, true
		}
	}
	return EvaluatorInfo{}, false
}

// Direction is the direction of the score key of an evaluator: what its declaration says,
// else [HigherIsBetter].
func (info *RunInfo) Direction(evaluator, key string) Direction {
	e, _ := info.Evaluator(evaluator)
	return e.DirectionOf(key)
}

// Spec is the spec of the evaluator named name (see [EvaluatorInfo.Spec]): its
// declaration's, else its name.
func (info *RunInfo) Spec(name string) string {
	if e, ok := info.Evaluator(name); ok && e.Spec != "" {
		return e.Spec
	}
	return name
}

// EvaluatorInfo describes one declared evaluator of a run.
type EvaluatorInfo struct {
	// Name is the evaluator's name, the key of its own value.
	Name string
	// Spec identifies what the evaluator is configured to judge, for example
	// "min_length=200"; it is Name when the evaluator takes no configuration. Two runs
	// whose evaluators of one name have different specs judge different things, and
	// reports refuse to compare them.
	Spec string
	// Direction is the direction of the evaluator's own value and of every score key not
	// in Keys; empty means [HigherIsBetter].
	Direction Direction
	// Keys are the directions of other score keys of the evaluator, by key.
	Keys map[string]Direction
	// File and Line are where the evaluator was declared, as a path relative to the module
	// root when it is known; empty for an evaluator named on the command line.
	File string
	Line int
}

// DirectionOf is the direction of one of the evaluator's score keys.
func (e EvaluatorInfo) DirectionOf(key string) Direction {
	if d, ok := e.Keys[key]; ok && d != "" {
		return d
	}
	if e.Direction == "" {
		return HigherIsBetter
	}
	return e.Direction
}

// ValueType is the type of a score value.
type ValueType string

// The value types.
const (
	Number  ValueType = "number"
	Boolean ValueType = "boolean"
)

// Value is one named score value. Booleans are 1 or 0.
type Value struct {
	Key   string
	Value int64
	Type  ValueType
}

// ErrorKind classifies why an evaluator produced no usable value.
type ErrorKind string

// The error kinds. The empty kind means no error.
const (
	// ErrorKindEvaluator: the evaluator returned an error.
	ErrorKindEvaluator ErrorKind = "error"
	// ErrorKindPanic: the evaluator panicked.
	ErrorKindPanic ErrorKind = "panic"
	// ErrorKindTimeout: the evaluator did not finish within its timeout.
	ErrorKindTimeout ErrorKind = "timeout"
	// ErrorKindInvalidValue: the evaluator returned a value Helicone cannot store (a float,
	// NaN, an invalid key, ...).
	ErrorKindInvalidValue ErrorKind = "invalid_value"
)

// Record is the outcome of one evaluator on one sample (one repeat), after delivery.
type Record struct {
	// Sample is the judged sample. Handlers must not keep the sample's Body beyond the call.
	Sample *Sample
	// Evaluator is the evaluator's name.
	Evaluator string
	// Repeat counts from 0 for evaluators that run several times per sample.
	Repeat int
	// Values are the valid values the evaluator produced, in its order.
	Values []Value
	// Reason is the evaluator's explanation, if it gave one.
	Reason string
	// Err is why the evaluator produced no (or not every) value; empty when none.
	Err     string
	ErrKind ErrorKind
	// Failures are the per-sample checks of the evaluator that this sample failed, each a
	// sentence naming the observed value and the limit.
	Failures []string
	// Duration is how long the evaluator took.
	Duration time.Duration
	// Submitted is true when Helicone acknowledged the values.
	Submitted bool
	// DeliveryErr says why the values were not submitted (empty when submitted or in a dry run).
	DeliveryErr string
}

// Failed reports whether the record has an error or a failed check.
func (r *Record) Failed() bool { return r.Err != "" || len(r.Failures) > 0 || r.DeliveryErr != "" }

// Check is a suite-level threshold (for example "has_citations pass rate >= 0.8 for the
// candidate hypothesis") and its outcome.
type Check struct {
	// Name is the threshold as the user wrote it, for example "has_citations:pass_rate>=0.8".
	Name string
	// Group is the hypothesis (or other group) it applies to; empty for all samples.
	Group string
	// Key is the score key; Stat the statistic (mean, p90, pass_rate, errors, ...).
	Key, Stat string
	// Op and Limit are the comparison, for example ">=" and 0.8.
	Op    string
	Limit float64
	// Observed is the statistic's value.
	Observed float64
	Passed   bool
	// Message explains a failure for a person (observed value, limit, worst samples).
	Message string
}

// DeliveryStats counts what happened to score writes.
type DeliveryStats struct {
	// Posts is the number of score writes sent (one per request id).
	Posts int
	// Acknowledged is the number the server acknowledged.
	Acknowledged int
	// Failed is the number of writes that were never acknowledged; NotSent the number
	// never sent because the sample's request id is not a UUID (Helicone would drop them).
	Failed, NotSent int
	// Retries is the number of retried attempts; RateLimited how many answers were 429.
	Retries, RateLimited int
	// Verified and Missing count read-back verification, when it ran.
	Verified, Missing int
}

// Summary is passed to every handler after the last record.
type Summary struct {
	Finished time.Time
	// Samples is the number of samples judged.
	Samples int
	// Checks are the suite-level thresholds and their outcomes.
	Checks []Check
	// Delivery counts score writes.
	Delivery DeliveryStats
	// Interrupted is true when the run was stopped before it finished.
	Interrupted bool
	// Err is the error that ended the run early, if any.
	Err string
}

// Handler receives one run's results. The harness calls a handler from one goroutine at a
// time, so handlers need no locking of their own.
type Handler interface {
	Start(RunInfo) error
	Record(Record) error
	Finish(Summary) error
}

// Multi sends every call to each handler in turn. Every handler receives every call even
// when an earlier one fails; the errors are joined.
func Multi(hs ...Handler) Handler { return multi(hs) }

type multi []Handler

func (m multi) Start(info RunInfo) error {
	var errs []error
	for _, h := range m {
		errs = append(errs, h.Start(info))
	}
	return errors.Join(errs...)
}

func (m multi) Record(r Record) error {
	var errs []error
	for _, h := range m {
		if err := h.Record(r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m multi) Finish(s Summary) error {
	var errs []error
	for _, h := range m {
		errs = append(errs, h.Finish(s))
	}
	return errors.Join(errs...)
}
