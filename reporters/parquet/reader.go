package parquet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	pq "github.com/parquet-go/parquet-go"
)

// Errors returned when a file cannot be read as a heval scores file.
var (
	// ErrNotScoresFile means the Parquet file has no heval schema version in its metadata:
	// it was not written by heval.
	ErrNotScoresFile = errors.New("parquet: not a heval scores file (no " + MetaSchemaVersion + " metadata)")
	// ErrSchemaVersion means the file was written with a schema version this heval does not
	// know; a newer heval can read it.
	ErrSchemaVersion = errors.New("parquet: unsupported heval schema version")
)

// File is an opened heval scores file.
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

	pf     *pq.File
	closer io.Closer
}

// Open opens a heval scores file of the given size.
func Open(r io.ReaderAt, size int64) (*File, error) {
	pf, err := pq.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("parquet: opening file: %w", err)
	}
	f := &File{pf: pf}
	v, ok := pf.Lookup(MetaSchemaVersion)
	if !ok {
		return nil, ErrNotScoresFile
	}
	f.SchemaVersion, err = strconv.Atoi(v)
	if err != nil || f.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%w %q: this heval reads version %d; use the heval version that wrote the file or a newer one",
			ErrSchemaVersion, v, SchemaVersion)
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
	return f, nil
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
		rd := pq.NewGenericReader[row](f.pf)
		defer rd.Close()
		buf := make([]row, 256)
		var (
			cur     heval.Record
			curKey  recordKey
			have    bool
			lastRun string
		)
		for {
			n, err := rd.Read(buf)
			for i := range buf[:n] {
				r := &buf[i]
				k := recordKey{r.RunID, r.RequestID, r.Evaluator, r.Repeat}
				if have && k == curKey {
					appendValue(&cur, r)
					continue
				}
				if have && !yield(cur, nil) {
					return
				}
				var prev *heval.Sample
				if have && lastRun == r.RunID {
					prev = cur.Sample
				}
				cur, curKey, have, lastRun = newRecord(r, prev), k, true, r.RunID
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				yield(heval.Record{}, fmt.Errorf("parquet: reading rows: %w", err))
				return
			}
		}
		if have {
			yield(cur, nil)
		}
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
	return a.Kind == b.Kind && a.RequestID == b.RequestID && a.ExperimentID == b.ExperimentID &&
		a.HypothesisID == b.HypothesisID && a.Hypothesis == b.Hypothesis && a.Model == b.Model &&
		a.Provider == b.Provider && a.PromptVersionID == b.PromptVersionID &&
		a.DatasetRowID == b.DatasetRowID && a.RowIndex == b.RowIndex &&
		a.PromptTokens == b.PromptTokens && a.CompletionTokens == b.CompletionTokens &&
		a.Latency == b.Latency && a.CreatedAt.Equal(b.CreatedAt)
}

// ReadFile reads a whole heval scores file: the run's description and every record, in
// file order. Use [Open] and [File.Records] to stream large files.
func ReadFile(path string) (heval.RunInfo, []heval.Record, error) {
	fh, f, err := openPath(path)
	if err != nil {
		return heval.RunInfo{}, nil, err
	}
	defer fh.Close()
	var recs []heval.Record
	for rec, err := range f.Records() {
		if err != nil {
			return f.Info, recs, fmt.Errorf("%s: %w", path, err)
		}
		recs = append(recs, rec)
	}
	return f.Info, recs, nil
}

// OpenFile opens the heval scores file at path; close the returned io.Closer when done
// with the File.
func OpenFile(path string) (*File, io.Closer, error) {
	fh, f, err := openPath(path)
	if err != nil {
		return nil, nil, err
	}
	return f, fh, nil
}

func openPath(path string) (*os.File, *File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("parquet: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("parquet: %w", err)
	}
	f, err := Open(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return fh, f, nil
}
