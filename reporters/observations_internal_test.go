package reporters

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/stats"
)

// spillRun feeds an aggregator rows samples in each of the groups "base" and "cand", each
// judged by one evaluator with a number key (values with repeats, a wide range and both
// signs) and a boolean key, and returns the values it was given, per group and key, in
// arrival order.
func spillRun(a *Aggregator, from, rows int) map[string][]stats.Observation {
	want := map[string][]stats.Observation{}
	for i := from; i < from+rows; i++ {
		for g, group := range []string{"base", "cand"} {
			row := fmt.Sprintf("row-%07d", i)
			s := &heval.Sample{Kind: heval.KindHypothesisRun, Hypothesis: group, HypothesisID: "id-" + group,
				DatasetRowID: row, RowIndex: i, RequestID: group + "-" + row}
			n := int64((i*7919+g*31)%100_003) - 50_000
			if i%5 == 0 {
				n = int64(i % 17) // many repeats
			}
			b := int64(0)
			if (i+g)%3 != 0 {
				b = 1
			}
			r := heval.Record{Sample: s, Evaluator: "e", Submitted: true, Values: []heval.Value{
				{Key: "n", Value: n, Type: heval.Number}, {Key: "ok", Value: b, Type: heval.Boolean},
			}}
			Expect(a.Record(r)).To(Succeed())
			unit := stats.UnitID(s.Unit())
			want[group+"/n"] = append(want[group+"/n"], stats.Observation{Unit: unit, Value: n})
			want[group+"/ok"] = append(want[group+"/ok"], stats.Observation{Unit: unit, Value: b})
		}
	}
	return want
}

// expectExact checks every key of agg against the values it was given.
func expectExact(agg *Aggregate, want map[string][]stats.Observation) {
	GinkgoHelper()
	for _, group := range []string{"base", "cand"} {
		for _, key := range []string{"n", "ok"} {
			obs := want[group+"/"+key]
			k := agg.Key(group, "e", key)
			Expect(k).NotTo(BeNil())
			got, err := k.Observations()
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(obs), "%s %s", group, key)
			xs := make([]float64, len(obs))
			for i, o := range obs {
				xs[i] = float64(o.Value)
			}
			d := stats.Describe(xs)
			vs := make([]int64, len(obs))
			for i, o := range obs {
				vs[i] = o.Value
			}
			Expect(k.ValueCounts()).To(Equal(stats.Counts(vs)), "%s %s", group, key)
			Expect(k.N).To(Equal(len(obs)))
			Expect([]float64{k.Mean, k.P50, k.P90, k.Min, k.Max}).To(Equal([]float64{d.Mean, d.P50, d.P90, d.Min, d.Max}), "%s %s", group, key)
		}
	}
	cmps, err := ComparisonSpec{BaselineGroup: "base", CandidateGroup: "cand", Options: stats.CompareOptions{MaxRows: 3}}.Comparisons(agg)
	Expect(err).NotTo(HaveOccurred())
	Expect(cmps).To(HaveLen(2))
	for _, c := range cmps {
		res, err := stats.Compare(want["base/"+c.Key], want["cand/"+c.Key], agg.Info.Direction("e", c.Key), stats.CompareOptions{MaxRows: 3})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Comparison).To(Equal(*res), c.Key)
	}
}

var _ = Describe("an aggregator of many values", func() {
	It("moves them to a temporary file in chunks, holds at most a chunk per key in memory, and reads back exactly what it was given", func() {
		tmp := GinkgoT().TempDir()
		GinkgoT().Setenv("TMPDIR", tmp)
		a := NewAggregator()
		Expect(a.Start(heval.RunInfo{})).To(Succeed())
		want := spillRun(a, 0, spillAfter/2) // 2 groups × 2 keys × spillAfter/2 values
		Expect(a.Finish(heval.Summary{})).To(Succeed())
		Expect(a.values).To(Equal(2 * spillAfter))
		Expect(a.spool.file).NotTo(BeNil())
		for sk, k := range a.keys {
			Expect(k.obs.chunks).NotTo(BeEmpty(), "%v", sk)
			Expect(len(k.obs.mem)).To(BeNumerically("<", spillChunk), "%v", sk)
		}
		expectExact(a.Result(), want)
		// The file has no name: a run that ends without the aggregator being collected
		// leaves nothing in the temporary directory.
		entries, err := os.ReadDir(tmp)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(BeEmpty())
	})

	It("keeps what a result saw while more values arrive", func() {
		a := NewAggregator()
		Expect(a.Start(heval.RunInfo{})).To(Succeed())
		first := spillRun(a, 0, spillAfter/2)
		early := a.Result()
		more := spillRun(a, spillAfter/2, spillChunk*3+17)
		expectExact(early, first)
		for k, v := range more {
			first[k] = append(first[k], v...)
		}
		expectExact(a.Result(), first)
	})

	It("keeps the values in memory when no temporary file can be made, and loses none", func() {
		GinkgoT().Setenv("TMPDIR", filepath.Join(GinkgoT().TempDir(), "missing"))
		a := NewAggregator()
		Expect(a.Start(heval.RunInfo{})).To(Succeed())
		want := spillRun(a, 0, spillAfter/2+spillChunk)
		Expect(a.spool.failed).To(BeTrue())
		for _, k := range a.keys {
			Expect(k.obs.chunks).To(BeEmpty())
		}
		expectExact(a.Result(), want)
	})

	It("names the key in the errors, and counts it, when its values cannot be read back; a key of few distinct values needs no reading", func() {
		a := NewAggregator()
		Expect(a.Start(heval.RunInfo{})).To(Succeed())
		want := spillRun(a, 0, spillAfter/2)
		Expect(a.spool.file.Close()).To(Succeed())
		agg := a.Result()
		Expect(agg.ErrorCount).To(Equal(2))
		Expect(agg.Errors).To(HaveLen(2))
		for i, group := range []string{"base", "cand"} {
			Expect(agg.Errors[i]).To(MatchFields(IgnoreExtras, Fields{"Group": Equal(group), "Evaluator": Equal("e"), "Kind": Equal(ErrorKindReport)}))
			Expect(agg.Errors[i].Message).To(HavePrefix(`the statistics of key "n" could not be computed: reading score values back from the aggregator's temporary file: `))
		}
		k := agg.Key("cand", "e", "n")
		Expect(k.N).To(Equal(spillAfter / 2))
		Expect(math.IsNaN(k.Mean)).To(BeTrue())
		_, err := k.Observations()
		Expect(err).To(HaveOccurred())
		_, err = k.ValueCounts()
		Expect(err).To(HaveOccurred())
		_, err = ComparisonSpec{BaselineGroup: "base", CandidateGroup: "cand"}.Comparisons(agg)
		Expect(err).To(MatchError(ContainSubstring("comparing e n of cand with base: reading score values back")))

		// The boolean key was counted as it went: its statistics and counts are whole.
		ok := agg.Key("cand", "e", "ok")
		vs := make([]int64, 0, len(want["cand/ok"]))
		for _, o := range want["cand/ok"] {
			vs = append(vs, o.Value)
		}
		Expect(ok.ValueCounts()).To(Equal(stats.Counts(vs)))
		d := stats.DescribeCounts(stats.Counts(vs))
		Expect([]float64{ok.Mean, ok.P50, ok.P90, ok.Min, ok.Max, ok.PassRate}).To(Equal([]float64{d.Mean, d.P50, d.P90, d.Min, d.Max, d.Mean}))
	})
})
