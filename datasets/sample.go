package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// AnswerText reads the answer text of a provider response body exactly as
// [heval.AnswerText] does, with a fast path for the most common body, a plain OpenAI chat
// completion, which is validated and read in one pass; every other body goes to the
// general reader. Sources prepare every sample they produce with it (see [Prepare]).
func AnswerText(body json.RawMessage) (string, error) {
	if text, ok := fastChatText(bytes.TrimSpace(body)); ok {
		return text, nil
	}
	return heval.AnswerText(body)
}

// Prepare returns s ready for its evaluators: its answer and reference text are read once,
// with [AnswerText], and shared by every evaluator of the sample.
func Prepare(s heval.Sample) heval.Sample { return s.ReadWith(AnswerText) }

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
	Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error]
}
