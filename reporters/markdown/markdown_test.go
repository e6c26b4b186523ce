package markdown_test

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/heval-dev/heval/internal/testutil"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/fixture"
	"github.com/heval-dev/heval/reporters/markdown"
	"github.com/heval-dev/heval/stats"
)

func golden(name, got string) {
	testutil.ExpectGolden(filepath.Join("testdata", name), []byte(got))
}

var _ = Describe("the Markdown summary", func() {
	var out string
	BeforeEach(func() {
		bInfo, bRecs, bSum := fixture.Run(fixture.Options{Seed: 1})
		base := reporters.AggregateRecords(bInfo, bRecs, bSum)
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Shift: -12, Hostile: true, Errors: true})
		recs[0].Evaluator = "a|b"
		var buf bytes.Buffer
		agg, cmps, err := fixture.Aggregate(info, recs, sum, reporters.ComparisonSpec{Baseline: base, Options: stats.CompareOptions{Seed: 1}})
		Expect(err).NotTo(HaveOccurred())
		Expect(markdown.Write(&buf, agg, cmps)).To(Succeed())
		out = buf.String()
	})

	It("matches its golden file", func() {
		golden("summary.golden.md", out)
	})

	It("has well-formed tables: every row of a table has as many cells as its header", func() {
		var width int
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, "|") {
				width = 0
				continue
			}
			cells := len(strings.Split(strings.ReplaceAll(line, `\|`, ""), "|")) - 2
			if width == 0 {
				width = cells
			}
			Expect(cells).To(Equal(width), line)
		}
	})

	It("escapes hostile text", func() {
		Expect(out).NotTo(MatchRegexp(`(^|[^\\])<`), "every < is backslash-escaped, so GitHub renders it as text")
		Expect(out).To(ContainSubstring(`\<script\>`))
		Expect(out).To(ContainSubstring(`a\|b`))
	})

	It("shows the comparison, the checks and the errors", func() {
		Expect(out).To(ContainSubstring("**regression**"))
		Expect(out).To(ContainSubstring("❌ **fail**"))
		Expect(out).To(ContainSubstring("### Errors"))
		Expect(out).To(ContainSubstring("| Group | Key | n | Mean | p50 | p90 | Min | Max | Pass rate | Errors | Not submitted |"))
	})

	It("opens with the verdict and lists what failed", func() {
		lines := strings.Split(out, "\n")
		Expect(lines[0]).To(Equal("## heval report: support-golden"))
		Expect(lines[2]).To(HavePrefix("❌ **Failed: 1 of 2 checks failed"))
		Expect(lines[4]).To(HavePrefix("- check quality:mean\\>=80 failed: mean quality 71.2 is below 80"))
		Expect(strings.Index(out, "### Comparison")).To(BeNumerically("<", strings.Index(out, "### quality")))
		Expect(out).To(ContainSubstring("| quality | quality | candidate: this run vs the baseline run | 40 vs 40 |"))
		Expect(out).To(ContainSubstring("### Failed per-sample checks"))
		Expect(out).To(ContainSubstring("- **has\\_citations** \\[candidate\\] row 3, request `00000000-0000-4000-8000-000000000031`: has\\_citations is false, want true"))
	})

	It("finds the GitHub step summary file", func() {
		GinkgoT().Setenv("GITHUB_STEP_SUMMARY", "/tmp/step-summary.md")
		Expect(markdown.StepSummaryPath()).To(Equal("/tmp/step-summary.md"))
		GinkgoT().Setenv("GITHUB_STEP_SUMMARY", "")
		Expect(markdown.StepSummaryPath()).To(BeEmpty())
	})
})
