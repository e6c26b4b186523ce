package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/internal/testutil"
	"github.com/heval-dev/heval/reporters/parquet"
)

// triples returns the sorted (request id, key, value) triples of the submitted values in a file.
func triples(path string) []string {
	_, records, err := parquet.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, r := range records {
		if !r.Submitted && r.Evaluator != exportEvaluator {
			continue
		}
		for _, v := range r.Values {
			out = append(out, r.Sample.RequestID+" "+v.Key+" "+string(v.Type)+" "+strconv.FormatInt(v.Value, 10))
		}
	}
	slices.Sort(out)
	return out
}

var _ = Describe("heval export, merge and report", func() {
	It("exports exactly the (request id, key, value) triples a run submitted", func() {
		base, key := startServe("--profile", "legacy")
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--rate", "unlimited", "--experiment", demo.CodeExperimentID, "--out", dir)
		Expect(code).To(Equal(exitOK), out+errOut)

		exported := filepath.Join(dir, "export.parquet")
		code, out, errOut = runHeval("export", "--experiment", demo.CodeExperimentID, "--out", exported)
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("exported"))

		submitted := triples(filepath.Join(dir, "scores.parquet"))
		Expect(submitted).NotTo(BeEmpty())
		Expect(triples(exported)).To(Equal(submitted))
		_, recs, err := parquet.ReadFile(exported)
		Expect(err).NotTo(HaveOccurred())
		Expect(recs[0].Values).NotTo(ContainElement(HaveField("Key", HaveSuffix("-hcone-bool"))))
		Expect(recs).To(ContainElement(HaveField("Values", ContainElement(HaveField("Type", heval.Boolean)))))
	})

	It("merges shards into one run and compares two runs", func() {
		dirs := []string{}
		for _, shard := range []string{"1/2", "2/2"} {
			d := GinkgoT().TempDir()
			code, out, errOut := runHeval("demo", "--quiet", "--dry-run", "--shard", shard, "--out", d)
			Expect(code).To(Equal(exitOK), out+errOut)
			dirs = append(dirs, d)
		}
		whole := GinkgoT().TempDir()
		code, out, errOut := runHeval("demo", "--quiet", "--dry-run", "--out", whole)
		Expect(code).To(Equal(exitOK), out+errOut)

		merged := filepath.Join(GinkgoT().TempDir(), "merged")
		code, out, errOut = runHeval(append([]string{"merge", "--out", merged}, dirs...)...)
		Expect(code).To(Equal(exitOK), out+errOut)
		_, m, err := parquet.ReadFile(filepath.Join(merged, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		_, w, err := parquet.ReadFile(filepath.Join(whole, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(m).To(HaveLen(len(w)))
		_, err = os.Stat(filepath.Join(merged, "junit.xml"))
		Expect(err).NotTo(HaveOccurred())

		html := filepath.Join(GinkgoT().TempDir(), "cmp.html")
		code, out, errOut = runHeval("report", filepath.Join(whole, "scores.parquet"), "--baseline", filepath.Join(merged, "scores.parquet"), "--html", html)
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("has_citations"))
		Expect(out).To(MatchRegexp(`(?i)baseline|compar`))
		page, err := os.ReadFile(html)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(page)).To(ContainSubstring("<svg"))

		code, _, errOut = runHeval("merge", "--out", merged, GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("no scores.parquet"))

		// The merged set is a run's set, checked by the readers a run's is checked with.
		Expect(filepath.Join(merged, "report.html")).To(BeARegularFile())
		testutil.ExpectValidJUnit(filepath.Join(merged, "junit.xml"))
		_, err = exec.LookPath("chromium")
		Expect(err).NotTo(HaveOccurred(), "headless Chromium checks the merged report.html: apt-get install -y chromium (.ci/run installs it)")
		check, err := exec.Command("bash", filepath.Join("..", "..", ".ci", "html-check.sh"), filepath.Join(merged, "report.html"), filepath.Join(GinkgoT().TempDir(), "merged.png")).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(check))
	})
})

var _ = Describe("heval serve --seed", func() {
	It("serves the documented example seed file, which a run then evaluates", func() {
		base, key := startServe("--profile", "legacy", "--no-demo", "--seed", filepath.Join("..", "..", "docs", "seed-example.json"))
		Expect(key).To(Equal("sk-helicone-example-0000000-0000000-0000000"))
		GinkgoT().Setenv("HELICONE_BASE_URL", base)
		GinkgoT().Setenv("HELICONE_API_KEY", key)
		dir := GinkgoT().TempDir()
		code, out, errOut := runHeval("run", "--quiet", "--rate", "unlimited", "--verify", "--experiment", "2a000000-0000-4000-8000-000000000001",
			"--out", dir, "--require", "has_citations:count>=1@candidate")
		Expect(code).To(Equal(exitOK), out+errOut)
		_, records, err := parquet.ReadFile(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		hyps := map[string]bool{}
		for _, r := range records {
			hyps[r.Sample.Hypothesis] = true
			Expect(r.Submitted).To(BeTrue(), r.DeliveryErr)
		}
		Expect(hyps).To(Equal(map[string]bool{"dataset": true, "candidate": true}))
	})
})
