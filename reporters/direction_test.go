package reporters_test

import (
	"errors"
	"fmt"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters"
)

// declared is a run whose evaluator "len" has the direction dir and the spec spec.
func declared(dir heval.Direction, spec string) heval.RunInfo {
	return heval.RunInfo{Evaluators: []string{"len"}, Declared: []heval.EvaluatorInfo{{Name: "len", Spec: spec, Direction: dir}}}
}

func aggregate(info heval.RunInfo, recs ...heval.Record) *reporters.Aggregate {
	return reporters.AggregateRecords(info, recs, heval.Summary{}, reporters.WorstSamples(2))
}

func worstValues(k *reporters.KeyStats) []int64 {
	var out []int64
	for _, w := range k.Worst {
		out = append(out, w.Value)
	}
	return out
}

var _ = Describe("the direction of a key", func() {
	values := []int64{50, 10, 48, 90, 52, 51}
	records := func(group string) []heval.Record {
		var out []heval.Record
		for i, v := range values {
			out = append(out, rec(group, fmt.Sprintf("r%d", i), i, "len", num("len", v)))
		}
		return out
	}

	DescribeTable("decides the worst samples",
		func(dir heval.Direction, want []int64) {
			k := aggregate(declared(dir, "len"), records("cand")...).Key("cand", "len", "len")
			Expect(k.Direction).To(Equal(dir))
			Expect(worstValues(k)).To(Equal(want))
		},
		Entry("higher is better: the lowest", heval.HigherIsBetter, []int64{10, 48}),
		Entry("lower is better: the highest", heval.LowerIsBetter, []int64{90, 52}),
		Entry("neutral: the furthest from the median (50.5)", heval.Neutral, []int64{10, 90}),
	)

	It("decides the verdict of a comparison; a neutral key has none", func() {
		base := records("base")
		var cand []heval.Record
		for i, v := range values {
			cand = append(cand, rec("cand", fmt.Sprintf("r%d", i), i, "len", num("len", v+40)))
		}
		for dir, want := range map[heval.Direction][2]bool{
			heval.HigherIsBetter: {false, true}, heval.LowerIsBetter: {true, false}, heval.Neutral: {false, false},
		} {
			agg := aggregate(declared(dir, "len"), append(base, cand...)...)
			cmps, err := reporters.ComparisonSpec{BaselineGroup: "base", CandidateGroup: "cand"}.Comparisons(agg)
			Expect(err).NotTo(HaveOccurred())
			Expect(cmps).To(HaveLen(1))
			Expect([2]bool{cmps[0].Regression, cmps[0].Improvement}).To(Equal(want), "direction %s", dir)
			Expect(cmps[0].Direction).To(Equal(dir))
		}
		agg := aggregate(declared(heval.Neutral, "len"), append(base, cand...)...)
		cmps, err := reporters.ComparisonSpec{BaselineGroup: "base", CandidateGroup: "cand",
			Direction: func(string, string) heval.Direction { return heval.LowerIsBetter }}.Comparisons(agg)
		Expect(err).NotTo(HaveOccurred())
		Expect(cmps[0].Regression).To(BeTrue(), "an override wins over the declaration")
	})
})

var _ = Describe("comparing with a baseline run", func() {
	It("refuses evaluators whose specs differ", func() {
		run := aggregate(declared(heval.HigherIsBetter, "len=200"), rec("cand", "r0", 0, "len", num("len", 1)))
		base := aggregate(declared(heval.HigherIsBetter, "len=100"), rec("cand", "r0", 0, "len", num("len", 1)))
		_, err := reporters.ComparisonSpec{Baseline: base}.Comparisons(run)
		var sm *reporters.SpecMismatchError
		Expect(errors.As(err, &sm)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring(`evaluator len is "len=200" in the run but "len=100" in the baseline`))
		same := aggregate(declared(heval.HigherIsBetter, "len=200"), rec("cand", "r0", 0, "len", num("len", 2)))
		cmps, err := reporters.ComparisonSpec{Baseline: same}.Comparisons(run)
		Expect(err).NotTo(HaveOccurred())
		Expect(cmps).To(HaveLen(1))
	})
})

var _ = Describe("groups of several experiments", func() {
	inExp := func(exp, group, row string) heval.Record {
		r := rec(group, row, 0, "len", num("len", 1))
		r.Sample.Experiment = exp
		return r
	}
	It("are qualified by experiment when the run holds several", func() {
		agg := aggregate(declared("", "len"), inExp("support", "baseline", "a"), inExp("code", "baseline", "b"))
		var labels []string
		for _, g := range agg.Groups {
			labels = append(labels, g.Label)
		}
		Expect(labels).To(Equal([]string{"code/baseline", "support/baseline"}))
		Expect(agg.Key("support/baseline", "len", "len")).NotTo(BeNil())
		Expect(agg.Group("code/baseline").Hypothesis).To(Equal("baseline"))
	})
	It("keep their plain labels in a run of one experiment", func() {
		agg := aggregate(declared("", "len"), inExp("support", "baseline", "a"), inExp("support", "candidate", "b"))
		Expect(agg.Group("baseline")).NotTo(BeNil())
		Expect(agg.Group("baseline").Experiment).To(Equal("support"))
	})
})

var _ = Describe("per-sample check failures", func() {
	It("are counted and kept with their messages", func() {
		r := rec("cand", "r0", 3, "len", num("len", 1))
		r.Failures = []string{"len = 1, expected >= 5", "len = 1, expected != 1"}
		agg := aggregate(declared("", "len"), r, rec("cand", "r1", 4, "len", num("len", 9)))
		Expect(agg.FailureCount).To(Equal(1))
		Expect(agg.Failures).To(HaveLen(1))
		Expect(agg.Failures[0].Messages).To(Equal(r.Failures))
		Expect(agg.Failures[0].RowIndex).To(Equal(3))
	})
})
