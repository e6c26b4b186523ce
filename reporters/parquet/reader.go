package parquet

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heval-dev/heval"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Errors returned when a file cannot be read as a heval scores file.
var (
	// ErrNotScoresFile means the Parquet file has no heval schema version in its metadata:
	// it was not written by heval.
	ErrNotScoresFile = errors.New("parquet: not a heval scores file")
	// ErrSchemaVersion means the file was written with a schema version this heval does not
	// know; a newer heval can read it.
	ErrSchemaVersion = errors.New("parquet: unsupported heval schema version")
)

// File is an opened heval scores file (or samples table).
type File struct {
	// Info describes the run. For a merged file it is the first merged run's description
	// with Shard cleared; Runs lists every merged run.
	Info heval.RunInfo
	// Runs are the runs whose rows the file holds: Info alone, or every file merged into it.
	Runs []heval.RunInfo
	// Summary is the run's summary; HasSummary is false when the file has none.
	Summary    heval.Summary
	HasSummary bool
	// SchemaVersion is the file's schema version.
	SchemaVersion int

	table  string
	pf     *pq.File
	closer io.Closer
}

// Open opens a heval scores file of the given size. A file that is not a heval file, or
// whose footer cannot be read, is an error; a corrupt file's error wraps [ErrCorrupt]. The
// rows are read, and the file's checksum verified, by [File.Records].
func Open(r io.ReaderAt, size int64) (*File, error) {
	f, err := open(r, size)
	if err != nil {
		return nil, err
	}
	if f.table != tableScores {
		return nil, fmt.Errorf("%w: it holds the %s table; give the scores file (scores.parquet)", ErrNotScoresFile, f.table)
	}
	return f, nil
}

// open opens a heval file of either table.
func open(r io.ReaderAt, size int64) (f *File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, corrupt(p)
		}
	}()
	if err := checkFrame(r, size); err != nil {
		return nil, err
	}
	pf, err := pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		if errors.Is(err, pq.ErrCorrupted) {
			return nil, fmt.Errorf("parquet: %w: %v", ErrCorrupt, err)
		}
		return nil, fmt.Errorf("parquet: opening file: %w", err)
	}
	f = &File{pf: pf, table: tableScores}
	v, ok := pf.Lookup(MetaSchemaVersion)
	if !ok {
		return nil, fmt.Errorf("%w: it has no %s metadata, so heval did not write it", ErrNotScoresFile, MetaSchemaVersion)
	}
	f.SchemaVersion, err = strconv.Atoi(v)
	if err != nil || f.SchemaVersion < oldestReadable || f.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("%w %q: this heval reads versions %d to %d; use the heval version that wrote the file or a newer one",
			ErrSchemaVersion, v, oldestReadable, SchemaVersion)
	}
	if t, ok := pf.Lookup(MetaTable); ok {
		f.table = t
	}
	if f.table != tableScores && f.table != tableSamples {
		return nil, fmt.Errorf("%w: its %s is %q", ErrNotScoresFile, MetaTable, f.table)
	}
	if s, ok := pf.Lookup(MetaRun); ok {
		var m runMeta
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("parquet: reading the %s metadata: %w", MetaRun, err)
		}
		f.Info = m.info()
	}
	f.Runs = []heval.RunInfo{f.Info}
	if s, ok := pf.Lookup(MetaRuns); ok {
		var ms []runMeta
		if err := json.Unmarshal([]byte(s), &ms); err != nil {
			return nil, fmt.Errorf("parquet: reading the %s metadata: %w", MetaRuns, err)
		}
		f.Runs = f.Runs[:0]
		for _, m := range ms {
			f.Runs = append(f.Runs, m.info())
		}
	}
	if s, ok := pf.Lookup(MetaSummary); ok {
		var m summaryMeta
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("parquet: reading the %s metadata: %w", MetaSummary, err)
		}
		f.Summary, f.HasSummary = m.summary(), true
	}
	if err := checkColumnChunks(pf, size); err != nil {
		return nil, err
	}
	if err := checkSchema(pf, f.table); err != nil {
		return nil, err
	}
	if f.SchemaVersion >= 2 {
		if _, ok := pf.Lookup(MetaChecksum); !ok {
			return nil, fmt.Errorf("parquet: %w: it has no %s metadata (an unfinished or damaged file)", ErrCorrupt, MetaChecksum)
		}
		want, ok := pf.Lookup(MetaDataChecksum)
		if !ok {
			return nil, fmt.Errorf("parquet: %w: it has no %s metadata (an unfinished or damaged file)", ErrCorrupt, MetaDataChecksum)
		}
		got, err := dataChecksum(r, 4, dataEnd(pf))
		if err != nil {
			return nil, fmt.Errorf("parquet: %w: %v", ErrCorrupt, err)
		}
		if got != want {
			return nil, fmt.Errorf("parquet: %w: its pages do not match the checksum written with them (%s, read %s): the file was changed after heval wrote it; write it again, or use an intact copy", ErrCorrupt, shown(want), got)
		}
	}
	return f, nil
}

// checkFrame checks a Parquet file's frame before the Parquet reader trusts it: the magic
// number at both ends, and a footer length that fits in the file (parquet-go allocates
// whatever length the file claims).
func checkFrame(r io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("parquet: opening file: %w: %d bytes is too short for a Parquet file", ErrNotScoresFile, size)
	}
	var head, tail [8]byte
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return fmt.Errorf("parquet: opening file: %w", err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("parquet: opening file: %w", err)
	}
	if string(head[:4]) != "PAR1" || string(tail[4:]) != "PAR1" {
		return fmt.Errorf("parquet: opening file: %w: it does not start and end with the Parquet magic number PAR1 (not a Parquet file, or a damaged one)", ErrNotScoresFile)
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 {
		return fmt.Errorf("parquet: %w: its footer length %d is larger than the file (%d bytes)", ErrCorrupt, n, size)
	}
	return nil
}

// checkColumnChunks refuses a footer that heval cannot have written, before any page is
// decoded: heval compresses every column with zstd (a footer naming another codec is
// corrupt, and decoding zstd data as another codec can exhaust memory), and the column
// chunks lie within the file one after the other from its start, each with its dictionary
// (when it is dictionary-encoded) before its data.
func checkColumnChunks(pf *pq.File, size int64) error {
	next := int64(4) // where the next column chunk starts: they follow each other
	for i, rg := range pf.Metadata().RowGroups {
		if rg.NumRows < 0 {
			return fmt.Errorf("parquet: %w: row group %d has %d rows", ErrCorrupt, i, rg.NumRows)
		}
		for j := range rg.Columns {
			m := &rg.Columns[j].MetaData
			start, end := chunkRange(m)
			at := next
			next = end
			switch {
			case m.Codec != format.Zstd && m.Codec != format.Uncompressed:
				return fmt.Errorf("parquet: %w: column %d of row group %d says it is compressed with %s; heval compresses with zstd", ErrCorrupt, j, i, m.Codec)
			case start < 4 || m.TotalCompressedSize < 0 || end > size || m.NumValues < 0:
				return fmt.Errorf("parquet: %w: column %d of row group %d lies outside the file (bytes %d to %d of %d)", ErrCorrupt, j, i, start, end, size)
			case m.DictionaryPageOffset < 0 || m.DictionaryPageOffset > 0 && m.DictionaryPageOffset >= m.DataPageOffset:
				return fmt.Errorf("parquet: %w: column %d of row group %d has its dictionary at byte %d, not before its data at byte %d", ErrCorrupt, j, i, m.DictionaryPageOffset, m.DataPageOffset)
			case m.DataPageOffset >= end:
				return fmt.Errorf("parquet: %w: column %d of row group %d has its data at byte %d, past its end at byte %d", ErrCorrupt, j, i, m.DataPageOffset, end)
			case start != at:
				return fmt.Errorf("parquet: %w: column %d of row group %d starts at byte %d, where the column before it ends at byte %d (heval writes them one after the other)", ErrCorrupt, j, i, start, at)
			case m.DictionaryPageOffset == 0 && slices.ContainsFunc(m.Encoding, dictionaryEncoding):
				// The pages would be decoded without their dictionary.
				return fmt.Errorf("parquet: %w: column %d of row group %d is dictionary-encoded but has no dictionary", ErrCorrupt, j, i)
			}
		}
	}
	return nil
}

// dictionaryEncoding reports whether data pages of encoding e need a dictionary (heval's
// writer encodes them RLE_DICTIONARY, never the deprecated PLAIN_DICTIONARY).
func dictionaryEncoding(e format.Encoding) bool { return e == format.RLEDictionary }

// tableSchemas are the schemas heval writes, by table.
var tableSchemas = map[string]*pq.Schema{tableScores: pq.SchemaOf(row{}), tableSamples: pq.SchemaOf(sampleRow{})}

// checkSchema refuses a file whose schema heval cannot have written for its table, before
// any row is read: every column must be one of the table's (a file of an older schema
// version has fewer), of the same type, logical type and repetition. The Parquet reader
// trusts the schema: a column marked required whose pages hold an optional column's
// levels makes it read values that are not there.
func checkSchema(pf *pq.File, table string) error {
	return checkNode(pf.Schema(), tableSchemas[table], table, "")
}

func checkNode(got, want pq.Node, table, path string) error {
	if g, w := nodeShape(got), nodeShape(want); g != w {
		return fmt.Errorf("parquet: %w: its column %s is %s, where heval writes %s", ErrCorrupt, shown(path), g, w)
	}
	if got.Leaf() {
		return nil
	}
	for _, f := range got.Fields() {
		p := f.Name()
		if path != "" {
			p = path + "." + p
		}
		w := fieldNamed(want, f.Name())
		if w == nil {
			return fmt.Errorf("parquet: %w: it has a column %s, which heval does not write in its %s table", ErrCorrupt, shown(p), table)
		}
		if err := checkNode(f, w, table, p); err != nil {
			return err
		}
	}
	return nil
}

// nodeShape says what checkNode compares of a node: its repetition, and a leaf's type and
// logical type.
func nodeShape(n pq.Node) string {
	rep := "required"
	switch {
	case n.Optional():
		rep = "optional"
	case n.Repeated():
		rep = "repeated"
	}
	if !n.Leaf() {
		return rep + " group"
	}
	shape := rep + " " + n.Type().Kind().String()
	if lt := n.Type().LogicalType(); lt != nil {
		shape += " (" + lt.String() + ")"
	}
	return shape
}

// fieldNamed is the field of group n named name, or nil.
func fieldNamed(n pq.Node, name string) pq.Field {
	for _, f := range n.Fields() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// chunkRange is where a column chunk's pages are.
func chunkRange(m *format.ColumnMetaData) (start, end int64) {
	start = m.DataPageOffset
	if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < start {
		start = m.DictionaryPageOffset
	}
	return start, start + m.TotalCompressedSize
}

// dataEnd is the end of the last column chunk of the file.
func dataEnd(pf *pq.File) int64 {
	end := int64(4)
	for _, rg := range pf.Metadata().RowGroups {
		for j := range rg.Columns {
			_, e := chunkRange(&rg.Columns[j].MetaData)
			end = max(end, e)
		}
	}
	return end
}

// verifyRowChecksum is turned off by tests only, to measure what the checksum of the rows
// catches beyond the checksum of the pages (which is always verified, so that the Parquet
// reader never decodes a damaged page).
var verifyRowChecksum = true

// corrupt turns a panic of the Parquet reader into an error.
func corrupt(p any) error {
	return fmt.Errorf("parquet: %w (the Parquet reader failed on it: %v)", ErrCorrupt, p)
}

// kv returns the file's key/value metadata.
func (f *File) kv() map[string]string {
	out := map[string]string{}
	for _, e := range f.pf.Metadata().KeyValueMetadata {
		out[e.Key] = e.Value
	}
	return out
}

// verify compares the checksum of what was read with the one the file carries; files of
// schema version 1 carry none.
func (f *File) verify(sum *checksum) error {
	want, ok := f.pf.Lookup(MetaChecksum)
	if !ok || !verifyRowChecksum {
		return nil
	}
	sum.meta(f.kv())
	if got := sum.String(); got != want {
		return fmt.Errorf("parquet: %w: its content does not match the checksum written with it (%s, read %s): it was changed after heval wrote it; write it again, or use an intact copy", ErrCorrupt, shown(want), got)
	}
	return nil
}

// shown is a value of a file's metadata as an error shows it: as it is when it is
// printable text of at most 80 bytes, else quoted and cut there (a damaged file's metadata
// can hold any bytes, which a terminal or a CI log should not be sent).
func shown(s string) string {
	const most = 80
	if len(s) <= most && !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) {
		return s
	}
	if len(s) > most {
		return strconv.Quote(s[:most]) + "…"
	}
	return strconv.Quote(s)
}

// readRows reads rows into buf, turning a panic of the Parquet reader into an error.
func readRows[T any](rd *pq.GenericReader[T], buf []T) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, corrupt(p)
		}
	}()
	n, err = rd.Read(buf)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("parquet: %w: reading rows: %v", ErrCorrupt, err)
	}
	return n, err
}

// newReader opens a row reader, turning a panic of the Parquet reader into an error.
func newReader[T any](pf *pq.File) (rd *pq.GenericReader[T], err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, corrupt(p)
		}
	}()
	return pq.NewGenericReader[T](pf), nil
}

// closeReader closes a row reader, ignoring a panic of a reader of a corrupt file.
func closeReader[T any](rd *pq.GenericReader[T]) {
	defer func() { _ = recover() }()
	rd.Close()
}

// NumRows returns the number of rows in the file.
func (f *File) NumRows() int64 { return f.pf.NumRows() }

// Metadata returns the value of a key/value metadata entry of the file.
func (f *File) Metadata(key string) (string, bool) { return f.pf.Lookup(key) }

// Records streams the file's records: consecutive rows with the same run id, request id,
// evaluator and repeat form one record, as the writer wrote them. Each record's Sample
// carries the metadata columns (it has no body, inputs or properties); consecutive records
// of one request share a Sample. The iteration stops at the first error.
func (f *File) Records() iter.Seq2[heval.Record, error] {
	return func(yield func(heval.Record, error) bool) {
		f.each(func(r heval.Record, _ string, err error) bool { return yield(r, err) })
	}
}

// each streams the records as Records does, with the run id of each.
func (f *File) each(yield func(heval.Record, string, error) bool) {
	rd, err := newReader[row](f.pf)
	if err != nil {
		yield(heval.Record{}, "", err)
		return
	}
	defer closeReader(rd)
	buf := make([]row, 256)
	var (
		cur     heval.Record
		curKey  recordKey
		have    bool
		lastRun string
		sum     checksum
	)
	for {
		n, err := readRows(rd, buf)
		for i := range buf[:n] {
			r := &buf[i]
			sum.add(r)
			k := recordKey{r.RunID, r.RequestID, r.Evaluator, r.Repeat}
			if have && k == curKey {
				appendValue(&cur, r)
				continue
			}
			if have && !yield(cur, lastRun, nil) {
				return
			}
			var prev *heval.Sample
			if have && lastRun == r.RunID {
				prev = cur.Sample
			}
			cur, curKey, have, lastRun = newRecord(r, prev), k, true, r.RunID
		}
		clear(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			yield(heval.Record{}, "", err)
			return
		}
	}
	if err := f.verify(&sum); err != nil {
		yield(heval.Record{}, "", err)
		return
	}
	if have {
		yield(cur, lastRun, nil)
	}
}

type recordKey struct {
	run, request, evaluator string
	repeat                  int64
}

func newRecord(r *row, prev *heval.Sample) heval.Record {
	rec := heval.Record{
		Evaluator:   r.Evaluator,
		Repeat:      int(r.Repeat),
		Reason:      str(r.Reason),
		DeliveryErr: str(r.DeliveryError),
		Submitted:   r.Submitted,
		Duration:    time.Duration(r.EvaluatorDurationUS) * time.Microsecond,
	}
	if str(r.ErrorKind) != errorKindDelivery {
		rec.Err, rec.ErrKind = str(r.Error), heval.ErrorKind(str(r.ErrorKind))
	} else if rec.DeliveryErr == "" {
		rec.DeliveryErr = str(r.Error)
	}
	if f := str(r.Failures); f != "" {
		rec.Failures = strings.Split(f, "\n")
	}
	s := sampleOf(r)
	if prev != nil && sameSample(prev, &s) {
		rec.Sample = prev
	} else {
		rec.Sample = &s
	}
	appendValue(&rec, r)
	return rec
}

func appendValue(rec *heval.Record, r *row) {
	if r.Value == nil {
		return
	}
	t := heval.ValueType(str(r.ValueType))
	if t == "" {
		t = heval.Number
	}
	rec.Values = append(rec.Values, heval.Value{Key: r.ScoreKey, Value: *r.Value, Type: t})
}

func sampleOf(r *row) heval.Sample {
	s := heval.Sample{
		Kind:             heval.Kind(r.SampleKind),
		RequestID:        r.RequestID,
		ExperimentID:     str(r.ExperimentID),
		Experiment:       str(r.Experiment),
		HypothesisID:     str(r.HypothesisID),
		Hypothesis:       str(r.Hypothesis),
		Model:            str(r.Model),
		Provider:         str(r.Provider),
		PromptVersionID:  str(r.PromptVersionID),
		DatasetRowID:     str(r.DatasetRowID),
		PromptTokens:     i64(r.PromptTokens),
		CompletionTokens: i64(r.CompletionTokens),
		Latency:          time.Duration(i64(r.LatencyMS)) * time.Millisecond,
	}
	if r.RowIndex != nil {
		s.RowIndex = int(*r.RowIndex)
	}
	if r.RequestCreatedAt != nil {
		s.CreatedAt = time.UnixMicro(*r.RequestCreatedAt).UTC()
	}
	return s
}

func sameSample(a, b *heval.Sample) bool {
	return a.Kind == b.Kind && a.RequestID == b.RequestID && a.ExperimentID == b.ExperimentID && a.Experiment == b.Experiment &&
		a.HypothesisID == b.HypothesisID && a.Hypothesis == b.Hypothesis && a.Model == b.Model &&
		a.Provider == b.Provider && a.PromptVersionID == b.PromptVersionID &&
		a.DatasetRowID == b.DatasetRowID && a.RowIndex == b.RowIndex &&
		a.PromptTokens == b.PromptTokens && a.CompletionTokens == b.CompletionTokens &&
		a.Latency == b.Latency && a.CreatedAt.Equal(b.CreatedAt)
}

// ReadFile reads a whole heval scores file: the run's description and every record, in
// file order. Use [Open] and [File.Records] to stream large files, and [ReadRun] to read the
// samples table and the summary as well. Errors start with "reading PATH: ".
func ReadFile(path string) (heval.RunInfo, []heval.Record, error) {
	run, err := readRun(path, false)
	if err != nil {
		return heval.RunInfo{}, nil, err
	}
	return run.Info, run.Records, nil
}

// Run is a run read back from its files by [ReadRun].
type Run struct {
	// Info, Runs, Summary and HasSummary are the scores file's (see [File]).
	Info       heval.RunInfo
	Runs       []heval.RunInfo
	Summary    heval.Summary
	HasSummary bool
	// Records are the file's records, in file order. When the samples table was read, each
	// record's Sample carries its content: inputs, properties, and the answer and reference
	// text (or why the answer could not be read), as the run saw them.
	Records []heval.Record
	// SamplesPath is the samples table that was read, "" when there was none.
	SamplesPath string
}

// ReadRun reads the scores file at path and, when there is one, the samples table beside
// it ([SamplesFile] in the same directory, or the file named by samples when it is not
// ""). Every file's checksum is verified. Errors start with "reading PATH: ".
func ReadRun(path string, samples ...string) (*Run, error) {
	run, err := readRun(path, true, samples...)
	if err != nil {
		return nil, err
	}
	return run, nil
}

func readRun(path string, withSamples bool, samples ...string) (*Run, error) {
	fh, f, err := openPath(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	run := &Run{Info: f.Info, Runs: f.Runs, Summary: f.Summary, HasSummary: f.HasSummary}
	if f.table != tableScores {
		return nil, fmt.Errorf("reading %s: %w: it holds the %s table; give the scores file (scores.parquet) beside it", path, ErrNotScoresFile, f.table)
	}
	var runIDs []string
	var rerr error
	f.each(func(rec heval.Record, runID string, err error) bool {
		if err != nil {
			rerr = err
			return false
		}
		run.Records = append(run.Records, rec)
		runIDs = append(runIDs, runID)
		return true
	})
	if rerr != nil {
		return nil, fmt.Errorf("reading %s: %w", path, rerr)
	}
	if !withSamples {
		return run, nil
	}
	sp := filepath.Join(filepath.Dir(path), SamplesFile)
	explicit := len(samples) > 0 && samples[0] != ""
	if explicit {
		sp = samples[0]
	} else if _, err := os.Stat(sp); err != nil {
		return run, nil
	}
	contents, err := readSamples(sp)
	if err != nil {
		return nil, err
	}
	run.SamplesPath = sp
	attach(run.Records, runIDs, contents)
	return run, nil
}

// readSamples reads a samples table into the content of each (run id, request id).
func readSamples(path string) (map[recordKey]*content, error) {
	fh, f, err := openPath(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if f.table != tableSamples {
		return nil, fmt.Errorf("reading %s: %w: it holds the %s table, not the samples table", path, ErrNotScoresFile, f.table)
	}
	rd, err := newReader[sampleRow](f.pf)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer closeReader(rd)
	out := map[recordKey]*content{}
	buf := make([]sampleRow, 128)
	var sum checksum
	for {
		n, err := readRows(rd, buf)
		for i := range buf[:n] {
			r := &buf[i]
			sum.add(r)
			k := recordKey{run: r.RunID, request: r.RequestID}
			if _, dup := out[k]; dup {
				continue
			}
			out[k] = &content{answer: str(r.Answer), answerErr: str(r.AnswerError), reference: str(r.Reference),
				inputs: nilIfEmpty(r.Inputs), properties: nilIfEmpty(r.Properties)}
		}
		clear(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	if err := f.verify(&sum); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// attach gives each record's sample its content; records of one sample share the sample.
func attach(recs []heval.Record, runIDs []string, contents map[recordKey]*content) {
	done := map[*heval.Sample]*heval.Sample{}
	for i := range recs {
		s := recs[i].Sample
		if s == nil {
			continue
		}
		if d, ok := done[s]; ok {
			recs[i].Sample = d
			continue
		}
		c, ok := contents[recordKey{run: runIDs[i], request: s.RequestID}]
		if !ok {
			done[s] = s
			continue
		}
		ns := withContent(*s, c)
		done[s] = &ns
		recs[i].Sample = &ns
	}
}

// OpenFile opens the heval scores file at path; close the returned io.Closer when done
// with the File.
func OpenFile(path string) (*File, io.Closer, error) {
	fh, f, err := openPath(path)
	if err != nil {
		return nil, nil, err
	}
	if f.table != tableScores {
		fh.Close()
		return nil, nil, fmt.Errorf("reading %s: %w: it holds the %s table; give the scores file (scores.parquet)", path, ErrNotScoresFile, f.table)
	}
	return f, fh, nil
}

func openPath(path string) (*os.File, *File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	f, err := open(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return fh, f, nil
}
