package matchers_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
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
		c, err := harness.Compare(run.Hypothesis("candidate"), run.Hypothesis("baseline"), "accuracy", harness.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		worse, lo, hi := c.Worse()
		Expect(lo).To(BeNumerically("<", worse))
		Expect(hi).To(BeNumerically(">", worse))
		Expect(lo).To(BeNumerically(">", 2), "the whole interval is beyond the allowed margin")
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
		a, err := harness.Compare(run.Hypothesis("candidate"), run.Hypothesis("baseline"), "accuracy", harness.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		b, err := harness.Compare(run.Hypothesis("candidate"), run.Hypothesis("baseline"), "accuracy", harness.CompareOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect([]float64{a.Low, a.High}).To(Equal([]float64{b.Low, b.High}))
	})

	It("fails when lower is better and the candidate's values went up", func() {
		run := build(50, []arm{improved, base})
		msg := failure(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", LowerIsBetter(), ByMoreThan(1)))
		Expect(msg).To(ContainSubstring("is worse than hypothesis baseline"))
		Expect(msg).To(ContainSubstring("by 3.0 points (95% CI 3.0 .. 3.0; allowed 1.0), lower is better, paired over 50 dataset rows"))
	})

	It("compares boolean keys in percentage points", func() {
		run := build(120, []arm{regressed, base})
		msg := failure(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(5), AtConfidence(0.9)))
		Expect(msg).To(MatchRegexp(`pass rate of has_citations 66\.7% is worse than hypothesis baseline \(gpt-4o-mini, prompt v6\) 80\.0%\n  by 13\.3 points \(90% CI`))
		Expect(msg).To(ContainSubstring("row 3 (request 00000001-0000-4000-8000-000000000003): 0.0% vs 100.0%"))
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

	It("explains sets that cannot be paired or keys that do not exist", func() {
		a := build(5, []arm{improved, base})
		b := a
		_, err := NotBeWorseThan(b.Hypothesis("baseline"), "accuracy", PairedByRequest()).Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(harness.ErrNothingToPair))
		Expect(err).To(MatchError(ContainSubstring("share no request id")))
		_, err = NotBeWorseThan(b.Hypothesis("baseline"), "acc").Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring(`no values of score key "acc"; the keys in this set are: accuracy, has_citations, word_count`)))
		_, err = NotBeWorseThan(b.Hypothesis("baseline"), "accuracy", ByMoreThan(-1)).Match(a.Hypothesis("candidate"))
		Expect(err).To(MatchError(ContainSubstring("must not be negative")))
	})
})
