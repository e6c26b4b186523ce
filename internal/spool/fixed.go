package spool

import (
	"fmt"
	"os"
)

// Fixed is a spool file of records of one size, read back by index: what a sorted run of
// keys needs to be searched by bisection without an index in memory. Records are written
// by batches, each at once: a batch that cannot be written is not in the file, and the
// file stays as it was. It is not safe for concurrent use.
type Fixed struct {
	f     *os.File
	named bool
	size  int   // bytes of a record
	n     int64 // records in the file
}

// CreateFixed makes a spool file in dir (the default temporary directory when dir is
// empty) for records of size bytes. Like [Create]'s, the file loses its name at once where
// the system allows it.
func CreateFixed(dir string, size int) (*Fixed, error) {
	if size < 1 {
		return nil, fmt.Errorf("spool: a record size of %d bytes", size)
	}
	f, named, err := tempFile(dir)
	if err != nil {
		return nil, err
	}
	return &Fixed{f: f, named: named, size: size}, nil
}

// Len is the number of records in the file.
func (s *Fixed) Len() int64 { return s.n }

// Append adds the records of batch, whose length must be a multiple of the record size.
// On an error none of them is in the file.
func (s *Fixed) Append(batch []byte) error {
	if len(batch)%s.size != 0 {
		return fmt.Errorf("spool: a batch of %d bytes is not made of %d-byte records", len(batch), s.size)
	}
	if _, err := s.f.WriteAt(batch, s.n*int64(s.size)); err != nil {
		return ioError(s.f, "writing", err)
	}
	s.n += int64(len(batch) / s.size)
	return nil
}

// Read reads record i into rec, which must have the record size.
func (s *Fixed) Read(i int64, rec []byte) error {
	if i < 0 || i >= s.n {
		return fmt.Errorf("spool: no record %d of %d", i, s.n)
	}
	if len(rec) != s.size {
		return fmt.Errorf("spool: reading a %d-byte record into %d bytes", s.size, len(rec))
	}
	if _, err := s.f.ReadAt(rec, i*int64(s.size)); err != nil {
		return ioError(s.f, fmt.Sprintf("reading record %d of", i), err)
	}
	return nil
}

// Close closes and removes the file.
func (s *Fixed) Close() error { return closeTemp(s.f, s.named) }
