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

	It("finds the GitHub step summary file", func() {
		GinkgoT().Setenv("GITHUB_STEP_SUMMARY", "/tmp/step-summary.md")
		Expect(markdown.StepSummaryPath()).To(Equal("/tmp/step-summary.md"))
		GinkgoT().Setenv("GITHUB_STEP_SUMMARY", "")
		Expect(markdown.StepSummaryPath()).To(BeEmpty())
	})
})
