// Package heval is the data model every other package of heval speaks: the [Sample] an
// evaluator judges, the [Score] it returns, the evaluator function type [Func], and the
// [Record], [RunInfo], [Summary] and [Check] a run streams to a [Handler]. It imports only
// the standard library, so that code which only declares evaluators or reads results pays
// for nothing else.
//
// An evaluator is a plain function:
//
//	func mentionsProduct(ctx context.Context, s heval.Sample) (heval.Score, error) {
//		return heval.Bool(strings.Contains(s.Text(), s.Inputs["product"])), nil
//	}
//
// The packages above it: datasets (where samples come from), evals (ready-made
// evaluators), harness (the engine that runs evaluators and delivers scores to Helicone),
// reporters (Parquet, JUnit, HTML, Markdown and console outputs) and harness/suite (the
// Ginkgo DSL). docs/architecture.md draws the arrows between them.
package heval
