// Package outputs wires the reports of a run, once, for every caller: `heval run`,
// `heval demo` and a Ginkgo suite ([github.com/heval-dev/heval/harness/suite]) open the
// same [Set] and get the same files from the same code:
//
//   - DIR/scores.parquet and DIR/samples.parquet (package reporters/parquet),
//   - DIR/junit.xml (reporters/junit),
//   - DIR/report.html (reporters/html), unless Options.NoHTML,
//   - the Markdown summary (reporters/markdown) in Options.Markdown, and appended to
//     $GITHUB_STEP_SUMMARY when that is set,
//   - the console summary (reporters/console) on Options.Console.
//
// Every file is written under a temporary name in its final directory and renamed into
// place by [Set.Close], so an earlier run's reports are replaced only by complete ones;
// [Set.Discard] leaves them untouched. An open set locks its directory: a second run (or
// suite) writing to the same directory fails at once with a clear error instead of
// interleaving the files and the delivery journal.
//
// The files are written at the same time: [Set.Handler] hands the records, in batches, to
// one goroutine per file (the aggregate behind the console, HTML and Markdown summaries
// is one of them), each behind a short queue, so that the run only hands records off and
// a slow file holds it back rather than letting records pile up. Every file still sees
// every record in the order of the run, and an error names the file it came from. The
// records are read after Record returns, so the caller must not change them afterwards
// (the harness never does).
package outputs
