// Package markdown writes a run's summary as GitHub-flavoured Markdown: run metadata, a
// table per evaluator (n, mean, p50, p90, min, max, pass rate, errors, values not
// submitted), the comparison with a baseline, the suite-level checks and the errors.
//
// In GitHub Actions, write it to the job summary: open [StepSummaryPath] in append mode
// (other steps write to the same file) and pass the file to [New] or [Write]. Text from
// samples and evaluators is escaped so that it cannot break a table or inject HTML.
package markdown
