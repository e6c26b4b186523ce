package quickstart_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heval-dev/heval"

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

func TestQuickstart(t *testing.T) { RegisterFailHandler(Fail); RunSpecs(t, "Support bot evals") }

// The emulator stands in for Helicone: without WithHelicone, HELICONE_API_KEY is used.
var srv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))

var run = suite.Evaluate(datasets.Experiment(demo.SupportExperimentID),
	suite.WithHelicone(srv.URL, demo.APIKey), suite.WithCleanup(srv.Close),
	harness.Evaluator("has_citations", evals.HasCitations),
	harness.Evaluator("word_count", evals.WordCount),
	harness.Evaluator("no_apology", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		return heval.Bool(!strings.Contains(strings.ToLower(s.Text()), "sorry")), nil
	}))

var _ = Describe("the candidate prompt", func() {
	It("cites its sources in most answers", func() {
		Expect(run.Hypothesis("candidate")).To(HavePassRate("has_citations", BeNumerically(">=", 0.8)))
	})
	It("keeps answers short", func() {
		Expect(run.Hypothesis("candidate")).To(HavePercentile("word_count", 90, BeNumerically("<=", 250)))
	})
	It("cites more often than the baseline, and apologises in few answers", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(0.02)))
		Expect(run.Hypothesis("candidate")).To(HavePassRate("no_apology", BeNumerically(">=", 0.6)))
	})
})
