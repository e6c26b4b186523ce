// Command heval evaluates LLM answers logged to Helicone: it fetches a Helicone dataset and
// its tagged hypothesis runs (hosted Helicone today), a set of logged requests (any
// Helicone) or an experiment (self-hosted Helicone before the 2025-10 migration), runs
// evaluators over every sample concurrently, submits the integer and boolean scores back to
// Helicone, reads them back with --verify, and writes Parquet, JUnit XML, Markdown and HTML
// reports.
//
// Run `heval help` for the subcommands and exit codes, and `heval help COMMAND` (or
// `heval COMMAND -h`) for a command's flags and examples. A mistyped command, flag, filter,
// threshold key, hypothesis or --group-by property is an error naming the nearest one; a
// run that matches no samples fails (exit 1) saying what there is, unless --allow-empty; a
// run that fails before its first sample leaves the previous reports as they were.
package main
