package idkey

import "slices"

// Index maps ids to int64 values in less memory than a Map when the ids are added before
// they are looked up, as a stream's rows are before the runs that join them: until the
// first Get the UUIDs go into one slice (24 bytes an id, against about twice that in a
// map), sorted once on that Get and searched from then on. An id added after that, or an
// id that is not a lower-case UUID, goes into a Map. The zero Index is empty and ready to
// use; the last value set for an id is the one Get returns.
type Index struct {
	sorted []indexEntry
	frozen bool // sorted is sorted; every later Set goes to late
	late   Map[int64]
}

// indexEntry is one id of the sorted slice, as a Set keeps it.
type indexEntry struct {
	k key
	v int64
}

func compareEntries(a, b indexEntry) int { return compareKeys(a.k, b.k) }

// Set maps id to v.
func (x *Index) Set(id string, v int64) {
	if k, ok := Pack(id); ok && !x.frozen {
		x.sorted = append(x.sorted, indexEntry{toKey(k), v})
		return
	}
	x.late.Set(id, v)
}

// Get returns the value of id and whether it has one.
func (x *Index) Get(id string) (int64, bool) {
	k, ok := Pack(id)
	if !ok {
		v, found := x.late.other[id]
		return v, found
	}
	if v, found := x.late.uuids[k]; found {
		return v, true
	}
	if !x.frozen {
		x.freeze()
	}
	i, found := slices.BinarySearchFunc(x.sorted, toKey(k), func(e indexEntry, k key) int { return compareKeys(e.k, k) })
	if !found {
		return 0, false
	}
	return x.sorted[i].v, true
}

// freeze sorts the ids added so far, keeping the last value of an id added more than once.
func (x *Index) freeze() {
	x.frozen = true
	slices.SortStableFunc(x.sorted, compareEntries)
	out := x.sorted[:0]
	for i, e := range x.sorted {
		if i+1 < len(x.sorted) && x.sorted[i+1].k == e.k {
			continue // a later value of the same id follows
		}
		out = append(out, e)
	}
	x.sorted = slices.Clip(out)
}

// Len is the number of ids in x.
func (x *Index) Len() int {
	if !x.frozen {
		x.freeze()
	}
	n := x.late.Len()
	for _, e := range x.sorted {
		if _, dup := x.late.uuids[e.k.bytes()]; !dup {
			n++
		}
	}
	return n
}
