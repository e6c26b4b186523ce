package requests_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/harness/suite"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

func TestRequests(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Variant B in production")
}

var srv = heliconetest.NewServer(heliconetest.WithSeed(demo.Seed()))

// Every logged request with Helicone-Property-Variant: B.
var run = suite.Evaluate(
	datasets.Requests(helicone.Property(demo.PropertyVariant, helicone.Equals, "B")),
	suite.WithHelicone(srv.URL, demo.APIKey), suite.WithCleanup(srv.Close),
	harness.Evaluator("has_citations", evals.HasCitations),
	harness.Evaluator("word_count", evals.WordCount),
	harness.Evaluator("latency_ms", evals.LatencyMillis),
)

var _ = Describe("variant B of the support bot in production", func() {
	support := func() *harness.ResultSet {
		return run.All().WithProperty(demo.PropertyFeature, demo.FeatureSupport)
	}

	It("only judged variant B", func() {
		Expect(run.All().Len()).To(BeNumerically(">", 0))
		Expect(run.All().WithProperty(demo.PropertyVariant, "B").Len()).To(Equal(run.All().Len()))
	})

	It("cites its sources in most support answers", func() {
		Expect(support()).To(HavePassRate("has_citations", BeNumerically(">=", 0.6)))
	})

	It("answers support questions in under 150 words at the 90th percentile", func() {
		Expect(support()).To(HavePercentile("word_count", 90, BeNumerically("<=", 150)))
	})

	It("is as fast in production as in staging", func() {
		staging := run.All().WithProperty(demo.PropertyEnvironment, "staging")
		production := run.All().WithProperty(demo.PropertyEnvironment, "production")
		stagingMedian, err := staging.Stat("latency_ms", "median")
		Expect(err).NotTo(HaveOccurred())
		Expect(production).To(HaveMedian("latency_ms", BeNumerically("<=", 2*stagingMedian)))
	})
})
