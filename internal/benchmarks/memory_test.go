package benchmarks_test

import (
	"context"
	"testing"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/harness"
)

// Targets of the performance issue for memory.
const (
	// peakTargetMB bounds the heap of a 1,000,000-score run.
	peakTargetMB = 256
)

// BenchmarkMemory runs the six seed checks as a dry run over demo-shaped samples streamed
// from a generator (the demo experiments' samples, cycled under fresh request ids), with
// Parquet written to a temp file and JUnit to a byte counter, at 100,000 and at 1,000,000
// scores (about 16,667 and 166,667 samples), in the same op. It reports the peak heap in
// use of each run and their ratio: the harness and the report writers must hold constant
// memory, whatever the number of samples. Results are not kept (KeepResults is false).
func BenchmarkMemory(b *testing.B) {
	templates, err := demoTemplates(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	evs, err := sixChecks()
	if err != nil {
		b.Fatal(err)
	}
	for _, reports := range []string{"parquet+junit", "parquet"} {
		b.Run("reports="+reports, func(b *testing.B) {
			memoryRuns(b, templates, evs, reports == "parquet")
		})
	}
}

// memoryRuns measures the runs of BenchmarkMemory, with or without the JUnit writer.
func memoryRuns(b *testing.B, templates []heval.Sample, evs []*harness.EvaluatorSpec, noJUnit bool) {
	run := func(b *testing.B, scores int) memPeak {
		n := (scores + len(evs) - 1) / len(evs)
		r, err := measuredRun(context.Background(), runConfig{
			source:     &streamSource{templates: templates, n: n},
			evaluators: evs,
			dryRun:     true,
			dir:        b.TempDir(),
			noJUnit:    noJUnit,
		})
		if err != nil {
			b.Fatal(err)
		}
		if r.res.Summary.Samples != n || r.parquetRows < int64(n*len(evs)) || (r.junitBytes == 0) != noJUnit {
			b.Fatalf("judged %d samples into %d Parquet rows; want %d samples, at least %d rows", r.res.Summary.Samples, r.parquetRows, n, n*len(evs))
		}
		if r.res.Len() != 0 {
			b.Fatalf("the run kept %d records; it must keep none", r.res.Len())
		}
		return r.mem
	}
	var small, large, ratio float64
	for b.Loop() {
		s := run(b, 100_000)
		l := run(b, 1_000_000)
		small += s.PeakMB()
		large += l.PeakMB()
		ratio += l.PeakMB() / s.PeakMB()
	}
	k := float64(b.N)
	b.ReportMetric(small/k, "peak-MB-100k-scores")
	b.ReportMetric(large/k, "peak-MB-1M-scores")
	b.ReportMetric(large/k/peakTargetMB, "fraction-of-256MB")
	b.ReportMetric(ratio/k, "peak-ratio-1M/100k")
}
