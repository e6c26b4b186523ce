package matchers_test

import (
	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/stats"
)

var _ = Describe("NotBeWorseThan", func() {
	base := baselineArm()
	regressed := arm{id: "candidate", model: "gpt-4o-mini", prompt: "v7",
		accuracy: func(row int) int64 {
			switch row {
			case 17:
				return 20
			case 33:
				return 35
			}
			return base.accuracy(row) - 4
		},
		cites: func(row int) bool { return row%3 != 0 }}
	improved := arm{id: "candidate", model: "gpt-4o", prompt: "v8",
		accuracy: func(row int) int64 { return base.accuracy(row) + 3 },
		cites:    base.cites}
	dataset := arm{id: "dataset", model: "gpt-4o", accuracy: func(row int) int64 { return 60 + int64(row%7) }, cites: base.cites}

	It("fails a regressed candidate naming the hypotheses, the difference, the interval and the worst rows", func() {
		run := build(120, []arm{regressed, base})
		msg := failure(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", ByMoreThan(2), AtConfidence(0.95)))
		Expect(msg).To(MatchRegexp(`^hypothesis candidate \(gpt-4o-mini, prompt v7\): mean accuracy 80\.\d is worse than hypothesis baseline \(gpt-4o-mini, prompt v6\) 85\.\d\n` +
			`  by 4\.9 points \(95% CI \d\.\d \.\. \d\.\d; allowed 2\.0\), paired over 120 dataset rows\n`))
		Expect(msg).To(ContainSubstring("worst rows (candidate vs baseline):\n" +
			"    row 17 (request 00000001-0000-4000-8000-000000000011): 20.0 vs 86.0 (baseline request 00000002-0000-4000-8000-000000000011)\n" +
			"    row 33 (request 00000001-0000-4000-8000-000000000021): 35.0 vs 80.0"))
		c := comparison(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy"))
		Expect(c.Paired).To(BeTrue())
		Expect(c.Diff).To(BeNumerically("<", c.High))
		Expect(c.Low).To(BeNumerically("<", c.Diff))
		Expect(c.High).To(BeNumerically("<", -2), "the whole interval is beyond the allowed margin")
	})

	It("passes an improved candidate, and gives a negated message", func() {
		run := build(120, []arm{improved, base})
		m := NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", ByMoreThan(2))
		Expect(run.Hypothesis("candidate")).To(m)
		msg := m.NegatedFailureMessage(run.Hypothesis("candidate"))
		Expect(msg).To(HavePrefix("expected hypothesis candidate (gpt-4o, prompt v8) to be worse than hypothesis baseline (gpt-4o-mini, prompt v6) on accuracy by more than 2.0, but it is not:\n"))
		Expect(msg).To(ContainSubstring("is better than hypothesis baseline (gpt-4o-mini, prompt v6) 85"))
		Expect(msg).To(ContainSubstring("by 3.0 points"))
	})

	It("is deterministic", func() {
		run := build(120, []arm{regressed, base})
		a := comparison(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy"))
		b := comparison(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy"))
		Expect([]float64{a.Low, a.High}).To(Equal([]float64{b.Low, b.High}))
		c := comparison(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", Resamples(500)))
		Expect(c.Resamples).To(Equal(500))
		Expect([]float64{c.Low, c.High}).NotTo(Equal([]float64{a.Low, a.High}))
	})

	It("fails when lower is better and the candidate's values went up", func() {
		run := build(50, []arm{improved, base})
		msg := failure(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", LowerIsBetter(), ByMoreThan(1)))
		Expect(msg).To(ContainSubstring("is worse than hypothesis baseline"))
		Expect(msg).To(ContainSubstring("by 3.0 points (95% CI 3.0 .. 3.0; allowed 1.0), lower is better, paired over 50 dataset rows"))
	})

	It("compares boolean keys as pass rates, writing differences in percentage points", func() {
		run := build(120, []arm{regressed, base})
		m := NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(0.05), AtConfidence(0.9))
		msg := failure(run.Hypothesis("candidate"), m)
		Expect(msg).To(MatchRegexp(`pass rate of has_citations 0\.67 is worse than hypothesis baseline \(gpt-4o-mini, prompt v6\) 0\.80\n` +
			`  by 13\.3 percentage points \(90% CI \d+\.\d \.\. \d+\.\d; allowed 5\.0\), paired over 120 dataset rows`))
		Expect(msg).To(ContainSubstring("row 3 (request 00000001-0000-4000-8000-000000000003): 0.00 vs 1.00"))
		c := comparison(run.Hypothesis("candidate"), m)
		Expect(c.Diff).To(BeNumerically("~", -0.1333, 1e-3), "the numbers are in the 0..1 unit of pass rates")
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(0.25)))
	})

	It("explains a boolean margin written in percentage points", func() {
		run := build(10, []arm{regressed, base})
		_, err := NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(5)).Match(run.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring("has_citations is a boolean key, whose margin is a difference of pass rates between 0 and 1; write ByMoreThan(0.05) for 5 percentage points")))
	})

	It("averages the repeats of a row before pairing", func() {
		judged := func(id string, votes ...bool) arm {
			a := base
			a.id = id
			a.judge = func(row int) []bool {
				if row%2 == 0 {
					return votes
				}
				return []bool{true, true, true}
			}
			return a
		}
		run := build(40, []arm{judged("candidate", true, false, false), judged("baseline", true, true, false)})
		msg := failure(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "is_factual"))
		Expect(msg).To(MatchRegexp(`pass rate of is_factual 0\.67 is worse than hypothesis baseline \(gpt-4o-mini, prompt v6\) 0\.83\n` +
			`  by 16\.7 percentage points \(95% CI \d+\.\d \.\. \d+\.\d; allowed 0\.0\), paired over 40 dataset rows`))
		Expect(msg).To(ContainSubstring("row 0 (request 00000001-0000-4000-8000-000000000000): 0.33 vs 0.67"))
	})

	It("compares with the dataset's original outputs", func() {
		run := build(30, []arm{improved, dataset})
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("dataset"), "accuracy"))
		msg := failure(run.Hypothesis("dataset"), NotBeWorseThan(run.Hypothesis("candidate"), "accuracy", ByMoreThan(5)))
		Expect(msg).To(HavePrefix("hypothesis dataset (gpt-4o): mean accuracy"))
	})

	It("says when the interval is too wide to rule out a regression", func() {
		noisy := arm{id: "candidate", model: "m", accuracy: func(row int) int64 { return base.accuracy(row) + []int64{20, -15}[row%2] }, cites: base.cites}
		run := build(8, []arm{noisy, base})
		msg := failure(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", ByMoreThan(1)))
		Expect(msg).To(ContainSubstring("is better than hypothesis baseline"))
		Expect(msg).To(ContainSubstring("but it may be worse by up to"))
		Expect(msg).To(ContainSubstring("more rows or repeats would narrow it"))
	})

	It("compares unpaired when the sets share too few rows, and says so", func() {
		run := build(30, []arm{regressed, base})
		early := run.Hypothesis("candidate").Where("rows 0-9", func(r *heval.Record) bool { return r.Sample.RowIndex < 10 })
		late := run.Hypothesis("baseline").Where("rows 8-29", func(r *heval.Record) bool { return r.Sample.RowIndex >= 8 })
		m := NotBeWorseThan(late, "accuracy", ByMoreThan(1))
		msg := failure(early, m)
		Expect(msg).To(ContainSubstring(", unpaired: the sets share 2 of their 10 and 22 dataset rows, too few to pair, so the two means were resampled independently"))
		Expect(comparison(early, m).Paired).To(BeFalse())
	})

	It("pairs by request id with PairedByRequest", func() {
		tonight := build(30, []arm{improved})
		lastNight := build(30, []arm{base})
		m := NotBeWorseThan(lastNight.Hypothesis("baseline"), "accuracy", PairedByRequest(), LowerIsBetter())
		msg := failure(tonight.Hypothesis("candidate"), m)
		Expect(msg).To(ContainSubstring("by 3.0 points (95% CI 3.0 .. 3.0; allowed 0.0), lower is better, paired over 30 requests"))
		Expect(msg).To(ContainSubstring("worst rows (candidate vs baseline):\n    request 00000001-0000-4000-8000-000000000000: 83.0 vs 80.0"))

		run := build(5, []arm{improved, base})
		m = NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", PairedByRequest())
		_, err := m.Match(run.Hypothesis("candidate"))
		Expect(err).NotTo(HaveOccurred())
		Expect(m.FailureMessage(run.Hypothesis("candidate"))).To(ContainSubstring("unpaired: the sets share 0 of their 5 and 5 requests"), "two hypotheses answer with different requests")
	})

	It("explains keys that do not exist and options out of range", func() {
		a := build(5, []arm{improved, base})
		b := a
		_, err := NotBeWorseThan(b.Hypothesis("baseline"), "acc").Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring(`no values of score key "acc"; the keys in this set are: accuracy, has_citations, word_count`)))
		_, err = NotBeWorseThan(b.Hypothesis("baseline"), "accuracy", ByMoreThan(-1)).Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring("must not be negative")))
		_, err = NotBeWorseThan(b.Hypothesis("baseline"), "accuracy", AtConfidence(95)).Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring(`NotBeWorseThan(…, "accuracy"): hypothesis candidate (gpt-4o, prompt v8) against hypothesis baseline (gpt-4o-mini, prompt v6): compare: confidence 95 is not between 0 and 1; write 0.95`)))
		_, err = NotBeWorseThan(nil, "accuracy").Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring("the baseline set is nil")))
	})
})

// comparison matches m against actual and returns the engine's result.
func comparison(actual any, m types.GomegaMatcher) *stats.Comparison {
	GinkgoHelper()
	_, err := m.Match(actual)
	Expect(err).NotTo(HaveOccurred())
	c := m.(interface{ Comparison() *stats.Comparison }).Comparison()
	Expect(c).NotTo(BeNil())
	return c
}
