package outputs

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/heval-dev/heval"
)

// The records a fan-out hands to its sinks go in batches of batchSize, and at most
// queuedBatches batches wait for each sink: a slow sink holds the run back (backpressure)
// instead of letting the records pile up in memory.
const (
	batchSize     = 256
	queuedBatches = 8
)

// sink is one report writer of a fan-out and the name its errors carry.
type sink struct {
	name string
	h    heval.Handler
}

// fanout is a handler that passes every call on to each of its sinks, every sink on its
// own goroutine: Record only appends the record to a batch, and a full batch is handed to
// every sink's queue, so that the sinks write their files at the same time as each other
// and as the run that calls Record.
//
// Each sink receives Start, then every record in the order of the Record calls, then
// Finish, from one goroutine at a time. Start is passed on before Start returns; Finish
// waits for every sink to write what it was handed and to finish. An error of a sink is
// returned once, named after the sink: by a later Record call when it is known by then,
// else by Finish; the sink keeps receiving records, and the other sinks are not affected.
// A sink that panics is reported the same way and receives nothing more.
//
// The records (and the samples they point to) are read by the sinks after Record
// returned: the caller must not change them afterwards. The harness hands each record
// over once and never touches it again.
type fanout struct {
	sinks   []*worker
	batch   *batch
	pool    sync.Pool
	wg      sync.WaitGroup
	started bool
	stopped bool
	// failed is set by a worker when its sink failed, so that Record looks for errors only
	// when there are some.
	failed atomic.Bool
}

// batch is a run of records handed to every sink; the last sink done with it returns it
// to the pool.
type batch struct {
	recs []heval.Record
	refs atomic.Int32
}

// worker is the goroutine of one sink.
type worker struct {
	sink
	queue chan *batch
	// The fields below are written by the worker and read by Record after a failure has
	// been signalled, and by Finish once the worker is done; mu orders both.
	mu       sync.Mutex
	err      error // the first error of the sink
	later    int   // how many records failed after err
	lastErr  error // the last of those
	reported bool  // err has been returned by Record
	// dead is set when the sink panicked; only the goroutine calling the sink reads it
	// until the worker is done.
	dead bool
}

func newFanout(sinks ...sink) *fanout {
	f := &fanout{}
	for _, s := range sinks {
		f.sinks = append(f.sinks, &worker{sink: s})
	}
	f.pool.New = func() any { return &batch{recs: make([]heval.Record, 0, batchSize)} }
	return f
}

// Start passes info to every sink, in order, and starts their goroutines.
func (f *fanout) Start(info heval.RunInfo) error {
	var errs []error
	for _, w := range f.sinks {
		if err := w.call(func() error { return w.h.Start(info) }); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", w.name, err))
		}
	}
	if !f.started {
		f.started = true
		for _, w := range f.sinks {
			w.queue = make(chan *batch, queuedBatches)
			f.wg.Add(1)
			go f.run(w)
		}
	}
	return errors.Join(errs...)
}

// Record adds r to the batch being filled and hands a full batch to every sink. It returns
// the errors the sinks met since the last call that returned one.
func (f *fanout) Record(r heval.Record) error {
	if !f.started || f.stopped {
		return errors.New("outputs: a record outside of a run")
	}
	if f.batch == nil {
		f.batch = f.pool.Get().(*batch)
	}
	f.batch.recs = append(f.batch.recs, r)
	if len(f.batch.recs) == batchSize {
		f.flush()
	}
	if !f.failed.Load() {
		return nil
	}
	f.failed.Store(false)
	var errs []error
	for _, w := range f.sinks {
		w.mu.Lock()
		if w.err != nil && !w.reported {
			w.reported = true
			errs = append(errs, fmt.Errorf("%s: %w", w.name, w.err))
		}
		w.mu.Unlock()
	}
	return errors.Join(errs...)
}

// flush hands the batch being filled to every sink.
func (f *fanout) flush() {
	b := f.batch
	f.batch = nil
	if b == nil || len(b.recs) == 0 {
		if b != nil {
			f.pool.Put(b)
		}
		return
	}
	b.refs.Store(int32(len(f.sinks)))
	for _, w := range f.sinks {
		w.queue <- b
	}
}

// stop hands the last records over, closes the queues and waits for every sink to write
// what it was handed.
func (f *fanout) stop() {
	if !f.started || f.stopped {
		return
	}
	f.stopped = true
	f.flush()
	for _, w := range f.sinks {
		close(w.queue)
	}
	f.wg.Wait()
}

// Finish waits for every sink to write its records, then passes s to every sink at the
// same time and waits for them all. It returns the errors not returned yet, in the order
// of the sinks.
func (f *fanout) Finish(s heval.Summary) error {
	f.stop()
	var wg sync.WaitGroup
	finishErrs := make([]error, len(f.sinks))
	for i, w := range f.sinks {
		if w.dead {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			finishErrs[i] = w.call(func() error { return w.h.Finish(s) })
		}()
	}
	wg.Wait()
	var errs []error
	for i, w := range f.sinks {
		if w.err != nil && !w.reported {
			w.reported = true
			errs = append(errs, fmt.Errorf("%s: %w", w.name, w.err))
		}
		if w.later > 0 {
			errs = append(errs, fmt.Errorf("%s: %d more records failed, the last: %w", w.name, w.later, w.lastErr))
			w.later = 0
		}
		if finishErrs[i] != nil {
			errs = append(errs, fmt.Errorf("%s: %w", w.name, finishErrs[i]))
		}
	}
	return errors.Join(errs...)
}

// run passes every batch of w's queue on to its sink.
func (f *fanout) run(w *worker) {
	defer f.wg.Done()
	for b := range w.queue {
		if !w.dead && w.deliver(b.recs) {
			f.failed.Store(true)
		}
		if b.refs.Add(-1) == 0 {
			clear(b.recs)
			b.recs = b.recs[:0]
			f.pool.Put(b)
		}
	}
}

// deliver passes recs to the sink and reports whether it failed; a panic of the sink is
// an error, and the sink receives nothing more.
func (w *worker) deliver(recs []heval.Record) (failed bool) {
	defer func() {
		if v := recover(); v != nil {
			w.dead = true
			w.fail(fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			failed = true
		}
	}()
	for i := range recs {
		if err := w.h.Record(recs[i]); err != nil {
			w.fail(err)
			failed = true
		}
	}
	return failed
}

// call runs one call of the sink, turning a panic into an error; a sink that panicked
// is called no more.
func (w *worker) call(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			w.dead = true
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return fn()
}

func (w *worker) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
		return
	}
	w.later++
	w.lastErr = err
}
