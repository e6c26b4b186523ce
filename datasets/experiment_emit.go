package datasets

import (
	"fmt"
	"sync"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/internal/idkey"
	"github.com/heval-dev/heval/internal/spool"
)

// An experiment's samples are built in two steps. The join reads the answer and decides,
// part by part, what can be built and when (see experimentJoin); the builder builds it and
// yields the samples, in the order the join decided. When a source streams an answer the
// two run in goroutines of their own, handing tasks over a channel: the answer holds a
// hypothesis's runs back until its header ends, and while the builder yields the runs of one
// hypothesis (and the run waits for its evaluators and reports), the join reads and holds
// back the next hypothesis's. A decoded experiment is built in one goroutine, task after task.

// taskKind says what a joinTask builds.
type taskKind uint8

const (
	taskRow      taskKind = iota // one row's sample, from row
	taskRun                      // one run's sample, from run
	taskHeldRows                 // the samples of the rows held back at offs
	taskHeldRuns                 // the samples of the runs held back at offs
	taskErr                      // err, which ends the source
	taskFence                    // closes fence once every task before it is done
)

// joinTask is one step of the building.
type joinTask struct {
	kind  taskKind
	row   *rowPart
	run   *runPart
	offs  spool.Offsets
	exp   *expInfo
	hyp   *hypInfo
	err   error
	fence chan struct{}
	// sp is the spool of the parts held back (nil before any was), and limit its size when
	// the task was made: every record the task reads lies below it.
	sp    *spool.File
	limit int64
	// rowOff is the spool offset of a taskRun's row, when hasRow.
	rowOff int64
	hasRow bool
}

// expInfo is what every sample of an experiment takes of it.
type expInfo struct {
	id, name string
	// rows finds a row's record in the spool by row id.
	rows *rowIndex
}

// hypInfo is what a run's sample takes of its hypothesis.
type hypInfo struct {
	id, label, model, promptVersionID string
	// unwanted is set when the source's hypotheses leave this one out.
	unwanted bool
}

// rowIndex is an idkey.Index that the join fills and the builder reads from another
// goroutine.
type rowIndex struct {
	mu sync.Mutex
	x  idkey.Index
}

func (r *rowIndex) set(id string, off int64) {
	r.mu.Lock()
	r.x.Set(id, off)
	r.mu.Unlock()
}

func (r *rowIndex) get(id string) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.x.Get(id)
}

// builder builds and yields the samples of the join's tasks.
type builder struct {
	yield      func(heval.Sample, error) bool
	sp         *spool.File
	rows, runs *spool.Reader
	stopped    bool
}

// do carries out t and reports whether to go on.
func (b *builder) do(t joinTask) bool {
	if b.stopped {
		return false
	}
	if t.sp != nil && b.sp != t.sp {
		b.sp, b.rows, b.runs = t.sp, t.sp.NewReader(), t.sp.NewReader()
	}
	switch t.kind {
	case taskRow:
		return b.rowSample(t.exp, t.row)
	case taskRun:
		return b.runSample(t.exp, t.hyp, t.run, t.rowOff, t.hasRow, t.limit)
	case taskHeldRows:
		for off := range t.offs.All() {
			p, ok := readPart(b, b.rows, t.exp, off, t.limit, decodeRowPart)
			if !ok || !b.rowSample(t.exp, p) {
				return false
			}
		}
	case taskHeldRuns:
		for off := range t.offs.All() {
			p, ok := readPart(b, b.runs, t.exp, off, t.limit, decodeRunPart)
			if !ok {
				return false
			}
			rowOff, hasRow := t.exp.rows.get(p.rowID)
			if !b.runSample(t.exp, t.hyp, p, rowOff, hasRow, t.limit) {
				return false
			}
		}
	case taskErr:
		return b.fail(t.err)
	case taskFence:
		close(t.fence)
	}
	return true
}

// fail yields err and stops.
func (b *builder) fail(err error) bool {
	b.yield(heval.Sample{}, err)
	b.stopped = true
	return false
}

// readPart reads back through rd the part of experiment e that the spool holds at off,
// below limit, and decodes it; a failure is yielded and stops b.
func readPart[T any](b *builder, rd *spool.Reader, e *expInfo, off, limit int64, decode func([]byte) (T, error)) (T, bool) {
	rec, _, err := rd.ReadBelow(off, limit)
	var p T
	if err == nil {
		if p, err = decode(rec); err == nil {
			return p, true
		}
	}
	b.fail(spoolError(e.id, "reading back a part of the answer held back", err))
	return p, false
}

func (b *builder) emit(s heval.Sample) bool {
	if !b.yield(s, nil) {
		b.stopped = true
		return false
	}
	return true
}

func (b *builder) rowSample(e *expInfo, p *rowPart) bool {
	if !p.hasInput || p.requestID == "" {
		return b.fail(fmt.Errorf("datasets: experiment %s: dataset row %q (index %d) has no input record, so its request id is unknown; the server's answer is incomplete", e.id, p.rowID, p.rowIndex))
	}
	s := heval.Sample{
		Kind:         heval.KindDatasetRow,
		RequestID:    p.requestID,
		ExperimentID: e.id,
		Experiment:   e.name,
		Hypothesis:   DatasetHypothesis,
		DatasetRowID: p.rowID,
		RowIndex:     p.rowIndex,
		Inputs:       p.inputs,
		Provider:     p.provider,
	}
	fillResponse(&s, p.resp)
	s = Prepare(s)
	if p.textRead && p.textOK {
		s = s.WithText(p.text, nil, "")
	}
	return b.emit(s)
}

// runSample builds a run's sample, joined to its row when the spool holds it at rowOff.
func (b *builder) runSample(e *expInfo, h *hypInfo, p *runPart, rowOff int64, hasRow bool, limit int64) bool {
	if p.requestID == "" {
		return b.fail(fmt.Errorf("datasets: experiment %s: hypothesis %s has a run (dataset row %q) without a result request id; the server's answer is incomplete", e.id, h.id, p.rowID))
	}
	s := heval.Sample{
		Kind:            heval.KindHypothesisRun,
		RequestID:       p.requestID,
		ExperimentID:    e.id,
		Experiment:      e.name,
		HypothesisID:    h.id,
		Hypothesis:      h.label,
		Model:           h.model,
		PromptVersionID: h.promptVersionID,
		DatasetRowID:    p.rowID,
		RowIndex:        -1,
		Provider:        p.provider,
	}
	fillResponse(&s, p.resp)
	s = Prepare(s)
	if hasRow {
		row, ok := readPart(b, b.rows, e, rowOff, limit, decodeRowPart)
		if !ok {
			return false
		}
		s.RowIndex = row.rowIndex
		if row.hasInput {
			s.Inputs = row.inputs
			if row.resp != nil {
				s.Reference = row.resp.body
			}
			if row.textRead {
				s = s.WithReferenceText(row.text)
			}
		}
	}
	return b.emit(s)
}
