package harness_test

import (
	"context"
	"runtime"
	"strings"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("an evaluator's declaration", func() {
	It("records where it was declared, relative to the module root", func() {
		_, _, line, _ := runtime.Caller(0)
		ev := harness.Evaluator("words", constant(1))
		Expect(ev.File()).To(Equal("harness/declare_test.go"))
		Expect(ev.Line()).To(Equal(line + 1))
		cli := harness.Evaluator("words", constant(1), harness.DeclaredAt("", 7))
		Expect(cli.File()).To(BeEmpty())
		Expect(cli.Line()).To(BeZero())
	})

	It("declares directions for its own value and for named keys", func() {
		ev := harness.Evaluator("checks", constant(1), heval.Neutral, harness.Direction(heval.LowerIsBetter, "latency", "cost"))
		Expect(ev.Direction("checks")).To(Equal(heval.Neutral))
		Expect(ev.Direction("other")).To(Equal(heval.Neutral))
		Expect(ev.Direction("latency")).To(Equal(heval.LowerIsBetter))
		Expect(harness.Evaluator("plain", constant(1)).Direction("plain")).To(Equal(heval.HigherIsBetter))
		Expect(func() { harness.Direction("sideways") }).To(PanicWith(ContainSubstring("higher, lower or neutral")))
	})

	It("reaches every handler through the run's description", func() {
		rec := &recorder{}
		_, _, line, _ := runtime.Caller(0)
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(2)...), DryRun: true, Handler: rec,
			Evaluators: []*harness.EvaluatorSpec{
				harness.Evaluator("words", constant(3), heval.Neutral, harness.Spec("words=3")),
				harness.Evaluator("ok", constant(true)),
			},
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.info.Declared).To(HaveLen(2))
		Expect(rec.info.Declared[0]).To(Equal(heval.EvaluatorInfo{Name: "words", Spec: "words=3", Direction: heval.Neutral,
			File: "harness/declare_test.go", Line: line + 4}))
		Expect(rec.info.Spec("words")).To(Equal("words=3"))
		Expect(rec.info.Spec("ok")).To(Equal("ok"))
		Expect(rec.info.Direction("ok", "ok")).To(Equal(heval.HigherIsBetter))
		Expect(rec.info.Direction("words", "words")).To(Equal(heval.Neutral))
		Expect(strings.HasPrefix(rec.info.Declared[1].File, "harness/")).To(BeTrue())
	})

	It("links request ids to the web app of the Helicone the run talks to: US, EU, or none", func() {
		for base, want := range map[string]string{
			helicone.USBaseURL:       "https://us.helicone.ai/requests",
			helicone.EUBaseURL:       "https://eu.helicone.ai/requests",
			"http://127.0.0.1:8585":  "",
			"https://helicone.corp.": "",
		} {
			client, err := helicone.NewClient(helicone.WithBaseURL(base), helicone.WithAPIKey("sk-helicone-links00-0000000-0000000-0000000"))
			Expect(err).NotTo(HaveOccurred())
			rec := &recorder{}
			_, err = harness.Run(context.Background(), harness.Config{
				Source: datasets.Slice(makeSamples(1)...), DryRun: true, Handler: rec, Env: datasets.Env{Client: client},
				Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("ok", constant(true))},
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(rec.info.RequestsURL).To(Equal(want), base)
		}
	})
})
