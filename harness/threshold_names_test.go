package harness_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
)

var _ = Describe("thresholds that name what the run does not have", func() {
	check := func(raw string) heval.Check {
		t, err := harness.ParseThreshold(raw)
		Expect(err).NotTo(HaveOccurred())
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(6)...), DryRun: true,
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("has_citations", constant(true)), harness.Evaluator("word_count", constant(3))},
			Thresholds: []harness.Threshold{t},
		})
		Expect(err).NotTo(HaveOccurred())
		return res.Summary.Checks[0]
	}

	DescribeTable("fail, list what exists and suggest the nearest",
		func(raw, want, suggestion string) {
			c := check(raw)
			Expect(c.Passed).To(BeFalse(), raw)
			Expect(c.Message).To(ContainSubstring(want))
			Expect(c.Message).To(ContainSubstring("did you mean " + suggestion + "?"))
			Expect(c.Message).NotTo(ContainSubstring("check the key's spelling"))
		},
		Entry("a misspelt evaluator under errors", "has_citatons:errors<=0", `no evaluator is named "has_citatons"`, "has_citations"),
		Entry("a misspelt key under mean", "has_citatons:mean>=0", `no evaluator produced the score key "has_citatons"`, "has_citations"),
		Entry("a misspelt key under count", "word_cont:count>=0", "the keys are: has_citations, word_count", "word_count"),
		Entry("a misspelt hypothesis", "word_count:mean>=0@candidat", `no hypothesis "candidat"`, "candidate"),
	)

	It("still hold when every name is right", func() {
		Expect(check("has_citations:errors<=0").Passed).To(BeTrue())
		Expect(check("word_count:mean>=3@candidate").Passed).To(BeTrue())
	})
})
