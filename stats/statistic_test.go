package stats_test

import (
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/stats"
)

var _ = Describe("Statistic", func() {
	xs := []float64{7, 0, 3, 10, 0, 5, 1, 9, 2, 4}

	DescribeTable("computes each statistic",
		func(name string, want float64) {
			s, err := stats.ParseStatistic(name)
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Valid()).To(BeTrue())
			Expect(s.Of(xs)).To(BeNumerically("~", want, 1e-12))
		},
		Entry("mean", "mean", 4.1),
		Entry("median", "median", 3.5),
		Entry("p50, the median", "p50", 3.5),
		Entry("p90, type 7", "p90", 9.1),
		Entry("p99.9, type 7", "p99.9", 9.991),
		Entry("p0, the minimum", "p0", 0.0),
		Entry("p100, the maximum", "p100", 10.0),
		Entry("min", "min", 0.0),
		Entry("max", "max", 10.0),
		Entry("pass_rate, the share of non-zero values", "pass_rate", 0.8),
		Entry("count", "count", 10.0),
		Entry("any case, with spaces", " Mean ", 4.1),
	)

	It("is NaN over no values, except the count", func() {
		for _, name := range []string{"mean", "median", "p90", "min", "max", "pass_rate"} {
			s, err := stats.ParseStatistic(name)
			Expect(err).NotTo(HaveOccurred())
			Expect(math.IsNaN(s.Of(nil))).To(BeTrue(), name)
		}
		count, _ := stats.ParseStatistic("count")
		Expect(count.Of(nil)).To(Equal(0.0))
		Expect(math.IsNaN(stats.Statistic{}.Of(xs))).To(BeTrue(), "the zero Statistic computes nothing")
		Expect(stats.Statistic{}.Valid()).To(BeFalse())
	})

	It("keeps the name as written, in lower case", func() {
		for in, want := range map[string]string{"P99.9": "p99.9", "median": "median", "PASS_RATE": "pass_rate"} {
			s, err := stats.ParseStatistic(in)
			Expect(err).NotTo(HaveOccurred())
			Expect(s.String()).To(Equal(want))
		}
	})

	DescribeTable("rejects what is not a statistic, naming the ones that are",
		func(name string) {
			_, err := stats.ParseStatistic(name)
			Expect(err).To(MatchError(ContainSubstring("is not one of mean, median, pNN (p50, p90, p99.9, ...), min, max, pass_rate, count")))
		},
		Entry("an unknown name", "average"),
		Entry("a percentile above 100", "p101"),
		Entry("a negative percentile", "p-1"),
		Entry("a percentile that is not a number", "pNaN"),
		Entry("an infinite percentile", "pinf"),
		Entry("p alone", "p"),
		Entry("errors, which only thresholds know", "errors"),
		Entry("nothing", ""),
	)

	It("builds percentiles from a number", func() {
		s, err := stats.Percentile(99.9)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.String()).To(Equal("p99.9"))
		Expect(s.Of(xs)).To(BeNumerically("~", 9.991, 1e-12))
		_, err = stats.Percentile(150)
		Expect(err).To(MatchError(ContainSubstring("percentile 150 is not between 0 and 100")))
	})

	It("gives the pass rate as the share of non-zero values", func() {
		Expect(stats.PassRate([]float64{1, 0, 1, 1})).To(Equal(0.75))
		Expect(stats.PassRate([]float64{-3, 0})).To(Equal(0.5))
		Expect(math.IsNaN(stats.PassRate(nil))).To(BeTrue())
	})
})
