package harness_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/reporters"
)

// uuidFor is a deterministic request id for sample i.
func uuidFor(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }

func makeSamples(n int) []datasets.Sample {
	out := make([]datasets.Sample, n)
	for i := range out {
		out[i] = datasets.Sample{
			Kind: datasets.KindHypothesisRun, RequestID: uuidFor(i), ExperimentID: uuidFor(1 << 20),
			HypothesisID: []string{"baseline", "candidate"}[i%2], Hypothesis: []string{"baseline", "candidate"}[i%2],
			DatasetRowID: fmt.Sprintf("row-%d", i/2), RowIndex: i / 2,
			Body: []byte(fmt.Sprintf(`{"choices":[{"message":{"role":"assistant","content":"answer number %d"}}]}`, i)),
		}.Cached()
	}
	return out
}

// recorder is a reporters.Handler that keeps what it receives.
type recorder struct {
	mu      sync.Mutex
	info    reporters.RunInfo
	records []reporters.Record
	summary *reporters.Summary
	bodies  int
	starts  int
}

func (r *recorder) Start(info reporters.RunInfo) error { r.starts++; r.info = info; return nil }
func (r *recorder) Record(rec reporters.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Sample != nil && len(rec.Sample.Body) > 0 {
		r.bodies++
	}
	r.records = append(r.records, rec)
	return nil
}
func (r *recorder) Finish(s reporters.Summary) error { r.summary = &s; return nil }

func (r *recorder) byEvaluator(name string) []reporters.Record {
	var out []reporters.Record
	for _, rec := range r.records {
		if rec.Evaluator == name {
			out = append(out, rec)
		}
	}
	return out
}

// index is the number in a sample's request id.
func index(s datasets.Sample) int {
	var i int
	fmt.Sscanf(s.RequestID[:8], "%x", &i)
	return i
}

func constant(v any) evals.Func {
	return func(context.Context, datasets.Sample) (evals.Score, error) { return evals.Value(v), nil }
}
