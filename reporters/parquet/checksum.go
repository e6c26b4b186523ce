package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"slices"
)

// ErrCorrupt is wrapped by the errors of files that cannot be read as they were written:
// the Parquet reader failed on them (or panicked, which the reader turns into this error),
// or their content does not match the checksum written with it.
var ErrCorrupt = errors.New("the file is corrupt")

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum accumulates the CRC-32C of a file's content: every row in a canonical binary
// form, in file order, then every key/value metadata entry but the checksum itself, by key.
// Parquet's own page checksums (which parquet-go writes and verifies) cover the page data
// only; this one also covers the page headers, the footer and the metadata, by checking
// what was decoded against what was written.
type checksum struct {
	crc uint32
	buf []byte
}

// hashable is a row type the checksum covers.
type hashable interface{ appendCanonical([]byte) []byte }

func (c *checksum) add(r hashable) {
	c.buf = r.appendCanonical(c.buf[:0])
	c.crc = crc32.Update(c.crc, castagnoli, c.buf)
}

// meta adds the key/value metadata, without the checksum's own entry.
func (c *checksum) meta(kv map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		if k == MetaChecksum {
			continue
		}
		c.buf = appendStr(appendStr(c.buf[:0], k), kv[k])
		c.crc = crc32.Update(c.crc, castagnoli, c.buf)
	}
}

func (c *checksum) String() string { return fmt.Sprintf("crc32c:%08x", c.crc) }

// hashingWriter passes writes on and keeps the CRC-32C of every byte after the first
// skip bytes (the leading magic number).
type hashingWriter struct {
	w    io.Writer
	n    int64
	skip int64
	crc  uint32
}

func (h *hashingWriter) Write(b []byte) (int, error) {
	n, err := h.w.Write(b)
	if h.n+int64(n) > h.skip {
		from := max(0, h.skip-h.n)
		h.crc = crc32.Update(h.crc, castagnoli, b[from:n])
	}
	h.n += int64(n)
	return n, err
}

func (h *hashingWriter) String() string { return fmt.Sprintf("crc32c:%08x", h.crc) }

// dataChecksum computes the CRC-32C of r's bytes from off to end.
func dataChecksum(r io.ReaderAt, off, end int64) (string, error) {
	var crc uint32
	buf := make([]byte, 64<<10)
	for off < end {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		crc = crc32.Update(crc, castagnoli, buf[:n])
		off += int64(n)
		if err != nil && off < end {
			return "", err
		}
	}
	return fmt.Sprintf("crc32c:%08x", crc), nil
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendOptStr(b []byte, p *string) []byte {
	if p == nil {
		return append(b, 0)
	}
	return appendStr(append(b, 1), *p)
}

func appendInt(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) }

func appendOptInt(b []byte, p *int64) []byte {
	if p == nil {
		return append(b, 0)
	}
	return appendInt(append(b, 1), *p)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendMap(b []byte, m map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	// The keys of a row's small maps are sorted on the stack: this runs for every row.
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendStr(appendStr(b, k), m[k])
	}
	return b
}

func (r *row) appendCanonical(b []byte) []byte {
	b = appendStr(b, r.RunID)
	b = appendInt(b, r.RunStarted)
	for _, p := range []*string{r.ExperimentID, r.Experiment, r.HypothesisID, r.Hypothesis, r.Model, r.Provider, r.PromptVersionID, r.DatasetRowID} {
		b = appendOptStr(b, p)
	}
	b = appendOptInt(b, r.RowIndex)
	b = appendStr(appendStr(appendStr(b, r.RequestID), r.SampleKind), r.Evaluator)
	b = appendOptStr(b, r.EvaluatorSpec)
	b = appendStr(b, r.ScoreKey)
	b = appendOptStr(b, r.Direction)
	b = appendInt(b, r.Repeat)
	b = appendOptInt(b, r.Value)
	for _, p := range []*string{r.ValueType, r.Error, r.ErrorKind, r.DeliveryError, r.Reason, r.Failures} {
		b = appendOptStr(b, p)
	}
	b = appendBool(b, r.Submitted)
	b = appendInt(b, r.EvaluatorDurationUS)
	for _, p := range []*int64{r.PromptTokens, r.CompletionTokens, r.LatencyMS, r.RequestCreatedAt} {
		b = appendOptInt(b, p)
	}
	return b
}

func (r *sampleRow) appendCanonical(b []byte) []byte {
	b = appendStr(appendStr(appendStr(b, r.RunID), r.RequestID), r.SampleKind)
	for _, p := range []*string{r.Experiment, r.Hypothesis, r.Model, r.PromptVersionID, r.DatasetRowID} {
		b = appendOptStr(b, p)
	}
	b = appendOptInt(b, r.RowIndex)
	for _, p := range []*string{r.Answer, r.AnswerError, r.Reference} {
		b = appendOptStr(b, p)
	}
	return appendMap(appendMap(b, r.Inputs), r.Properties)
}
