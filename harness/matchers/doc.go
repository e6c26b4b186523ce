// Package matchers holds the Gomega matchers of heval eval suites. Dot-import it next to
// Ginkgo and Gomega:
//
//	Expect(run.Hypothesis("candidate")).To(HavePassRate("has_citations", BeNumerically(">=", 0.8)))
//	Expect(run.Hypothesis("candidate")).To(HavePercentile("word_count", 90, BeNumerically("<=", 250)))
//	Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", ByMoreThan(2)))
//
// Every matcher accepts a *harness.ResultSet, a *harness.Results or anything with an
// All() *harness.ResultSet method (such as *suite.Evaluation). Statistics are those of
// `heval run --require` (package stats): the mean, type-7 quantiles (linear interpolation,
// as NumPy's default), the share of true (non-zero) values, and the number of failed
// evaluator calls. HaveCount hands its matcher an int (HaveCount("word_count", Equal(120))).
// NotBeWorseThan compares with stats.Compare, as the reports do, in the
// direction the key's evaluator declared (LowerIsBetter and HigherIsBetter override it; a
// neutral key must be given one), and refuses two runs whose evaluator specs differ.
//
// A failure message names the set (hypothesis, model, prompt version, slice), the score
// key, the observed value, the expectation and the samples that pull the statistic the
// wrong way, with their dataset rows and request ids, so that a CI log is enough to start
// debugging.
package matchers
