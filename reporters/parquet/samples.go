package parquet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/heval-dev/heval"

	pq "github.com/parquet-go/parquet-go"
)

// SamplesFile is the name of the samples table next to a scores file (see [ReadRun]).
const SamplesFile = "samples.parquet"

// SamplesWriter is a [heval.Handler] that writes the samples table of a run: one row per
// sample with what a person needs to judge it (the answer text, or why it could not be
// read, the reference answer, the inputs and properties, the model and prompt version),
// keyed by run_id and request_id like the rows of the scores file, so that `heval report`
// can show the worst answers again and SQL can join answers to scores. A sample's records
// come one after another from the harness; a sample is written when its first record
// arrives. Finish does not close the underlying io.Writer.
type SamplesWriter struct {
	out io.Writer
	cfg config

	pw       *pq.GenericWriter[sampleRow]
	hw       *hashingWriter
	bw       *bufio.Writer
	buf      []sampleRow
	store    []sampleCells
	kv       map[string]string
	sum      checksum
	runID    string
	last     *heval.Sample
	lastKey  string
	rows     int64
	finished bool
	err      error
}

var _ heval.Handler = (*SamplesWriter)(nil)

// sampleCells backs the nullable columns of one buffered sample row.
type sampleCells struct {
	experiment, hypothesis, model, prompt, rowID, answer, answerErr, reference string
	rowIndex                                                                   int64
}

// NewSamplesWriter returns a SamplesWriter that writes to w. Of the options, RowGroupRows
// and Metadata apply.
func NewSamplesWriter(w io.Writer, opts ...Option) *SamplesWriter {
	cfg := config{rowGroupRows: DefaultSampleRowGroupRows}
	for _, o := range opts {
		o(&cfg)
	}
	return &SamplesWriter{out: w, cfg: cfg}
}

// DefaultSampleRowGroupRows is the default number of samples per row group of the samples
// table: its rows hold whole answers, so its row groups are smaller than the scores'.
const DefaultSampleRowGroupRows = 10_000

// Start records the run's description in the file's metadata and opens the Parquet stream.
func (w *SamplesWriter) Start(info heval.RunInfo) error {
	if w.finished {
		return ErrFinished
	}
	if w.pw != nil {
		return errors.New("parquet: Start called twice")
	}
	kv, err := fileMetadata(w.cfg.metadata, info, tableSamples)
	if err != nil {
		return err
	}
	w.kv = kv
	w.bw = bufio.NewWriterSize(w.out, 256<<10)
	w.hw = &hashingWriter{w: w.bw, skip: 4}
	w.pw = pq.NewGenericWriter[sampleRow](w.hw, writerOptions[sampleRow](w.cfg.rowGroupRows, info.Version, kv)...)
	w.buf = make([]sampleRow, 0, batchRows)
	w.store = make([]sampleCells, batchRows)
	w.runID = info.RunID
	return nil
}

// sampleKey tells one sample from another among consecutive records.
func sampleKey(s *heval.Sample) string {
	return s.RequestID + "\x00" + s.DatasetRowID + "\x00" + s.HypothesisID + "\x00" + s.Hypothesis
}

// Record writes the record's sample when it is not the sample of the previous record.
func (w *SamplesWriter) Record(r heval.Record) error {
	switch {
	case w.finished:
		return ErrFinished
	case w.pw == nil:
		return ErrNotStarted
	case w.err != nil:
		return w.err
	}
	s := r.Sample
	if s == nil {
		return nil
	}
	if s == w.last {
		return nil
	}
	key := sampleKey(s)
	if w.last != nil && key == w.lastKey {
		return nil
	}
	w.last, w.lastKey = s, key
	i := len(w.buf)
	c := &w.store[i]
	*c = sampleCells{experiment: s.Experiment, hypothesis: s.Hypothesis, model: s.Model, prompt: s.PromptVersionID,
		rowID: s.DatasetRowID, rowIndex: int64(s.RowIndex), reference: s.ReferenceText()}
	text, err := s.Answer()
	if err != nil {
		c.answerErr = err.Error()
	}
	c.answer = text
	row := sampleRow{RunID: w.runID, RequestID: s.RequestID, SampleKind: string(s.Kind),
		Inputs: s.Inputs, Properties: s.Properties}
	opt := func(v *string) *string {
		if *v == "" {
			return nil
		}
		return v
	}
	row.Experiment, row.Hypothesis, row.Model = opt(&c.experiment), opt(&c.hypothesis), opt(&c.model)
	row.PromptVersionID, row.DatasetRowID = opt(&c.prompt), opt(&c.rowID)
	if s.DatasetRowID != "" {
		row.RowIndex = &c.rowIndex
	}
	if c.answerErr == "" {
		row.Answer = &c.answer // an empty answer is an empty string, not a null
	} else {
		row.AnswerError = &c.answerErr
	}
	row.Reference = opt(&c.reference)
	w.buf = append(w.buf, row)
	w.sum.add(&w.buf[i])
	w.rows++
	if len(w.buf) == cap(w.buf) {
		return w.flush()
	}
	return nil
}

func (w *SamplesWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.pw.Write(w.buf)
	clear(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("parquet: writing samples: %w", err)
	}
	return w.err
}

// Rows returns the number of samples written so far.
func (w *SamplesWriter) Rows() int64 { return w.rows }

// Finish writes the remaining samples and the footer.
func (w *SamplesWriter) Finish(heval.Summary) error {
	switch {
	case w.finished:
		return ErrFinished
	case w.pw == nil:
		return ErrNotStarted
	case w.err != nil:
		return w.err
	}
	w.finished = true
	if err := w.flush(); err != nil {
		return err
	}
	if err := finishFile(w.pw, w.hw, w.bw, w.kv, &w.sum); err != nil {
		w.err = err
		return err
	}
	return nil
}

// content is a sample's content read back from the samples table.
type content struct {
	answer, answerErr, reference string
	inputs, properties           map[string]string
}

// withContent returns s with the content of the samples table: inputs and properties, and
// an answer and reference text read back as they were written (the raw bodies are not
// stored).
func withContent(s heval.Sample, c *content) heval.Sample {
	s.Inputs, s.Properties = c.inputs, c.properties
	s.Body, s.Reference = nil, nil
	if c.answerErr == "" {
		s.Body, _ = json.Marshal(c.answer)
	}
	if c.reference != "" {
		s.Reference, _ = json.Marshal(c.reference)
	}
	body, answer, answerErr, reference := s.Body, c.answer, c.answerErr, c.reference
	return s.ReadWith(func(b json.RawMessage) (string, error) {
		switch {
		case len(b) == 0:
			return "", errors.New(answerErr)
		case bytes.Equal(b, body):
			return answer, nil
		}
		return reference, nil
	})
}
