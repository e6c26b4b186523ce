package nightly_test

import (
	"os"
	"sync"
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

func TestNightly(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Nightly regression")
}

// helicone is the real Helicone when HELICONE_API_KEY is set (the nightly job), else the
// emulator with the demo data (go test on a laptop, offline).
func helicone() suite.Option {
	if os.Getenv("HELICONE_API_KEY") != "" {
		return suite.WithEnvFunc(nil) // the default: HELICONE_API_KEY and HELICONE_BASE_URL
	}
	srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
	return suite.WithHelicone(srv.URL, demo.APIKey)
}

var run = suite.Evaluate(
	datasets.Experiment(envOr("HEVAL_EXPERIMENT", demo.SupportExperimentID)),
	helicone(),
	harness.Evaluator("has_citations", evals.HasCitations),
	harness.Evaluator("word_count", evals.WordCount),
	harness.Evaluator("latency_ms", evals.LatencyMillis),
	suite.Require("has_citations:pass_rate>=0.7@candidate"),
)

// lastNight is the previous run's scores file, read once per process.
var lastNight = sync.OnceValues(func() (*harness.Results, error) {
	return suite.LoadBaseline(envOr("HEVAL_BASELINE", "testdata/last-night.parquet"))
})

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

var _ = Describe("tonight's candidate", func() {
	var before *harness.Results
	BeforeEach(func() {
		if os.Getenv("HELICONE_API_KEY") != "" && os.Getenv("HEVAL_BASELINE") == "" {
			Skip("no scores from last night yet (the first night): nothing to compare with")
		}
		var err error
		before, err = lastNight()
		Expect(err).NotTo(HaveOccurred())
	})

	It("cites its sources no less often than last night", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(before.Hypothesis("candidate"), "has_citations", ByMoreThan(0.05)))
	})

	It("is no wordier than last night", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(before.Hypothesis("candidate"), "word_count", LowerIsBetter(), ByMoreThan(10)))
	})

	It("is no slower than last night", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(before.Hypothesis("candidate"), "latency_ms", LowerIsBetter(), ByMoreThan(250)))
	})

	It("cites its sources no less often than the baseline prompt", func() {
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", AtConfidence(0.99)))
	})

	It("judged every sample without errors", func() {
		Expect(run.All()).To(HaveNoErrors())
		last, err := before.Hypothesis("candidate").Observations("word_count")
		Expect(err).NotTo(HaveOccurred())
		lastCount := len(last)
		Expect(run.Hypothesis("candidate")).To(HaveCount("word_count", BeNumerically(">=", lastCount)), "no sample went missing since last night")
	})
})
