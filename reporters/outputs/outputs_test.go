package outputs_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/internal/dirlock"
	"github.com/heval-dev/heval/reporters/outputs"
)

func TestOutputs(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "outputs")
}

func feed(h heval.Handler) {
	Expect(h.Start(heval.RunInfo{RunID: "r", Started: time.Unix(0, 0).UTC(), Source: "test", Evaluators: []string{"e"}})).To(Succeed())
	s := &heval.Sample{Kind: heval.KindFile, RequestID: "11111111-1111-4111-8111-111111111111", Body: []byte(`"an answer"`)}
	Expect(h.Record(heval.Record{Sample: s, Evaluator: "e", Values: []heval.Value{{Key: "e", Value: 3, Type: heval.Number}}})).To(Succeed())
	Expect(h.Finish(heval.Summary{Samples: 1})).To(Succeed())
}

var _ = Describe("the outputs of a run", func() {
	It("writes every report under a temporary name and renames it into place on Close", func() {
		dir := GinkgoT().TempDir()
		md := filepath.Join(dir, "summary.md")
		step := filepath.Join(dir, "step.md")
		Expect(os.WriteFile(step, []byte("earlier\n"), 0o644)).To(Succeed())
		set, err := outputs.Open(outputs.Options{Dir: dir, Markdown: md, StepSummary: step})
		Expect(err).NotTo(HaveOccurred())
		feed(set.Handler())
		Expect(filepath.Join(dir, outputs.ScoresFile)).NotTo(BeAnExistingFile())
		Expect(set.Close()).To(Succeed())
		for _, p := range set.Paths() {
			Expect(p).To(BeARegularFile())
		}
		Expect(set.Paths()).To(ConsistOf(filepath.Join(dir, outputs.ScoresFile), filepath.Join(dir, outputs.SamplesFile), filepath.Join(dir, outputs.JUnitFile), filepath.Join(dir, outputs.HTMLFile), md, step))
		b, _ := os.ReadFile(step)
		Expect(string(b)).To(HavePrefix("earlier\n"))
		Expect(len(b)).To(BeNumerically(">", len("earlier\n")))
		left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
		Expect(left).To(BeEmpty())
	})

	It("leaves an earlier run's reports untouched when discarded", func() {
		dir := GinkgoT().TempDir()
		old := filepath.Join(dir, outputs.ScoresFile)
		Expect(os.WriteFile(old, []byte("earlier run"), 0o644)).To(Succeed())
		set, err := outputs.Open(outputs.Options{Dir: dir, NoHTML: true, NoStepSummary: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(set.Discard()).To(Succeed())
		b, _ := os.ReadFile(old)
		Expect(string(b)).To(Equal("earlier run"))
		left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
		Expect(left).To(BeEmpty())
	})

	It("refuses a second writer of the same directory until the first is done", func() {
		dir := GinkgoT().TempDir()
		set, err := outputs.Open(outputs.Options{Dir: dir, NoStepSummary: true})
		Expect(err).NotTo(HaveOccurred())
		_, err = outputs.Open(outputs.Options{Dir: dir, NoStepSummary: true})
		Expect(err).To(MatchError(dirlock.ErrLocked))
		Expect(err.Error()).To(ContainSubstring("another heval"))
		feed(set.Handler())
		Expect(set.Close()).To(Succeed())
		again, err := outputs.Open(outputs.Options{Dir: dir, NoStepSummary: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Discard()).To(Succeed())
	})
})
