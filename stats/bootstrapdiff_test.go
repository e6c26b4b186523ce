package stats_test

import (
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/stats"
)

var _ = Describe("BootstrapDiff", func() {
	It("gives the difference of means and an interval around it", func() {
		a := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
		b := []float64{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		diff, lo, hi := stats.BootstrapDiff(a, b, false, 0.95, 1000, 7)
		Expect(diff).To(BeNumerically("~", 2, 1e-12))
		Expect(lo).To(BeNumerically("<", diff))
		Expect(hi).To(BeNumerically(">", diff))
		Expect(lo).To(BeNumerically(">", -3))
		Expect(hi).To(BeNumerically("<", 7))
	})

	It("is deterministic for a seed and varies with it", func() {
		a := []float64{1, 5, 2, 8, 3, 9, 4}
		b := []float64{2, 6, 2, 9, 5, 9, 7}
		d1, l1, h1 := stats.BootstrapDiff(a, b, false, 0.9, 500, 42)
		d2, l2, h2 := stats.BootstrapDiff(a, b, false, 0.9, 500, 42)
		Expect([]float64{d1, l1, h1}).To(Equal([]float64{d2, l2, h2}))
		_, l3, h3 := stats.BootstrapDiff(a, b, false, 0.9, 500, 43)
		Expect([]float64{l1, h1}).NotTo(Equal([]float64{l3, h3}))
	})

	It("pairs by position: a constant shift has a zero-width interval", func() {
		a := []float64{10, 50, 20, 80, 30, 90}
		b := []float64{12, 52, 22, 82, 32, 92}
		diff, lo, hi := stats.BootstrapDiff(a, b, true, 0.95, 200, 1)
		Expect(diff).To(BeNumerically("~", 2, 1e-12))
		Expect(lo).To(BeNumerically("~", 2, 1e-12))
		Expect(hi).To(BeNumerically("~", 2, 1e-12))

		_, ulo, uhi := stats.BootstrapDiff(a, b, false, 0.95, 200, 1)
		Expect(uhi-ulo).To(BeNumerically(">", 10), "unpaired, the spread between rows widens the interval")
	})

	It("narrows as the level falls", func() {
		a := []float64{1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1}
		b := []float64{1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1}
		_, lo95, hi95 := stats.BootstrapDiff(a, b, false, 0.95, 2000, 3)
		_, lo50, hi50 := stats.BootstrapDiff(a, b, false, 0.5, 2000, 3)
		Expect(hi50 - lo50).To(BeNumerically("<", hi95-lo95))
	})

	It("uses the default resample count for a non-positive one", func() {
		a, b := []float64{1, 2, 3}, []float64{2, 3, 4}
		d1, l1, h1 := stats.BootstrapDiff(a, b, false, 0.95, 0, 9)
		d2, l2, h2 := stats.BootstrapDiff(a, b, false, 0.95, stats.DefaultResamples, 9)
		Expect([]float64{d1, l1, h1}).To(Equal([]float64{d2, l2, h2}))
	})

	DescribeTable("returns NaN for unusable input",
		func(a, b []float64, paired bool, level float64) {
			d, lo, hi := stats.BootstrapDiff(a, b, paired, level, 10, 1)
			Expect(math.IsNaN(d) && math.IsNaN(lo) && math.IsNaN(hi)).To(BeTrue())
		},
		Entry("empty baseline", nil, []float64{1}, false, 0.95),
		Entry("empty candidate", []float64{1}, []float64{}, false, 0.95),
		Entry("paired of different lengths", []float64{1, 2}, []float64{1}, true, 0.95),
		Entry("level 0", []float64{1}, []float64{1}, false, 0.0),
		Entry("level 1", []float64{1}, []float64{1}, false, 1.0),
		Entry("level NaN", []float64{1}, []float64{1}, false, math.NaN()),
	)
})
