package datasets

import (
	"context"
	"encoding/json"
	"iter"
	"sync"
	"time"

	"github.com/heval-dev/heval/helicone"
)

// Kind says what a sample is.
type Kind string

// The kinds of sample.
const (
	// KindDatasetRow is an experiment dataset row: the original request the row was made from.
	KindDatasetRow Kind = "dataset_row"
	// KindHypothesisRun is one hypothesis run on one dataset row.
	KindHypothesisRun Kind = "hypothesis_run"
	// KindRequest is a logged request chosen by a request query.
	KindRequest Kind = "request"
	// KindFile is a sample read from a local file.
	KindFile Kind = "file"
)

// Sample is one answer to judge. Evaluators receive it by value; they must not modify
// the maps or the body.
type Sample struct {
	// Kind says where the sample comes from.
	Kind Kind
	// RequestID is the Helicone request id that the sample's scores are written to (a UUID).
	RequestID string
	// ExperimentID is the experiment the sample belongs to, if any.
	ExperimentID string
	// HypothesisID is the hypothesis of a run; empty for dataset rows and requests.
	HypothesisID string
	// Hypothesis is a human label for the arm: the hypothesis id, or "dataset" for rows.
	Hypothesis string
	// Model is the model that produced the answer.
	Model string
	// Provider is the provider that served it (OPENAI, ANTHROPIC, ...), when known.
	Provider string
	// PromptVersionID is the prompt version of a hypothesis, when known.
	PromptVersionID string
	// DatasetRowID is the dataset row the sample is (or whose inputs a run answered).
	DatasetRowID string
	// RowIndex is the row's position in its dataset.
	RowIndex int
	// Inputs are the prompt inputs (variables) of the row; values are text.
	Inputs map[string]string
	// Properties are the request's Helicone-Property-* values, when known.
	Properties map[string]string
	// Body is the provider's raw response body (OpenAI chat completion, Anthropic message, ...).
	Body json.RawMessage
	// Reference is the expected answer: for a hypothesis run, the body of its dataset row's
	// original response; for a file sample, its expected output. It may be empty.
	Reference json.RawMessage
	// PromptTokens and CompletionTokens are the token counts of the judged request.
	PromptTokens, CompletionTokens int64
	// Latency is how long the judged request took.
	Latency time.Duration
	// CreatedAt is when the judged request was made; zero when unknown.
	CreatedAt time.Time

	text *lazyText
}

type lazyText struct {
	once      sync.Once
	text, ref string
	err, rerr error
}

// Text returns the answer text of the sample (see [AnswerText]), or "" when the body cannot
// be read. Use [Sample.Answer] to tell an empty answer from an unreadable body.
func (s Sample) Text() string {
	t, _ := s.Answer()
	return t
}

// Answer returns the answer text extracted from Body, or an error saying why it cannot be
// read (for example [ErrBodyNotAvailable]).
func (s Sample) Answer() (string, error) {
	if s.text == nil {
		return AnswerText(s.Body)
	}
	s.text.fill(s)
	return s.text.text, s.text.err
}

// ReferenceText returns the text of the reference answer, or "" when there is none.
func (s Sample) ReferenceText() string {
	if s.text == nil {
		t, _ := ReferenceText(s.Reference)
		return t
	}
	s.text.fill(s)
	return s.text.ref
}

func (l *lazyText) fill(s Sample) {
	l.once.Do(func() {
		l.text, l.err = AnswerText(s.Body)
		l.ref, l.rerr = ReferenceText(s.Reference)
	})
}

// Cached returns a copy of s whose answer and reference text are extracted once and shared
// by every copy of the returned sample. Sources return cached samples, so that several
// evaluators of one sample do not each parse its body.
func (s Sample) Cached() Sample {
	s.text = &lazyText{}
	return s
}

// ReferenceText returns the text of a reference answer: the answer text of a provider body,
// or the value itself when the reference is a JSON string or plain text.
func ReferenceText(ref json.RawMessage) (string, error) {
	if helicone.IsJSONNull(ref) {
		return "", nil
	}
	return AnswerText(ref)
}

// Env is what a source may use to fetch samples.
type Env struct {
	// Client talks to Helicone; nil for sources that read local files only.
	Client *helicone.Client
}

// Source produces the samples of a run.
type Source interface {
	// String describes the source for people and reports, for example
	// "experiment 4b0c2f4e-…".
	String() string
	// Samples streams the samples. The iteration stops at the first error, which is yielded
	// with a zero Sample.
	Samples(ctx context.Context, env Env) iter.Seq2[Sample, error]
}
