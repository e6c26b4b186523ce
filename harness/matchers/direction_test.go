package matchers_test

import (
	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
)

// declaredAs returns results r with its word_count evaluator declared as dir with spec.
func declaredAs(r *harness.Results, dir heval.Direction, spec string) *harness.Results {
	info := r.Info
	info.Declared = []heval.EvaluatorInfo{{Name: "word_count", Spec: spec, Direction: dir}}
	return harness.NewResults(info, r.Records(), r.Summary)
}

var _ = Describe("NotBeWorseThan and the declared direction", func() {
	// The candidate's answers are 50 words longer on every row.
	longer := func(row int) int64 { return int64(80 + row%11) }
	base := func() *harness.Results { return build(40, []arm{baselineArm()}) }
	cand := func() *harness.Results {
		r := build(40, []arm{{id: "baseline", accuracy: longer, cites: func(int) bool { return true }}})
		recs := r.Records()
		for i := range recs {
			if recs[i].Evaluator == "word_count" {
				recs[i].Values[0].Value += 50
			}
		}
		return r
	}

	It("takes the evaluator's declared direction: longer answers are worse when lower is better", func() {
		b, c := declaredAs(base(), heval.LowerIsBetter, "word_count"), declaredAs(cand(), heval.LowerIsBetter, "word_count")
		Expect(c.All()).NotTo(NotBeWorseThan(b.All(), "word_count"))
		Expect(c.All()).To(NotBeWorseThan(b.All(), "word_count", HigherIsBetter()), "an option overrides the declaration")
		hb, hc := declaredAs(base(), heval.HigherIsBetter, "word_count"), declaredAs(cand(), heval.HigherIsBetter, "word_count")
		Expect(hc.All()).To(NotBeWorseThan(hb.All(), "word_count"))
	})

	It("refuses a neutral key, saying how to choose a direction", func() {
		b, c := declaredAs(base(), heval.Neutral, "word_count"), declaredAs(cand(), heval.Neutral, "word_count")
		_, err := NotBeWorseThan(b.All(), "word_count").Match(c.All())
		Expect(err).To(MatchError(ContainSubstring("declares word_count neutral")))
		Expect(err).To(MatchError(ContainSubstring("LowerIsBetter() or HigherIsBetter()")))
		Expect(c.All()).NotTo(NotBeWorseThan(b.All(), "word_count", LowerIsBetter()))
	})

	It("refuses to compare two runs whose evaluators have different specs", func() {
		b, c := declaredAs(base(), heval.HigherIsBetter, "word_count=short"), declaredAs(cand(), heval.HigherIsBetter, "word_count=long")
		_, err := NotBeWorseThan(b.All(), "word_count").Match(c.All())
		Expect(err).To(MatchError(ContainSubstring(`evaluator word_count is "word_count=long" in all samples but "word_count=short" in all samples`)))
	})
})
