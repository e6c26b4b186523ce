// Package parquet writes and reads heval scores files: a run's results in the long format
// documented in docs/parquet-schema.md, one row per (sample, score key, repeat), for
// analysis in DuckDB, pandas, Polars or Spark.
//
// [NewWriter] returns a [heval.Handler] that streams rows as records arrive, in row
// groups of bounded size (zstd compression, dictionary encoding on the repeating string
// columns, microsecond UTC timestamps), and records the run's description, the schema
// version and the run's summary in the file's key/value metadata. [Open], [OpenFile] and
// [ReadFile] read a file back into records (as `heval report` and baseline comparisons
// do); [Merge] joins the files of several shards or runs into one, in a deterministic order.
package parquet
