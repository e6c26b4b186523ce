package reporters

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"

	"github.com/heval-dev/heval/internal/spool"
	"github.com/heval-dev/heval/stats"
)

// An aggregator keeps every value of every key (the statistics and the paired comparisons
// need them all), but not in memory: once it holds more than spillAfter values, each key
// moves its values to a temporary file (a spool) in chunks of spillChunk, so that its memory
// stays flat however many samples a run has. A key's values are read back, one key at a
// time, when its statistics are computed, its chart drawn or its comparison made.
const (
	spillAfter = 1 << 18
	spillChunk = 4096
	obsSize    = 16 // bytes of one observation in the spool: unit and value, little-endian
)

// obsSpool is the spool file of one aggregator, shared by its keys. Appends come from the
// aggregator's Record and reads from any number of goroutines rendering a result, so both
// hold the lock.
type obsSpool struct {
	mu     sync.Mutex
	file   *spool.File
	failed bool // creating or appending to the file failed: values stay in memory
	buf    []byte
}

// spill appends obs as one chunk and returns where it went; ok is false when the file
// cannot be written, and then the caller keeps obs in memory.
func (s *obsSpool) spill(obs []stats.Observation) (c obsChunk, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed {
		return obsChunk{}, false
	}
	if s.file == nil {
		f, err := spool.Create("")
		if err != nil {
			s.failed = true
			return obsChunk{}, false
		}
		s.file = f
		// The file is closed (and removed) when the last result reading it is unreachable.
		runtime.AddCleanup(s, func(f *spool.File) { _ = f.Close() }, f)
	}
	s.buf = s.buf[:0]
	for _, o := range obs {
		s.buf = binary.LittleEndian.AppendUint64(s.buf, o.Unit)
		s.buf = binary.LittleEndian.AppendUint64(s.buf, uint64(o.Value))
	}
	off, err := s.file.Append(s.buf)
	if err != nil {
		s.failed = true
		return obsChunk{}, false
	}
	return obsChunk{off: off, n: len(obs)}, true
}

// read appends the values of the chunks to dst.
func (s *obsSpool) read(dst []stats.Observation, chunks []obsChunk) ([]stats.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.file.NewReader()
	for _, c := range chunks {
		rec, _, err := r.Read(c.off)
		if err != nil {
			return dst, err
		}
		if len(rec) != c.n*obsSize {
			return dst, fmt.Errorf("spool: chunk at offset %d holds %d bytes, want %d", c.off, len(rec), c.n*obsSize)
		}
		for i := 0; i < len(rec); i += obsSize {
			dst = append(dst, stats.Observation{
				Unit:  binary.LittleEndian.Uint64(rec[i:]),
				Value: int64(binary.LittleEndian.Uint64(rec[i+8:])),
			})
		}
	}
	return dst, nil
}

// obsChunk is one chunk of a key's values in the spool.
type obsChunk struct {
	off int64
	n   int
}

// obsList is the values of one key in arrival order: the spilled chunks, then the values
// still in memory. A snapshot (see view) stays valid while more values are added, because
// the memory part is never written again once spilled.
type obsList struct {
	spool  *obsSpool
	chunks []obsChunk
	mem    []stats.Observation
	n      int
}

// add appends one value, spilling the values in memory when the aggregator holds many.
func (l *obsList) add(o stats.Observation, spill bool) {
	l.mem = append(l.mem, o)
	l.n++
	if spill && len(l.mem) >= spillChunk && l.spool != nil {
		if c, ok := l.spool.spill(l.mem); ok {
			l.chunks = append(l.chunks, c)
			// A new slice: a snapshot may still hold the old one.
			l.mem = make([]stats.Observation, 0, spillChunk)
		}
	}
}

// view is a snapshot of the list as it is now.
func (l *obsList) view() obsList {
	return obsList{spool: l.spool, chunks: l.chunks[:len(l.chunks):len(l.chunks)], mem: l.mem[:len(l.mem):len(l.mem)], n: l.n}
}

// load returns every value, reading the spilled ones back; the caller must not modify the
// result.
func (l *obsList) load() ([]stats.Observation, error) {
	if len(l.chunks) == 0 {
		return l.mem, nil
	}
	out := make([]stats.Observation, 0, l.n)
	out, err := l.spool.read(out, l.chunks)
	if err != nil {
		return nil, fmt.Errorf("reading score values back from the aggregator's temporary file: %w", err)
	}
	return append(out, l.mem...), nil
}
