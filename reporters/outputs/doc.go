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
package outputs
