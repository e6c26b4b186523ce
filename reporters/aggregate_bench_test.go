package reporters_test

import (
	"fmt"
	"testing"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/reporters"
)

// BenchmarkAggregatorRecord feeds an Aggregator the records of a dry run of the six seed
// checks over dataset rows and their runs (four groups): ns/op is the time per record.
func BenchmarkAggregatorRecord(b *testing.B) {
	evals := []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting", "exceeds_min_length", "contains_markdown"}
	groups := []string{"dataset", "gpt-4o", "gpt-4o-mini", "claude"}
	const rows = 2500
	samples := make([]heval.Sample, 0, rows*len(groups))
	for i := range rows {
		for _, g := range groups {
			samples = append(samples, heval.Sample{
				Kind:         heval.KindHypothesisRun,
				RequestID:    fmt.Sprintf("%08x-0000-4000-8000-%012x", i, len(samples)),
				DatasetRowID: fmt.Sprintf("%08x-1111-4000-8000-%012x", i, i),
				RowIndex:     i,
				HypothesisID: g,
				Hypothesis:   g,
				Experiment:   "support-bot",
			})
		}
	}
	recs := make([]heval.Record, 0, len(samples)*len(evals))
	for i := range samples {
		for j, e := range evals {
			v := heval.Value{Key: e, Value: int64((i*7 + j*13) % 2), Type: heval.Boolean}
			if j == 0 {
				v = heval.Value{Key: e, Value: int64(40 + (i*31)%200), Type: heval.Number}
			}
			recs = append(recs, heval.Record{Sample: &samples[i], Evaluator: e, Values: []heval.Value{v}})
		}
	}
	info := heval.RunInfo{RunID: "bench", DryRun: true, Evaluators: evals}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n%len(recs) == 0 {
			b.StopTimer()
			a := reporters.NewAggregator()
			if err := a.Start(info); err != nil {
				b.Fatal(err)
			}
			agg = a
			b.StartTimer()
		}
		if err := agg.Record(recs[n%len(recs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

var agg *reporters.Aggregator
