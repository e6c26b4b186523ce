// Package suite declares heval evaluations inside Ginkgo suites. One call of [Evaluate] at
// package level says what to judge and with what; the evaluation runs once per suite run
// (also under `ginkgo -p`, where one process evaluates and the others receive its results),
// submits the scores, writes the same reports as `heval run` (package reporters/outputs),
// and lets specs assert on the results with the Gomega matchers of harness/matchers:
//
//	var run = suite.Evaluate(datasets.DatasetExperiment("support-golden"), // a Helicone dataset and its tagged runs
//		harness.Evaluator("has_citations", evals.HasCitations),
//		harness.Evaluator("word_count", evals.WordCount),
//	)
//
//	var _ = Describe("the candidate prompt", func() {
//		It("cites its sources", func() {
//			Expect(run.Hypothesis("candidate")).To(HavePassRate("has_citations", BeNumerically(">=", 0.8)))
//		})
//	})
//
// On a self-hosted Helicone from before the 2025-10 migration, datasets.Experiment(id) is the
// same for an experiment.
//
// Evaluators labelled with Ginkgo's Label run only when the run's --label-filter selects
// them. The flags -heval.out, -heval.dry-run (a boolean), -heval.rate, -heval.concurrency and
// -heval.require (after -args for go test) configure a run; [WithVerify] reads every
// submitted score back, and [LoadBaseline] reads last night's scores for comparisons.
//
// A suite writes the reports `heval run` writes, from the same code: scores.parquet,
// samples.parquet, junit.xml, report.html, and the Markdown summary appended to
// $GITHUB_STEP_SUMMARY when that is set. They go to -heval.out (HEVAL_OUT, [WithOutDir]),
// else to [DefaultOutDir], heval-out/PACKAGE at the root of the module, so that
// `go test ./...` gathers every suite's reports under one heval-out directory for CI to
// upload; -heval.out=off writes none. After the specs ran, their outcomes are added to
// junit.xml as the suite heval/specs, a failed matcher placed at its file and line.
// A source without samples fails the suite's SynchronizedBeforeSuite with what the source
// could find instead, unless [AllowEmpty]. The results every process receives keep each
// sample's metadata, inputs, properties and answer and reference text (not its raw bodies).
//
// This is the only package of heval that imports Ginkgo; the engine (package harness) does
// not, so programs that embed it get no Ginkgo flags.
package suite
