// Package datasets defines what heval judges: the [Sample], one answer of an LLM application
// together with where it came from and where its scores go, and the sources that produce
// samples: Helicone experiments (dataset rows and hypothesis runs), Helicone request queries,
// and local JSONL and Parquet files.
//
// A source streams its samples as an iterator, so a run never has to hold a whole dataset
// in memory.
package datasets
