package matchers

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/onsi/gomega/types"

	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/stats"
)

// CompareOption tunes [NotBeWorseThan].
type CompareOption func(*compareConfig)

type compareConfig struct {
	margin    float64
	opts      stats.CompareOptions
	dir       heval.Direction
	dirSet    bool
	byRequest bool
}

// ByMoreThan is the margin the candidate may be worse by, in the key's unit. For a
// boolean key the unit is that of a pass rate, between 0 and 1: ByMoreThan(0.05) allows a
// pass rate 5 percentage points lower (failure messages write such differences in
// percentage points). The default is 0: the candidate must not be worse at all.
func ByMoreThan(margin float64) CompareOption {
	return func(c *compareConfig) { c.margin = margin }
}

// AtConfidence sets the confidence level of the interval, between 0 and 1 (default 0.95).
func AtConfidence(level float64) CompareOption {
	return func(c *compareConfig) { c.opts.Confidence = level }
}

// LowerIsBetter says that smaller values of the key are better (latency, cost), whatever
// its evaluator declared.
func LowerIsBetter() CompareOption {
	return func(c *compareConfig) { c.dir, c.dirSet = heval.LowerIsBetter, true }
}

// HigherIsBetter says that larger values of the key are better, whatever its evaluator
// declared.
func HigherIsBetter() CompareOption {
	return func(c *compareConfig) { c.dir, c.dirSet = heval.HigherIsBetter, true }
}

// PairedByRequest pairs the two sets by request id instead of by dataset row, for example
// to compare two evaluations of the same logged answers sample by sample. (Samples without
// a dataset row, such as logged requests, pair by request id anyway.)
func PairedByRequest() CompareOption {
	return func(c *compareConfig) { c.byRequest = true }
}

// Resamples sets the number of bootstrap resamples (default 2000).
func Resamples(n int) CompareOption {
	return func(c *compareConfig) { c.opts.Resamples = n }
}

// NotBeWorseThan succeeds when the candidate (the actual set) is not worse than baseline
// on the score key by more than the margin of [ByMoreThan], at the confidence of
// [AtConfidence]: the bound on the worse side of a bootstrap confidence interval for the
// difference of the means must stay within the margin.
//
//	Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(run.Hypothesis("baseline"), "accuracy",
//		ByMoreThan(2), AtConfidence(0.95)))
//
// The comparison is [stats.Compare], the one the reports show: values are paired per
// dataset row (else request id, or always request id with [PairedByRequest]), repeats and
// several samples of a row averaged first; sets that share too few rows are compared
// unpaired, and the failure message says so. Boolean keys are compared as 0/1 values, so
// their means are pass rates between 0 and 1.
//
// Which side is worse follows the direction the key's evaluator declared
// (harness.Direction; higher is better when it declared none); [LowerIsBetter] and
// [HigherIsBetter] override it. A neutral key has no worse side, so comparing one is an
// error that says to choose a direction.
//
// The baseline may be another hypothesis, the dataset's original outputs
// (run.Hypothesis("dataset")) or a previous run read with [suite.LoadBaseline]. Sets from
// two runs whose evaluators of the key have different specs (min_length=200 and
// min_length=100) judge different things and are refused. After Match, the matcher's
// method Comparison() *stats.Comparison returns the engine's result.
func NotBeWorseThan(baseline *harness.ResultSet, key string, opts ...CompareOption) types.GomegaMatcher {
	m := &worseMatcher{baseline: baseline, key: key, cfg: compareConfig{dir: heval.HigherIsBetter}}
	for _, o := range opts {
		o(&m.cfg)
	}
	return m
}

type worseMatcher struct {
	baseline *harness.ResultSet
	key      string
	cfg      compareConfig

	candName, baseName string
	boolean            bool
	c                  *stats.Comparison
	units              map[uint64]*unitInfo
	noun               string
}

// unitInfo describes a unit for messages.
type unitInfo struct {
	row                               int // -1: not a dataset row
	candidateRequest, baselineRequest string
}

// Comparison returns the result of the last Match, or nil before it.
func (m *worseMatcher) Comparison() *stats.Comparison { return m.c }

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
	cobs, err := cand.Observations(m.key)
	if err != nil {
		return false, err
	}
	bobs, err := m.baseline.Observations(m.key)
	if err != nil {
		return false, err
	}
	m.candName, m.baseName = cand.Name(), m.baseline.Name()
	evaluator := ""
	if cobs[0].Record != nil {
		evaluator = cobs[0].Record.Evaluator
	}
	ci, bi := cand.Info(), m.baseline.Info()
	if ci != nil && bi != nil && ci != bi && evaluator != "" {
		if cs, bs := ci.Spec(evaluator), bi.Spec(evaluator); cs != bs {
			return false, fmt.Errorf("NotBeWorseThan(…, %q): evaluator %s is %q in %s but %q in %s: the two runs judge different things, so their scores cannot be compared; compare with a run whose evaluator has the same spec",
				m.key, evaluator, cs, m.candName, bs, m.baseName)
		}
	}
	if !m.cfg.dirSet && ci != nil && evaluator != "" {
		m.cfg.dir = ci.Direction(evaluator, m.key)
	}
	if m.cfg.dir == heval.Neutral {
		return false, fmt.Errorf("NotBeWorseThan(…, %q): %s declares %s neutral (neither higher nor lower is better), so neither side can be worse; pass LowerIsBetter() or HigherIsBetter(), or assert on its values with HaveMean or HavePercentile",
			m.key, evaluator, m.key)
	}
	m.boolean = cobs[0].Type == heval.Boolean && bobs[0].Type == heval.Boolean
	if m.boolean && m.cfg.margin > 1 {
		return false, fmt.Errorf("NotBeWorseThan(…, %q, ByMoreThan(%s)): %s is a boolean key, whose margin is a difference of pass rates between 0 and 1; write ByMoreThan(%s) for %s percentage points",
			m.key, num(m.cfg.margin), m.key, strconv.FormatFloat(m.cfg.margin/100, 'f', -1, 64), num(m.cfg.margin))
	}
	m.units = map[uint64]*unitInfo{}
	rows, requests := 0, 0
	observe := func(obs []harness.Observation, candidate bool) []stats.Observation {
		out := make([]stats.Observation, len(obs))
		for i, o := range obs {
			name := ""
			switch {
			case m.cfg.byRequest && o.RequestID != "":
				name = "request:" + o.RequestID
			case !m.cfg.byRequest && o.Record != nil:
				name = o.Record.Sample.Unit()
			}
			id := stats.UnitID(name)
			out[i] = stats.Observation{Unit: id, Value: o.Value}
			if id == 0 {
				continue
			}
			u := m.units[id]
			if u == nil {
				u = &unitInfo{row: -1}
				if !m.cfg.byRequest && o.DatasetRowID != "" {
					u.row = o.RowIndex
					rows++
				} else {
					requests++
				}
				m.units[id] = u
			}
			if candidate && u.candidateRequest == "" {
				u.candidateRequest = o.RequestID
			} else if !candidate && u.baselineRequest == "" {
				u.baselineRequest = o.RequestID
			}
		}
		return out
	}
	cv, bv := observe(cobs, true), observe(bobs, false)
	switch {
	case requests == 0:
		m.noun = "dataset rows"
	case rows == 0:
		m.noun = "requests"
	default:
		m.noun = "dataset rows or requests"
	}
	c, err := stats.Compare(bv, cv, m.cfg.dir, m.cfg.opts)
	if err != nil {
		return false, fmt.Errorf("NotBeWorseThan(…, %q): %s against %s: %w", m.key, m.candName, m.baseName, err)
	}
	m.c = c
	_, _, worstCase := m.worse()
	return worstCase <= m.cfg.margin, nil
}

// worse is how much worse the candidate is than the baseline (negative when better), with
// the bounds of its interval, low ≤ high.
func (m *worseMatcher) worse() (worse, low, high float64) {
	c := m.c
	if m.cfg.dir == heval.LowerIsBetter {
		return c.Diff, c.Low, c.High
	}
	return -c.Diff, -c.High, -c.Low
}

// value formats a mean: a pass rate between 0 and 1 for a boolean key.
func (m *worseMatcher) value(v float64) string {
	if m.boolean {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return pts(v)
}

// diff formats a difference: percentage points for a boolean key.
func (m *worseMatcher) diff(v float64) string {
	if m.boolean {
		return pts(100 * v)
	}
	return pts(v)
}

func (m *worseMatcher) points() string {
	if m.boolean {
		return "percentage points"
	}
	return "points"
}

func (m *worseMatcher) describe() string {
	c := m.c
	worse, lo, hi := m.worse()
	stat := "mean " + m.key
	if m.boolean {
		stat = "pass rate of " + m.key
	}
	pct := num(c.Confidence * 100)
	var b strings.Builder
	if worse > 0 {
		fmt.Fprintf(&b, "%s: %s %s is worse than %s %s\n  by %s %s (%s%% CI %s .. %s; allowed %s)",
			m.candName, stat, m.value(c.CandidateMean), m.baseName, m.value(c.BaselineMean),
			m.diff(worse), m.points(), pct, m.diff(lo), m.diff(hi), m.diff(m.cfg.margin))
	} else {
		fmt.Fprintf(&b, "%s: %s %s is better than %s %s\n  by %s %s, but it may be worse by up to %s (%s%% CI of how much worse: %s .. %s; allowed %s)",
			m.candName, stat, m.value(c.CandidateMean), m.baseName, m.value(c.BaselineMean),
			m.diff(-worse), m.points(), m.diff(hi), pct, m.diff(lo), m.diff(hi), m.diff(m.cfg.margin))
	}
	if m.cfg.dir == heval.LowerIsBetter {
		b.WriteString(", lower is better")
	}
	if c.Paired {
		fmt.Fprintf(&b, ", paired over %d %s", c.Units, m.noun)
		if c.CandidateOnly+c.BaselineOnly > 0 {
			fmt.Fprintf(&b, " (%d only in the candidate and %d only in the baseline were left out)", c.CandidateOnly, c.BaselineOnly)
		}
	} else {
		fmt.Fprintf(&b, ", unpaired: the sets share %d of their %d and %d %s, too few to pair, so the two means were resampled independently",
			c.Shared, c.Shared+c.CandidateOnly, c.Shared+c.BaselineOnly, m.noun)
	}
	if lo < 0 && hi > 0 && c.Units < 30 {
		b.WriteString("\n  the interval is wide: more rows or repeats would narrow it")
	}
	return b.String()
}

// describeRow is one line about a unit, for example
// "row 17 (request 1f0e…): 20.0 vs 86.0 (baseline request 9a3c…)".
func (m *worseMatcher) describeRow(r stats.UnitDiff) string {
	u := m.units[r.Unit]
	if u == nil {
		u = &unitInfo{row: -1}
	}
	var s string
	switch {
	case u.row >= 0 && u.candidateRequest != "":
		s = fmt.Sprintf("row %d (request %s)", u.row, u.candidateRequest)
	case u.row >= 0:
		s = fmt.Sprintf("row %d", u.row)
	default:
		s = "request " + u.candidateRequest
	}
	s += ": " + m.value(r.Candidate) + " vs " + m.value(r.Baseline)
	if u.baselineRequest != "" && u.baselineRequest != u.candidateRequest {
		s += " (baseline request " + u.baselineRequest + ")"
	}
	return s
}

// worseBy is how much worse the candidate is on one unit (negative when better).
func (m *worseMatcher) worseBy(r stats.UnitDiff) float64 {
	if m.cfg.dir == heval.LowerIsBetter {
		return r.Diff
	}
	return -r.Diff
}

// ordered returns the engine's rows worst first, ties by dataset row and request rather
// than by unit id, so that a message lists them as a person would.
func (m *worseMatcher) ordered() []stats.UnitDiff {
	rows := slices.Clone(m.c.Rows)
	info := func(r stats.UnitDiff) unitInfo {
		if u := m.units[r.Unit]; u != nil {
			return *u
		}
		return unitInfo{row: -1}
	}
	slices.SortStableFunc(rows, func(x, y stats.UnitDiff) int {
		ux, uy := info(x), info(y)
		return cmp.Or(cmp.Compare(m.worseBy(y), m.worseBy(x)), cmp.Compare(ux.row, uy.row),
			strings.Compare(ux.candidateRequest, uy.candidateRequest), cmp.Compare(x.Unit, y.Unit))
	})
	return rows
}

func (m *worseMatcher) rows(title string, worstFirst bool) string {
	rows := m.ordered()
	var b strings.Builder
	n := 0
	for i := range rows {
		r := rows[i]
		if !worstFirst {
			r = rows[len(rows)-1-i]
		}
		worse := m.worseBy(r)
		if (worstFirst && worse <= 0) || (!worstFirst && worse >= 0) || n == maxListed {
			break
		}
		if n == 0 {
			b.WriteString("\n  " + title + ":")
		}
		b.WriteString("\n    " + m.describeRow(r))
		n++
	}
	return b.String()
}

func (m *worseMatcher) FailureMessage(actual any) string {
	return m.describe() + m.rows("worst rows (candidate vs baseline)", true)
}

func (m *worseMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected %s to be worse than %s on %s by more than %s, but it is not:\n",
		m.candName, m.baseName, m.key, m.diff(m.cfg.margin)) + m.describe() + m.rows("best rows (candidate vs baseline)", false)
}
