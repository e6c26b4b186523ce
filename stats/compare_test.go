package stats_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/stats"
)

// side builds observations: one per value, on unit "row:<prefix><i>" for values[i].
func side(prefix string, values ...int64) []stats.Observation {
	out := make([]stats.Observation, len(values))
	for i, v := range values {
		out[i] = stats.Observation{Unit: stats.UnitID(fmt.Sprintf("row:%s%d", prefix, i)), Value: v}
	}
	return out
}

func shifted(xs []int64, by int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = x + by
	}
	return out
}

var spread = []int64{10, 50, 20, 80, 30, 90, 40, 70, 60, 0}

var _ = Describe("UnitID", func() {
	It("hashes names to ids that are never 0, and the empty name to 0", func() {
		Expect(stats.UnitID("")).To(BeZero())
		Expect(stats.UnitID("row:1")).NotTo(BeZero())
		Expect(stats.UnitID("row:1")).To(Equal(stats.UnitID("row:1")))
		Expect(stats.UnitID("row:1")).NotTo(Equal(stats.UnitID("request:1")))
	})
})

var _ = Describe("Compare", func() {
	It("pairs per unit: a constant shift is certain", func() {
		c, err := stats.Compare(side("", spread...), side("", shifted(spread, -3)...), heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeTrue())
		Expect([]int{c.Units, c.Shared, c.BaselineN, c.CandidateN, c.BaselineOnly, c.CandidateOnly}).To(Equal([]int{10, 10, 10, 10, 0, 0}))
		Expect(c.BaselineMean).To(Equal(45.0))
		Expect(c.CandidateMean).To(Equal(42.0))
		Expect([]float64{c.Diff, c.Low, c.High}).To(HaveEach(BeNumerically("~", -3, 1e-12)))
		Expect(c.Regression).To(BeTrue())
		Expect(c.Improvement).To(BeFalse())
		Expect([]any{c.Confidence, c.Resamples, c.Seed, c.Direction}).To(Equal([]any{0.95, 2000, uint64(1), heval.HigherIsBetter}), "the defaults")
		Expect(c.Rows).To(HaveLen(10))
		Expect(c.Rows[0].Diff).To(Equal(-3.0))
	})

	It("averages repeats and several samples of one unit before pairing", func() {
		u := func(name string, v int64) stats.Observation {
			return stats.Observation{Unit: stats.UnitID(name), Value: v}
		}
		base := []stats.Observation{u("row:a", 10), u("row:a", 20), u("row:a", 30), u("row:b", 50), u("row:c", 0), u("row:c", 100)}
		cand := []stats.Observation{u("row:a", 25), u("row:b", 40), u("row:b", 40), u("row:c", 60)}
		c, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeTrue())
		Expect([]int{c.Units, c.BaselineN, c.CandidateN}).To(Equal([]int{3, 6, 4}))
		Expect(c.BaselineMean).To(Equal(40.0), "each unit weighs the same: (20 + 50 + 50) / 3")
		Expect(c.CandidateMean).To(BeNumerically("~", 125.0/3, 1e-12))
		Expect(c.Rows).To(Equal([]stats.UnitDiff{
			{Unit: stats.UnitID("row:b"), Baseline: 50, Candidate: 40, Diff: -10},
			{Unit: stats.UnitID("row:a"), Baseline: 20, Candidate: 25, Diff: 5},
			{Unit: stats.UnitID("row:c"), Baseline: 50, Candidate: 60, Diff: 10},
		}), "worst for the candidate first")
	})

	It("does not depend on the order of the observations", func() {
		rng := rand.New(rand.NewPCG(4, 4))
		var base, cand []stats.Observation
		for i := range 300 {
			unit := stats.UnitID(fmt.Sprint("row:", i%97))
			base = append(base, stats.Observation{Unit: unit, Value: rng.Int64N(100)})
			cand = append(cand, stats.Observation{Unit: unit, Value: rng.Int64N(100) - 5})
		}
		base = append(base, stats.Observation{Value: 7}, stats.Observation{Value: 3})
		c1, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{Seed: 9})
		Expect(err).NotTo(HaveOccurred())
		rng.Shuffle(len(base), func(i, j int) { base[i], base[j] = base[j], base[i] })
		rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
		c2, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{Seed: 9})
		Expect(err).NotTo(HaveOccurred())
		Expect(c2).To(Equal(c1))
	})

	It("is deterministic for a seed and varies with it", func() {
		rng := rand.New(rand.NewPCG(1, 2))
		b, c := make([]int64, 50), make([]int64, 50)
		for i := range b {
			b[i], c[i] = rng.Int64N(100), rng.Int64N(100)
		}
		x, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{Seed: 42})
		y, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{Seed: 42})
		z, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{Seed: 43})
		Expect([]float64{x.Diff, x.Low, x.High}).To(Equal([]float64{y.Diff, y.Low, y.High}))
		Expect([]float64{x.Low, x.High}).NotTo(Equal([]float64{z.Low, z.High}))
		d, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{Seed: stats.DefaultSeed})
		e, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{})
		Expect([]float64{d.Low, d.High}).To(Equal([]float64{e.Low, e.High}), "seed 0 means the default seed")
	})

	It("compares unpaired when the sides share no unit, with a wider interval", func() {
		c, err := stats.Compare(side("", spread...), side("other-", shifted(spread, -3)...), heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeFalse())
		Expect([]int{c.Units, c.Shared, c.BaselineOnly, c.CandidateOnly}).To(Equal([]int{20, 0, 10, 10}))
		Expect(c.Diff).To(BeNumerically("~", -3, 1e-12))
		Expect(c.High - c.Low).To(BeNumerically(">", 20))
		Expect(c.Regression || c.Improvement).To(BeFalse())
		Expect(c.Rows).To(BeEmpty())
	})

	It("compares unpaired when fewer than half the units of the smaller side are shared", func() {
		base := side("", spread...)
		cand := append(side("", spread[:4]...), side("other-", spread[4:]...)...)
		c, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeFalse(), "4 of 10 shared")
		Expect([]int{c.Shared, c.Units}).To(Equal([]int{4, 20}))
		Expect(c.Rows).To(HaveLen(4), "the shared units are still listed")

		cand = append(side("", spread[:5]...), side("other-", spread[5:]...)...)
		c, err = stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeTrue(), "5 of 10 shared")
		Expect([]int{c.Units, c.BaselineOnly, c.CandidateOnly}).To(Equal([]int{5, 5, 5}))
	})

	It("does not pair a single shared unit", func() {
		c, err := stats.Compare(side("", 1), side("", 2), heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeFalse())
		Expect(c.Shared).To(Equal(1))
	})

	It("never pairs values without a unit", func() {
		loose := []stats.Observation{{Value: 1}, {Value: 2}, {Value: 3}}
		c, err := stats.Compare(loose, loose, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Paired).To(BeFalse())
		Expect([]int{c.Shared, c.BaselineOnly, c.CandidateOnly, c.Units}).To(Equal([]int{0, 3, 3, 6}))
		Expect(c.Diff).To(Equal(0.0))
	})

	It("compares booleans as 0/1: means are pass rates and differences are in that unit", func() {
		base := side("", 1, 1, 1, 1, 0, 1, 1, 1, 1, 0)
		cand := side("", 1, 0, 1, 1, 0, 1, 0, 1, 1, 0)
		c, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.BaselineMean).To(Equal(0.8))
		Expect(c.CandidateMean).To(Equal(0.6))
		Expect(c.Diff).To(BeNumerically("~", -0.2, 1e-12))
		Expect(c.Low).To(BeNumerically(">=", -1))
		Expect(c.High).To(BeNumerically("<=", 0))
	})

	It("decides regressions and improvements by the direction", func() {
		base, cand := side("", spread...), side("", shifted(spread, 5)...)
		higher, err := stats.Compare(base, cand, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect([]bool{higher.Improvement, higher.Regression}).To(Equal([]bool{true, false}))
		zero, err := stats.Compare(base, cand, "", stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(zero.Direction).To(Equal(heval.HigherIsBetter), "the zero direction is higher is better")
		Expect(zero.Improvement).To(BeTrue())
		lower, err := stats.Compare(base, cand, heval.LowerIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect([]bool{lower.Improvement, lower.Regression}).To(Equal([]bool{false, true}))
		neutral, err := stats.Compare(base, cand, heval.Neutral, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect([]bool{neutral.Improvement, neutral.Regression}).To(Equal([]bool{false, false}))
		Expect([]float64{neutral.Diff, neutral.Low, neutral.High}).To(Equal([]float64{higher.Diff, higher.Low, higher.High}), "the interval does not depend on the direction")
	})

	It("lists the rows worst for the candidate first, by direction, ties by unit id", func() {
		base := side("", 50, 50, 50, 50, 50)
		cand := side("", 40, 70, 50, 45, 70)
		diffs := func(dir heval.Direction) []float64 {
			c, err := stats.Compare(base, cand, dir, stats.CompareOptions{})
			Expect(err).NotTo(HaveOccurred())
			var out []float64
			for _, r := range c.Rows {
				out = append(out, r.Diff)
			}
			for i := 1; i < len(c.Rows); i++ {
				if c.Rows[i].Diff == c.Rows[i-1].Diff {
					Expect(c.Rows[i].Unit).To(BeNumerically(">", c.Rows[i-1].Unit), "ties by unit id")
				}
			}
			return out
		}
		Expect(diffs(heval.HigherIsBetter)).To(Equal([]float64{-10, -5, 0, 20, 20}))
		Expect(diffs(heval.LowerIsBetter)).To(Equal([]float64{20, 20, 0, -5, -10}))
		Expect(diffs(heval.Neutral)).To(Equal([]float64{20, 20, -10, -5, 0}))
	})

	It("keeps at most MaxRows rows", func() {
		c, err := stats.Compare(side("", spread...), side("", shifted(spread, 1)...), heval.HigherIsBetter, stats.CompareOptions{MaxRows: 3})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Rows).To(HaveLen(3))
		Expect(c.Units).To(Equal(10))
	})

	It("narrows as the confidence falls", func() {
		rng := rand.New(rand.NewPCG(3, 3))
		b, c := make([]int64, 40), make([]int64, 40)
		for i := range b {
			b[i], c[i] = rng.Int64N(2), rng.Int64N(2)
		}
		wide, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{Confidence: 0.99})
		narrow, _ := stats.Compare(side("", b...), side("", c...), heval.HigherIsBetter, stats.CompareOptions{Confidence: 0.5})
		Expect(narrow.High - narrow.Low).To(BeNumerically("<", wide.High-wide.Low))
		Expect(narrow.Confidence).To(Equal(0.5))
	})

	It("keeps exact means of large values", func() {
		big := int64(math.MaxInt64 - 1)
		base := []stats.Observation{{Unit: 1, Value: big}, {Unit: 1, Value: big}, {Unit: 2, Value: 0}}
		c, err := stats.Compare(base, base, heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Rows).To(HaveLen(2))
		Expect(c.Rows[0].Baseline).To(BeNumerically("~", float64(big), 1e3), "a sum beyond int64 falls back to floats")
	})

	It("draws fewer resamples for very large inputs", func() {
		obs := func(n int, shift int64) []stats.Observation {
			out := make([]stats.Observation, n)
			for i := range out {
				out[i] = stats.Observation{Unit: uint64(i + 1), Value: int64(i%100) + shift}
			}
			return out
		}
		n := 100_000
		c, err := stats.Compare(obs(n, 0), obs(n, -1), heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Resamples).To(Equal(stats.MaxBootstrapWork / n))
		Expect(c.Diff).To(BeNumerically("~", -1, 1e-9))

		c, err = stats.Compare(obs(1000, 0), obs(300_000, 0), heval.HigherIsBetter, stats.CompareOptions{Resamples: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Resamples).To(Equal(1), "a small count stays as asked")
		c, err = stats.Compare(obs(300_000, 0), obs(260_000, 0), heval.HigherIsBetter, stats.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Resamples).To(Equal(stats.MinResamples), "never fewer than MinResamples")
	})

	DescribeTable("explains what it cannot compare",
		func(base, cand []stats.Observation, dir heval.Direction, opts stats.CompareOptions, says string) {
			_, err := stats.Compare(base, cand, dir, opts)
			Expect(err).To(MatchError(ContainSubstring(says)))
		},
		Entry("an empty baseline", nil, side("", 1), heval.HigherIsBetter, stats.CompareOptions{}, "the baseline has no values"),
		Entry("an empty candidate", side("", 1), nil, heval.HigherIsBetter, stats.CompareOptions{}, "the candidate has no values"),
		Entry("two empty sides", nil, nil, heval.HigherIsBetter, stats.CompareOptions{}, "the baseline and the candidate have no values"),
		Entry("a confidence in percent", side("", 1), side("", 1), heval.HigherIsBetter, stats.CompareOptions{Confidence: 95}, "confidence 95 is not between 0 and 1; write 0.95"),
		Entry("a confidence of NaN", side("", 1), side("", 1), heval.HigherIsBetter, stats.CompareOptions{Confidence: math.NaN()}, "confidence NaN is not between 0 and 1"),
		Entry("negative resamples", side("", 1), side("", 1), heval.HigherIsBetter, stats.CompareOptions{Resamples: -5}, "-5 resamples: the count must be positive"),
		Entry("an unknown direction", side("", 1), side("", 1), heval.Direction("up"), stats.CompareOptions{}, `direction "up" is not one of "higher", "lower", "neutral"`),
	)
})
