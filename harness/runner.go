package harness

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
)

// job is one sample on its way through the run: evaluated, delivered, verified, reported.
type job struct {
	sample  heval.Sample
	recs    []heval.Record
	pending atomic.Int32
	// aborted is set when an evaluation of the sample was skipped or cut short by an
	// interruption: the sample is then neither sent nor reported, and a resumed run
	// evaluates it again.
	aborted atomic.Bool
	// sent is what was (or would have been) written to Helicone; ackAt when it was acknowledged.
	sent helicone.Scores
	// vals backs the values of single-value records, one slot per evaluation.
	vals  []heval.Value
	ackAt time.Time
	// replayed marks a sample whose records come from the journal of an earlier run.
	replayed bool
}

// slot is one evaluation of a sample: an evaluator and a repeat.
type slot struct {
	ev     *EvaluatorSpec
	evIdx  int
	repeat int
}

// slowCall is the mean duration above which an evaluator gets a task of its own per
// sample instead of sharing the sample's task with the other evaluators. Below it, the
// cost of a task (about a microsecond) would be a large part of the evaluation; above it,
// running the evaluators of one sample one after the other would cost parallelism.
const slowCall = 200 * time.Microsecond

// item is one evaluation: evaluation i (an index into the run's slots) of job j.
type item struct {
	j *job
	i int
}

// schedule starts the evaluations of j: the fast evaluators of a sample in one task, each
// slow (or time-limited) evaluation in a task of its own. It returns false when the run was
// interrupted before every task could start.
func (r *run) schedule(j *job) bool {
	n := len(r.slots)
	prepare(j, n)
	var batch []item
	for i, sl := range r.slots {
		if sl.ev.timeout > 0 || time.Duration(r.meanNanos[sl.evIdx].Load()) > slowCall {
			if !r.spawn([]item{{j, i}}) {
				r.skip([]item{{j, i}})
				r.skip(batch)
				for k := i + 1; k < n; k++ {
					r.skip([]item{{j, k}})
				}
				return false
			}
			continue
		}
		batch = append(batch, item{j, i})
	}
	if len(batch) > 0 && !r.spawn(batch) {
		r.skip(batch)
		return false
	}
	return true
}

// sampleBatch is how many samples one task evaluates when every evaluator is known to be
// fast: a task then costs less than the evaluations it runs.
const sampleBatch = 16

// fastCall is the mean duration below which an evaluator counts as fast for sample batching.
const fastCall = 20 * time.Microsecond

// enqueue schedules j, batching samples into one task while every evaluator is fast. It
// returns false when the run was interrupted.
func (r *run) enqueue(j *job) bool {
	if r.allFast() {
		r.batch = append(r.batch, j)
		if len(r.batch) >= sampleBatch {
			return r.flush()
		}
		return true
	}
	if !r.flush() {
		r.skipJobs([]*job{j})
		return false
	}
	return r.schedule(j)
}

// allFast reports whether every evaluator has been measured often enough and is fast.
func (r *run) allFast() bool {
	for i, ev := range r.cfg.Evaluators {
		if ev.timeout > 0 || r.calls[i].Load() < 16 || time.Duration(r.meanNanos[i].Load()) > fastCall {
			return false
		}
	}
	return true
}

// flush starts the task of the batched samples.
func (r *run) flush() bool {
	if len(r.batch) == 0 {
		return true
	}
	b := r.batch
	r.batch = make([]*job, 0, sampleBatch)
	n := len(r.slots)
	items := make([]item, 0, len(b)*n)
	for _, j := range b {
		prepare(j, n)
		for i := range n {
			items = append(items, item{j, i})
		}
	}
	if !r.spawn(items) {
		r.skip(items)
		return false
	}
	return true
}

// spawn runs the evaluations on a goroutine of the run's group, once one of the
// Concurrency slots is free. It returns false, starting nothing, when the run's context
// ends first.
func (r *run) spawn(items []item) bool {
	var slot int
	select {
	case slot = <-r.slotsFree:
	case <-r.ctx.Done():
		return false
	}
	r.g.Go(func() error {
		defer func() { r.slotsFree <- slot }()
		r.work(items, slot)
		return nil
	})
	return true
}

// skip marks evaluations that were never started because the run was interrupted.
func (r *run) skip(items []item) {
	for _, it := range items {
		it.j.aborted.Store(true)
		r.done(it.j, 1)
	}
}

func (r *run) skipJobs(js []*job) {
	n := len(r.slots)
	for _, j := range js {
		prepare(j, n)
		for i := range n {
			r.skip([]item{{j, i}})
		}
	}
}

// work runs evaluations one after the other on a concurrency slot (-1 for none), which
// names the evaluation it is running in r.running. An evaluator that ends its goroutine with
// runtime.Goexit (what t.FailNow, t.Fatal and require.* do) cannot take the rest of the
// task with it: its evaluation is recorded as failed and the remaining ones go on in a new
// goroutine.
func (r *run) work(items []item, slot int) {
	k := 0
	defer func() {
		if k >= len(items) {
			return
		}
		it := items[k]
		r.track(slot, nil)
		r.goexited(it.j, it.i)
		r.done(it.j, 1)
		if rest := items[k+1:]; len(rest) > 0 {
			r.g.Go(func() error {
				r.work(rest, -1)
				return nil
			})
		}
	}()
	for ; k < len(items); k++ {
		r.evaluate(items[k].j, items[k].i, slot)
		r.done(items[k].j, 1)
	}
}

// track records the evaluation running on a slot, so that an interrupted run can name the
// evaluations it abandons.
func (r *run) track(slot int, rec *heval.Record) {
	if slot >= 0 {
		r.running[slot].Store(rec)
	}
}

// goexitMessage is the error of an evaluator that called runtime.Goexit.
const goexitMessage = "the evaluator ended its goroutine with runtime.Goexit (t.FailNow, t.Fatal, t.SkipNow and testify's require.* do this), so it returned no score; return an error from the evaluator instead"

func (r *run) goexited(j *job, i int) {
	rec := &j.recs[i]
	if r.ctx.Err() != nil {
		j.aborted.Store(true)
		return
	}
	rec.Values = nil
	rec.ErrKind = heval.ErrorKindEvaluator
	rec.Err = goexitMessage
}

func prepare(j *job, n int) {
	j.recs = make([]heval.Record, n)
	j.vals = make([]heval.Value, n)
	j.pending.Store(int32(n))
}

// done marks n evaluations of j finished; the last one passes the sample on. After the run
// abandoned its stuck evaluations, a late one passes nothing on.
func (r *run) done(j *job, n int32) {
	if j.pending.Add(-n) != 0 {
		return
	}
	if j.aborted.Load() {
		r.abortedSamples.Add(1)
		return
	}
	r.gate.RLock()
	defer r.gate.RUnlock()
	if r.abandoned {
		return
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress.Evaluated(1)
	}
	if r.cfg.DryRun {
		r.out <- j
		return
	}
	r.toDeliver <- j
}

// evaluate runs evaluation i of j and fills its record.
func (r *run) evaluate(j *job, i int, slot int) {
	sl := r.slots[i]
	rec := &j.recs[i]
	rec.Sample = &j.sample
	rec.Evaluator = sl.ev.name
	rec.Repeat = sl.repeat
	r.track(slot, rec)
	defer r.track(slot, nil)
	if r.ctx.Err() != nil {
		j.aborted.Store(true)
		return
	}
	start := time.Now()
	score, err := r.call(sl.ev, &j.sample)
	rec.Duration = time.Since(start)
	avg := &r.meanNanos[sl.evIdx]
	old := avg.Load()
	avg.Store(old + (int64(rec.Duration)-old)/8)
	if c := &r.calls[sl.evIdx]; c.Load() < 16 {
		c.Add(1)
	}
	if err != nil && r.ctx.Err() != nil {
		// Cut short by the interruption, not a failure of the evaluator.
		j.aborted.Store(true)
		return
	}
	if err != nil {
		var pe *panicError
		switch {
		case errors.Is(err, heval.ErrNotApplicable):
			rec.Reason = err.Error()
			return
		case errors.As(err, &pe):
			rec.ErrKind = heval.ErrorKindPanic
		case errors.Is(err, errTimedOut), errors.Is(err, context.DeadlineExceeded):
			rec.ErrKind = heval.ErrorKindTimeout
			if !errors.Is(err, errTimedOut) {
				err = fmt.Errorf("%w: %w", errTimedOut, err)
			}
		default:
			rec.ErrKind = heval.ErrorKindEvaluator
		}
		rec.Err = errorText(err)
		return
	}
	fillRecord(rec, sl.ev, score, j.vals[i:i:i+1])
}

// fillRecord validates the entries of a score into the record's values; invalid entries
// become an invalid_value error while the valid ones are kept.
func fillRecord(rec *heval.Record, ev *EvaluatorSpec, score heval.Score, buf []heval.Value) {
	rec.Reason = score.Reason()
	entries := score.Entries()
	if len(entries) > cap(buf) {
		buf = make([]heval.Value, 0, len(entries))
	}
	if len(entries) > 0 {
		rec.Values = buf[:0]
	}
	var bad []string
	for _, e := range entries {
		key := e.Key
		if key == "" {
			key = ev.name
		}
		v, err := heval.Normalize(key, e.Value)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		rec.Values = append(rec.Values, v)
	}
	if len(bad) > 0 {
		rec.ErrKind = heval.ErrorKindInvalidValue
		rec.Err = strings.Join(bad, "; ")
	}
	for _, c := range ev.checks {
		key := c.key
		if key == "" {
			key = ev.name
		}
		found := false
		for _, v := range rec.Values {
			if v.Key != key {
				continue
			}
			found = true
			if ok, _ := compare(c.op, float64(v.Value), c.limit); !ok {
				rec.Failures = append(rec.Failures, fmt.Sprintf("%s = %d, expected %s %s", key, v.Value, c.op, formatLimit(c.limit)))
			}
		}
		if !found && rec.Err == "" {
			rec.Failures = append(rec.Failures, fmt.Sprintf("%s has no value, expected %s %s", key, c.op, formatLimit(c.limit)))
		}
	}
}

// returnGrace is how long a timed-out call may take to return after its context was
// cancelled before it counts as abandoned: the call's own timeout, but at least 1s (a
// function that returns ctx.Err() at once may still need a while on a loaded machine) and
// at most 10s.
func returnGrace(timeout time.Duration) time.Duration {
	return min(max(timeout, time.Second), 10*time.Second)
}

// errTimedOut marks an evaluator call that ran past its timeout.
var errTimedOut = errors.New("evaluator timed out")

// panicError is a panic inside an evaluator, with the panic value and where it happened.
type panicError struct {
	value any
	stack string
}

func (e *panicError) Error() string {
	return fmt.Sprintf("the evaluator panicked: %v\n%s", e.value, e.stack)
}

// call runs the evaluator once, turning a panic into an error and enforcing its timeout.
func (r *run) call(ev *EvaluatorSpec, s *heval.Sample) (heval.Score, error) {
	if ev.timeout <= 0 {
		return safeCall(r.ctx, ev.fn, s)
	}
	return r.callWithTimeout(ev, *s)
}

// callWithTimeout runs the call in a goroutine of its own so that a function ignoring its
// context can be abandoned at the deadline.
func (r *run) callWithTimeout(ev *EvaluatorSpec, s heval.Sample) (heval.Score, error) {
	ctx, cancel := context.WithTimeout(r.ctx, ev.timeout)
	defer cancel()
	type result struct {
		score heval.Score
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		returned := false
		defer func() {
			if !returned {
				ch <- result{err: errors.New(goexitMessage)}
			}
		}()
		sc, err := safeCall(ctx, ev.fn, &s)
		returned = true
		ch <- result{sc, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && r.ctx.Err() == nil {
			return heval.Score{}, fmt.Errorf("%w after %s: %w", errTimedOut, ev.timeout, res.err)
		}
		return res.score, res.err
	case <-ctx.Done():
		if r.ctx.Err() != nil {
			return heval.Score{}, r.ctx.Err()
		}
		// A function that returns promptly on cancellation is not abandoned.
		select {
		case res := <-ch:
			if res.err == nil {
				return res.score, nil
			}
			return heval.Score{}, fmt.Errorf("%w after %s: %w", errTimedOut, ev.timeout, res.err)
		case <-time.After(returnGrace(ev.timeout)):
		}
		return heval.Score{}, fmt.Errorf("%w after %s and had not returned %s after its context was cancelled, so it was abandoned (it may still be running): make it return when ctx.Done() is closed", errTimedOut, ev.timeout, returnGrace(ev.timeout))
	}
}

func safeCall(ctx context.Context, fn heval.Func, s *heval.Sample) (score heval.Score, err error) {
	defer func() {
		if v := recover(); v != nil {
			score, err = heval.Score{}, &panicError{value: v, stack: shortStack()}
		}
	}()
	score, err = fn(ctx, *s)
	if isNilPointer(err) {
		return heval.Score{}, fmt.Errorf("the evaluator returned a nil %T as its error (a typed nil pointer in an error interface is not nil); return a plain nil when there is no error", err)
	}
	return score, err
}

// isNilPointer reports whether err is a non-nil interface holding a nil pointer (or map,
// slice, func, channel).
func isNilPointer(err error) bool {
	if err == nil {
		return false
	}
	v := reflect.ValueOf(err)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// errorText is err.Error(), also when the error's own method panics.
func errorText(err error) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprintf("the evaluator returned a %T error whose Error method panicked: %v", err, v)
		}
	}()
	return err.Error()
}

// shortStack names the frames from the panic up to the evaluator's caller, at most six.
func shortStack() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	seenPanic, count := false, 0
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			seenPanic = true
		} else if seenPanic && !strings.HasPrefix(f.Function, "runtime.") {
			if strings.HasPrefix(f.Function, "github.com/heval-dev/heval/harness.safeCall") {
				break
			}
			fmt.Fprintf(&b, "  at %s (%s:%d)\n", f.Function, shortFile(f.File), f.Line)
			count++
		}
		if !more || count == 6 {
			break
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func shortFile(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		if j := strings.LastIndexByte(path[:i], '/'); j >= 0 {
			return path[j+1:]
		}
	}
	return path
}
