package stats_test

import (
	"math"
	"math/rand/v2"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/stats"
)

var _ = Describe("DescribeCounts", func() {
	floats := func(xs []int64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = float64(x)
		}
		return out
	}
	// same compares summaries bit for bit (NaN equal to NaN).
	same := func(got, want stats.Summary) {
		GinkgoHelper()
		Expect(got.N).To(Equal(want.N))
		for i, pair := range [][2]float64{{got.Mean, want.Mean}, {got.P50, want.P50}, {got.P90, want.P90},
			{got.Min, want.Min}, {got.Max, want.Max}, {got.StdDev, want.StdDev}} {
			Expect(math.Float64bits(pair[0])).To(Equal(math.Float64bits(pair[1])), "field %d: %v, want %v", i, pair[0], pair[1])
		}
	}

	It("counts the distinct values, ascending", func() {
		Expect(stats.Counts([]int64{3, -1, 3, 0, 3, -1})).To(Equal([]stats.ValueCount{{Value: -1, Count: 2}, {Value: 0, Count: 1}, {Value: 3, Count: 3}}))
		Expect(stats.Counts(nil)).To(BeEmpty())
	})

	It("describes the values the counts stand for bit for bit as Describe does", func() {
		rng := rand.New(rand.NewPCG(1, 2))
		sets := [][]int64{nil, {0}, {1, 0}, {math.MaxInt64, math.MinInt64, 0, math.MaxInt64 - 1, 1 << 53, 1<<53 + 1}}
		for range 200 {
			n := 1 + rng.IntN(3000)
			span := int64(1 + rng.IntN(500))
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = rng.Int64N(span) - span/3
				if rng.IntN(50) == 0 {
					xs[i] = rng.Int64() // an outlier
				}
			}
			sets = append(sets, xs)
		}
		for _, xs := range sets {
			same(stats.DescribeCounts(stats.Counts(xs)), stats.Describe(floats(xs)))
		}
	})
})
