// Command heval evaluates LLM answers logged to Helicone: it fetches an experiment or a set
// of logged requests, runs evaluators over every sample concurrently, submits the integer and
// boolean scores back to Helicone, and writes Parquet, JUnit XML, Markdown and HTML reports.
//
// Run `heval help` for the subcommands and exit codes.
package main
