package evals_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals"
)

func constInt(v int64) heval.Func {
	return func(context.Context, heval.Sample) (heval.Score, error) { return heval.Int(v), nil }
}

func constBool(v bool) heval.Func {
	return func(context.Context, heval.Sample) (heval.Score, error) { return heval.Bool(v), nil }
}

func failing(err error) heval.Func {
	return func(context.Context, heval.Sample) (heval.Score, error) { return heval.Score{}, err }
}

// counting counts its calls and returns f's result.
func counting(n *int, f heval.Func) heval.Func {
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) { *n++; return f(ctx, s) }
}

var notApplicable = failing(heval.ErrNotApplicable)

var _ = Describe("composition", func() {
	s := chat("x")

	DescribeTable("weighted mean",
		func(parts []evals.Weighted, want int64) {
			Expect(value(evals.WeightedMean(parts...), s)).To(Equal(want))
		},
		Entry("equal weights", []evals.Weighted{evals.W("a", constInt(80), 1), evals.W("b", constInt(90), 1)}, int64(85)),
		Entry("weights", []evals.Weighted{evals.W("a", constInt(100), 3), evals.W("b", constInt(0), 1)}, int64(75)),
		Entry("booleans count 100 and 0", []evals.Weighted{evals.W("a", constBool(true), 1), evals.W("b", constBool(false), 1)}, int64(50)),
		Entry("rounds half away from zero", []evals.Weighted{evals.W("a", constInt(1), 1), evals.W("b", constInt(0), 1)}, int64(1)),
		Entry("zero weight ignored", []evals.Weighted{evals.W("a", constInt(10), 1), evals.W("b", constInt(90), 0)}, int64(10)),
		Entry("not applicable left out", []evals.Weighted{evals.W("a", constInt(40), 1), evals.W("b", notApplicable, 5)}, int64(40)),
		Entry("picked key", []evals.Weighted{evals.W("greet", evals.Pick(evals.SeedChecks, "has_citations"), 1)}, int64(0)),
	)

	It("weighted mean reports errors and bad values", func() {
		boom := errors.New("boom")
		_, err := evals.WeightedMean(evals.W("a", failing(boom), 1))(context.Background(), s)
		Expect(err).To(MatchError(boom))
		_, err = evals.WeightedMean(evals.W("wc", constInt(250), 1))(context.Background(), s)
		Expect(err).To(MatchError(ContainSubstring("outside 0–100")))
		_, err = evals.WeightedMean(evals.W("seed", evals.SeedChecks, 1))(context.Background(), s)
		Expect(err).To(MatchError(ContainSubstring("evals.Pick")))
		_, err = evals.WeightedMean(evals.W("na", notApplicable, 1))(context.Background(), s)
		Expect(err).To(MatchError(heval.ErrNotApplicable))
	})

	It("weighted mean panics on a bad declaration", func() {
		Expect(func() { evals.WeightedMean() }).To(Panic())
		Expect(func() { evals.WeightedMean(evals.W("a", constInt(1), -1)) }).To(Panic())
		Expect(func() { evals.WeightedMean(evals.W("a", constInt(1), math.NaN())) }).To(Panic())
		Expect(func() { evals.WeightedMean(evals.W("a", constInt(1), 0)) }).To(Panic())
		Expect(func() { evals.WeightedMean(evals.W("a", nil, 1)) }).To(Panic())
	})

	DescribeTable("all of and any of",
		func(f heval.Func, want bool) { Expect(value(f, s)).To(Equal(want)) },
		Entry("all true", evals.AllOf(constBool(true), constBool(true)), true),
		Entry("all with a false", evals.AllOf(constBool(true), constBool(false)), false),
		Entry("all of none", evals.AllOf(), true),
		Entry("all with n/a", evals.AllOf(notApplicable, constBool(true)), true),
		Entry("any with a true", evals.AnyOf(constBool(false), constBool(true)), true),
		Entry("any all false", evals.AnyOf(constBool(false), constBool(false)), false),
		Entry("any of none", evals.AnyOf(), false),
	)

	It("all of stops at the first false, any of at the first true", func() {
		n := 0
		Expect(value(evals.AllOf(constBool(false), counting(&n, constBool(true))), s)).To(BeFalse())
		Expect(value(evals.AnyOf(constBool(true), counting(&n, constBool(true))), s)).To(BeTrue())
		Expect(n).To(BeZero())
	})

	It("all of and any of reject non-booleans and pass errors on", func() {
		_, err := evals.AllOf(constInt(1))(context.Background(), s)
		Expect(err).To(MatchError(ContainSubstring("not a boolean")))
		boom := errors.New("boom")
		_, err = evals.AnyOf(failing(boom))(context.Background(), s)
		Expect(err).To(MatchError(boom))
		_, err = evals.AnyOf(notApplicable)(context.Background(), s)
		Expect(err).To(MatchError(heval.ErrNotApplicable))
	})

	It("when runs only on matching samples", func() {
		n := 0
		f := evals.When(func(s heval.Sample) bool { return s.Model == "gpt-4o-mini" }, counting(&n, constBool(true)))
		Expect(value(f, s)).To(BeTrue())
		_, err := f(context.Background(), plain("x"))
		Expect(err).To(MatchError(heval.ErrNotApplicable))
		Expect(n).To(Equal(1))
	})

	It("pick selects one key or says which exist", func() {
		Expect(value(evals.Pick(evals.SeedChecks, "word_count"), chat("a b"))).To(Equal(int64(2)))
		_, err := evals.Pick(evals.SeedChecks, "nope")(context.Background(), s)
		Expect(err).To(MatchError(ContainSubstring(`"word_count"`)))
	})
})

var _ = Describe("metadata thresholds", func() {
	meta := func(lat time.Duration, pt, ct int64, model string) heval.Sample {
		return heval.Sample{Body: plain("x").Body, Latency: lat, PromptTokens: pt, CompletionTokens: ct, Model: model, RequestID: "r1"}
	}

	DescribeTable("thresholds",
		func(f heval.Func, s heval.Sample, want any) { Expect(value(f, s)).To(Equal(want)) },
		Entry("latency within", evals.MaxLatency(2*time.Second), meta(time.Second, 1, 1, ""), true),
		Entry("latency at the limit", evals.MaxLatency(time.Second), meta(time.Second, 1, 1, ""), true),
		Entry("latency over", evals.MaxLatency(time.Second), meta(1500*time.Millisecond, 1, 1, ""), false),
		Entry("latency ms", heval.Func(evals.LatencyMillis), meta(1500400*time.Microsecond, 0, 0, ""), int64(1500)),
		Entry("tokens within", evals.MaxTokens(100), meta(0, 60, 40, ""), true),
		Entry("tokens over", evals.MaxTokens(99), meta(0, 60, 40, ""), false),
		Entry("total tokens", heval.Func(evals.TotalTokens), meta(0, 60, 40, ""), int64(100)),
		Entry("cost within (dated model name)", evals.MaxCost(0.001, nil), meta(0, 1000, 1000, "gpt-4o-mini-2024-07-18"), true),
		Entry("cost over", evals.MaxCost(0.0001, nil), meta(0, 1000, 1000, "gpt-4o-mini"), false),
		Entry("cost in micro-dollars", evals.CostMicroUSD(evals.Prices{"m": {Prompt: 1, Completion: 2}}), meta(0, 1000, 500, "m"), int64(2000)),
	)

	It("is an error when the measurement is missing", func() {
		for _, f := range []heval.Func{evals.MaxLatency(time.Second), evals.LatencyMillis, evals.MaxTokens(1), evals.TotalTokens, evals.MaxCost(1, nil)} {
			_, err := f(context.Background(), meta(0, 0, 0, "gpt-4o"))
			Expect(err).To(MatchError(evals.ErrNoMetadata))
		}
		_, err := evals.MaxCost(1, nil)(context.Background(), meta(0, 1, 1, "mystery-model"))
		Expect(err).To(MatchError(ContainSubstring(`no price for model "mystery-model"`)))
	})
})

var _ = Describe("integer-only values", func() {
	It("every evaluator returns only values Helicone stores", func() {
		s := withRef(chat("Hello, the answer is 42 [1]."), "42")
		s.Latency, s.PromptTokens, s.CompletionTokens = time.Second, 10, 10
		for _, e := range evals.Catalog() {
			if e.Network {
				continue
			}
			spec := e.Name
			switch e.Name {
			case "json_schema":
				spec += `={"type":"object"}`
			case "max_latency":
				spec += "=1s"
			case "max_tokens", "max_cost", "min_length", "numeric_closeness":
				spec += "=1"
			case "contains", "icontains", "contains_all", "icontains_all", "contains_any", "icontains_any", "regex":
				spec += "=4"
			}
			_, f, err := evals.Lookup(spec)
			Expect(err).NotTo(HaveOccurred(), spec)
			sc, err := f(context.Background(), s)
			Expect(err).NotTo(HaveOccurred(), spec)
			Expect(sc.IsZero()).To(BeFalse(), spec)
			for _, en := range sc.Entries() {
				key := en.Key
				if key == "" {
					key = e.Name
				}
				_, err := heval.Normalize(key, en.Value)
				Expect(err).NotTo(HaveOccurred(), fmt.Sprintf("%s: %v", spec, en.Value))
			}
		}
	})
})
