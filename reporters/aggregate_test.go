package reporters_test

import (
	"math"
	"strings"
	"unsafe"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/fixture"
	"github.com/heval-dev/heval/stats"
)

func rec(group, row string, idx int, eval string, vals ...heval.Value) heval.Record {
	s := &heval.Sample{Kind: heval.KindHypothesisRun, Hypothesis: group, HypothesisID: "id-" + group,
		DatasetRowID: row, RowIndex: idx, RequestID: group + "-" + row, Model: "m-" + group,
		Body: []byte(`"answer ` + row + `"`)}
	return heval.Record{Sample: s, Evaluator: eval, Values: vals, Submitted: true}
}

func num(k string, v int64) heval.Value {
	return heval.Value{Key: k, Value: v, Type: heval.Number}
}
func boolean(k string, v bool) heval.Value {
	if v {
		return heval.Value{Key: k, Value: 1, Type: heval.Boolean}
	}
	return heval.Value{Key: k, Value: 0, Type: heval.Boolean}
}

var _ = Describe("Aggregator", func() {
	It("summarises each (group, evaluator, key)", func() {
		a := reporters.NewAggregator(reporters.WorstSamples(2))
		Expect(a.Start(heval.RunInfo{Evaluators: []string{"z", "a"}})).To(Succeed())
		for i, v := range []int64{5, 1, 4, 2, 3} {
			r := rec("cand", "r"+string(rune('0'+i)), i, "z", num("score", v), boolean("ok", v > 2))
			Expect(a.Record(r)).To(Succeed())
		}
		Expect(a.Record(rec("base", "r0", 0, "a", num("score", 7)))).To(Succeed())
		Expect(a.Finish(heval.Summary{Samples: 6})).To(Succeed())
		agg := a.Result()

		Expect(agg.Evaluators).To(Equal([]string{"z", "a"}))
		Expect(agg.Finished).To(BeTrue())
		Expect(agg.Records).To(Equal(6))
		k := agg.Key("cand", "z", "score")
		Expect(k).NotTo(BeNil())
		Expect(k.N).To(Equal(5))
		Expect(k.Mean).To(Equal(3.0))
		Expect(k.P50).To(Equal(3.0))
		Expect(k.P90).To(BeNumerically("~", 4.6, 1e-9))
		Expect([]float64{k.Min, k.Max}).To(Equal([]float64{1, 5}))
		Expect(math.IsNaN(k.PassRate)).To(BeTrue())
		Expect(k.Worst).To(HaveLen(2))
		Expect(k.Worst[0].Value).To(Equal(int64(1)))
		Expect(k.Worst[0].DatasetRowID).To(Equal("r1"))
		Expect(k.Worst[0].Answer).To(Equal("answer r1"))
		Expect(k.Worst[1].Value).To(Equal(int64(2)))

		ok := agg.Key("cand", "z", "ok")
		Expect(ok.Type).To(Equal(heval.Boolean))
		Expect(ok.PassRate).To(Equal(0.6))

		g := agg.Group("cand")
		Expect(g.Samples).To(Equal(5))
		Expect(g.Models).To(Equal([]string{"m-cand"}))
		Expect(agg.Groups[0].Label).To(Equal("base"))
		Expect(agg.Stats[0].Evaluator).To(Equal("z"))
	})

	It("counts errors, delivery errors and unsubmitted values, keeping a bounded error list", func() {
		a := reporters.NewAggregator(reporters.ErrorLimit(2), reporters.TextLimit(10))
		Expect(a.Start(heval.RunInfo{})).To(Succeed())
		for i := range 4 {
			r := rec("g", "r", i, "e")
			r.Err, r.ErrKind, r.Submitted = "boom number "+strings.Repeat("x", 20), heval.ErrorKindPanic, false
			Expect(a.Record(r)).To(Succeed())
		}
		r := rec("g", "r", 9, "e", num("k", 1))
		r.Submitted, r.DeliveryErr = false, "503"
		Expect(a.Record(r)).To(Succeed())
		agg := a.Result()
		es := agg.Evaluator("g", "e")
		Expect(es.Errors).To(Equal(4))
		Expect(es.ErrorKinds).To(Equal(map[heval.ErrorKind]int{heval.ErrorKindPanic: 4}))
		Expect(es.DeliveryErrors).To(Equal(1))
		Expect(es.NotSubmitted).To(Equal(1), "errored records without values have nothing to submit")
		Expect(agg.ErrorCount).To(Equal(4))
		Expect(agg.DeliveryErrorCount).To(Equal(1))
		Expect(agg.Errors).To(HaveLen(2))
		Expect(agg.Errors[0].RowIndex).To(Equal(0))
		Expect(agg.Errors[1].RowIndex).To(Equal(1))
		Expect(agg.Errors[0].Message).To(Equal("boom numb…"))
	})

	It("does not count unsubmitted values in a dry run", func() {
		a := reporters.NewAggregator()
		Expect(a.Start(heval.RunInfo{DryRun: true})).To(Succeed())
		r := rec("g", "r", 0, "e", num("k", 1))
		r.Submitted = false
		Expect(a.Record(r)).To(Succeed())
		Expect(a.Result().Evaluator("g", "e").NotSubmitted).To(Equal(0))
	})

	It("keeps the same worst samples whatever the arrival order", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 5})
		fwd := reporters.AggregateRecords(info, recs, sum)
		rev := make([]heval.Record, len(recs))
		for i, r := range recs {
			rev[len(recs)-1-i] = r
		}
		bwd := reporters.AggregateRecords(info, rev, sum)
		Expect(bwd.Key("candidate", "quality", "quality").Worst).To(Equal(fwd.Key("candidate", "quality", "quality").Worst))
		Expect(reporters.ComparisonSpec{Baseline: bwd}.Comparisons(fwd)).To(Equal(must(reporters.ComparisonSpec{Baseline: fwd}.Comparisons(fwd))))
	})

	It("groups samples without a hypothesis by kind, the dataset first", func() {
		Expect((&heval.Sample{Kind: heval.KindDatasetRow}).Group()).To(Equal("dataset"))
		Expect((&heval.Sample{Kind: heval.KindRequest}).Group()).To(Equal("requests"))
		Expect((&heval.Sample{Kind: heval.KindFile}).Group()).To(Equal("file"))
		Expect((*heval.Sample)(nil).Group()).To(Equal("unknown"))
		a := reporters.NewAggregator()
		_ = a.Start(heval.RunInfo{})
		_ = a.Record(rec("alpha", "r", 0, "e", num("k", 1)))
		r := rec("", "r", 0, "e", num("k", 1))
		r.Sample.Kind, r.Sample.HypothesisID = heval.KindDatasetRow, ""
		_ = a.Record(r)
		Expect(a.Result().Groups[0].Label).To(Equal("dataset"))
	})

	It("truncates by characters", func() {
		Expect(reporters.Truncate("héllo wörld", 5)).To(Equal("héll…"))
		Expect(reporters.Truncate("short", 5)).To(Equal("short"))
	})
})

func must[T any](v T, err error) T {
	GinkgoHelper()
	Expect(err).NotTo(HaveOccurred())
	return v
}

var _ = Describe("ComparisonSpec", func() {
	build := func(shift int64, rows int, prefix string) *reporters.Aggregate {
		a := reporters.NewAggregator()
		_ = a.Start(heval.RunInfo{})
		for i := range rows {
			row := prefix + string(rune('A'+i%26)) + string(rune('a'+i/26))
			_ = a.Record(rec("h", row, i, "e", num("score", int64(i%10)*10+shift), boolean("ok", i%3 != 0)))
		}
		return a.Result()
	}

	It("keeps 16 bytes per value: the value and its unit id", func() {
		Expect(unsafe.Sizeof(stats.Observation{})).To(Equal(uintptr(16)))
		k := build(0, 3, "").Key("h", "e", "score")
		Expect(k.Observations()).To(Equal([]stats.Observation{
			{Unit: stats.UnitID("row:Aa"), Value: 0}, {Unit: stats.UnitID("row:Ba"), Value: 10}, {Unit: stats.UnitID("row:Ca"), Value: 20},
		}))
		Expect(k.Values()).To(Equal([]int64{0, 10, 20}))
	})

	It("pairs by dataset row and flags a regression", func() {
		base, cand := build(0, 60, ""), build(-3, 60, "")
		cmps := must(reporters.ComparisonSpec{Baseline: base, Options: stats.CompareOptions{Seed: 1}}.Comparisons(cand))
		Expect(cmps).To(HaveLen(2))
		c := cmps[1]
		Expect(c.Key).To(Equal("score"))
		Expect(c.Type).To(Equal(heval.Number))
		Expect(c.Paired).To(BeTrue())
		Expect(c.Units).To(Equal(60))
		Expect(c.Diff).To(BeNumerically("~", -3, 1e-9))
		Expect(c.Low).To(BeNumerically("~", -3, 1e-9), "a constant shift is certain when paired")
		Expect(c.Regression).To(BeTrue())
		Expect(c.Confidence).To(Equal(0.95))
		Expect(c.Rows).To(HaveLen(reporters.DefaultWorstSamples), "a report keeps only the worst rows")
		Expect(cmps[0].Key).To(Equal("ok"))
		Expect(cmps[0].Type).To(Equal(heval.Boolean))
		Expect(cmps[0].Regression || cmps[0].Improvement).To(BeFalse())
	})

	It("compares unpaired when rows differ, with a wider interval", func() {
		base, cand := build(0, 60, ""), build(-3, 60, "other-")
		c := must(reporters.ComparisonSpec{Baseline: base, Options: stats.CompareOptions{Seed: 1}}.Comparisons(cand))[1]
		Expect(c.Paired).To(BeFalse())
		Expect(c.Diff).To(BeNumerically("~", -3, 1e-9))
		Expect(c.High).To(BeNumerically(">", 0))
		Expect(c.Regression).To(BeFalse())
	})

	It("averages repeats within a row before pairing", func() {
		a := reporters.NewAggregator()
		_ = a.Start(heval.RunInfo{})
		for row := range 10 {
			id := string(rune('a' + row))
			_ = a.Record(rec("base", id, row, "e", num("score", 50)))
			for rep, v := range []int64{40, 60, 47} {
				r := rec("cand", id, row, "e", num("score", v))
				r.Repeat = rep
				_ = a.Record(r)
			}
		}
		c := must(reporters.ComparisonSpec{BaselineGroup: "base", CandidateGroup: "cand"}.Comparisons(a.Result()))[0]
		Expect(c.Paired).To(BeTrue())
		Expect([]int{c.Units, c.BaselineN, c.CandidateN}).To(Equal([]int{10, 10, 30}))
		Expect([]float64{c.Diff, c.Low, c.High}).To(HaveEach(BeNumerically("~", -1, 1e-9)))
	})

	It("follows the direction of each key", func() {
		base, cand := build(0, 60, ""), build(-3, 60, "")
		dir := func(_, key string) heval.Direction {
			if key == "score" {
				return heval.LowerIsBetter
			}
			return heval.Neutral
		}
		cmps := must(reporters.ComparisonSpec{Baseline: base, Direction: dir}.Comparisons(cand))
		Expect(cmps[1].Improvement).To(BeTrue())
		Expect(cmps[1].Direction).To(Equal(heval.LowerIsBetter))
		Expect(cmps[0].Direction).To(Equal(heval.Neutral))
	})

	It("compares two groups of one run", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2, Shift: -15})
		agg := reporters.AggregateRecords(info, recs, sum)
		cmps := must(reporters.ComparisonSpec{BaselineGroup: "baseline", CandidateGroup: "candidate"}.Comparisons(agg))
		Expect(cmps).NotTo(BeEmpty())
		var found bool
		for _, c := range cmps {
			Expect(c.Group).To(Equal("candidate"))
			Expect(c.BaselineGroup).To(Equal("baseline"))
			if c.Key == "quality" {
				found = true
				Expect(c.Paired).To(BeTrue())
				Expect(c.Regression).To(BeTrue())
			}
		}
		Expect(found).To(BeTrue())
	})

	It("compares one group of the run with another group of a baseline run", func() {
		info, recs, sum := fixture.Run(fixture.Options{Seed: 2})
		agg := reporters.AggregateRecords(info, recs, sum)
		cmps := must(reporters.ComparisonSpec{Baseline: agg, BaselineGroup: "baseline", CandidateGroup: "candidate"}.Comparisons(agg))
		Expect(cmps).NotTo(BeEmpty())
		for _, c := range cmps {
			Expect([]string{c.Group, c.BaselineGroup}).To(Equal([]string{"candidate", "baseline"}))
		}
		Expect(cmps).To(Equal(must(reporters.ComparisonSpec{BaselineGroup: "baseline", CandidateGroup: "candidate"}.Comparisons(agg))))
	})

	It("compares nothing for the zero spec, and explains options out of range", func() {
		agg := build(0, 5, "")
		Expect(must(reporters.ComparisonSpec{}.Comparisons(agg))).To(BeEmpty())
		_, err := reporters.ComparisonSpec{Baseline: agg, Options: stats.CompareOptions{Confidence: 95}}.Comparisons(agg)
		Expect(err).To(MatchError(ContainSubstring("comparing e ok of h with h: compare: confidence 95 is not between 0 and 1")))
	})
})
