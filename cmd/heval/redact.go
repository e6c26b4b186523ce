package main

import (
	"bytes"
	"io"
	"sync"

	"github.com/heval-dev/heval/helicone"
)

// redactingWriter passes text on a line at a time (a line ends at \n or \r), with the
// redactor's keys removed, so that no API key, nor any long part of one, reaches a
// terminal or a log.
type redactingWriter struct {
	mu  sync.Mutex
	w   io.Writer
	r   *helicone.Redactor
	buf []byte
}

func newRedactingWriter(w io.Writer, r *helicone.Redactor) *redactingWriter {
	return &redactingWriter{w: w, r: r}
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf = append(rw.buf, p...)
	end := bytes.LastIndexAny(rw.buf, "\n\r")
	if end < 0 {
		if len(rw.buf) < 64<<10 {
			return len(p), nil
		}
		end = len(rw.buf) - 1
	}
	if _, err := rw.w.Write(rw.r.Bytes(rw.buf[:end+1])); err != nil {
		return 0, err
	}
	rw.buf = append(rw.buf[:0], rw.buf[end+1:]...)
	return len(p), nil
}

// Flush writes what is left of the last line.
func (rw *redactingWriter) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.buf) == 0 {
		return nil
	}
	_, err := rw.w.Write(rw.r.Bytes(rw.buf))
	rw.buf = rw.buf[:0]
	return err
}
