package benchmarks_test

import (
	"bufio"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// BenchmarkProcess's setup at 80 samples: the same children, the same checks.
var _ = Describe("The process benchmark setup", Ordered, func() {
	const n = 80
	var p *processBench

	BeforeAll(func() {
		exe, err := buildHeval(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		dir := GinkgoT().TempDir()
		set, err := writeDemoSet(dir, n)
		Expect(err).NotTo(HaveOccurred())
		p = &processBench{exe: exe, dir: dir, set: set, n: n}
	})

	It("writes the demo set as a JSONL file of distinct request ids", func() {
		f, err := os.Open(p.set.jsonl)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		lines := 0
		for sc := bufio.NewScanner(f); sc.Scan(); {
			lines++
		}
		Expect(lines).To(Equal(n))
		seen := map[string]bool{}
		for _, id := range p.set.ids {
			Expect(helicone.IsUUID(id)).To(BeTrue(), id)
			seen[id] = true
		}
		Expect(seen).To(HaveLen(n))
	})

	It("judges the legacy serve's experiment and the same samples from the file alike, submits them, and posts them bare", func(ctx SpecContext) {
		srv, err := startServe(p.exe, "legacy", n)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Stop)
		Expect(srv.output()).To(ContainSubstring("# experiment " + demo.SupportExperimentID + ": 20 dataset rows, 3 hypotheses"))

		e, err := p.judge(srv, "smoke-experiment", "--experiment", demo.SupportExperimentID, "--dry-run")
		Expect(err).NotTo(HaveOccurred())
		Expect(e.maxRSS).To(BeNumerically(">", 1<<20))
		Expect(e.cpu).To(BeNumerically(">", 0))
		Expect(e.wall).To(BeNumerically(">", 0))
		j, err := p.judge(nil, "smoke-jsonl", "--jsonl", p.set.jsonl, "--dry-run")
		Expect(err).NotTo(HaveOccurred())
		// The same samples: every evaluator's statistics per group are the same.
		Expect(statistics(j.stdout)).To(Equal(statistics(e.stdout)))
		Expect(statistics(e.stdout)).To(ContainSubstring("candidate"))

		s, err := p.judge(srv, "smoke-submit", "--experiment", demo.SupportExperimentID)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.submitted(s)).To(Succeed())

		hc := loopbackClient(bareWorkers)
		DeferCleanup(hc.CloseIdleConnections)
		_, err = barePOSTs(ctx, hc, srv.baseURL, srv.apiKey, p.set.ids, bareWorkers)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.PeakRSSMiB()).To(BeNumerically(">", 1))
	})

	It("judges the current serve's Helicone Dataset and a request query of the same samples", func() {
		srv, err := startServe(p.exe, "current", n)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Stop)
		d, err := p.judge(srv, "smoke-dataset", "--dataset", demo.SupportDatasetName, "--dry-run")
		Expect(err).NotTo(HaveOccurred())
		f, err := p.judge(srv, "smoke-filter", "--filter", filterExpr, "--dry-run")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.samples).To(Equal(f.samples))
	})

	It("fails a run whose counts are not the set's", func() {
		short := *p
		short.n = n + 4
		_, err := short.judge(nil, "smoke-short", "--jsonl", p.set.jsonl, "--dry-run")
		Expect(err).To(MatchError(ContainSubstring("80 samples, 480 records; want 84 and 504")))
	})
})

// statistics is the per-evaluator part of a run's console summary, from its first
// evaluator table to the delivery line.
func statistics(stdout string) string {
	i := strings.Index(stdout, "\nevaluator ")
	j := strings.Index(stdout, "\ndelivery:")
	if i < 0 || j < i {
		return ""
	}
	return stdout[i:j]
}
