package matchers

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/heval-dev/heval/harness"
)

// CompareOption tunes [NotBeWorseThan].
type CompareOption func(*compareConfig)

type compareConfig struct {
	margin float64
	opts   harness.CompareOptions
}

// ByMoreThan is the margin the candidate may be worse by, in the key's unit (percentage
// points for boolean keys). The default is 0: the candidate must not be worse at all.
func ByMoreThan(points float64) CompareOption {
	return func(c *compareConfig) { c.margin = points }
}

// AtConfidence sets the confidence level of the interval (default 0.95).
func AtConfidence(level float64) CompareOption {
	return func(c *compareConfig) { c.opts.Confidence = level }
}

// LowerIsBetter says that smaller values of the key are better (latency, word count, cost).
func LowerIsBetter() CompareOption {
	return func(c *compareConfig) { c.opts.LowerIsBetter = true }
}

// PairedByRequest pairs the two sets by request id instead of by dataset row, for sources
// without dataset rows such as request queries.
func PairedByRequest() CompareOption {
	return func(c *compareConfig) { c.opts.ByRequest = true }
}

// Resamples sets the number of bootstrap resamples (default 2000).
func Resamples(n int) CompareOption {
	return func(c *compareConfig) { c.opts.Resamples = n }
}

// NotBeWorseThan succeeds when the candidate (the actual set) is not worse than baseline
// on the score key by more than the margin of [ByMoreThan], at the confidence of
// [AtConfidence]: the two sets are paired by dataset row (repeats averaged within a row),
// and the bound on the worse side of a bootstrap confidence interval for the difference of
// the means must stay within the margin. Boolean keys are compared in percentage points.
//
//	Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "accuracy",
//		ByMoreThan(2), AtConfidence(0.95)))
//
// The baseline may be another hypothesis, the dataset's original outputs
// (run.Hypothesis("dataset")) or a previous run read with [suite.LoadBaseline].
func NotBeWorseThan(baseline *harness.ResultSet, key string, opts ...CompareOption) types.GomegaMatcher {
	m := &worseMatcher{baseline: baseline, key: key}
	for _, o := range opts {
		o(&m.cfg)
	}
	return m
}

type worseMatcher struct {
	baseline *harness.ResultSet
	key      string
	cfg      compareConfig
	c        *harness.Comparison
}

func (m *worseMatcher) Match(actual any) (bool, error) {
	cand, err := toSet(actual)
	if err != nil {
		return false, err
	}
	if m.baseline == nil {
		return false, fmt.Errorf("NotBeWorseThan(nil, %q): the baseline set is nil", m.key)
	}
	if m.cfg.margin < 0 {
		return false, fmt.Errorf("NotBeWorseThan(…, %q, ByMoreThan(%s)): the margin must not be negative", m.key, num(m.cfg.margin))
	}
	c, err := harness.Compare(cand, m.baseline, m.key, m.cfg.opts)
	if err != nil {
		return false, err
	}
	m.c = c
	return c.NotWorseBy(m.cfg.margin), nil
}

func (m *worseMatcher) unit(v float64) string {
	if m.c.Boolean {
		return pts(v) + "%"
	}
	return pts(v)
}

func (m *worseMatcher) describe() string {
	c := m.c
	worse, lo, hi := c.Worse()
	stat := "mean " + c.Key
	if c.Boolean {
		stat = "pass rate of " + c.Key
	}
	pct := num(c.Confidence * 100)
	var b strings.Builder
	if worse > 0 {
		fmt.Fprintf(&b, "%s: %s %s is worse than %s %s\n  by %s points (%s%% CI %s .. %s; allowed %s)",
			c.Candidate, stat, m.unit(c.CandidateMean), c.Baseline, m.unit(c.BaselineMean),
			pts(worse), pct, pts(lo), pts(hi), pts(m.cfg.margin))
	} else {
		fmt.Fprintf(&b, "%s: %s %s is better than %s %s\n  by %s points, but it may be worse by up to %s (%s%% CI of how much worse: %s .. %s; allowed %s)",
			c.Candidate, stat, m.unit(c.CandidateMean), c.Baseline, m.unit(c.BaselineMean),
			pts(-worse), pts(hi), pct, pts(lo), pts(hi), pts(m.cfg.margin))
	}
	if c.LowerIsBetter {
		b.WriteString(", lower is better")
	}
	fmt.Fprintf(&b, ", paired over %d %s", len(c.Rows), m.pairUnit())
	if c.CandidateOnly+c.BaselineOnly > 0 {
		fmt.Fprintf(&b, " (%d only in the candidate and %d only in the baseline were left out)", c.CandidateOnly, c.BaselineOnly)
	}
	if lo < 0 && hi > 0 && len(c.Rows) < 30 {
		b.WriteString("\n  the interval is wide: more rows or repeats would narrow it")
	}
	return b.String()
}

func (m *worseMatcher) pairUnit() string {
	if m.cfg.opts.ByRequest {
		return "requests"
	}
	return "dataset rows"
}

func (m *worseMatcher) rows(title string, worstFirst bool) string {
	rows := m.c.Rows
	var b strings.Builder
	n := 0
	for i := range rows {
		r := rows[i]
		if !worstFirst {
			r = rows[len(rows)-1-i]
		}
		sign := 1.0
		if !m.c.LowerIsBetter {
			sign = -1
		}
		worse := sign * r.Diff
		if (worstFirst && worse <= 0) || (!worstFirst && worse >= 0) || n == maxListed {
			break
		}
		if n == 0 {
			b.WriteString("\n  " + title + ":")
		}
		fmt.Fprintf(&b, "\n    %s: %s vs %s", r.Describe(), m.unit(r.Candidate), m.unit(r.Baseline))
		if r.BaselineRequest != "" && r.BaselineRequest != r.CandidateRequest {
			fmt.Fprintf(&b, " (baseline request %s)", r.BaselineRequest)
		}
		n++
	}
	return b.String()
}

func (m *worseMatcher) FailureMessage(actual any) string {
	return m.describe() + m.rows("worst rows (candidate vs baseline)", true)
}

func (m *worseMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected %s to be worse than %s on %s by more than %s, but it is not:\n",
		m.c.Candidate, m.c.Baseline, m.key, pts(m.cfg.margin)) + m.describe() + m.rows("best rows (candidate vs baseline)", false)
}
