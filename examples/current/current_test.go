package current_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/harness/suite"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

func TestCurrent(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Support bot evals on current Helicone")
}

// The emulator plays hosted Helicone today (its default profile), with the demo's Helicone
// dataset "support-bot-questions" and the runs of three hypotheses tagged with its rows.
var srv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Current), heliconetest.WithSeed(demo.Seed()))

// The dataset's rows and their tagged runs, evaluated, submitted and read back (Helicone
// stores scores asynchronously) once per suite run, also under ginkgo -p.
var run = suite.Evaluate(datasets.DatasetExperiment(demo.SupportDatasetName),
	suite.WithHelicone(srv.URL, demo.APIKey), suite.WithCleanup(srv.Close), suite.WithVerify(true),
	harness.Evaluator("has_citations", evals.HasCitations),
	harness.Evaluator("word_count", evals.WordCount))

var _ = Describe("the candidate prompt on the support dataset", func() {
	It("was run on every row of the dataset, as the baseline was", func() {
		rows := run.Hypothesis(datasets.DatasetHypothesis).Len()
		Expect(rows).To(Equal(2 * demo.DefaultRows))
		Expect(run.Hypothesis("candidate").Len()).To(Equal(rows))
		Expect(run.Hypothesis("baseline").Len()).To(Equal(rows))
	})
	It("cites its sources more often than the baseline, compared row by row", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(0.02)))
	})
	It("does not answer more than 20 words longer than the baseline, compared row by row", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "word_count", LowerIsBetter(), ByMoreThan(20)))
	})
	It("stored every score in Helicone", func() {
		Expect(run.Results().Summary.Delivery.Missing).To(BeZero())
		Expect(run.Results().Summary.Delivery.Verified).To(Equal(2 * run.Results().Summary.Samples))
	})
})
