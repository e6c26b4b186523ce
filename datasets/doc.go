// Package datasets defines what heval judges: the [Sample], one answer of an LLM application
// together with where it came from and where its scores go, and the sources that produce
// samples.
//
// Sources:
//
//   - [Experiment] and [ExperimentsByPrompt]: a Helicone experiment (POST
//     /v1/experiment/query) as one sample per dataset row (the original request,
//     Hypothesis "dataset") and one per hypothesis run, joined to its row: the run's Inputs
//     are the row's and its Reference is the row's original answer. [RowsOnly], [RunsOnly],
//     [Hypotheses] and [WithLabels] choose and name what is read. Hypothesis labels come
//     from the experiment meta's "hypothesis_labels" object when it has one.
//   - [Requests]: logged requests chosen by a request-query filter (POST
//     /v1/request/query-clickhouse), for when the experiments API is unavailable;
//     [HypothesisProperty] turns an A/B property into hypothesis labels.
//   - [JSONL] and [Parquet]: local files of [Record]s.
//   - [Slice], [Concat], [Filter] and [Limit]: in-memory samples and combinations.
//
// A source streams its samples as an iterator, so a run never has to hold a whole dataset
// in memory, and returns them [Sample.Cached], so that the answer text is extracted once
// per sample however many evaluators read it. [AnswerText] reads the answer from the
// common provider bodies (OpenAI chat completions, Responses API and legacy completions,
// Anthropic Messages, Google Gemini, streamed bodies, plain text) and says clearly when a
// body cannot be read or was not stored ([ErrBodyNotAvailable]).
package datasets
