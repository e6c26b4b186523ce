package junit

// SetLimits makes w keep at most chunk bytes of encoded cases in memory before it writes
// them out as a sorted run, and merge fanout runs of a level into one of the next level.
func SetLimits(w *Writer, chunk, fanout int) {
	w.store.chunkBytes, w.store.fanout = chunk, fanout
}

// StoreShape says what w holds now: the number of runs in each level, the capacity of the
// in-memory chunk and the number of cases in it.
func StoreShape(w *Writer) (runs []int, chunkCap, chunkCases int) {
	for _, l := range w.store.levels {
		n := 0
		if l != nil {
			n = len(l.runs)
		}
		runs = append(runs, n)
	}
	return runs, cap(w.store.arena), len(w.store.ents)
}
