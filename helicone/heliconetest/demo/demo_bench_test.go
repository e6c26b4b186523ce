package demo_test

import (
	"testing"

	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// BenchmarkGenerate100k generates a set of 100,000 samples (2 experiments × 12,500 rows ×
// (1 + 3 hypotheses)).
func BenchmarkGenerate100k(b *testing.B) {
	o := demo.Options{Experiments: 2, Rows: 12_500, Hypotheses: 3, Requests: -1}
	b.ReportAllocs()
	for b.Loop() {
		s := demo.Generate(o)
		if len(s.Organizations[0].Requests) != 100_000 {
			b.Fatal("wrong size")
		}
	}
	b.ReportMetric(float64(o.Samples()), "samples/op")
}
