package parquet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	pq "github.com/parquet-go/parquet-go"
)

// DefaultRowGroupRows is the default number of rows per row group. A row group is held in
// memory (encoded and compressed, column by column) until it is complete, so this bounds the
// writer's memory; 100,000 long-format rows take a few megabytes.
const DefaultRowGroupRows = 100_000

// batchRows is how many rows the writer collects before handing them to parquet-go.
const batchRows = 512

// Errors returned by [Writer] when it is used out of order.
var (
	// ErrNotStarted is returned by Record and Finish before Start.
	ErrNotStarted = errors.New("parquet: writer not started: call Start before Record or Finish")
	// ErrFinished is returned by every call after Finish.
	ErrFinished = errors.New("parquet: writer already finished")
)

// Option configures a [Writer].
type Option func(*config)

type config struct {
	rowGroupRows int64
	metadata     map[string]string
}

// RowGroupRows sets the number of rows per row group (default [DefaultRowGroupRows]).
// Values below 1 select the default.
func RowGroupRows(n int) Option {
	return func(c *config) {
		if n < 1 {
			n = DefaultRowGroupRows
		}
		c.rowGroupRows = int64(n)
	}
}

// Metadata adds a key/value pair to the file's metadata. Keys starting with "heval." are
// reserved for the writer and are overwritten by it.
func Metadata(key, value string) Option {
	return func(c *config) {
		if c.metadata == nil {
			c.metadata = map[string]string{}
		}
		c.metadata[key] = value
	}
}

// Writer is a [heval.Handler] that streams a run's results to a Parquet file in the
// long format of docs/parquet-schema.md: one row per (sample, score key, repeat). Rows are
// buffered into row groups of bounded size and written as they fill; Finish writes the last
// row group and the footer. Finish does not close the underlying io.Writer.
type Writer struct {
	out io.Writer
	cfg config

	pw    *pq.GenericWriter[row]
	hw    *hashingWriter
	bw    *bufio.Writer
	buf   []row
	cells []cells // backing store of the nullable columns of buf[i]

	runID      string
	runStarted int64
	info       heval.RunInfo
	kv         map[string]string
	sum        checksum

	rows, records int64
	finished      bool
	err           error
}

var _ heval.Handler = (*Writer)(nil)

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer, opts ...Option) *Writer {
	cfg := config{rowGroupRows: DefaultRowGroupRows}
	for _, o := range opts {
		o(&cfg)
	}
	return &Writer{out: w, cfg: cfg}
}

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int64 { return w.rows }

func writerOptions[T any](rowGroupRows int64, version string, kv map[string]string) []pq.WriterOption {
	opts := []pq.WriterOption{
		pq.Compression(&zstdCodec{}),
		pq.MaxRowsPerRowGroup(rowGroupRows),
		&pq.WriterConfig{CreatedBy: createdBy(version)},
		// Unbuffered: every byte reaches the hashingWriter (which buffers) when written.
		pq.WriteBufferSize(0),
	}
	for k, v := range kv {
		opts = append(opts, pq.KeyValueMetadata(k, v))
	}
	return append(opts, skipBounds(pq.SchemaOf(new(T)))...)
}

// boundedStrings are the string columns whose minimum and maximum are written (in the
// column chunk's statistics and the column index): those that tell one run or experiment
// from another, so that a query of one run in a merged file skips the row groups of the
// others. Every other string column (request ids, labels, errors, answers) has values
// spread over every row group, where bounds skip nothing, and computing them cost a fifth
// of the scores writer's CPU. Numeric, boolean and timestamp columns always have bounds.
var boundedStrings = map[string]bool{"run_id": true, "experiment_id": true, "experiment": true}

// skipBounds returns the options that leave out the bounds of s's string columns that are
// not boundedStrings, map keys and values included.
func skipBounds(s *pq.Schema) []pq.WriterOption {
	var opts []pq.WriterOption
	for _, path := range s.Columns() {
		leaf, ok := s.Lookup(path...)
		if !ok || leaf.Node.Type().Kind() != pq.ByteArray || (len(path) == 1 && boundedStrings[path[0]]) {
			continue
		}
		opts = append(opts, pq.SkipPageBounds(path...))
	}
	return opts
}

// createdBy is the footer's created_by: "heval version V", as parquet-mr writes its own,
// with the revision heval was built from when the build recorded it.
func createdBy(version string) string {
	if version == "" {
		version = heval.Version()
	}
	s := "heval version " + version
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == "github.com/heval-dev/heval" {
		for _, st := range bi.Settings {
			if st.Key == "vcs.revision" && st.Value != "" {
				s += " (build " + st.Value + ")"
			}
		}
	}
	return s
}

// fileMetadata is the key-value metadata of a file of table: the caller's extra keys, the
// run's description (flat keys and the heval.run JSON) and the schema version.
func fileMetadata(extra map[string]string, info heval.RunInfo, table string) (map[string]string, error) {
	kv := maps.Clone(extra)
	if kv == nil {
		kv = map[string]string{}
	}
	maps.Copy(kv, flatRunMeta(info))
	kv[MetaSchemaVersion] = strconv.Itoa(SchemaVersion)
	kv[MetaTable] = table
	run, err := encodeJSON("run", toRunMeta(info))
	if err != nil {
		return nil, err
	}
	kv[MetaRun] = run
	return kv, nil
}

// Start records the run's description in the file's metadata and opens the Parquet stream.
func (w *Writer) Start(info heval.RunInfo) error {
	if w.finished {
		return ErrFinished
	}
	if w.pw != nil {
		return errors.New("parquet: Start called twice")
	}
	kv, err := fileMetadata(w.cfg.metadata, info, tableScores)
	if err != nil {
		return err
	}
	w.kv = kv
	w.bw = bufio.NewWriterSize(w.out, 256<<10)
	w.hw = &hashingWriter{w: w.bw, skip: 4}
	w.pw = pq.NewGenericWriter[row](w.hw, writerOptions[row](w.cfg.rowGroupRows, info.Version, kv)...)
	w.buf = make([]row, 0, batchRows)
	w.cells = make([]cells, batchRows)
	w.runID = info.RunID
	w.runStarted = micros(info.Started)
	w.info = info
	return nil
}

// cells holds the values of one row's nullable columns, which the row points to; an empty
// string, a zero count or a zero time is written as null.
type cells struct {
	experimentID, experiment, hypothesisID, hypothesis, model, provider, promptVersionID  string
	datasetRowID, spec, direction, valueType, err, errKind, deliveryErr, reason, failures string

	rowIndex, value, promptTokens, completionTokens, latencyMS, createdAt int64
	hasRow, hasValue                                                      bool
}

// Record appends the record's rows: one per value, or one row with a null value when the
// record has no value.
func (w *Writer) Record(r heval.Record) error {
	if err := w.usable(); err != nil {
		return err
	}
	t := row{
		RunID:               w.runID,
		RunStarted:          w.runStarted,
		Evaluator:           r.Evaluator,
		Repeat:              int64(r.Repeat),
		Submitted:           r.Submitted,
		EvaluatorDurationUS: r.Duration.Microseconds(),
	}
	c := cells{err: r.Err, errKind: string(r.ErrKind), deliveryErr: r.DeliveryErr, reason: r.Reason, spec: w.info.Spec(r.Evaluator)}
	if r.Err == "" && r.DeliveryErr != "" {
		c.err, c.errKind = r.DeliveryErr, errorKindDelivery
	} else if r.Err != "" && r.ErrKind == "" {
		c.errKind = string(heval.ErrorKindEvaluator)
	}
	if len(r.Failures) > 0 {
		c.failures = joinFailures(r.Failures)
	}
	if s := r.Sample; s != nil {
		c.experimentID, c.experiment, c.hypothesisID, c.hypothesis = s.ExperimentID, s.Experiment, s.HypothesisID, s.Hypothesis
		c.model, c.provider, c.promptVersionID, c.datasetRowID = s.Model, s.Provider, s.PromptVersionID, s.DatasetRowID
		t.RequestID = s.RequestID
		t.SampleKind = string(s.Kind)
		c.promptTokens, c.completionTokens = s.PromptTokens, s.CompletionTokens
		c.latencyMS = s.Latency.Milliseconds()
		c.createdAt = micros(s.CreatedAt)
		c.hasRow, c.rowIndex = s.DatasetRowID != "", int64(s.RowIndex)
	}
	w.records++
	if len(r.Values) == 0 {
		t.ScoreKey = r.Evaluator
		c.direction = string(w.info.Direction(r.Evaluator, r.Evaluator))
		return w.add(&t, &c)
	}
	for i := range r.Values {
		v := &r.Values[i]
		t.ScoreKey = v.Key
		c.direction = string(w.info.Direction(r.Evaluator, v.Key))
		c.hasValue, c.value, c.valueType = true, v.Value, string(v.Type)
		if c.valueType == "" {
			c.valueType = string(heval.Number)
		}
		if err := w.add(&t, &c); err != nil {
			return err
		}
	}
	return nil
}

// add buffers one row, flushing the buffer when it is full.
func (w *Writer) add(t *row, c *cells) error {
	i := len(w.buf)
	w.buf = append(w.buf, *t)
	w.cells[i] = *c
	link(&w.buf[i], &w.cells[i])
	w.sum.add(&w.buf[i])
	w.rows++
	if len(w.buf) == cap(w.buf) {
		return w.flush()
	}
	return nil
}

// link points the nullable columns of r at the values of c that are present.
func link(r *row, c *cells) {
	s := func(v *string) *string {
		if *v == "" {
			return nil
		}
		return v
	}
	n := func(v *int64) *int64 {
		if *v == 0 {
			return nil
		}
		return v
	}
	r.ExperimentID, r.Experiment, r.HypothesisID, r.Hypothesis = s(&c.experimentID), s(&c.experiment), s(&c.hypothesisID), s(&c.hypothesis)
	r.EvaluatorSpec, r.Direction = s(&c.spec), s(&c.direction)
	r.Model, r.Provider, r.PromptVersionID = s(&c.model), s(&c.provider), s(&c.promptVersionID)
	r.DatasetRowID = s(&c.datasetRowID)
	r.RowIndex, r.Value = nil, nil
	if c.hasRow {
		r.RowIndex = &c.rowIndex
	}
	if c.hasValue {
		r.Value = &c.value
	}
	r.ValueType, r.Error, r.ErrorKind = s(&c.valueType), s(&c.err), s(&c.errKind)
	r.DeliveryError, r.Reason, r.Failures = s(&c.deliveryErr), s(&c.reason), s(&c.failures)
	r.PromptTokens, r.CompletionTokens, r.LatencyMS = n(&c.promptTokens), n(&c.completionTokens), n(&c.latencyMS)
	r.RequestCreatedAt = n(&c.createdAt)
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.pw.Write(w.buf)
	clear(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("parquet: writing rows: %w", err)
		return w.err
	}
	return nil
}

func (w *Writer) usable() error {
	switch {
	case w.finished:
		return ErrFinished
	case w.pw == nil:
		return ErrNotStarted
	}
	return w.err
}

// Finish writes the remaining rows, the run's summary (as key/value metadata) and the
// file footer.
func (w *Writer) Finish(s heval.Summary) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.finished = true
	if err := w.flush(); err != nil {
		return err
	}
	m := toSummaryMeta(s)
	m.Rows, m.Records = w.rows, w.records
	sum, sumErr := encodeJSON("summary", m)
	if sumErr == nil {
		w.pw.SetKeyValueMetadata(MetaSummary, sum)
		w.kv[MetaSummary] = sum
	}
	if err := finishFile(w.pw, w.hw, w.bw, w.kv, &w.sum); err != nil {
		w.err = err
		return err
	}
	// The file is complete; only the summary is missing when it could not be encoded.
	return sumErr
}

// finishFile writes the last row group, the checksums and the footer of a file, and
// flushes it to the underlying writer.
func finishFile[T any](pw *pq.GenericWriter[T], hw *hashingWriter, bw *bufio.Writer, kv map[string]string, sum *checksum) error {
	if err := pw.Flush(); err != nil {
		return fmt.Errorf("parquet: writing rows: %w", err)
	}
	kv[MetaDataChecksum] = hw.String()
	pw.SetKeyValueMetadata(MetaDataChecksum, kv[MetaDataChecksum])
	sum.meta(kv)
	pw.SetKeyValueMetadata(MetaChecksum, sum.String())
	if err := pw.Close(); err != nil {
		return fmt.Errorf("parquet: closing file: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("parquet: writing file: %w", err)
	}
	return nil
}

// micros returns t as microseconds since the Unix epoch, or 0 (written as null where the
// column is nullable) for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// joinFailures joins failure sentences with newlines; newlines inside a sentence become
// spaces so that the column splits back into the same sentences.
func joinFailures(fs []string) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(f))
	}
	return b.String()
}
