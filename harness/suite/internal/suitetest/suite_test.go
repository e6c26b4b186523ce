package suitetest_test

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/harness/suite"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

var _ = Describe("a suite declared with harness.Suite", func() {
	It("gives every process the same results: every sample of the experiment, judged once per repeat", func() {
		all := run.All()
		Expect(all.Hypotheses()).To(ConsistOf("baseline", "candidate", "claude", "dataset"))
		Expect(run.Hypothesis("candidate")).To(HaveCount("has_citations", Equal(demo.DefaultRows)))
		Expect(run.Hypothesis("candidate")).To(HaveCount("is_concise", Equal(3*demo.DefaultRows)))
		Expect(all).To(HaveNoErrors())
	})

	It("fetches and evaluates on one process only", func() {
		fetches := 0
		for _, c := range srv.Log() {
			if c.Route == heliconetest.RouteQueryExperiment {
				fetches++
			}
		}
		if GinkgoParallelProcess() == 1 {
			Expect(fetches).To(Equal(1), "process 1 fetches the experiment once")
		} else {
			Expect(fetches).To(BeZero(), "the other processes receive the results")
			Expect(judgeCalls.Load()).To(BeZero())
		}
	})

	It("submits the scores to Helicone", func() {
		if GinkgoParallelProcess() == 1 {
			srv.WaitWrites()
			rec := run.Hypothesis("candidate").Records()[0]
			Expect(srv.Scores(rec.Sample.RequestID)).To(HaveKey("word_count"))
		} else {
			Expect(srv.AllScores()).To(BeEmpty())
		}
		submitted := 0
		for _, r := range run.All().Records() {
			if r.Submitted {
				submitted++
			}
		}
		Expect(submitted).To(Equal(run.All().Len()))
	})

	It("does not run evaluators excluded by the label filter", func() {
		Expect(GinkgoLabelFilter()).To(ContainSubstring("!slow"))
		Expect(run.All().Evaluator("slow_judge").Len()).To(BeZero())
		Expect(slowCalls.Load()).To(BeZero())
		Expect(run.All().Keys()).NotTo(ContainElement("slow_judge"))
	})

	It("writes the reports to the output directory", func() {
		info, err := os.Stat(filepath.Join(outDir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Size()).To(BeNumerically(">", 0))
		junit, err := os.ReadFile(filepath.Join(outDir, "junit.xml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(junit)).To(ContainSubstring("<testsuites"))
		Expect(string(junit)).To(ContainSubstring("has_citations"))
		base, err := suite.LoadBaseline(filepath.Join(outDir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(base.Hypothesis("candidate")).To(HaveCount("word_count", Equal(demo.DefaultRows)))
		// Tonight against itself read back from the file: identical, so not worse.
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(base.Hypothesis("candidate"), "word_count", LowerIsBetter()))
	})

	It("supports the matchers on the demo data", func() {
		Expect(run.Hypothesis("candidate")).To(HavePassRate("has_citations", BeNumerically(">", 0.5)))
		Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "has_citations", ByMoreThan(0.05)))
		Expect(run.Hypothesis("candidate")).To(BeStable("has_citations"))
		flaky := run.All().Flaky("is_concise", 0)
		Expect(flaky).NotTo(BeEmpty(), "the judge disagrees with itself on some rows")
		Expect(run.All()).NotTo(BeStable("is_concise"))
	})

	It("keeps every sample's answer text, reference and inputs for the specs, on every process", func() {
		c := run.Hypothesis("candidate")
		Expect(c.Len()).To(BeNumerically(">", 0))
		for _, r := range c.Records() {
			Expect(r.Sample.Text()).NotTo(BeEmpty(), "process %d", GinkgoParallelProcess())
			Expect(r.Sample.Body).To(BeNil(), "the raw bodies are dropped")
		}
		cites := c.Where("answers that cite a source", func(r *heval.Record) bool { return strings.Contains(r.Sample.Text(), "[") })
		Expect(cites.Len()).To(BeNumerically(">", 0))
		Expect(cites.Len()).To(BeNumerically("<", c.Len()))
		Expect(c.Records()[0].Sample.ReferenceText()).NotTo(BeEmpty())
		Expect(c.Records()[0].Sample.Inputs).NotTo(BeEmpty())
	})

	It("names the hypotheses of the run when one is mistyped", func() {
		_, err := HaveMean("word_count", BeNumerically(">", 0)).Match(run.Hypothesis("candiate"))
		Expect(err).To(MatchError(ContainSubstring("hypothesis candiate (not in this run; its hypotheses are: baseline, candidate, claude, dataset)")))
	})

	It("checks its thresholds into the summary", func() {
		Expect(run.Results().Summary.Checks).To(HaveLen(2))
		for _, c := range run.Results().Summary.Checks {
			Expect(c.Passed).To(BeTrue(), c.Message)
		}
		Expect(run.Results().Info.Evaluators).NotTo(ContainElement("slow_judge"))
		Expect(run.Results().Info.DryRun).To(BeFalse())
		var _ heval.RunInfo = run.Results().Info
	})
})
