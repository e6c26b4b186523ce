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
)

// ScoreLogName is the file of the durable score store inside the data directory.
const ScoreLogName = "scores.jsonl"

// walRecord is one acknowledged score write in the durable store.
type walRecord struct {
	Org     string           `json:"o"`
	Request string           `json:"r"`
	Scores  map[string]int64 `json:"s"`
}

// wal is an append-only, fsync'd log of score writes with group commit: writers that
// arrive while a flush is running are written and synced together by the next flush.
type wal struct {
	path string
	f    *os.File

	mu       sync.Mutex
	buf      []byte
	waiters  []chan error
	flushing bool
	closed   bool

	ioMu sync.Mutex // serialises file writes, syncs, truncation and close
}

// openWAL opens (or creates) the log in dir, replays its complete records into apply and
// cuts off a torn last record left by a crash.
func openWAL(dir string, logger *slog.Logger, apply func(org, req string, scores map[string]int64)) (*wal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("heliconetest: creating the data directory: %w", err)
	}
	path := filepath.Join(dir, ScoreLogName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("heliconetest: opening the score log: %w", err)
	}
	good, err := replayLog(f, logger, apply)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("heliconetest: cutting a torn record off the score log: %w", err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("heliconetest: score log: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return &wal{path: path, f: f}, nil
}

// replayLog applies every complete record of f and returns the offset after the last
// complete line. A last line without its newline is a torn write: it was never
// acknowledged, so it is ignored. A complete line that does not parse is skipped with a
// warning.
func replayLog(f *os.File, logger *slog.Logger, apply func(org, req string, scores map[string]int64)) (int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("heliconetest: reading the score log: %w", err)
	}
	rd := bufio.NewReaderSize(f, 1<<16)
	var off int64
	line := 0
	for {
		b, err := rd.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(b) > 0 {
				logger.Warn("helicone emulator: ignoring a torn last record in the score log (a write interrupted by a crash, never acknowledged)", "bytes", len(b))
			}
			return off, nil
		}
		if err != nil {
			return 0, fmt.Errorf("heliconetest: reading the score log: %w", err)
		}
		line++
		off += int64(len(b))
		var rec walRecord
		if err := json.Unmarshal(bytes.TrimSpace(b), &rec); err != nil || rec.Org == "" {
			logger.Warn("helicone emulator: skipping an unreadable record in the score log", "line", line)
			continue
		}
		apply(rec.Org, rec.Request, rec.Scores)
	}
}

// append writes one record and returns once it is on stable storage.
func (w *wal) append(org, req string, scores map[string]int64) error {
	line, err := json.Marshal(walRecord{Org: org, Request: req, Scores: scores})
	if err != nil {
		return err
	}
	line = append(line, '\n')
	ch := make(chan error, 1)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errors.New("heliconetest: the score log is closed")
	}
	w.buf = append(w.buf, line...)
	w.waiters = append(w.waiters, ch)
	if !w.flushing {
		w.flushing = true
		go w.flushLoop()
	}
	w.mu.Unlock()
	return <-ch
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
	return w.f.Close()
}
