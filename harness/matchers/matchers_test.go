package matchers_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
)

// failure runs matcher against actual, expects it to fail, and returns its message.
func failure(actual any, m interface {
	Match(any) (bool, error)
	FailureMessage(any) string
}) string {
	GinkgoHelper()
	ok, err := m.Match(actual)
	Expect(err).NotTo(HaveOccurred())
	Expect(ok).To(BeFalse(), "the matcher was expected to fail")
	return m.FailureMessage(actual)
}

var _ = Describe("statistic matchers", func() {
	var run *harness.Results
	BeforeEach(func() {
		cand := arm{id: "candidate", model: "gpt-4o-mini", prompt: "v7",
			accuracy: func(row int) int64 { return int64(70 + row%21) },
			cites:    func(row int) bool { return row%4 != 0 }}
		run = build(40, []arm{cand, baselineArm()}, 3, 9)
	})

	It("computes the mean, median, percentiles, min and max like package stats", func() {
		c := run.Hypothesis("candidate")
		Expect(c).To(HaveMean("word_count", BeNumerically("~", 11480.0/38, 1e-9)))
		Expect(c).To(HaveMedian("word_count", Equal(305.0)))
		Expect(c).To(HavePercentile("word_count", 90, BeNumerically("~", 453, 1e-9)))
		Expect(c).To(HaveMin("accuracy", Equal(70.0)))
		Expect(c).To(HaveMax("accuracy", Equal(90.0)))
		Expect(c).To(HavePassRate("has_citations", Equal(0.75)))
		Expect(c).To(HaveCount("word_count", Equal(38.0)))
		Expect(run).To(HaveCount("accuracy", Equal(80.0)))
	})

	It("counts in integers: HaveCount takes Equal(30) as written in the README", func() {
		c := run.Hypothesis("candidate")
		Expect(c).To(HaveCount("word_count", Equal(38)))
		Expect(c).To(HaveCount("word_count", Equal(int64(38))))
		Expect(c).To(HaveCount("word_count", BeNumerically(">=", 30)))
		Expect(c).To(HaveCount("word_count", BeEquivalentTo(38)))
		msg := failure(c, HaveCount("word_count", Equal(30)))
		Expect(msg).To(ContainSubstring("<int>: 38"))
		Expect(msg).NotTo(ContainSubstring("float64"))
	})

	It("names the set, the statistic, the value, the expectation and the lowest samples when a lower bound fails", func() {
		msg := failure(run.Hypothesis("candidate"), HaveMean("accuracy", BeNumerically(">=", 85)))
		Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7): mean of accuracy is 79.5 over 40 values"))
		Expect(msg).To(ContainSubstring("to be >="))
		Expect(msg).To(ContainSubstring("<int>: 85"))
		Expect(msg).To(ContainSubstring("lowest values:\n    row 0 (request 00000001-0000-4000-8000-000000000000): 70"))
		Expect(msg).To(ContainSubstring("— rubric score for row 0"), "the evaluator's reason is shown when it has one")
		Expect(msg).To(ContainSubstring("2 evaluator calls in the set failed"))
	})

	It("lists the highest samples when an upper bound on a percentile fails", func() {
		msg := failure(run.Hypothesis("candidate"), HavePercentile("word_count", 90, BeNumerically("<=", 250)))
		Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7): p90 of word_count is 453 over 38 values"))
		Expect(msg).To(ContainSubstring("to be <="))
		Expect(msg).To(ContainSubstring("highest values:\n    row 39 (request 00000001-0000-4000-8000-000000000027): 490"))
	})

	It("lists both ends when the direction of the expectation is unknown", func() {
		msg := failure(run.Hypothesis("baseline"), HaveMedian("accuracy", Equal(1.0)))
		Expect(msg).To(ContainSubstring("median of accuracy is 84.5"))
		Expect(msg).To(ContainSubstring("lowest values:"))
		Expect(msg).To(ContainSubstring("highest values:"))
	})

	It("names the min and max and their samples", func() {
		msg := failure(run.Hypothesis("candidate"), HaveMin("accuracy", BeNumerically(">", 75)))
		Expect(msg).To(ContainSubstring("min of accuracy is 70"))
		Expect(msg).To(ContainSubstring("row 21 (request 00000001-0000-4000-8000-000000000015): 70"))
		msg = failure(run.Hypothesis("candidate"), HaveMax("accuracy", BeNumerically("<", 90)))
		Expect(msg).To(ContainSubstring("max of accuracy is 90"))
		Expect(msg).To(ContainSubstring("highest values:\n    row 20 (request 00000001-0000-4000-8000-000000000014): 90"))
	})

	It("lists the false samples when a pass rate is too low", func() {
		msg := failure(run.Hypothesis("candidate"), HavePassRate("has_citations", BeNumerically(">=", 0.8)))
		Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7): pass rate of has_citations is 0.75 over 40 values"))
		Expect(msg).To(ContainSubstring("<float64>: 0.8"))
		Expect(msg).To(ContainSubstring("false samples:\n    row 0 (request 00000001-0000-4000-8000-000000000000): false"))
		Expect(msg).To(ContainSubstring("row 4 (request 00000001-0000-4000-8000-000000000004): false"))
	})

	It("marks the hypothesis of each sample when the set mixes hypotheses", func() {
		msg := failure(run, HavePassRate("has_citations", BeNumerically(">=", 0.9)))
		Expect(msg).To(HavePrefix("all samples: pass rate of has_citations is 0.775 over 80 values"))
		Expect(msg).To(MatchRegexp(`row 0 \(request [0-9a-f-]+\) \[(candidate|baseline)\]: false`))
	})

	It("names slices of the dataset", func() {
		set := run.Hypothesis("candidate").WithInput("lang", "de")
		Expect(set).To(HaveCount("accuracy", Equal(20.0)))
		msg := failure(set, HaveMean("accuracy", BeNumerically(">", 90)))
		Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7), input lang=de: mean of accuracy"))
	})

	It("says which keys exist when the key has no values", func() {
		ok, err := HaveMean("acuracy", BeNumerically(">", 0)).Match(run.Hypothesis("candidate"))
		Expect(ok).To(BeFalse())
		Expect(err).To(MatchError(ContainSubstring(`hypothesis candidate (gpt-4o-mini, prompt v7): no values of score key "acuracy"; the keys in this set are: accuracy, has_citations, word_count`)))
		Expect(errors.Is(err, harness.ErrNoObservations)).To(BeTrue())
	})

	It("says the set is empty for an unknown hypothesis", func() {
		_, err := HavePassRate("has_citations", BeNumerically(">", 0)).Match(run.Hypothesis("candidat"))
		Expect(err).To(MatchError(ContainSubstring("hypothesis candidat: no values of score key \"has_citations\": the set is empty")))
	})

	It("counts a missing key as zero for HaveCount and lists the keys", func() {
		Expect(run).To(HaveCount("nope", BeZero()))
		msg := failure(run, HaveCount("nope", BeNumerically(">", 0)))
		Expect(msg).To(ContainSubstring("count of nope is 0 (the keys in this set are: accuracy, has_citations, word_count)"))
	})

	It("rejects values that are not result sets", func() {
		_, err := HaveMean("x", BeNumerically(">", 0)).Match(42)
		Expect(err).To(MatchError(ContainSubstring("expected a *harness.ResultSet or *harness.Results, got int")))
		var nilSet *harness.ResultSet
		_, err = HaveMean("x", BeNumerically(">", 0)).Match(nilSet)
		Expect(err).To(MatchError(ContainSubstring("assert inside a spec")))
	})

	It("explains a negated failure", func() {
		m := HaveMean("accuracy", BeNumerically(">=", 70))
		ok, err := m.Match(run.Hypothesis("candidate"))
		Expect(err).NotTo(HaveOccurred())
		Expect(ok).To(BeTrue())
		msg := m.NegatedFailureMessage(run.Hypothesis("candidate"))
		Expect(msg).To(ContainSubstring("mean of accuracy is 79.5"))
		Expect(msg).To(ContainSubstring("not to be >="))
	})

	Describe("error counts", func() {
		It("counts failed evaluator calls and lists them", func() {
			c := run.Hypothesis("candidate")
			Expect(c).To(HaveErrorCount(Equal(2)))
			Expect(run.Hypothesis("baseline")).To(HaveNoErrors())
			Expect(c.Evaluator("accuracy")).To(HaveNoErrors())
			msg := failure(c, HaveNoErrors())
			Expect(msg).To(HavePrefix("hypothesis candidate (gpt-4o-mini, prompt v7): 2 of 120 evaluator calls failed\n  expected none"))
			Expect(msg).To(ContainSubstring("word_count on row 3 (request 00000001-0000-4000-8000-000000000003): error: answer body is not an OpenAI chat completion"))
			msg = failure(c, HaveErrorCount(BeNumerically("<", 1)))
			Expect(msg).To(ContainSubstring("to be <"))
			Expect(msg).To(ContainSubstring("row 9"))
		})

		It("shows an evaluator's whole error message, not a cut one, and a panic once as a panic", func() {
			_, invalid := heval.Normalize("accuracy", 0.925)
			Expect(invalid).To(HaveOccurred())
			smp := &heval.Sample{RequestID: "00000001-0000-4000-8000-000000000001", RowIndex: 1, Hypothesis: "candidate"}
			res := harness.NewResults(heval.RunInfo{}, []heval.Record{
				{Sample: smp, Evaluator: "accuracy", Err: invalid.Error(), ErrKind: heval.ErrorKindInvalidValue},
				{Sample: smp, Evaluator: "boom", Err: "the evaluator panicked: kaboom\nmain.boom()\n\tboom.go:3", ErrKind: heval.ErrorKindPanic},
			}, heval.Summary{})
			msg := failure(res, HaveNoErrors())
			Expect(msg).To(ContainSubstring(invalid.Error()))
			Expect(msg).To(ContainSubstring("return heval.Int(heval.Percent(x)) for a 0–1 fraction, or round it"))
			Expect(msg).To(ContainSubstring("boom on request 00000001-0000-4000-8000-000000000001: panic: the evaluator panicked: kaboom"))
			Expect(msg).NotTo(ContainSubstring("panic: panic"))
			Expect(msg).NotTo(ContainSubstring("boom.go"), "the stack stays in the reports")
		})
	})
})

var _ = Describe("ResultSet.Stat", func() {
	It("agrees with the matchers on every statistic", func() {
		run := build(40, []arm{baselineArm()}, 5)
		set := run.Hypothesis("baseline")
		for _, c := range []struct {
			stat string
			m    func(float64) any
		}{
			{"mean", func(v float64) any { return HaveMean("word_count", Equal(v)) }},
			{"median", func(v float64) any { return HaveMedian("word_count", Equal(v)) }},
			{"p90", func(v float64) any { return HavePercentile("word_count", 90, Equal(v)) }},
			{"p99.9", func(v float64) any { return HavePercentile("word_count", 99.9, Equal(v)) }},
			{"min", func(v float64) any { return HaveMin("word_count", Equal(v)) }},
			{"max", func(v float64) any { return HaveMax("word_count", Equal(v)) }},
			{"count", func(v float64) any { return HaveCount("word_count", Equal(v)) }},
		} {
			v, err := set.Stat("word_count", c.stat)
			Expect(err).NotTo(HaveOccurred())
			Expect(set).To(c.m(v).(interface {
				Match(any) (bool, error)
				FailureMessage(any) string
				NegatedFailureMessage(any) string
			}), c.stat)
		}
		pr, err := set.Stat("has_citations", "pass_rate")
		Expect(err).NotTo(HaveOccurred())
		Expect(set).To(HavePassRate("has_citations", Equal(pr)))
		_, err = set.Stat("nope", "mean")
		Expect(err).To(MatchError(harness.ErrNoObservations))
		_, err = set.Stat("word_count", "average")
		Expect(err).To(MatchError(ContainSubstring("not one of mean")))
		_, err = set.Stat("word_count", "errors")
		Expect(err).To(MatchError(ContainSubstring("count errors with ResultSet.Errors")))
		n, err := set.Stat("nope", "count")
		Expect(err).NotTo(HaveOccurred())
		Expect(n).To(BeZero())
		nonZero, err := set.Stat("word_count", "pass_rate")
		Expect(err).NotTo(HaveOccurred())
		Expect(nonZero).To(Equal(1.0), "every word count is non-zero")
	})

	It("explains a percentile out of range", func() {
		_, err := HavePercentile("word_count", 150, BeNumerically("<=", 1)).Match(build(3, []arm{baselineArm()}))
		Expect(err).To(MatchError(ContainSubstring(`p150 of "word_count": percentile 150 is not between 0 and 100`)))
	})
})
