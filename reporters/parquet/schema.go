package parquet

// SchemaVersion is the version of the column layout written by [Writer] and
// [SamplesWriter]. It is stored in the file's key/value metadata under [MetaSchemaVersion]
// and grows when a column is added, removed or changes meaning. Version 2 added the
// columns experiment, evaluator_spec and direction, the samples table, and the checksum.
const SchemaVersion = 2

// oldestReadable is the oldest schema version the reader still reads (its files have no
// samples table and no checksum; the columns added since read as null).
const oldestReadable = 1

// The key/value metadata keys of a heval scores file.
const (
	// MetaSchemaVersion holds [SchemaVersion] as a decimal string.
	MetaSchemaVersion = "heval.schema_version"
	// MetaRun holds the run's description as a JSON object (see docs/parquet-schema.md).
	MetaRun = "heval.run"
	// MetaRuns holds, in a merged file, the JSON array of every merged file's run.
	MetaRuns = "heval.runs"
	// MetaSummary holds the run's summary as a JSON object; absent when the writer was not
	// finished with a summary.
	MetaSummary = "heval.summary"
	// MetaTable says which table the file holds: "scores" ([Writer]) or "samples"
	// ([SamplesWriter]).
	MetaTable = "heval.table"
	// MetaChecksum holds the checksum of the file's rows and of its other key/value
	// metadata, "crc32c:" and 8 hex digits; the reader verifies it (see docs/parquet-schema.md).
	MetaChecksum = "heval.checksum"
	// MetaDataChecksum holds the CRC-32C of the file's bytes from the end of its leading
	// magic number to the end of its last column chunk (every page header and page),
	// verified before any page is decoded.
	MetaDataChecksum = "heval.data_checksum"
	// The following keys repeat single fields of MetaRun so that tools that read key/value
	// metadata as flat strings (DuckDB's parquet_kv_metadata, pyarrow) need no JSON.
	MetaRunID     = "heval.run_id"
	MetaStarted   = "heval.run_started"
	MetaSource    = "heval.source"
	MetaVersion   = "heval.version"
	MetaGitCommit = "heval.git_commit"
	MetaGitBranch = "heval.git_branch"
	MetaCIJobID   = "heval.ci_job_id"
	MetaShard     = "heval.shard"
	MetaDryRun    = "heval.dry_run"
)

// row is one Parquet row: one (sample, score key, repeat). request_id and dataset_row_id
// are not dictionary-encoded: nearly every request id is new, and a dataset row's id is in
// the six rows of each of its four samples, so a dictionary would cost a lookup per row and
// hold every id of the row group, while zstd finds the repeats of one record's rows next
// to each other (each makes a 100k-sample run's file 12-15% smaller). In the samples
// table, one row per sample, dataset_row_id keeps its dictionary. Every nullable column is
// a pointer field, nil for null. (parquet-go v0.32.0 wrote some runs of zero values of
// optional non-pointer fields as zeros instead of nulls; pointer fields are written exactly
// by every release since.)
type row struct {
	RunID               string  `parquet:"run_id,dict"`
	RunStarted          int64   `parquet:"run_started,timestamp(microsecond:utc)"`
	ExperimentID        *string `parquet:"experiment_id,optional,dict"`
	Experiment          *string `parquet:"experiment,optional,dict"`
	HypothesisID        *string `parquet:"hypothesis_id,optional,dict"`
	Hypothesis          *string `parquet:"hypothesis,optional,dict"`
	Model               *string `parquet:"model,optional,dict"`
	Provider            *string `parquet:"provider,optional,dict"`
	PromptVersionID     *string `parquet:"prompt_version_id,optional,dict"`
	DatasetRowID        *string `parquet:"dataset_row_id,optional"`
	RowIndex            *int64  `parquet:"row_index,optional"`
	RequestID           string  `parquet:"request_id"`
	SampleKind          string  `parquet:"sample_kind,dict"`
	Evaluator           string  `parquet:"evaluator,dict"`
	EvaluatorSpec       *string `parquet:"evaluator_spec,optional,dict"`
	ScoreKey            string  `parquet:"score_key,dict"`
	Direction           *string `parquet:"direction,optional,dict"`
	Repeat              int64   `parquet:"repeat"`
	Value               *int64  `parquet:"value,optional"`
	ValueType           *string `parquet:"value_type,optional,dict"`
	Error               *string `parquet:"error,optional,dict"`
	ErrorKind           *string `parquet:"error_kind,optional,dict"`
	DeliveryError       *string `parquet:"delivery_error,optional,dict"`
	Reason              *string `parquet:"reason,optional"`
	Failures            *string `parquet:"failures,optional"`
	Submitted           bool    `parquet:"submitted"`
	EvaluatorDurationUS int64   `parquet:"evaluator_duration_us"`
	PromptTokens        *int64  `parquet:"prompt_tokens,optional"`
	CompletionTokens    *int64  `parquet:"completion_tokens,optional"`
	LatencyMS           *int64  `parquet:"latency_ms,optional"`
	RequestCreatedAt    *int64  `parquet:"request_created_at,optional,timestamp(microsecond:utc)"`
}

// The tables a file can hold (its [MetaTable]).
const (
	tableScores  = "scores"
	tableSamples = "samples"
)

// sampleRow is one row of the samples table: what a person needs to judge one sample,
// once per sample of a run.
type sampleRow struct {
	RunID           string            `parquet:"run_id,dict"`
	RequestID       string            `parquet:"request_id,dict"`
	SampleKind      string            `parquet:"sample_kind,dict"`
	Experiment      *string           `parquet:"experiment,optional,dict"`
	Hypothesis      *string           `parquet:"hypothesis,optional,dict"`
	Model           *string           `parquet:"model,optional,dict"`
	PromptVersionID *string           `parquet:"prompt_version_id,optional,dict"`
	DatasetRowID    *string           `parquet:"dataset_row_id,optional,dict"`
	RowIndex        *int64            `parquet:"row_index,optional"`
	Answer          *string           `parquet:"answer,optional"`
	AnswerError     *string           `parquet:"answer_error,optional"`
	Reference       *string           `parquet:"reference,optional"`
	Inputs          map[string]string `parquet:"inputs"`
	Properties      map[string]string `parquet:"properties"`
}

// str is the value of a nullable string column ("" for null).
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// i64 is the value of a nullable integer column (0 for null).
func i64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// errorKindDelivery is the error_kind of a row whose error column holds a delivery error.
const errorKindDelivery = "delivery"
