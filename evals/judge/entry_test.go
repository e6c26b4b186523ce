package judge_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/evals/judge"
	"github.com/heval-dev/heval/evals/judge/judgetest"
)

var _ = Describe("the judge's catalog entry", func() {
	var (
		srv *judgetest.Server
		reg *evals.Registry
	)

	BeforeEach(func() {
		srv = judgetest.NewServer(judgetest.Options{})
		DeferCleanup(srv.Close)
		reg = evals.NewRegistry(append(evals.Builtin(), judge.Entry(
			judge.WithBaseURL(srv.URL), judge.WithAPIKey(secretKey), judge.WithoutCache()))...)
	})

	It("is listed next to the built-in evaluators", func() {
		var names []string
		for _, e := range reg.Catalog() {
			names = append(names, e.Name)
		}
		Expect(names).To(ContainElements("judge", "word_count"))
		e := judge.Entry()
		Expect(e.Network).To(BeTrue())
		Expect(e.ArgRequired).To(BeTrue())
		Expect(e.Keys).To(Equal([]evals.KeyInfo{{Key: "judge", Type: "int", Range: "0–100", Direction: heval.HigherIsBetter}}))
	})

	It("builds a judge by rubric name that scores through the configured endpoint", func() {
		name, f, err := reg.Lookup("judge=accuracy")
		Expect(err).NotTo(HaveOccurred())
		Expect(name).To(Equal("judge"))
		name2, f2, err := reg.Lookup("relevance:judge=Relevance")
		Expect(err).NotTo(HaveOccurred())
		Expect(name2).To(Equal("relevance"))
		Expect(srv.Calls()).To(BeZero(), "a lookup makes no call")

		s := withRef(chat("Paris."), "Paris")
		for _, f := range []heval.Func{f, f2} {
			sc, err := f(context.Background(), s)
			Expect(err).NotTo(HaveOccurred())
			Expect(sc.Entries()[0].Value).To(BeNumerically("<=", 100))
		}
		Expect(srv.Calls()).To(Equal(2))
	})

	It("rejects an unknown rubric and a missing one", func() {
		_, _, err := reg.Lookup("judge=vibes")
		Expect(err).To(MatchError(ContainSubstring(`no rubric "vibes"; choose one of accuracy, relevance`)))
		_, _, err = reg.Lookup("judge")
		Expect(err).To(MatchError(ContainSubstring("needs an argument: judge=RUBRIC")))
	})
})
