package evals_test

import (
	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals"
)

var _ = Describe("the catalog's directions", func() {
	It("declares a direction for every score key of every evaluator", func() {
		for _, e := range evals.Catalog() {
			Expect(e.Keys).NotTo(BeEmpty(), e.Name)
			for _, k := range e.Keys {
				_, err := heval.ParseDirection(string(k.Direction))
				Expect(err).NotTo(HaveOccurred(), "%s %s", e.Name, k.Key)
				Expect(k.Direction).NotTo(BeEmpty(), "%s %s declares no direction", e.Name, k.Key)
			}
		}
	})

	DescribeTable("says which values are better",
		func(spec, key string, want heval.Direction) {
			e, ok := evals.NewRegistry(evals.Builtin()...).EntryFor(spec)
			Expect(ok).To(BeTrue(), spec)
			var got heval.Direction
			for _, k := range e.Keys {
				if k.Key == key {
					got = k.Direction
				}
			}
			Expect(got).To(Equal(want), "%s %s", spec, key)
		},
		Entry("a word count is neither better long nor short", "word_count", "word_count", heval.Neutral),
		Entry("a greeting is a style, not a quality", "starts_with_greeting", "starts_with_greeting", heval.Neutral),
		Entry("refusals are worse", "refusal", "refusal", heval.LowerIsBetter),
		Entry("latency is better low", "latency_ms", "latency_ms", heval.LowerIsBetter),
		Entry("cost is better low", "cost_micro_usd", "cost_micro_usd", heval.LowerIsBetter),
		Entry("citations are better", "has_citations", "has_citations", heval.HigherIsBetter),
		Entry("an argument does not change it", "min_length=200", "min_length", heval.HigherIsBetter),
		Entry("an alias renames the own key", "short:word_count", "short", heval.Neutral),
		Entry("seed_checks' keys each have theirs", "seed_checks", evals.KeyStartsWithGreeting, heval.Neutral),
	)

	It("knows no entry for an unknown name", func() {
		_, ok := evals.NewRegistry(evals.Builtin()...).EntryFor("no_such_thing")
		Expect(ok).To(BeFalse())
	})
})
