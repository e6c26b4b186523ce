// Command heval evaluates LLM answers logged to Helicone: it fetches a Helicone dataset and
// its tagged hypothesis runs (hosted Helicone today), a set of logged requests (any
// Helicone) or an experiment (self-hosted Helicone before the 2025-10 migration), runs
// evaluators over every sample concurrently, submits the integer and boolean scores back to
// Helicone, reads them back with --verify, and writes Parquet, JUnit XML, Markdown and HTML
// reports.
//
// Run `heval help` for the subcommands and exit codes.
package main
