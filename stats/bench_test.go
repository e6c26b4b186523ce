package stats_test

import (
	"testing"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/stats"
)

// BenchmarkCompare compares two sides of a million values each: 250,000 units with four
// repeats, as the streaming aggregate of a large run hands them over.
func BenchmarkCompare(b *testing.B) {
	const units, repeats = 250_000, 4
	base := make([]stats.Observation, 0, units*repeats)
	cand := make([]stats.Observation, 0, units*repeats)
	for u := range units {
		for r := range repeats {
			base = append(base, stats.Observation{Unit: uint64(u + 1), Value: int64((u*7 + r) % 100)})
			cand = append(cand, stats.Observation{Unit: uint64(u + 1), Value: int64((u*5 + r) % 100)})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{})
		if err != nil || !c.Paired || c.Units != units {
			b.Fatalf("compare: %v, paired %v over %d units", err, c != nil && c.Paired, units)
		}
	}
}
