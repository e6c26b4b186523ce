package harness_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
)

// uuidFor is a deterministic request id for sample i.
func uuidFor(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }

func makeSamples(n int) []heval.Sample {
	out := make([]heval.Sample, n)
	for i := range out {
		out[i] = datasets.Prepare(heval.Sample{
			Kind: heval.KindHypothesisRun, RequestID: uuidFor(i), ExperimentID: uuidFor(1 << 20),
			HypothesisID: []string{"baseline", "candidate"}[i%2], Hypothesis: []string{"baseline", "candidate"}[i%2],
			DatasetRowID: fmt.Sprintf("row-%d", i/2), RowIndex: i / 2,
			Body: []byte(fmt.Sprintf(`{"choices":[{"message":{"role":"assistant","content":"answer number %d"}}]}`, i)),
		})
	}
	return out
}

// recorder is a heval.Handler that keeps what it receives.
type recorder struct {
	mu      sync.Mutex
	info    heval.RunInfo
	records []heval.Record
	summary *heval.Summary
	bodies  int
	starts  int
}

func (r *recorder) Start(info heval.RunInfo) error { r.starts++; r.info = info; return nil }
func (r *recorder) Record(rec heval.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Sample != nil && len(rec.Sample.Body) > 0 {
		r.bodies++
	}
	r.records = append(r.records, rec)
	return nil
}
func (r *recorder) Finish(s heval.Summary) error { r.summary = &s; return nil }

func (r *recorder) byEvaluator(name string) []heval.Record {
	var out []heval.Record
	for _, rec := range r.records {
		if rec.Evaluator == name {
			out = append(out, rec)
		}
	}
	return out
}

// index is the number in a sample's request id.
func index(s heval.Sample) int {
	var i int
	fmt.Sscanf(s.RequestID[:8], "%x", &i)
	return i
}

func constant(v any) heval.Func {
	return func(context.Context, heval.Sample) (heval.Score, error) { return heval.Any(v), nil }
}
