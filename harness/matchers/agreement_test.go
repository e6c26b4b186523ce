package matchers_test

import (
	"math"
	"os"
	"path/filepath"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
	"github.com/heval-dev/heval/harness/suite"
	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/parquet"
	"github.com/heval-dev/heval/stats"
)

// The matcher that fails a build and the reports a person reads (console, Markdown, HTML,
// `heval report`) must give the same interval for the same records: both go through
// stats.Compare, and these specs hold them to the last bit.
var _ = Describe("NotBeWorseThan and the reports", func() {
	base := baselineArm()
	regressed := arm{id: "candidate", model: "gpt-4o-mini", prompt: "v7",
		accuracy: func(row int) int64 { return base.accuracy(row) - 4 + int64(row%5) },
		cites:    func(row int) bool { return row%3 != 0 },
		judge:    func(row int) []bool { return []bool{row%2 == 0, row%3 == 0, true} }}
	baseJudged := base
	baseJudged.judge = func(row int) []bool { return []bool{true, row%4 != 0, row%5 == 0} }

	// aggregate feeds records to the streaming aggregate, as every reporter does.
	aggregate := func(recs []*heval.Record) *reporters.Aggregate {
		a := reporters.NewAggregator()
		Expect(a.Start(heval.RunInfo{})).To(Succeed())
		for _, r := range recs {
			Expect(a.Record(*r)).To(Succeed())
		}
		Expect(a.Finish(heval.Summary{})).To(Succeed())
		return a.Result()
	}
	// reported finds the comparison of one key among a spec's comparisons.
	reported := func(spec reporters.ComparisonSpec, agg *reporters.Aggregate, key string) reporters.KeyComparison {
		GinkgoHelper()
		cmps, err := spec.Comparisons(agg)
		Expect(err).NotTo(HaveOccurred())
		for _, c := range cmps {
			if c.Key == key {
				return c
			}
		}
		Fail("the report has no comparison of " + key)
		return reporters.KeyComparison{}
	}
	// same expects the two results to agree to the last bit.
	same := func(m *stats.Comparison, r reporters.KeyComparison) {
		GinkgoHelper()
		bits := func(xs ...float64) []uint64 {
			out := make([]uint64, len(xs))
			for i, x := range xs {
				out[i] = math.Float64bits(x)
			}
			return out
		}
		Expect(bits(r.Diff, r.Low, r.High)).To(Equal(bits(m.Diff, m.Low, m.High)), "diff, low, high")
		Expect(bits(r.BaselineMean, r.CandidateMean)).To(Equal(bits(m.BaselineMean, m.CandidateMean)), "the means")
		Expect([]any{r.Paired, r.Units, r.BaselineN, r.CandidateN, r.Regression, r.Improvement}).To(
			Equal([]any{m.Paired, m.Units, m.BaselineN, m.CandidateN, m.Regression, m.Improvement}))
		Expect(math.IsNaN(m.Low)).To(BeFalse())
	}

	DescribeTable("give the same interval for two hypotheses of a run",
		func(key string, dir heval.Direction, opts ...CompareOption) {
			run := build(60, []arm{regressed, baseJudged})
			m := comparison(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), key, opts...))
			spec := reporters.ComparisonSpec{BaselineGroup: "baseline", CandidateGroup: "candidate",
				Direction: func(string, string) heval.Direction { return dir }}
			r := reported(spec, aggregate(run.All().Records()), key)
			same(m, r)
			Expect(m.Paired).To(BeTrue())
			Expect(m.Units).To(Equal(60))
		},
		Entry("a number key", "accuracy", heval.HigherIsBetter),
		Entry("a number key where lower is better", "accuracy", heval.LowerIsBetter, LowerIsBetter()),
		Entry("a boolean key, in the 0..1 unit of pass rates on both sides", "has_citations", heval.HigherIsBetter),
		Entry("a boolean judge whose three repeats are averaged per row", "is_factual", heval.HigherIsBetter),
	)

	It("give the same interval at another confidence and resample count", func() {
		run := build(40, []arm{regressed, base})
		m := comparison(run.Hypothesis("candidate"), NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", AtConfidence(0.8), Resamples(777)))
		spec := reporters.ComparisonSpec{BaselineGroup: "baseline", CandidateGroup: "candidate",
			Options: stats.CompareOptions{Confidence: 0.8, Resamples: 777}}
		r := reported(spec, aggregate(run.All().Records()), "accuracy")
		same(m, r)
		Expect([]any{r.Confidence, r.Resamples}).To(Equal([]any{0.8, 777}))
	})

	It("give the same unpaired interval when the sets share too few rows", func() {
		run := build(30, []arm{regressed, base})
		early := run.Hypothesis("candidate").Where("rows 0-9", func(r *heval.Record) bool { return r.Sample.RowIndex < 10 })
		late := run.Hypothesis("baseline").Where("rows 8-29", func(r *heval.Record) bool { return r.Sample.RowIndex >= 8 })
		m := comparison(early, NotBeWorseThan(late, "accuracy"))
		Expect(m.Paired).To(BeFalse())
		spec := reporters.ComparisonSpec{Baseline: aggregate(late.Records()), BaselineGroup: "baseline", CandidateGroup: "candidate"}
		same(m, reported(spec, aggregate(early.Records()), "accuracy"))
	})

	It("give the same interval for tonight's run against last night's file, as `heval report --baseline` reads it", func() {
		dir := GinkgoT().TempDir()
		write := func(name string, res *harness.Results) string {
			path := filepath.Join(dir, name)
			f, err := os.Create(path)
			Expect(err).NotTo(HaveOccurred())
			w := parquet.NewWriter(f)
			Expect(w.Start(res.Info)).To(Succeed())
			for _, r := range res.All().Records() {
				Expect(w.Record(*r)).To(Succeed())
			}
			Expect(w.Finish(res.Summary)).To(Succeed())
			Expect(f.Close()).To(Succeed())
			return path
		}
		lastNightBase := baseJudged
		lastNightBase.id = "candidate"
		tonight := write("tonight.parquet", build(50, []arm{regressed}))
		lastNight := write("last-night.parquet", build(50, []arm{lastNightBase}))

		// The matcher's path: suite.LoadBaseline.
		t, err := suite.LoadBaseline(tonight)
		Expect(err).NotTo(HaveOccurred())
		l, err := suite.LoadBaseline(lastNight)
		Expect(err).NotTo(HaveOccurred())
		// The report's path: the records read back and aggregated, as cmd/heval does.
		load := func(path string) *reporters.Aggregate {
			info, recs, err := parquet.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			return reporters.AggregateRecords(info, recs, heval.Summary{})
		}
		spec := reporters.ComparisonSpec{Baseline: load(lastNight)}
		for _, key := range []string{"accuracy", "has_citations", "is_factual"} {
			m := comparison(t.Hypothesis("candidate"), NotBeWorseThan(l.Hypothesis("candidate"), key))
			same(m, reported(spec, load(tonight), key))
			Expect(m.Paired).To(BeTrue(), key)
		}
		m := comparison(t.Hypothesis("candidate"), NotBeWorseThan(l.Hypothesis("candidate"), "accuracy", PairedByRequest()))
		Expect(m.Units).To(Equal(50), "the two runs answered with the same request ids")
	})
})
