package emptysuite_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/harness/suite"
)

func TestEmptySuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "a suite allowed to be empty")
}

// Without suite.AllowEmpty the SynchronizedBeforeSuite fails: "... matched no samples".
var run = suite.Evaluate(datasets.Slice(),
	harness.Evaluator("word_count", evals.WordCount),
	suite.WithDryRun(true),
	suite.AllowEmpty(),
)

var _ = Describe("an empty evaluation", func() {
	It("runs its specs on no samples", func() {
		Expect(run.All().Len()).To(BeZero())
		Expect(run.Results().Summary.Samples).To(BeZero())
	})
})
