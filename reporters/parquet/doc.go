// Package parquet writes and reads heval's Parquet files: a run's scores in the long format
// documented in docs/parquet-schema.md, one row per (sample, score key, repeat), and its
// samples table, one row per sample with its answer, reference, inputs and properties, for
// analysis in DuckDB, pandas, Polars or Spark and for `heval report`.
//
// [NewWriter] returns a [heval.Handler] that streams score rows as records arrive, in row
// groups of bounded size (zstd compression, dictionary encoding on the repeating string
// columns, microsecond UTC timestamps, nulls exactly where a value is absent), and records
// the run's description (with every evaluator's spec, direction and declaration), the schema
// version, the run's summary and two checksums in the file's key/value metadata;
// [NewSamplesWriter] writes the samples table the same way. [ReadRun] reads a scores file
// and the samples table beside it back into records whose samples show the same answers;
// [Open], [OpenFile] and [ReadFile] read a scores file alone. Every reader checks the
// footer and the schema and verifies the checksums, and refuses a corrupt file with an
// error wrapping [ErrCorrupt], never a panic.
// [Merge] and [MergeSamples] join the files of several shards or runs into one, in a
// deterministic order.
package parquet
