package heliconetest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/heval-dev/heval/internal/dirlock"
)

// ScoreLogName is the file of the durable score store inside the data directory.
const ScoreLogName = "scores.jsonl"

// walRecord is one acknowledged score write in the durable store, or (Skip set) the mark
// that a consumer batch superseded the write numbered Skip.
type walRecord struct {
	Org      string           `json:"o"`
	Request  string           `json:"r,omitempty"`
	Scores   map[string]int64 `json:"s,omitempty"`
	N        uint64           `json:"n,omitempty"`
	Skip     uint64           `json:"x,omitempty"`
	Feedback bool             `json:"f,omitempty"`
}

// wal is an append-only, fsync'd log of score writes with group commit: writers that
// arrive while a flush is running are written and synced together by the next flush.
type wal struct {
	path string
	f    *os.File
	lock *dirlock.Lock

	mu       sync.Mutex
	buf      []byte
	waiters  []chan error
	flushing bool
	closed   bool

	ioMu sync.Mutex // serialises file writes, syncs, truncation and close
	next uint64     // the number of the next write record; guarded by mu
}

// openWAL opens (or creates) the log in dir, hands its complete records to apply and cuts
// off a torn last record left by a crash.
func openWAL(dir string, logger *slog.Logger, apply func([]walRecord)) (*wal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("heliconetest: creating the data directory: %w", err)
	}
	// Two emulators on one data directory would overwrite each other's score log.
	lock, err := dirlock.Acquire(dir, "the data directory")
	if err != nil {
		return nil, fmt.Errorf("heliconetest: %w", err)
	}
	path := filepath.Join(dir, ScoreLogName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("heliconetest: opening the score log: %w", err)
	}
	recs, good, err := readLog(f, logger)
	if err != nil {
		f.Close()
		lock.Release()
		return nil, err
	}
	var last uint64
	for _, r := range recs {
		last = max(last, r.N)
	}
	apply(recs)
	if err := f.Truncate(good); err != nil {
		f.Close()
		lock.Release()
		return nil, fmt.Errorf("heliconetest: cutting a torn record off the score log: %w", err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		lock.Release()
		return nil, fmt.Errorf("heliconetest: score log: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return &wal{path: path, f: f, lock: lock, next: last + 1}, nil
}

// readLog returns every complete record of f and the offset after the last complete
// line. A last line without its newline is a torn write: it was never acknowledged, so it
// is ignored. A complete line that does not parse is skipped with a warning.
func readLog(f *os.File, logger *slog.Logger) ([]walRecord, int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, fmt.Errorf("heliconetest: reading the score log: %w", err)
	}
	var recs []walRecord
	rd := bufio.NewReaderSize(f, 1<<16)
	var off int64
	line := 0
	for {
		b, err := rd.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(b) > 0 {
				logger.Warn("helicone emulator: ignoring a torn last record in the score log (a write interrupted by a crash, never acknowledged)", "bytes", len(b))
			}
			return recs, off, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("heliconetest: reading the score log: %w", err)
		}
		line++
		off += int64(len(b))
		var rec walRecord
		if err := json.Unmarshal(bytes.TrimSpace(b), &rec); err != nil || rec.Org == "" {
			logger.Warn("helicone emulator: skipping an unreadable record in the score log", "line", line)
			continue
		}
		recs = append(recs, rec)
	}
}

// append writes one record and returns once it is on stable storage, with the number it
// gave a write record (0 for a mark).
func (w *wal) append(rec walRecord) (uint64, error) {
	ch := make(chan error, 1)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return 0, errors.New("heliconetest: the score log is closed")
	}
	if rec.Skip == 0 {
		rec.N = w.next
		w.next++
	}
	line, err := json.Marshal(rec)
	if err != nil {
		w.mu.Unlock()
		return 0, err
	}
	line = append(line, '\n')
	w.buf = append(w.buf, line...)
	w.waiters = append(w.waiters, ch)
	if !w.flushing {
		w.flushing = true
		go w.flushLoop()
	}
	w.mu.Unlock()
	return rec.N, <-ch
}

// flushLoop writes and syncs batches until nothing is pending.
func (w *wal) flushLoop() {
	for {
		w.mu.Lock()
		if len(w.buf) == 0 {
			w.flushing = false
			w.mu.Unlock()
			return
		}
		buf, waiters := w.buf, w.waiters
		w.buf, w.waiters = nil, nil
		w.mu.Unlock()

		w.ioMu.Lock()
		_, err := w.f.Write(buf)
		if err == nil {
			err = w.f.Sync()
		}
		w.ioMu.Unlock()
		if err != nil {
			err = fmt.Errorf("heliconetest: writing the score log %s: %w", w.path, err)
		}
		for _, ch := range waiters {
			ch <- err
		}
	}
}

// truncate empties the log.
func (w *wal) truncate() error {
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	if err := w.f.Truncate(0); err != nil {
		return fmt.Errorf("heliconetest: emptying the score log: %w", err)
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return w.f.Sync()
}

// close flushes nothing new (every append waits for its own sync) and closes the file.
func (w *wal) close() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.ioMu.Lock()
	defer w.ioMu.Unlock()
	return errors.Join(w.f.Close(), w.lock.Release())
}
