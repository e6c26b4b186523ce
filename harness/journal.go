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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone"
)

// JournalFile is the journal's file name in an output directory, where `heval run` and
// suites keep it beside the reports.
const JournalFile = "journal.jsonl"

// The journal is an append-only file of JSON lines, one per score write the server
// acknowledged: the run, the sample, the stored keys and values that were sent, and the
// records of every evaluator on that sample (so a resumed run can report them without
// running the evaluators again). Lines are written by one goroutine in batches, each
// batch written to the file within 2 ms and fsync'd within 20 ms. A killed process loses
// only the lines not yet written, an operating system crash at most the last 22 ms, whose
// samples a resumed run sends again; re-sending is harmless because the server merges scores per key. A torn
// last line is ignored on read.

// journalHeader starts the lines of every run (a new one, or a resumed one) in a journal:
// what the acknowledgements below it are bound to. A resumed run checks it against its own
// configuration and refuses a mismatch; entry lines of a run without a header are ignored.
type journalHeader struct {
	Version    int              `json:"heval_journal"`
	Run        string           `json:"run"`
	Server     string           `json:"server"`
	Key        string           `json:"key"`
	Source     string           `json:"source"`
	Evaluators []journalSpecRef `json:"evaluators"`
	At         time.Time        `json:"at"`
}

type journalSpecRef struct {
	Name   string `json:"name"`
	Spec   string `json:"spec"`
	Repeat int    `json:"repeat"`
}

// journalVersion is the journal format; a journal of another version is refused.
const journalVersion = 1

func newJournalHeader(run string, c *helicone.Client, source string, evs []*EvaluatorSpec) *journalHeader {
	h := &journalHeader{Version: journalVersion, Run: run, Source: source, At: time.Now().UTC()}
	if c != nil {
		h.Server, h.Key = c.BaseURL(), c.KeyFingerprint()
	}
	for _, ev := range evs {
		h.Evaluators = append(h.Evaluators, journalSpecRef{Name: ev.name, Spec: ev.Spec(), Repeat: ev.repeat})
	}
	return h
}

// ErrJournalMismatch is matched by a [*JournalMismatchError].
var ErrJournalMismatch = errors.New("the journal belongs to another run")

// JournalMismatchError refuses to resume from a journal written by a run against another
// server, key, source or evaluator configuration: its acknowledgements say nothing about
// this run.
type JournalMismatchError struct {
	// Path is the journal; Differences say what differs, one sentence each.
	Path        string
	Differences []string
}

func (e *JournalMismatchError) Error() string {
	return fmt.Sprintf("cannot resume from the journal %s: it was written by a different run (%s); run without --resume to start afresh (the journal is then replaced), or give this run another output directory", e.Path, strings.Join(e.Differences, "; "))
}

// Is matches [ErrJournalMismatch].
func (e *JournalMismatchError) Is(target error) bool { return target == ErrJournalMismatch }

// check compares the journal's binding (its last header) with this run's.
func (h *journalHeader) check(path string, cur *journalHeader) error {
	var diffs []string
	if h.Version != journalVersion {
		diffs = append(diffs, fmt.Sprintf("journal format %d, this heval writes %d", h.Version, journalVersion))
	}
	if h.Server != cur.Server {
		diffs = append(diffs, fmt.Sprintf("server %s, now %s", orNone(h.Server), orNone(cur.Server)))
	}
	if h.Key != cur.Key {
		diffs = append(diffs, fmt.Sprintf("API key with fingerprint %s, now %s", orNone(h.Key), orNone(cur.Key)))
	}
	if h.Source != cur.Source {
		diffs = append(diffs, fmt.Sprintf("source %q, now %q", h.Source, cur.Source))
	}
	old := map[string]journalSpecRef{}
	for _, e := range h.Evaluators {
		old[e.Name] = e
	}
	for _, e := range cur.Evaluators {
		if o, ok := old[e.Name]; ok && o.Spec != e.Spec {
			diffs = append(diffs, fmt.Sprintf("evaluator %s was %q, now %q", e.Name, o.Spec, e.Spec))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return &JournalMismatchError{Path: path, Differences: diffs}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

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

// journalFile is what a journal holds: the last header and the acknowledged writes of the
// runs it introduces, keyed by sample.
type journalFile struct {
	header  *journalHeader
	entries map[string]*journalEntry
	// skipped counts lines that could not be read (a torn last line is the normal trace of
	// a crash); foreign counts entries of runs without a header, which are ignored.
	skipped, foreign int
}

// readJournal loads a journal. A missing file is an empty journal.
func readJournal(path string) (*journalFile, error) {
	jf := &journalFile{entries: map[string]*journalEntry{}}
	runs := map[string]bool{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return jf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var h journalHeader
			var e journalEntry
			switch {
			case bytes.Contains(line, []byte(`"heval_journal"`)) && json.Unmarshal(line, &h) == nil && h.Run != "":
				jf.header = &h
				runs[h.Run] = true
			case json.Unmarshal(line, &e) != nil || e.RequestID == "":
				jf.skipped++
			case !runs[e.Run]:
				jf.foreign++
			default:
				jf.entries[e.key()] = &e
			}
		}
		if rerr == io.EOF {
			return jf, nil
		}
		if rerr != nil {
			return nil, fmt.Errorf("reading the journal %s: %w", path, rerr)
		}
	}
}

// journalWriter appends lines from any goroutine; one goroutine writes them in batches,
// fsync'd at most every journalSyncEvery.
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

// journalSyncEvery is the most often the journal is fsync'd, and journalFlushEvery the most
// often its lines are written to the file. Lines wait in a buffer at most journalFlushEvery
// (a killed process loses only those, whose samples a resumed run sends again), so that many
// score writers acknowledging at once cost one write, not one each; fsync, which only an
// operating system crash needs, runs at most every journalSyncEvery, and always at the end.
const (
	journalSyncEvery  = 20 * time.Millisecond
	journalFlushEvery = 2 * time.Millisecond
)

// journalFlushAt is how much the buffer holds before it is written at once.
const journalFlushAt = 64 << 10

func (j *journalWriter) loop() {
	defer close(j.done)
	w := bufio.NewWriterSize(j.f, 256<<10)
	sync := func() {
		if err := j.f.Sync(); err != nil && j.err == nil {
			j.err = err
		}
		j.syncs++
	}
	flush := func() {
		if err := w.Flush(); err != nil && j.err == nil {
			j.err = err
		}
	}
	newTimer := func() *time.Timer {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t
	}
	last := time.Now()
	dirty, buffered := false, false // written since the last fsync; lines in the buffer
	syncTimer, flushTimer := newTimer(), newTimer()
	defer syncTimer.Stop()
	defer flushTimer.Stop()
	// written notes that the buffer was written to the file: fsync now, or arm the timer.
	written := func() {
		switch since := time.Since(last); {
		case since >= journalSyncEvery:
			sync()
			last, dirty = time.Now(), false
		case !dirty:
			dirty = true
			syncTimer.Reset(journalSyncEvery - since)
		}
	}
	for {
		select {
		case line, ok := <-j.lines:
			if !ok {
				flush()
				sync()
				if err := j.f.Close(); err != nil && j.err == nil {
					j.err = err
				}
				return
			}
			j.write(w, line)
			// Take the lines already waiting with it.
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
			switch {
			case w.Buffered() >= journalFlushAt:
				flush()
				if buffered {
					flushTimer.Stop()
					buffered = false
				}
				written()
			case !buffered:
				buffered = true
				flushTimer.Reset(journalFlushEvery)
			}
		case <-flushTimer.C:
			if buffered {
				flush()
				buffered = false
				written()
			}
		case <-syncTimer.C:
			if dirty {
				sync()
				last, dirty = time.Now(), false
			}
		}
	}
}

func (j *journalWriter) write(w *bufio.Writer, line []byte) {
	if _, err := w.Write(line); err != nil && j.err == nil {
		j.err = err
	}
	recycle(line)
}

// appendHeader queues the header line that binds the entries after it to their run.
func (j *journalWriter) appendHeader(h *journalHeader) {
	b, err := json.Marshal(h)
	if err != nil {
		return
	}
	j.lines <- append(b, '\n')
}

// appendAck queues the line of an acknowledged score write: the sample, the scores sent
// and the records they came from, as a journalEntry reads them back.
func (j *journalWriter) appendAck(run string, s *heval.Sample, sent helicone.Scores, recs []heval.Record, at time.Time) {
	bp := journalLines.Get().(*[]byte)
	j.lines <- append(appendAckJSON((*bp)[:0], run, s, sent, recs, at), '\n')
}

// journalLines holds the buffers of written lines for the next acknowledgements.
var journalLines = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// recycle returns a written line's buffer to journalLines; lines of unusual size are left
// to the collector.
func recycle(line []byte) {
	if cap(line) <= 16<<10 {
		journalLines.Put(&line)
	}
}

// appendAckJSON appends the journal entry of an acknowledged write as JSON that
// encoding/json reads back into the same journalEntry as its own encoding of that entry
// does (every write journals one, so this avoids reflection and the entry itself).
func appendAckJSON(b []byte, run string, s *heval.Sample, sent helicone.Scores, recs []heval.Record, at time.Time) []byte {
	b = append(b, `{"run":`...)
	b = appendJSONString(b, run)
	b = append(b, `,"rid":`...)
	b = appendJSONString(b, s.RequestID)
	b = appendOptString(b, `,"kind":`, string(s.Kind))
	b = appendOptString(b, `,"hyp":`, s.HypothesisID)
	b = appendOptString(b, `,"row":`, s.DatasetRowID)
	b = append(b, `,"sent":`...)
	b = sent.AppendJSON(b)
	b = append(b, `,"at":"`...)
	b = at.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","recs":`...)
	if recs == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i := range recs {
		r := &recs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"e":`...)
		b = appendJSONString(b, r.Evaluator)
		if r.Repeat != 0 {
			b = append(b, `,"r":`...)
			b = strconv.AppendInt(b, int64(r.Repeat), 10)
		}
		if len(r.Values) > 0 {
			b = append(b, `,"v":[`...)
			for k, v := range r.Values {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"k":`...)
				b = appendJSONString(b, v.Key)
				b = append(b, `,"v":`...)
				b = strconv.AppendInt(b, v.Value, 10)
				if v.Type == heval.Boolean {
					b = append(b, `,"b":true`...)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = appendOptString(b, `,"reason":`, r.Reason)
		b = appendOptString(b, `,"err":`, r.Err)
		b = appendOptString(b, `,"kind":`, string(r.ErrKind))
		if len(r.Failures) > 0 {
			b = append(b, `,"fail":[`...)
			for k, f := range r.Failures {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, f)
			}
			b = append(b, ']')
		}
		if r.Duration != 0 {
			b = append(b, `,"ns":`...)
			b = strconv.AppendInt(b, int64(r.Duration), 10)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD, as
// encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	b, _ = jsontext.AppendQuote(b, s)
	return b
}

func appendOptString(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, name...), s)
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
