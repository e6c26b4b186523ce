package matchers

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/heval-dev/heval"

	gm "github.com/onsi/gomega/matchers"
	"github.com/onsi/gomega/types"

	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/stats"
)

// HaveMean succeeds when the mean of the score key's values satisfies matcher, for
// example HaveMean("accuracy", BeNumerically(">=", 80)).
func HaveMean(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	return newStatMatcher("mean", "mean", key, matcher)
}

// HaveMedian succeeds when the median (the 50th percentile) of the key's values satisfies
// matcher.
func HaveMedian(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	return newStatMatcher("median", "median", key, matcher)
}

// HavePercentile succeeds when the p-th percentile (0–100, linear interpolation between
// order statistics) of the key's values satisfies matcher, for example
// HavePercentile("word_count", 90, BeNumerically("<=", 250)).
func HavePercentile(key string, p float64, matcher types.GomegaMatcher) types.GomegaMatcher {
	st, err := stats.Percentile(p)
	return &statMatcher{stat: "p" + num(p), key: key, inner: matcher, fn: st, err: err}
}

// HaveMin succeeds when the smallest value of the key satisfies matcher.
func HaveMin(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	return newStatMatcher("min", "min", key, matcher)
}

// HaveMax succeeds when the largest value of the key satisfies matcher.
func HaveMax(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	return newStatMatcher("max", "max", key, matcher)
}

// HavePassRate succeeds when the share of true values of a boolean key (between 0 and 1)
// satisfies matcher, for example HavePassRate("has_citations", BeNumerically(">=", 0.8)).
// For a number key it is the share of non-zero values, as in `heval run --require`.
func HavePassRate(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	return newStatMatcher("pass rate", "pass_rate", key, matcher)
}

// HaveCount succeeds when the number of values of the key satisfies matcher, for
// example HaveCount("accuracy", Equal(120)) or HaveCount("accuracy", BeNumerically(">=",
// 100)). The count is an int (for Equal, a number of the type Equal was given). A key with
// no values has a count of 0.
func HaveCount(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	m := newStatMatcher("count", "count", key, matcher)
	m.countOK = true
	return m
}

// newStatMatcher is a matcher of the statistic named stat (a name of
// [stats.ParseStatistic]), shown as label in messages.
func newStatMatcher(label, stat, key string, matcher types.GomegaMatcher) *statMatcher {
	st, err := stats.ParseStatistic(stat)
	return &statMatcher{stat: label, key: key, inner: matcher, fn: st, err: err}
}

type statMatcher struct {
	stat    string
	key     string
	inner   types.GomegaMatcher
	fn      stats.Statistic
	err     error
	countOK bool

	set   *harness.ResultSet
	obs   []harness.Observation
	value float64
}

func (m *statMatcher) Match(actual any) (bool, error) {
	set, err := toSet(actual)
	if err != nil {
		return false, err
	}
	if m.err != nil {
		return false, fmt.Errorf("%s of %q: %w", m.stat, m.key, m.err)
	}
	if m.inner == nil {
		return false, fmt.Errorf("the matcher of %s of %q is nil; pass one such as BeNumerically(\">=\", 0.8)", m.stat, m.key)
	}
	m.set = set
	obs, err := set.Observations(m.key)
	if err != nil && !m.countOK {
		return false, err
	}
	m.obs = obs
	xs := make([]float64, len(obs))
	for i, o := range obs {
		xs[i] = float64(o.Value)
	}
	m.value = m.fn.Of(xs)
	return m.inner.Match(m.actual())
}

// actual is the statistic as the inner matcher sees it: a float64, except for a count,
// which is an int (so that HaveCount("k", Equal(120)) holds), or a number of the type an
// Equal matcher expects (Equal(int64(120)), Equal(120.0)).
func (m *statMatcher) actual() any {
	if !m.countOK {
		return m.value
	}
	n := int(m.value)
	if eq, ok := m.inner.(*gm.EqualMatcher); ok && eq.Expected != nil {
		t := reflect.TypeOf(eq.Expected)
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			return reflect.ValueOf(n).Convert(t).Interface()
		}
	}
	return n
}

func (m *statMatcher) headline() string {
	s := fmt.Sprintf("%s: %s of %s is %s", m.set.Name(), m.stat, m.key, num(m.value))
	if m.stat != "count" {
		s += fmt.Sprintf(" over %d values", len(m.obs))
	} else if len(m.obs) == 0 {
		s += fmt.Sprintf(" (the keys in this set are: %s)", strings.Join(m.set.Keys(), ", "))
	}
	if n := evaluatorErrors(m.set); n > 0 {
		s += fmt.Sprintf(" (%d evaluator calls in the set failed and gave no value)", n)
	}
	return s
}

func (m *statMatcher) FailureMessage(actual any) string {
	return m.headline() + "\n" + indent(m.inner.FailureMessage(m.actual()), "  ") + m.samples(direction(m.inner))
}

func (m *statMatcher) NegatedFailureMessage(actual any) string {
	return m.headline() + "\n" + indent(m.inner.NegatedFailureMessage(m.actual()), "  ") + m.samples(-direction(m.inner))
}

// samples lists the samples that pull the statistic the wrong way: the lowest when a lower
// bound failed, the highest for an upper bound, both ends otherwise.
func (m *statMatcher) samples(dir int) string {
	if m.stat == "count" || len(m.obs) == 0 {
		return ""
	}
	sorted := slices.Clone(m.obs)
	slices.SortStableFunc(sorted, func(a, b harness.Observation) int { return cmp.Compare(a.Value, b.Value) })
	mixed := mixedHypotheses(sorted)
	list := func(title string, obs []harness.Observation) string {
		var b strings.Builder
		b.WriteString("\n  " + title + ":")
		for _, o := range obs {
			b.WriteString("\n    " + describeObs(o, mixed))
		}
		return b.String()
	}
	n := min(maxListed, len(sorted))
	lowest := sorted[:n]
	highest := slices.Clone(sorted[len(sorted)-n:])
	slices.Reverse(highest)
	boolean := m.obs[0].Type == heval.Boolean
	switch {
	case boolean && dir <= 0:
		return list("false samples", onlyValue(sorted, 0, n))
	case boolean:
		return list("true samples", onlyValue(sorted, 1, n))
	case dir < 0:
		return list("lowest values", lowest)
	case dir > 0:
		return list("highest values", highest)
	}
	return list("lowest values", lowest) + list("highest values", highest)
}

func onlyValue(obs []harness.Observation, v int64, n int) []harness.Observation {
	var out []harness.Observation
	for _, o := range obs {
		if (o.Value != 0) == (v != 0) && len(out) < n {
			out = append(out, o)
		}
	}
	return out
}

func evaluatorErrors(set *harness.ResultSet) int {
	n := 0
	for _, r := range set.Records() {
		if r.Err != "" {
			n++
		}
	}
	return n
}

// HaveErrorCount succeeds when the number of failed evaluator calls in the set (errors,
// panics, timeouts, invalid values) satisfies matcher. Narrow the set to one evaluator
// with ResultSet.Evaluator. Failed score deliveries are not counted.
func HaveErrorCount(matcher types.GomegaMatcher) types.GomegaMatcher {
	return &errorMatcher{inner: matcher}
}

// HaveNoErrors succeeds when no evaluator call in the set failed.
func HaveNoErrors() types.GomegaMatcher { return &errorMatcher{} }

type errorMatcher struct {
	inner types.GomegaMatcher
	set   *harness.ResultSet
	errs  []*heval.Record
}

func (m *errorMatcher) Match(actual any) (bool, error) {
	set, err := toSet(actual)
	if err != nil {
		return false, err
	}
	m.set, m.errs = set, nil
	for _, r := range set.Records() {
		if r.Err != "" {
			m.errs = append(m.errs, r)
		}
	}
	if m.inner == nil {
		return len(m.errs) == 0, nil
	}
	return m.inner.Match(len(m.errs))
}

func (m *errorMatcher) message(negated bool) string {
	s := fmt.Sprintf("%s: %d of %d evaluator calls failed", m.set.Name(), len(m.errs), m.set.Len())
	switch {
	case m.inner == nil && negated:
		s += "\n  expected at least one failure"
	case m.inner == nil:
		s += "\n  expected none"
	case negated:
		s += "\n" + indent(m.inner.NegatedFailureMessage(len(m.errs)), "  ")
	default:
		s += "\n" + indent(m.inner.FailureMessage(len(m.errs)), "  ")
	}
	if len(m.errs) > 0 {
		s += "\n  failures:"
		for _, r := range m.errs[:min(maxListed, len(m.errs))] {
			o := harness.Observation{}
			if r.Sample != nil {
				o.RequestID, o.DatasetRowID, o.RowIndex = r.Sample.RequestID, r.Sample.DatasetRowID, r.Sample.RowIndex
			}
			kind := string(r.ErrKind)
			if kind == "" {
				kind = "error"
			}
			s += fmt.Sprintf("\n    %s on %s: %s: %s", r.Evaluator, o.Describe(), kind, clip(firstLine(r.Err), 300))
		}
		if len(m.errs) > maxListed {
			s += fmt.Sprintf("\n    … and %d more", len(m.errs)-maxListed)
		}
	}
	return s
}

func (m *errorMatcher) FailureMessage(actual any) string { return m.message(false) }

func (m *errorMatcher) NegatedFailureMessage(actual any) string { return m.message(true) }
