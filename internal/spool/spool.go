package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// File is a spool file. It is not safe for concurrent use.
type File struct {
	f       *os.File
	named   bool // the file still has its name (it could not be removed while open)
	w       *bufio.Writer
	size    int64 // bytes appended, buffered ones included
	flushed int64 // bytes written to the file
	gen     int   // counts resets, so that readers drop what they buffered before
	hdr     [binary.MaxVarintLen64]byte
}

// Create makes a spool file in dir (the default temporary directory when dir is empty).
// Where the system allows it (not on Windows), the file loses its name at once and lives
// only as long as it is open, so that nothing is left behind by a process that ends without
// closing it: killed, or done with a spool it never closed.
func Create(dir string) (*File, error) {
	f, named, err := tempFile(dir)
	if err != nil {
		return nil, err
	}
	return &File{f: f, named: named, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// tempFile makes a temporary file in dir and removes its name where the system allows it;
// named reports that it could not.
func tempFile(dir string) (f *os.File, named bool, err error) {
	f, err = os.CreateTemp(dir, "heval-spool-*")
	if err != nil {
		return nil, false, fmt.Errorf("spool: making a temporary file (point TMPDIR at a writable directory with room): %w", err)
	}
	return f, os.Remove(f.Name()) != nil, nil
}

// closeTemp closes a file made by tempFile and removes it if it still has its name.
func closeTemp(f *os.File, named bool) error {
	err := f.Close()
	if !named {
		return err
	}
	if rmErr := os.Remove(f.Name()); err == nil && rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = rmErr
	}
	return err
}

// Name is the file's path.
func (s *File) Name() string { return s.f.Name() }

// Size is the number of bytes appended so far.
func (s *File) Size() int64 { return s.size }

// Append adds a record and returns its offset.
func (s *File) Append(rec []byte) (int64, error) {
	off := s.size
	n := binary.PutUvarint(s.hdr[:], uint64(len(rec)))
	if _, err := s.w.Write(s.hdr[:n]); err != nil {
		return 0, ioError(s.f, "writing", err)
	}
	if _, err := s.w.Write(rec); err != nil {
		return 0, ioError(s.f, "writing", err)
	}
	s.size += int64(n + len(rec))
	return off, nil
}

// ioError is the error of doing what to the spool file f: the system's error and where to
// look.
func ioError(f *os.File, what string, err error) error {
	return fmt.Errorf("spool: %s the temporary file %s: %w (it is in TMPDIR, or the system's temporary directory: check that its disk works and has room)", what, f.Name(), err)
}

func (s *File) flush() error {
	if s.flushed == s.size {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return ioError(s.f, "writing", err)
	}
	s.flushed = s.size
	return nil
}

// Flush writes the records appended so far to the file and returns their size: while the
// appending goroutine goes on appending, another may read every record below that size with
// [Reader.ReadBelow], once it has learnt the size from the appending one.
func (s *File) Flush() (int64, error) {
	if err := s.flush(); err != nil {
		return 0, err
	}
	return s.flushed, nil
}

// Reset forgets every record, emptying the file. Readers made before stay usable.
func (s *File) Reset() error {
	if err := s.flush(); err != nil {
		return err
	}
	if err := s.f.Truncate(0); err != nil {
		return ioError(s.f, "emptying", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return ioError(s.f, "emptying", err)
	}
	s.size, s.flushed = 0, 0
	s.gen++
	return nil
}

// Close closes and removes the file.
func (s *File) Close() error { return closeTemp(s.f, s.named) }

// Reader reads records of a File through a read-ahead buffer of its own, so that records
// read in the order they were written cost few system calls. Several readers may read one
// file, by turns, or, with ReadBelow, each in a goroutine of its own.
type Reader struct {
	s     *File
	buf   []byte
	start int64 // file offset of buf[0], -1 when buf holds nothing
	gen   int   // s.gen when buf was filled
}

// NewReader returns a reader of s.
func (s *File) NewReader() *Reader { return &Reader{s: s, buf: make([]byte, 0, 64<<10), start: -1} }

// Read returns the record at off, valid until the next call, and the offset of the next
// record.
func (r *Reader) Read(off int64) ([]byte, int64, error) {
	if off >= 0 && off < r.s.size {
		if err := r.s.flush(); err != nil {
			return nil, 0, err
		}
	}
	return r.read(off, r.s.size)
}

// ReadBelow is Read for a record of the first limit bytes of the file, limit being a size
// [File.Flush] returned: it reads the file only, so that it may run in another goroutine than
// the one appending (each reader in one goroutine).
func (r *Reader) ReadBelow(off, limit int64) ([]byte, int64, error) { return r.read(off, limit) }

func (r *Reader) read(off, size int64) ([]byte, int64, error) {
	if off < 0 || off >= size {
		return nil, 0, fmt.Errorf("spool: no record at offset %d", off)
	}
	// The length takes at most MaxVarintLen64 bytes.
	hdr, err := r.bytes(off, min(int64(binary.MaxVarintLen64), size-off), size)
	if err != nil {
		return nil, 0, err
	}
	n, k := binary.Uvarint(hdr)
	if k <= 0 || int64(n) > size-off-int64(k) {
		return nil, 0, fmt.Errorf("spool: damaged record at offset %d", off)
	}
	rec, err := r.bytes(off+int64(k), int64(n), size)
	if err != nil {
		return nil, 0, err
	}
	return rec, off + int64(k) + int64(n), nil
}

// bytes returns n bytes at off, from the buffer when it holds them, reading ahead no
// further than size.
func (r *Reader) bytes(off, n, size int64) ([]byte, error) {
	if r.start >= 0 && r.gen == r.s.gen && off >= r.start && off+n <= r.start+int64(len(r.buf)) {
		return r.buf[off-r.start : off-r.start+n], nil
	}
	want := max(n, int64(cap(r.buf)))
	want = min(want, size-off)
	if int64(cap(r.buf)) < want {
		r.buf = make([]byte, want)
	}
	r.buf = r.buf[:want]
	k, err := r.s.f.ReadAt(r.buf, off)
	if int64(k) < n {
		r.start = -1
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, ioError(r.s.f, fmt.Sprintf("reading at offset %d of", off), err)
	}
	r.buf, r.start, r.gen = r.buf[:k], off, r.s.gen
	return r.buf[:n], nil
}

// Encoder builds one record.
type Encoder struct{ b []byte }

// Reset empties the record, keeping its memory.
func (e *Encoder) Reset() { e.b = e.b[:0] }

// Bytes returns the record so far.
func (e *Encoder) Bytes() []byte { return e.b }

// Uint appends an unsigned integer.
func (e *Encoder) Uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

// Int appends a signed integer.
func (e *Encoder) Int(v int64) { e.b = binary.AppendVarint(e.b, v) }

// Bool appends a boolean.
func (e *Encoder) Bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// String appends a string.
func (e *Encoder) String(s string) { e.Uint(uint64(len(s))); e.b = append(e.b, s...) }

// Blob appends a byte string, keeping nil apart from empty.
func (e *Encoder) Blob(b []byte) {
	if b == nil {
		e.Uint(0)
		return
	}
	e.Uint(uint64(len(b)) + 1)
	e.b = append(e.b, b...)
}

// ErrDamaged is the error of a Decoder given a record it cannot read.
var ErrDamaged = errors.New("spool: damaged record")

// Decoder reads the fields of one record in the order they were appended. After the first
// failure every read returns a zero value and Err reports it.
type Decoder struct {
	b   []byte
	err error
}

// NewDecoder reads rec.
func NewDecoder(rec []byte) *Decoder { return &Decoder{b: rec} }

// Err is the first failure, nil when every field was read.
func (d *Decoder) Err() error { return d.err }

// Uint reads an unsigned integer.
func (d *Decoder) Uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = ErrDamaged
		return 0
	}
	d.b = d.b[n:]
	return v
}

// Int reads a signed integer (zig-zag encoded, as binary.AppendVarint writes it).
func (d *Decoder) Int() int64 {
	u := d.Uint()
	return int64(u>>1) ^ -int64(u&1)
}

// Bool reads a boolean.
func (d *Decoder) Bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) == 0 {
		d.err = ErrDamaged
		return false
	}
	v := d.b[0] != 0
	d.b = d.b[1:]
	return v
}

func (d *Decoder) take(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = ErrDamaged
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// String reads a string.
func (d *Decoder) String() string { return string(d.take(d.Uint())) }

// Blob reads a byte string (a copy), nil when nil was appended.
func (d *Decoder) Blob() []byte {
	n := d.Uint()
	if n == 0 || d.err != nil {
		return nil
	}
	return append([]byte{}, d.take(n-1)...)
}

// Rest returns the fields not read yet (a record of its own, for another Decoder; valid as
// long as the record is), and nil after a failure.
func (d *Decoder) Rest() []byte {
	if d.err != nil {
		return nil
	}
	return d.b
}
