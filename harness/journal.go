package harness

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
)

// JournalFile is the journal's file name in an output directory, where `heval run` and
// suites keep it beside the reports.
const JournalFile = "journal.jsonl"

// The journal is an append-only file of JSON lines, one per score write the server
// acknowledged: the run, the sample, the stored keys and values that were sent, and the
// records of every evaluator on that sample (so a resumed run can report them without
// running the evaluators again). Lines are written by one goroutine in small batches, each
// batch fsync'd. A crash can lose at most the last unsynced batch, whose samples a resumed
// run sends again; re-sending is harmless because the server merges scores per key. A torn
// last line is ignored on read.

type journalEntry struct {
	Run        string          `json:"run"`
	RequestID  string          `json:"rid"`
	Kind       string          `json:"kind,omitempty"`
	Hypothesis string          `json:"hyp,omitempty"`
	Row        string          `json:"row,omitempty"`
	Sent       helicone.Scores `json:"sent"`
	At         time.Time       `json:"at"`
	Records    []journalRecord `json:"recs"`
}

type journalRecord struct {
	Evaluator string         `json:"e"`
	Repeat    int            `json:"r,omitempty"`
	Values    []journalValue `json:"v,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Err       string         `json:"err,omitempty"`
	ErrKind   string         `json:"kind,omitempty"`
	Failures  []string       `json:"fail,omitempty"`
	Nanos     int64          `json:"ns,omitempty"`
}

type journalValue struct {
	Key   string `json:"k"`
	Value int64  `json:"v"`
	Bool  bool   `json:"b,omitempty"`
}

// sampleKey identifies a sample across runs of the same source.
func sampleKey(s *heval.Sample) string {
	return string(s.Kind) + "\x00" + s.HypothesisID + "\x00" + s.DatasetRowID + "\x00" + s.RequestID
}

func (e *journalEntry) key() string {
	return e.Kind + "\x00" + e.Hypothesis + "\x00" + e.Row + "\x00" + e.RequestID
}

func newJournalEntry(run string, s *heval.Sample, sent helicone.Scores, recs []heval.Record) *journalEntry {
	e := &journalEntry{Run: run, RequestID: s.RequestID, Kind: string(s.Kind), Hypothesis: s.HypothesisID,
		Row: s.DatasetRowID, Sent: sent, At: time.Now().UTC(), Records: make([]journalRecord, len(recs))}
	for i, r := range recs {
		jr := journalRecord{Evaluator: r.Evaluator, Repeat: r.Repeat, Reason: r.Reason, Err: r.Err,
			ErrKind: string(r.ErrKind), Failures: r.Failures, Nanos: int64(r.Duration)}
		for _, v := range r.Values {
			jr.Values = append(jr.Values, journalValue{Key: v.Key, Value: v.Value, Bool: v.Type == heval.Boolean})
		}
		e.Records[i] = jr
	}
	return e
}

// covers reports whether the entry holds a record for every evaluation of evs.
func (e *journalEntry) covers(evs []*EvaluatorSpec) bool {
	have := make(map[string]int, len(evs))
	for _, r := range e.Records {
		have[r.Evaluator]++
	}
	for _, ev := range evs {
		if have[ev.name] < ev.repeat {
			return false
		}
	}
	return true
}

// records rebuilds the entry's records of the evaluators evs for sample s, marked submitted.
func (e *journalEntry) records(s *heval.Sample, evs []*EvaluatorSpec) []heval.Record {
	want := make(map[string]int, len(evs))
	for _, ev := range evs {
		want[ev.name] = ev.repeat
	}
	var out []heval.Record
	for _, jr := range e.Records {
		if reps, ok := want[jr.Evaluator]; !ok || jr.Repeat >= reps {
			continue
		}
		r := heval.Record{Sample: s, Evaluator: jr.Evaluator, Repeat: jr.Repeat, Reason: jr.Reason,
			Err: jr.Err, ErrKind: heval.ErrorKind(jr.ErrKind), Failures: jr.Failures,
			Duration: time.Duration(jr.Nanos)}
		for _, v := range jr.Values {
			t := heval.Number
			if v.Bool {
				t = heval.Boolean
			}
			r.Values = append(r.Values, heval.Value{Key: v.Key, Value: v.Value, Type: t})
		}
		r.Submitted = len(r.Values) > 0
		out = append(out, r)
	}
	return out
}

// readJournal loads the acknowledged writes of a journal, keyed by sample. A missing file
// is an empty journal. A line that cannot be read is skipped (a torn last line is the normal
// trace of a crash); skipped counts them.
func readJournal(path string) (entries map[string]*journalEntry, skipped int, err error) {
	entries = map[string]*journalEntry{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return entries, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("reading the journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var e journalEntry
			if json.Unmarshal(line, &e) != nil || e.RequestID == "" {
				skipped++
			} else {
				entries[e.key()] = &e
			}
		}
		if rerr == io.EOF {
			return entries, skipped, nil
		}
		if rerr != nil {
			return nil, 0, fmt.Errorf("reading the journal %s: %w", path, rerr)
		}
	}
}

// journalWriter appends lines from any goroutine; one goroutine writes them in fsync'd
// batches.
type journalWriter struct {
	f     *os.File
	lines chan []byte
	done  chan struct{}
	err   error
	syncs int
}

// openJournal opens path for appending (resume) or truncates it (a new run).
func openJournal(path string, resume bool) (*journalWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating the journal's directory: %w", err)
	}
	flags := os.O_CREATE | os.O_WRONLY
	if resume {
		flags |= os.O_APPEND
	} else {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	if resume {
		// After a torn last line, start on a fresh line so the next entry stays readable.
		if st, err := f.Stat(); err == nil && st.Size() > 0 {
			last := make([]byte, 1)
			if rf, err := os.Open(path); err == nil {
				if _, err := rf.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
					f.Write([]byte("\n"))
				}
				rf.Close()
			}
		}
	}
	j := &journalWriter{f: f, lines: make(chan []byte, 1024), done: make(chan struct{})}
	go j.loop()
	return j, nil
}

func (j *journalWriter) loop() {
	defer close(j.done)
	w := bufio.NewWriterSize(j.f, 256<<10)
	for line := range j.lines {
		j.write(w, line)
		// Group the lines already waiting into the same fsync'd batch.
	batch:
		for n := 0; n < 4096; n++ {
			select {
			case more, ok := <-j.lines:
				if !ok {
					break batch
				}
				j.write(w, more)
			default:
				break batch
			}
		}
		if err := w.Flush(); err != nil && j.err == nil {
			j.err = err
		}
		if err := j.f.Sync(); err != nil && j.err == nil {
			j.err = err
		}
		j.syncs++
	}
	if err := w.Flush(); err != nil && j.err == nil {
		j.err = err
	}
	if err := j.f.Sync(); err != nil && j.err == nil {
		j.err = err
	}
	if err := j.f.Close(); err != nil && j.err == nil {
		j.err = err
	}
}

func (j *journalWriter) write(w *bufio.Writer, line []byte) {
	if _, err := w.Write(line); err != nil && j.err == nil {
		j.err = err
	}
}

// append queues one entry.
func (j *journalWriter) append(e *journalEntry) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	j.lines <- append(b, '\n')
}

// close writes what is queued, syncs and closes the file.
func (j *journalWriter) close() error {
	close(j.lines)
	<-j.done
	if j.err != nil {
		return fmt.Errorf("writing the journal: %w", j.err)
	}
	return nil
}
