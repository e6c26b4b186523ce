package matchers_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	. "github.com/heval-dev/heval/harness/matchers"
)

var _ = Describe("repeats", func() {
	judged := arm{id: "candidate", model: "gpt-4o-mini", prompt: "v7",
		accuracy: func(row int) int64 { return 80 },
		cites:    func(row int) bool { return true },
		judge: func(row int) []bool {
			switch row {
			case 4:
				return []bool{true, false, false}
			case 7:
				return []bool{false, true, true}
			case 9:
				return []bool{false, false, false}
			}
			return []bool{true, true, true}
		}}

	It("groups values by sample with mean and spread", func() {
		run := build(10, []arm{judged})
		reps := run.Hypothesis("candidate").Repeats("is_factual")
		Expect(reps).To(HaveLen(10))
		Expect(reps[4].Values).To(Equal([]int64{1, 0, 0}))
		Expect(reps[4].PassRate()).To(BeNumerically("~", 1.0/3, 1e-12))
		Expect(reps[4].Spread).To(Equal(1.0))
		flaky := run.Hypothesis("candidate").Flaky("is_factual", 0)
		Expect(flaky).To(HaveLen(2))
		Expect(flaky[0].RowIndex).To(Equal(4))
		Expect(flaky[1].RowIndex).To(Equal(7))
	})

	It("checks each sample's pass rate across repeats and lists those that miss it", func() {
		run := build(10, []arm{judged})
		c := run.Hypothesis("candidate")
		Expect(c).To(HavePassRateAcrossRepeats("is_factual", BeNumerically(">=", 0.0)))
		msg := failure(c, HavePassRateAcrossRepeats("is_factual", BeNumerically(">=", 2.0/3)))
		Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7): 2 of 10 samples have a pass rate of is_factual across repeats that fails the expectation"))
		Expect(msg).To(ContainSubstring("to be >="))
		Expect(msg).To(ContainSubstring("row 4 (request 00000001-0000-4000-8000-000000000004) [candidate]: [true false false] pass rate 0.333"))
		Expect(msg).To(ContainSubstring("row 9 (request 00000001-0000-4000-8000-000000000009) [candidate]: [false false false] pass rate 0"))
	})

	It("fails BeStable listing the flaky samples", func() {
		run := build(10, []arm{judged})
		c := run.Hypothesis("candidate")
		Expect(c).To(BeStable("is_factual", AllowFlaky(0.2)))
		msg := failure(c, BeStable("is_factual"))
		Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7): 2 of 10 samples are flaky on is_factual (repeats disagree); allowed 0% of samples\n  flaky samples:"))
		Expect(msg).To(ContainSubstring("row 4 (request 00000001-0000-4000-8000-000000000004) [candidate]: [true false false] pass rate 0.333"))
		Expect(msg).To(ContainSubstring("row 7 (request 00000001-0000-4000-8000-000000000007) [candidate]: [false true true] pass rate 0.667"))
		Expect(msg).NotTo(ContainSubstring("row 9"), "a sample that is false in every repeat is stable")
	})

	It("uses a spread threshold for numbers", func() {
		run := build(10, []arm{judged, baselineArm()})
		// Numbers judged once have no spread; the whole run is stable.
		Expect(run).To(BeStable("accuracy"))
		m := BeStable("accuracy", MaxSpread(5))
		ok, err := m.Match(run)
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		Expect(m.NegatedFailureMessage(run)).To(ContainSubstring("no sample was judged more than once: declare the evaluator with harness.Repeat(k)"))
	})
})
