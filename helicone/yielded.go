package helicone

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/heval-dev/heval/internal/idkey"
	"github.com/heval-dev/heval/internal/spool"
)

// yielded is the set of request ids [Client.Requests] has yielded, which it needs for the
// whole query: a request can come back on any later page (offsets count raw row versions,
// which score writes add, and requests logged meanwhile shift a query newest first). Kept
// in memory, it takes about 20 bytes an id.
//
// When the query is in creation order (newest first, the server's default, or oldest
// first), a request that comes back is almost always one of the last pages' (their offsets
// moved by the versions written meanwhile). So only the ids read on the last lagPages
// pages stay in memory, those at or past a watermark (the creation time of the first
// request lagPages pages back); the others move, sorted by (position in the order, id), to
// a temporary file of fixed-size records, which is searched by bisection when a request
// before the watermark is read again. A query of a million requests then keeps a few
// thousand ids in memory.
//
// Every id stays in memory that has no creation time or is not a UUID, that was yielded
// after the watermark passed it (a request ingested late), and every id of a query in any
// other order. A page out of the query's order turns the file off for the rest of the
// query, its ids read back into memory: the server did not sort as expected, and reading
// the file for every row would be slow. When no temporary file can be made or written, the
// ids stay in memory.
type yielded struct {
	ordered bool            // the query is in creation order
	sign    int64           // 1 oldest first, -1 newest first
	recent  map[key]int64   // packed id -> position (sign × creation time in µs), at or after low
	other   idkey.Set       // the ids that are neither in recent nor in the file
	low     int64           // the watermark: no id before it is in recent
	firsts  [lagPages]int64 // position of the first request of each of the last pages
	pages   int             // pages seen
	file    *spool.Fixed    // the moved ids, in order; nil until the first move
	last    spilled         // the file's last record
	lookups int64           // searches of the file
	rec     [spillRecord]byte
}

// key is a packed UUID.
type key = [16]byte

// lagPages is how many pages behind the last one the watermark is: a request that comes
// back is found in memory when it was first read on one of these pages.
const lagPages = 3

// spillRecord is the size of a record of the file: position and packed id.
const spillRecord = 8 + 16

// spilled is a record of the file.
type spilled struct {
	t  int64
	id key
}

func compareSpilled(a, b spilled) int {
	return cmp.Or(cmp.Compare(a.t, b.t), slices.Compare(a.id[:], b.id[:]))
}

func newYielded(q RequestQuery) *yielded {
	y := &yielded{recent: map[key]int64{}, sign: -1, low: math.MinInt64}
	switch {
	case q.Sort == nil: // the server's default: newest first
		y.ordered = true
	case q.Sort.Column == "created_at":
		y.ordered = true
		if !q.Sort.Desc {
			y.sign = 1
		}
	}
	return y
}

// position is where r is in the query's order: its creation time in microseconds, negated
// when the query is newest first; ok false when it has none.
func (y *yielded) position(r *Request) (int64, bool) {
	t := ParseTime(r.RequestCreatedAt)
	return y.sign * t.UnixMicro(), !t.IsZero()
}

// place returns r's packed id and position; ok false when its id belongs in other.
func (y *yielded) place(r *Request) (id key, t int64, ok bool) {
	if !y.ordered {
		return key{}, 0, false
	}
	if id, ok = idkey.Pack(r.RequestID); !ok {
		return key{}, 0, false
	}
	t, ok = y.position(r)
	return id, t, ok
}

// add records that r was yielded.
func (y *yielded) add(r *Request) {
	id, t, ok := y.place(r)
	if !ok || t < y.low {
		y.other.Add(r.RequestID)
		return
	}
	y.recent[id] = t
}

// has reports whether r's id was yielded.
func (y *yielded) has(r *Request) (bool, error) {
	if y.other.Has(r.RequestID) {
		return true, nil
	}
	id, t, ok := y.place(r)
	switch {
	case !ok:
		return false, nil
	case t >= y.low:
		_, found := y.recent[id]
		return found, nil
	}
	return y.inFile(spilled{t, id})
}

// page is called with each page as it is read, before its requests are looked up. It
// raises the watermark, moving the ids before it to the file.
func (y *yielded) page(rows []Request) error {
	if !y.ordered || len(rows) == 0 {
		return nil
	}
	var first, prev int64
	timed := false
	for i := range rows {
		t, ok := y.position(&rows[i])
		if !ok {
			continue
		}
		if timed && t < prev {
			return y.unorder()
		}
		if !timed {
			first, timed = t, true
		}
		prev = t
	}
	if !timed {
		return nil // no positions on this page
	}
	slot := y.pages % lagPages
	if y.pages >= lagPages && y.firsts[slot] > y.low {
		y.raise(y.firsts[slot])
	}
	y.firsts[slot] = first
	y.pages++
	return nil
}

// raise sets the watermark to low and moves the ids before it from recent to the file.
func (y *yielded) raise(low int64) {
	var move []spilled
	for id, t := range y.recent {
		if t < low {
			move = append(move, spilled{t, id})
		}
	}
	y.low = low
	if len(move) == 0 {
		return
	}
	slices.SortFunc(move, compareSpilled)
	for _, s := range move {
		delete(y.recent, s.id)
	}
	// The file stays sorted: a record that does not come after its last stays in memory.
	i := 0
	if y.file != nil {
		for i < len(move) && compareSpilled(move[i], y.last) <= 0 {
			y.other.Add(idkey.Format(move[i].id))
			i++
		}
	}
	if i < len(move) && !y.append(move[i:]) {
		for _, s := range move[i:] {
			y.other.Add(idkey.Format(s.id))
		}
	}
}

// append writes the sorted records ss after the file's last; false when they could not be
// written (and then none of them is in the file).
func (y *yielded) append(ss []spilled) bool {
	if y.file == nil {
		f, err := spool.CreateFixed("", spillRecord)
		if err != nil {
			return false
		}
		y.file = f
	}
	batch := make([]byte, 0, len(ss)*spillRecord)
	for _, s := range ss {
		batch = binary.BigEndian.AppendUint64(batch, uint64(s.t))
		batch = append(batch, s.id[:]...)
	}
	if y.file.Append(batch) != nil {
		return false
	}
	y.last = ss[len(ss)-1]
	return true
}

// inFile reports whether s is in the file, by bisection.
func (y *yielded) inFile(s spilled) (bool, error) {
	if y.file == nil || y.file.Len() == 0 {
		return false, nil
	}
	y.lookups++
	lo, hi := int64(0), y.file.Len()
	for lo < hi {
		mid := lo + (hi-lo)/2
		r, err := y.read(mid)
		if err != nil {
			return false, err
		}
		switch c := compareSpilled(r, s); {
		case c == 0:
			return true, nil
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false, nil
}

// read returns record i of the file.
func (y *yielded) read(i int64) (spilled, error) {
	if err := y.file.Read(i, y.rec[:]); err != nil {
		return spilled{}, fmt.Errorf("helicone: reading back the ids of the requests already yielded, from a temporary file: %w (the temporary directory, TMPDIR, must stay in place while the query runs)", err)
	}
	s := spilled{t: int64(binary.BigEndian.Uint64(y.rec[:8]))}
	copy(s.id[:], y.rec[8:])
	return s, nil
}

// unorder keeps every id in memory from now on.
func (y *yielded) unorder() error {
	y.ordered = false
	for id := range y.recent {
		y.other.Add(idkey.Format(id))
	}
	clear(y.recent)
	if y.file == nil {
		return nil
	}
	for i := range y.file.Len() {
		s, err := y.read(i)
		if err != nil {
			return err
		}
		y.other.Add(idkey.Format(s.id))
	}
	return y.close()
}

// close removes the file.
func (y *yielded) close() error {
	if y.file == nil {
		return nil
	}
	err := y.file.Close()
	y.file = nil
	return err
}
