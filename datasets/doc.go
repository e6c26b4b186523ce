// Package datasets holds the sources of what heval judges: each yields [heval.Sample]s, one
// answer of an LLM application together with where it came from and where its scores go.
//
// Sources of current Helicone (hosted Helicone today):
//
//   - [DatasetExperiment]: a Helicone dataset (/v1/helicone-dataset/...) as one sample per
//     row (the row's origin request, Hypothesis "dataset") and its hypothesis runs: the
//     logged requests an application tagged with the [HypothesisHeader] and [RowHeader]
//     headers, each joined to its row (the run's DatasetRowID, Inputs, Reference and
//     RowIndex are the row's), so that hypotheses pair per row in comparisons.
//     [RowsOnly], [RunsOnly], [Hypotheses], [WithLabels], [RunTags] and [RunFilter] choose
//     and name what is read. [HeliconeDataset] is the rows alone.
//   - [TaggedRuns]: tagged runs chosen by a request-query filter, without a dataset.
//   - [Requests]: logged requests chosen by a request-query filter (POST
//     /v1/request/query-clickhouse); [HypothesisProperty] turns an A/B property into
//     hypothesis labels and [RowProperty] a row property into pairing units.
//
// Sources of legacy Helicone (self-hosted, before the 2025-10 migration):
//
//   - [Experiment] and [ExperimentsByPrompt]: a Helicone experiment (POST
//     /v1/experiment/query) as one sample per dataset row (the original request,
//     Hypothesis "dataset") and one per hypothesis run, joined to its row: the run's Inputs
//     are the row's and its Reference is the row's original answer. [RowsOnly], [RunsOnly],
//     [Hypotheses] and [WithLabels] choose and name what is read. Hypothesis labels come
//     from the experiment meta's "hypothesis_labels" object when it has one. [Requests]
//     works there too. The answer is read as it arrives ([helicone.Client.StreamExperiments])
//     and samples are yielded while it is still being read: rows once the dataset's name is
//     known, runs once their hypothesis's header is. What has to wait (the server sends the
//     rows before the dataset's name and each hypothesis's runs before its id), and what
//     the joins need of the rows, is held in a temporary spool file, removed at the end, so
//     memory does not grow with the experiment: only an index of row ids to spool offsets
//     (24 bytes a row) and the offsets of what waits (about two bytes a part) stay in
//     memory.
//
// Local sources:
//
//   - [JSONL] (and datasets/parquetfile): local files of records.
//   - [Slice], [Concat], [Filter] and [Limit]: in-memory samples and combinations.
//
// A source streams its samples as an iterator, so a run never has to hold a whole dataset
// in memory, and returns them prepared ([Prepare]), so that the answer text is extracted
// once per sample however many evaluators read it. [AnswerText] reads the answer from the
// common provider bodies (OpenAI chat completions, Responses API and legacy completions,
// Anthropic Messages, Google Gemini, streamed bodies, plain text) and says clearly when a
// body cannot be read or was not stored ([heval.ErrBodyNotAvailable]). It gives exactly
// what [heval.AnswerText] gives; the most common body, a plain OpenAI chat completion, is
// validated and read in one pass by a byte scanner with no copy of the body, and every
// other body (or one the scanner finds unusual) goes to the general reader.
//
// When a source yields nothing, [ExplainEmpty] asks it why ([EmptyExplainer]): a request
// source reads the organization's most recent requests in one query and names their models
// and properties, and the nearest to what its filter asked for. A [Requests] source grouped
// by a property that none of the first page of requests carries fails with an
// [*UnknownPropertyError] ([ErrUnknownProperty]) naming the properties they have.
package datasets
