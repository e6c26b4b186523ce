package markdown_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/fixture"
	"github.com/heval-dev/heval/reporters/markdown"
	"github.com/heval-dev/heval/stats"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(name, got string) {
	path := filepath.Join("testdata", name)
	if *update {
		Expect(os.MkdirAll("testdata", 0o755)).To(Succeed())
		Expect(os.WriteFile(path, []byte(got), 0o644)).To(Succeed())
	}
	want, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred(), "run the tests with -update to create %s", path)
	Expect(got).To(Equal(string(want)))
}

var _ = Describe("the Markdown summary", func() {
	var out string
	BeforeEach(func() {
		bInfo, bRecs, bSum := fixture.Run(fixture.Options{Seed: 1})
		base := reporters.AggregateRecords(bInfo, bRecs, bSum)
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Shift: -12, Hostile: true, Errors: true})
		recs[0].Evaluator = "a|b"
		var buf bytes.Buffer
		Expect(fixture.Feed(markdown.New(&buf, markdown.WithBaseline(base, stats.CompareOptions{Seed: 1})), info, recs, sum)).To(Succeed())
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
