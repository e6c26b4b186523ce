package junit

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
)

// The bounds of a caseStore.
const (
	// chunkBytes is how many bytes of encoded test cases are kept in memory before they
	// are sorted and written to a temporary file as one run.
	chunkBytes = 4 << 20
	// fanout is how many runs a level holds before they are merged into one run of the
	// next level.
	fanout = 64
	// readBudget is shared by the read buffers of the runs being merged, each between
	// minRead and maxRead bytes.
	readBudget, minRead, maxRead = 512 << 10, 8 << 10, 64 << 10
)

// caseStore keeps the encoded test cases of a run until the document is written. A case
// is its name (the sort key) and the rest of its XML text; both go into an in-memory chunk.
// When the chunk is full it is sorted (by suite, then as [compareCase] orders cases) and
// appended to the temporary file of level 0 as one sorted run; when a level holds fanout
// runs, they are merged into one run of the next level, and the level's file is emptied.
// [caseStore.merge] merges a suite's cases from every run and the last chunk. Memory is
// bounded by the chunk, the read buffers of the runs (which share readBudget while there
// are fewer than 64 runs; past that, 8 KiB for each of the fanout−1 runs a level holds at
// most, with a level for every 64-fold increase of the data) and the list of each run's
// suites, whatever the number of cases.
type caseStore struct {
	chunkBytes, fanout int

	arena  []byte
	ents   []entry
	sorted bool
	// spare and packed are sortChunk's buffers.
	spare  []entry
	packed []uint64
	levels []*level
	pool   []*cursor
	err    error
}

// entry is a case in the chunk: its name at arena[off:off+name], then its text; key is
// set while the chunk is sorted (see [naturalKey]).
type entry struct {
	key             uint64
	off, name, text uint32
	suite           int32
}

// level is a temporary file of sorted runs.
type level struct {
	f       *os.File
	removed bool // the file was unlinked as soon as it was created
	out     *offsetWriter
	w       *bufio.Writer
	size    int64
	runs    []run
	hdr     []byte
}

// run is one sorted run: where each of its suites' cases are, by suite.
type run struct{ segs []segment }

type segment struct {
	suite   int
	off, n  int64
	entries int
}

// offsetWriter writes to a file at an offset of its own.
type offsetWriter struct {
	f   *os.File
	off int64
}

func (o *offsetWriter) Write(p []byte) (int, error) {
	n, err := o.f.WriteAt(p, o.off)
	o.off += int64(n)
	return n, err
}

func newCaseStore() *caseStore {
	return &caseStore{chunkBytes: chunkBytes, fanout: fanout}
}

// reserve makes room in the chunk for a case. The chunk is allocated whole the first time
// (growing it would copy it several times over; the pages of a fresh allocation that a
// short run does not use are not touched); a case longer than the room left grows it by
// append, and spill lets such a chunk go.
func (c *caseStore) reserve() {
	const room = 16 << 10
	if cap(c.arena)-len(c.arena) >= room {
		return
	}
	grown := make([]byte, len(c.arena), max(c.chunkBytes, len(c.arena))+room)
	copy(grown, c.arena)
	c.arena = grown
}

// add registers the case whose name is arena[start:mid] and whose text is arena[mid:],
// and writes the chunk out when it is full.
func (c *caseStore) add(suite, start, mid int) error {
	if c.err == nil && len(c.arena) > math.MaxUint32 {
		c.err = fmt.Errorf("junit: a test case of %d bytes is more than the writer can hold (4 GiB); shorten the evaluator's messages", len(c.arena)-start)
	}
	if c.err != nil {
		c.arena = c.arena[:start] // the document will not be written: keep nothing more
		return c.err
	}
	c.ents = append(c.ents, entry{suite: int32(suite), off: uint32(start), name: uint32(mid - start), text: uint32(len(c.arena) - mid)})
	c.sorted = false
	if len(c.arena) < c.chunkBytes {
		return nil
	}
	if err := c.spill(); err != nil {
		c.err = fmt.Errorf("junit: keeping the test cases in a temporary file: %w (the cases wait there until the run ends; set TMPDIR to a directory with free space)", err)
		return c.err
	}
	return nil
}

func (c *caseStore) entryName(e *entry) []byte { return c.arena[e.off : e.off+e.name] }
func (c *caseStore) entryText(e *entry) []byte {
	return c.arena[e.off+e.name : e.off+e.name+e.text]
}

// sortChunk orders the chunk by suite, then by case.
//
// Most comparisons are settled by a number made of the first bytes of the names after the
// prefix they all share, such as "row " (see [naturalKey]): the entries are sorted as
// integers that hold the suite, as many of the key's bits as fit and the entry's index;
// only entries whose suite and key bits are the same are then compared whole.
func (c *caseStore) sortChunk() {
	if c.sorted {
		return
	}
	c.sorted = true
	n := len(c.ents)
	if n == 0 {
		return
	}
	prefix := c.sharedPrefix()
	maxSuite := int32(0)
	for i := range c.ents {
		c.ents[i].key = naturalKey(c.entryName(&c.ents[i])[prefix:])
		maxSuite = max(maxSuite, c.ents[i].suite)
	}
	idxBits, suiteBits := bits.Len(uint(n)), bits.Len(uint(maxSuite))
	keyBits := 64 - idxBits - suiteBits
	if keyBits < 16 {
		// A chunk of very many cases, or very many suites: sort the entries themselves.
		slices.SortFunc(c.ents, c.compareEntries)
		return
	}
	packed := c.packed[:0]
	for i := range c.ents {
		e := &c.ents[i]
		packed = append(packed, uint64(e.suite)<<(64-suiteBits)|e.key>>(64-keyBits)<<idxBits|uint64(i))
	}
	slices.Sort(packed)
	sorted := c.spare[:0]
	for _, p := range packed {
		sorted = append(sorted, c.ents[p&(1<<idxBits-1)])
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && packed[j]>>idxBits == packed[i]>>idxBits {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(sorted[i:j], c.compareEntries)
		}
		i = j
	}
	c.ents, c.spare, c.packed = sorted, c.ents, packed
}

// compareEntries orders entries of the chunk by suite, then by case.
func (c *caseStore) compareEntries(a, b entry) int {
	if a.suite != b.suite {
		return cmp.Compare(a.suite, b.suite)
	}
	if a.key != b.key {
		return cmp.Compare(a.key, b.key)
	}
	return compareCase(c.entryName(&a), c.entryText(&a), c.entryName(&b), c.entryText(&b))
}

// sharedPrefix is the length of the prefix every name in the chunk starts with, short of
// a run of digits it would end within.
func (c *caseStore) sharedPrefix() int {
	first := c.entryName(&c.ents[0])
	prefix := len(first)
	for i := 1; i < len(c.ents) && prefix > 0; i++ {
		name := c.entryName(&c.ents[i])
		n := 0
		for n < prefix && n < len(name) && name[n] == first[n] {
			n++
		}
		prefix = n
	}
	for prefix > 0 && isDigit(first[prefix-1]) {
		prefix-- // a run of digits is compared whole
	}
	return prefix
}

// naturalKey is the first 64 bits, as a number, of an encoding of s whose bitwise order
// is [naturalCompare]'s order: a byte that is not a digit is its 8 bits; a run of digits
// is the byte '0' (which no other byte stands for, and which orders a run of digits
// against other bytes as naturalCompare does), the count of its digits without its
// leading zeros in 8 bits, and those digits in 4 bits each (a count of 255 or more is
// 0xFF, and the key ends with ones). The encoding is a prefix code, missing bits are
// zeros. So two keys that differ order their strings as naturalCompare does; equal keys
// say nothing. Strings that share a prefix (that does not end within a run of digits)
// compare as their rests do, so keys can be made of the rests.
func naturalKey(s []byte) uint64 {
	var k uint64
	used := 0 // bits of k
	put := func(v uint64, width int) {
		if room := 64 - used; width > room {
			v, width = v>>(width-room), room
		}
		if width > 0 {
			k = k<<width | v
			used += width
		}
	}
	for i := 0; i < len(s) && used < 64; {
		if !isDigit(s[i]) {
			put(uint64(s[i]), 8)
			i++
			continue
		}
		end := digitsEnd(s, i)
		z := zerosEnd(s, i, end)
		put('0', 8)
		if end-z >= 0xFF {
			put(0xFF, 8)
			put(math.MaxUint64, 64)
			break
		}
		put(uint64(end-z), 8)
		for j := z; j < end && used < 64; j++ {
			put(uint64(s[j]-'0'), 4)
		}
		i = end
	}
	if used == 0 {
		return 0
	}
	return k << (64 - used)
}

// spill writes the chunk as a sorted run of level 0 and empties it.
func (c *caseStore) spill() error {
	c.sortChunk()
	l, err := c.level(0)
	if err != nil {
		return err
	}
	var r run
	for i := 0; i < len(c.ents); {
		seg := segment{suite: int(c.ents[i].suite), off: l.size}
		for ; i < len(c.ents) && int(c.ents[i].suite) == seg.suite; i++ {
			if err := l.put(c.entryName(&c.ents[i]), c.entryText(&c.ents[i])); err != nil {
				return err
			}
			seg.entries++
		}
		seg.n = l.size - seg.off
		r.segs = append(r.segs, seg)
	}
	l.runs = append(l.runs, r)
	c.ents = c.ents[:0]
	if cap(c.arena) > 2*c.chunkBytes {
		c.arena = nil // a huge case grew it; do not keep that much
	} else {
		c.arena = c.arena[:0]
	}
	if len(l.runs) >= c.fanout {
		return c.compact(0)
	}
	return nil
}

// level returns level i, creating its file when needed.
func (c *caseStore) level(i int) (*level, error) {
	for len(c.levels) <= i {
		c.levels = append(c.levels, nil)
	}
	if c.levels[i] != nil {
		return c.levels[i], nil
	}
	f, err := os.CreateTemp("", "heval-junit-*")
	if err != nil {
		return nil, err
	}
	// Where the system allows it (not Windows), the file goes at once and nothing is left
	// behind even by a crash; its descriptor keeps it until it is closed.
	l := &level{f: f, removed: os.Remove(f.Name()) == nil, out: &offsetWriter{f: f}}
	l.w = bufio.NewWriterSize(l.out, 64<<10)
	c.levels[i] = l
	return l, nil
}

// put appends a case to the level's current run: the lengths of its name and its text as
// uvarints, then both.
func (l *level) put(name, text []byte) error {
	l.hdr = binary.AppendUvarint(l.hdr[:0], uint64(len(name)))
	l.hdr = binary.AppendUvarint(l.hdr, uint64(len(text)))
	l.size += int64(len(l.hdr) + len(name) + len(text))
	l.w.Write(l.hdr) // a bufio.Writer keeps its first error and returns it on every write
	l.w.Write(name)
	_, err := l.w.Write(text)
	return err
}

// compact merges the runs of level i into one run of level i+1 and empties level i.
func (c *caseStore) compact(i int) error {
	src := c.levels[i]
	if err := src.w.Flush(); err != nil {
		return err
	}
	dst, err := c.level(i + 1)
	if err != nil {
		return err
	}
	var suites []int
	for _, r := range src.runs {
		for _, s := range r.segs {
			suites = append(suites, s.suite)
		}
	}
	slices.Sort(suites)
	var r run
	for _, suite := range slices.Compact(suites) {
		seg := segment{suite: suite, off: dst.size}
		err := c.merge(suite, c.levels[i:i+1], false, func(name, text []byte) error {
			seg.entries++
			return dst.put(name, text)
		})
		if err != nil {
			return err
		}
		seg.n = dst.size - seg.off
		r.segs = append(r.segs, seg)
	}
	dst.runs = append(dst.runs, r)
	if err := src.f.Truncate(0); err != nil {
		return err
	}
	src.runs, src.size, src.out.off = nil, 0, 0
	src.w.Reset(src.out)
	if len(dst.runs) >= c.fanout {
		return c.compact(i + 1)
	}
	return nil
}

// merge calls emit with every case of a suite, in order, from the runs of levels and, with
// chunk, from the in-memory chunk. The slices emit gets are valid during the call only.
func (c *caseStore) merge(suite int, levels []*level, chunk bool, emit func(name, text []byte) error) error {
	var cs []*cursor
	defer func() { c.pool = append(c.pool, cs...) }()
	take := func() *cursor {
		var cur *cursor
		if n := len(c.pool); n > 0 {
			cur, c.pool = c.pool[n-1], c.pool[:n-1]
		} else {
			cur = &cursor{}
		}
		cs = append(cs, cur)
		return cur
	}
	runs := 0
	for _, l := range levels {
		if l != nil {
			runs += len(l.runs)
		}
	}
	size := min(max(readBudget/max(runs, 1), minRead), maxRead)
	for _, l := range levels {
		if l == nil || len(l.runs) == 0 {
			continue
		}
		if err := l.w.Flush(); err != nil {
			return err
		}
		for _, r := range l.runs {
			if j, ok := slices.BinarySearchFunc(r.segs, suite, func(s segment, t int) int { return cmp.Compare(s.suite, t) }); ok {
				take().fromFile(l.f, r.segs[j], size)
			}
		}
	}
	if chunk {
		c.sortChunk()
		lo, _ := slices.BinarySearchFunc(c.ents, suite, func(e entry, t int) int { return cmp.Compare(int(e.suite), t) })
		hi, _ := slices.BinarySearchFunc(c.ents, suite+1, func(e entry, t int) int { return cmp.Compare(int(e.suite), t) })
		if lo < hi {
			take().fromChunk(c, c.ents[lo:hi])
		}
	}
	return mergeCursors(cs, emit)
}

// close removes the temporary files.
func (c *caseStore) close() {
	for _, l := range c.levels {
		if l == nil {
			continue
		}
		l.f.Close()
		if !l.removed {
			os.Remove(l.f.Name())
		}
	}
	c.levels, c.pool, c.arena, c.ents, c.spare, c.packed = nil, nil, nil, nil, nil, nil
}

// cursor reads the cases of one suite from a run or from the chunk, in order.
type cursor struct {
	name, text []byte

	store *caseStore
	ents  []entry

	br      *bufio.Reader
	left    int
	consume int
	buf     []byte
}

func (cur *cursor) fromChunk(c *caseStore, ents []entry) {
	cur.store, cur.ents, cur.left = c, ents, 0
}

// fromFile reads the segment s of f through a buffer of size bytes (less for a shorter
// segment); a buffer of up to twice that is used again.
func (cur *cursor) fromFile(f *os.File, s segment, size int) {
	sr := io.NewSectionReader(f, s.off, s.n)
	want := int(min(int64(size), max(s.n, 16)))
	if cur.br == nil || cur.br.Size() < want || cur.br.Size() > 2*size {
		cur.br = bufio.NewReaderSize(sr, want)
	} else {
		cur.br.Reset(sr)
	}
	cur.store, cur.ents, cur.left, cur.consume = nil, nil, s.entries, 0
}

// next moves to the next case; it reports false at the end.
func (cur *cursor) next() (bool, error) {
	if cur.store != nil {
		if len(cur.ents) == 0 {
			return false, nil
		}
		e := &cur.ents[0]
		cur.name, cur.text = cur.store.entryName(e), cur.store.entryText(e)
		cur.ents = cur.ents[1:]
		return true, nil
	}
	if cur.consume > 0 {
		if _, err := cur.br.Discard(cur.consume); err != nil {
			return false, err
		}
		cur.consume = 0
	}
	if cur.left == 0 {
		return false, nil
	}
	cur.left--
	nl, err := binary.ReadUvarint(cur.br)
	if err != nil {
		return false, unexpected(err)
	}
	tl, err := binary.ReadUvarint(cur.br)
	if err != nil {
		return false, unexpected(err)
	}
	n := int(nl + tl)
	var b []byte
	if n <= cur.br.Size() {
		// Most cases are read in place; the slice stays valid until the next call.
		if b, err = cur.br.Peek(n); err != nil {
			return false, unexpected(err)
		}
		cur.consume = n
	} else {
		if cap(cur.buf) < n || cap(cur.buf) > 4*n {
			cur.buf = make([]byte, n)
		}
		b = cur.buf[:n]
		if _, err := io.ReadFull(cur.br, b); err != nil {
			return false, unexpected(err)
		}
	}
	cur.name, cur.text = b[:nl], b[nl:]
	return true, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the temporary file of test cases ends early: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// mergeCursors calls emit with the cases of every cursor in order (a k-way merge over a
// binary heap).
func mergeCursors(cs []*cursor, emit func(name, text []byte) error) error {
	h := make([]*cursor, 0, len(cs))
	for _, cur := range cs {
		ok, err := cur.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, cur)
		}
	}
	less := func(i, j int) bool {
		return compareCase(h[i].name, h[i].text, h[j].name, h[j].text) < 0
	}
	// minChild is the smaller child of i, or -1.
	minChild := func(i int) int {
		l := 2*i + 1
		if l >= len(h) {
			return -1
		}
		if r := l + 1; r < len(h) && less(r, l) {
			return r
		}
		return l
	}
	down := func(i int) {
		for m := minChild(i); m >= 0 && less(m, i); m = minChild(i) {
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	// Runs mostly hold cases from different stretches of the run, so the same cursor stays
	// the smallest for many cases in a row; while it does, the heap below it does not
	// change, and its smaller child (runnerUp) is remembered.
	runnerUp := -2
	for len(h) > 0 {
		top := h[0]
		if err := emit(top.name, top.text); err != nil {
			return err
		}
		ok, err := top.next()
		if err != nil {
			return err
		}
		if ok && runnerUp != -2 && (runnerUp < 0 || !less(runnerUp, 0)) {
			continue
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
		runnerUp = minChild(0)
	}
	return nil
}

// compareCase is the order of the test cases of a suite: by name in natural order (see
// [naturalCompare]), names that compare equal so by their bytes, and cases with the same
// name by the rest of their XML text. It is a total order on the encoded cases, so the
// order of a suite does not depend on the order its records arrived in.
func compareCase[T string | []byte](aName, aText, bName, bText T) int {
	if c := naturalCompare(aName, bName); c != 0 {
		return c
	}
	if c := compareBytes(aName, bName); c != 0 {
		return c
	}
	return compareBytes(aText, bText)
}

// compareBytes compares two strings byte by byte.
func compareBytes[T string | []byte](a, b T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return cmp.Compare(a[i], b[i])
		}
	}
	return cmp.Compare(len(a), len(b))
}
