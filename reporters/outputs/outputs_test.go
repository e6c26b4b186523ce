package outputs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

	It("redacts every message before any report is written", func() {
		dir := GinkgoT().TempDir()
		md := filepath.Join(dir, "summary.md")
		set, err := outputs.Open(outputs.Options{Dir: dir, Markdown: md, NoStepSummary: true,
			Redact: func(s string) string { return strings.ReplaceAll(s, "sk-secret", "[REDACTED]") }})
		Expect(err).NotTo(HaveOccurred())
		h := set.Handler()
		Expect(h.Start(heval.RunInfo{RunID: "r", Started: time.Unix(0, 0).UTC(), Source: "test sk-secret", Evaluators: []string{"e"}})).To(Succeed())
		for i := range 600 {
			s := &heval.Sample{Kind: heval.KindFile, RequestID: fmt.Sprintf("11111111-1111-4111-8111-%012d", i), Body: []byte(`"an answer"`)}
			Expect(h.Record(heval.Record{Sample: s, Evaluator: "e", Err: "failed with sk-secret", ErrKind: heval.ErrorKindEvaluator,
				Reason: "because sk-secret", Failures: []string{"sk-secret is too long"}, DeliveryErr: "sk-secret refused"})).To(Succeed())
		}
		Expect(h.Finish(heval.Summary{Samples: 600, Err: "stopped: sk-secret",
			Checks: []heval.Check{{Name: "e:mean>=1", Key: "e", Stat: "mean", Op: ">=", Limit: 1, Message: "sk-secret below"}}})).To(Succeed())
		Expect(set.Close()).To(Succeed())
		for _, p := range set.Paths() {
			b, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(b)).NotTo(ContainSubstring("sk-secret"), p)
		}
		b, _ := os.ReadFile(filepath.Join(dir, outputs.JUnitFile))
		Expect(string(b)).To(ContainSubstring("[REDACTED]"))
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
