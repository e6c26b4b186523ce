package heval

import (
	"encoding/json"
	"sync"
	"time"
)

// Kind says what a sample is.
type Kind string

// The kinds of sample.
const (
	// KindDatasetRow is a dataset row: the original request the row was made from.
	KindDatasetRow Kind = "dataset_row"
	// KindHypothesisRun is one hypothesis run on one dataset row.
	KindHypothesisRun Kind = "hypothesis_run"
	// KindRequest is a logged request chosen by a request query.
	KindRequest Kind = "request"
	// KindFile is a sample read from a local file.
	KindFile Kind = "file"
)

// Group labels of the samples that belong to no hypothesis; see [Sample.Group].
const (
	// GroupDataset groups dataset rows (the original outputs).
	GroupDataset = "dataset"
	// GroupRequests groups logged requests chosen by a request query.
	GroupRequests = "requests"
	// GroupFile groups samples read from local files.
	GroupFile = "file"
)

// Sample is one answer to judge. Evaluators receive it by value; they must not modify
// the maps or the body.
type Sample struct {
	// Kind says where the sample comes from.
	Kind Kind
	// RequestID is the Helicone request id that the sample's scores are written to (a UUID).
	RequestID string
	// ExperimentID is the experiment (or Helicone dataset) the sample belongs to, if any.
	ExperimentID string
	// Experiment is the short name of that experiment or dataset, when known (a Helicone
	// dataset's name, an experiment's dataset name). Reports qualify group labels with it
	// ("support/candidate") when a run holds samples of several experiments.
	Experiment string
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

// TextReader reads the answer text out of a response body; [AnswerText] is the reader of
// every provider format heval knows.
type TextReader func(body json.RawMessage) (string, error)

// lazyText is the answer and reference text of a sample and its copies, each read when it
// is first asked for: most evaluators never look at the reference.
type lazyText struct {
	once, refOnce sync.Once
	read          TextReader
	text, ref     string
	err           error
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
		t, _ := referenceText(s.Reference, AnswerText)
		return t
	}
	s.text.fillRef(s)
	return s.text.ref
}

func (l *lazyText) fill(s Sample) {
	l.once.Do(func() { l.text, l.err = l.read(s.Body) })
}

func (l *lazyText) fillRef(s Sample) {
	l.refOnce.Do(func() { l.ref, _ = referenceText(s.Reference, l.read) })
}

// ReadWith returns a copy of s whose answer and reference text are read by read, each once
// when it is first asked for, and shared by every copy of the returned sample, so that
// several evaluators of one sample do not each parse its body, and a run whose evaluators
// never look at the reference does not parse it at all. Sources return samples prepared this way; a nil read means
// [AnswerText].
func (s Sample) ReadWith(read TextReader) Sample {
	if read == nil {
		read = AnswerText
	}
	s.text = &lazyText{read: read}
	return s
}

// WithReferenceText returns a copy of s whose ReferenceText is text, without reading its
// Reference: for a source that has read the reference already, as the runs of an
// experiment share the answer of their dataset row. Its answer is still read when first
// asked for, by the reader s was prepared with ([Sample.ReadWith]). Call it before any of
// the sample's text is read: the copy does not share what s has read.
func (s Sample) WithReferenceText(text string) Sample {
	var read TextReader = AnswerText
	if s.text != nil && s.text.read != nil {
		read = s.text.read
	}
	l := &lazyText{read: read}
	l.refOnce.Do(func() { l.ref = text })
	s.text = l
	return s
}

// Group is the group the sample is reported in: its hypothesis label (or id), else
// [GroupDataset], [GroupRequests] or [GroupFile] by kind.
func (s *Sample) Group() string {
	switch {
	case s == nil:
		return "unknown"
	case s.Hypothesis != "":
		return s.Hypothesis
	case s.HypothesisID != "":
		return s.HypothesisID
	}
	switch s.Kind {
	case KindDatasetRow:
		return GroupDataset
	case KindRequest:
		return GroupRequests
	case KindFile:
		return GroupFile
	}
	return "samples"
}

// InGroup reports whether the sample belongs to the hypothesis or group called name: its
// hypothesis id or label, its label qualified by its experiment ("support/candidate"), or
// the group label of a sample without hypothesis ("dataset", "requests", "file").
func (s *Sample) InGroup(name string) bool {
	switch {
	case s == nil || name == "":
		return false
	case s.HypothesisID == name || s.Hypothesis == name:
		return true
	case s.Experiment != "" && s.Experiment+"/"+s.Group() == name:
		return true
	}
	return s.Hypothesis == "" && s.HypothesisID == "" && s.Group() == name
}

// QualifiedGroup is the group label qualified by the sample's experiment,
// "experiment/group", or the group label alone when the experiment's name is unknown.
func (s *Sample) QualifiedGroup() string {
	if s == nil || s.Experiment == "" {
		return s.Group()
	}
	return s.Experiment + "/" + s.Group()
}

// ReferenceText returns the text of a reference answer: the answer text of a provider body,
// or the value itself when the reference is a JSON string or plain text.
func ReferenceText(ref json.RawMessage) (string, error) { return referenceText(ref, AnswerText) }

func referenceText(ref json.RawMessage, read TextReader) (string, error) {
	if isJSONNull(ref) {
		return "", nil
	}
	return read(ref)
}

// Unit names what the sample was judged on, for pairing two hypotheses or two runs: the
// dataset row ("row:" + DatasetRowID) when it has one, else the request ("request:" +
// RequestID); "" when it has neither and cannot be paired. Repeats of an evaluator on one
// sample, and the samples of one hypothesis on one row, share a unit.
func (s *Sample) Unit() string {
	switch {
	case s == nil:
		return ""
	case s.DatasetRowID != "":
		return "row:" + s.DatasetRowID
	case s.RequestID != "":
		return "request:" + s.RequestID
	}
	return ""
}

// WithText returns a copy of s whose Text, Answer and ReferenceText return answer (or
// answerErr) and reference without reading its bodies: a sample restored from storage that
// kept its text but not its bodies, as the results of a suite are handed to every process
// of `ginkgo -p`. (The text a sample has read is unexported, so gob and JSON do not carry
// it: carry Text, Answer's error and ReferenceText beside the sample, and restore them with
// WithText.)
func (s Sample) WithText(answer string, answerErr error, reference string) Sample {
	l := &lazyText{read: AnswerText}
	l.once.Do(func() { l.text, l.err = answer, answerErr })
	l.refOnce.Do(func() { l.ref = reference })
	s.text = l
	return s
}
