// Package reporters turns one stream of evaluation results into many outputs. A run calls
// [Handler.Start] once, [Handler.Record] once per (sample, evaluator, repeat) as results
// arrive, and [Handler.Finish] once; each output (Parquet, JUnit XML, console, Markdown,
// HTML) is a Handler in a subpackage named for what it writes, and writes to an io.Writer.
package reporters
