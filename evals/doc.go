// Package evals holds ready-made evaluators: plain Go functions of type [Func] that judge one
// sample and return a [Score]. They keep no state between calls and know nothing of the
// harness that runs them, so they are as easy to unit-test as any other function.
//
// # Deterministic evaluators
//
// Every evaluator documents its score keys, types and ranges. A value without a key is
// recorded under the evaluator's name.
//
//   - The automated checks of Helicone's scoring guide: [WordCount], [HasCitations],
//     [HasCodeExamples], [StartsWithGreeting], [MinLength] / [ExceedsMinLength],
//     [ContainsMarkdown], and [SeedChecks] for all six under their own keys.
//   - Against the reference answer: [ExactMatch], [NormalizedMatch], [Levenshtein],
//     [NumericCloseness].
//   - Text: [Contains], [ContainsAll], [ContainsAny] (and their Fold variants that ignore
//     case), [Regex], [Refusal].
//   - Formats: [ValidJSON], [JSONSchema].
//   - Request metadata: [MaxLatency], [MaxTokens], [MaxCost], [LatencyMillis],
//     [TotalTokens], [CostMicroUSD].
//
// An evaluator that reads the answer returns an error when the body cannot be read
// (including [heval.ErrBodyNotAvailable]); it never scores an unreadable body as an
// empty answer. Evaluators that need a reference return an error wrapping
// [ErrNoReference] when the sample has none.
//
// # Composition
//
// [WeightedMean], [AllOf], [AnyOf], [Not] and [Pick] combine evaluators; [When] runs one
// only on matching samples and returns [ErrNotApplicable] on the others, which the harness
// records as skipped rather than failed.
//
// # By name
//
// [Lookup] turns a command-line spec such as "min_length=200" or "contains=refund" into an
// evaluator; [Catalog] lists every name with its argument and score keys, each key with
// its direction (higher or lower is better, or neutral), which `heval run --eval`
// declares ([Registry.EntryFor] finds the entry of a spec). Both know the evaluators of
// this package only ([Builtin]); a [Registry] built with [NewRegistry] combines them with
// entries of other packages, such as the LLM judge's. In a suite, declare the direction
// with the evaluator: harness.Evaluator("word_count", evals.WordCount, heval.Neutral).
//
// # LLM as judge
//
// The LLM judge is package [github.com/heval-dev/heval/evals/judge], kept apart so that a
// program using this package does not compile an OpenAI client. Its fake server for tests
// is [github.com/heval-dev/heval/evals/judge/judgetest].
//
// # Integers only
//
// Helicone stores only integers and booleans. [heval.Percent] and [heval.Scale] turn
// fractions into int64 percentages with documented rounding (half away from zero, clamped
// to 0–100): return heval.Int(heval.Percent(x)). [heval.Normalize] says precisely why any
// other value cannot be sent.
package evals
