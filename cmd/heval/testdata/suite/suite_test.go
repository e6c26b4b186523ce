// Package suite_test is a user's suite over the samples of ../samples.jsonl with the
// evaluators `heval run` uses by default, for the CLI's tests to run with `go test` and
// compare with `heval run` over the same samples. HEVAL_FIXTURE_JSONL names the samples
// file; HEVAL_FIXTURE_FAIL=1 makes one matcher spec fail.
package suite_test

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/harness/suite"
)

func TestFixture(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "heval fixture suite")
}

var run = suite.Evaluate(datasets.JSONL(os.Getenv("HEVAL_FIXTURE_JSONL")),
	harness.Evaluator("word_count", evals.WordCount, heval.Neutral),
	harness.Evaluator("has_citations", evals.HasCitations),
	harness.Evaluator("has_code_examples", evals.HasCodeExamples, heval.Neutral),
	harness.Evaluator("starts_with_greeting", evals.StartsWithGreeting, heval.Neutral),
	harness.Evaluator("exceeds_min_length", evals.ExceedsMinLength),
	harness.Evaluator("contains_markdown", evals.ContainsMarkdown, heval.Neutral),
	suite.WithDryRun(true),
	suite.Require("has_citations:pass_rate>=0.5"),
)

var _ = Describe("the candidate", func() {
	It("cites its sources as often as the baseline", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(0.5)))
	})

	It("writes long answers", func() {
		limit := 0.0
		if os.Getenv("HEVAL_FIXTURE_FAIL") == "1" {
			limit = 1000
		}
		Expect(run.Hypothesis("candidate")).To(HaveMean("word_count", BeNumerically(">", limit)))
	})
})
