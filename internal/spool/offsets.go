package spool

import (
	"encoding/binary"
	"fmt"
	"iter"
)

// Offsets is a list of record offsets in the order they were appended to a [File], which
// is ascending: what a reader holds of the records it keeps back. It stores each offset as
// the unsigned varint of its distance from the one before, so a list of records a few
// hundred bytes long takes two bytes an offset instead of eight (a million held runs take
// 2 MB, not 8 MB and a slice's growth room). The zero value is an empty list.
type Offsets struct {
	b    []byte
	last int64
	n    int
}

// Add appends off. It panics when off is below the last offset added, which no spool's
// appends produce.
func (o *Offsets) Add(off int64) {
	if off < o.last {
		panic(fmt.Sprintf("spool: offset %d added after %d: offsets are added in ascending order", off, o.last))
	}
	o.b = binary.AppendUvarint(o.b, uint64(off-o.last))
	o.last = off
	o.n++
}

// Len returns the number of offsets added.
func (o *Offsets) Len() int { return o.n }

// Size returns the number of bytes the offsets are stored in.
func (o *Offsets) Size() int { return len(o.b) }

// All yields the offsets in the order they were added.
func (o *Offsets) All() iter.Seq[int64] {
	return func(yield func(int64) bool) {
		var at int64
		for b := o.b; len(b) > 0; {
			d, n := binary.Uvarint(b)
			b = b[n:]
			at += int64(d)
			if !yield(at) {
				return
			}
		}
	}
}
