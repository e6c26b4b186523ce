package matchers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/onsi/gomega/types"

	"github.com/heval-dev/heval/harness"
)

// HavePassRateAcrossRepeats succeeds when, for every sample, the share of an evaluator's
// repeats (see harness.Repeat) that gave a true value of key satisfies matcher, for
// example HavePassRateAcrossRepeats("is_factual", BeNumerically(">=", 2.0/3)): every
// answer was judged factual in at least two of three repeats. The failure lists the
// samples that miss it with their repeat values.
func HavePassRateAcrossRepeats(key string, matcher types.GomegaMatcher) types.GomegaMatcher {
	return &acrossMatcher{key: key, inner: matcher}
}

type acrossMatcher struct {
	key       string
	inner     types.GomegaMatcher
	set       *harness.ResultSet
	samples   []harness.SampleRepeats
	missed    []harness.SampleRepeats
	firstMiss float64
}

func (m *acrossMatcher) Match(actual any) (bool, error) {
	set, err := toSet(actual)
	if err != nil {
		return false, err
	}
	if _, err := set.Observations(m.key); err != nil {
		return false, err
	}
	m.set, m.missed = set, nil
	m.samples = set.Repeats(m.key)
	for _, s := range m.samples {
		ok, err := m.inner.Match(s.PassRate())
		if err != nil {
			return false, err
		}
		if !ok {
			if len(m.missed) == 0 {
				m.firstMiss = s.PassRate()
			}
			m.missed = append(m.missed, s)
		}
	}
	return len(m.missed) == 0, nil
}

func (m *acrossMatcher) FailureMessage(actual any) string {
	s := fmt.Sprintf("%s: %d of %d samples have a pass rate of %s across repeats that fails the expectation",
		m.set.Name(), len(m.missed), len(m.samples), m.key)
	s += "\n" + indent(m.inner.FailureMessage(m.firstMiss), "  ") + "\n  samples:"
	s += listRepeats(m.missed)
	return s
}

func (m *acrossMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("%s: every one of %d samples has a pass rate of %s across repeats that satisfies\n%s",
		m.set.Name(), len(m.samples), m.key, indent(m.inner.NegatedFailureMessage(0.0), "  "))
}

// StableOption tunes [BeStable].
type StableOption func(*stableMatcher)

// MaxSpread is how far apart (max − min) the repeats of a number key may be on one sample
// before it counts as flaky (default 0: any disagreement is flaky).
func MaxSpread(points float64) StableOption { return func(m *stableMatcher) { m.maxSpread = points } }

// AllowFlaky is the share of samples (0–1) that may be flaky (default 0).
func AllowFlaky(fraction float64) StableOption { return func(m *stableMatcher) { m.allow = fraction } }

// BeStable succeeds when the repeats of an evaluator (see harness.Repeat) agree with each
// other on the key: a boolean that is the same in every repeat of a sample, a number whose
// spread stays within [MaxSpread]. The failure lists the flaky samples, the most spread
// first, with their values.
func BeStable(key string, opts ...StableOption) types.GomegaMatcher {
	m := &stableMatcher{key: key}
	for _, o := range opts {
		o(m)
	}
	return m
}

type stableMatcher struct {
	key       string
	maxSpread float64
	allow     float64
	set       *harness.ResultSet
	samples   int
	repeated  bool
	flaky     []harness.SampleRepeats
}

func (m *stableMatcher) Match(actual any) (bool, error) {
	set, err := toSet(actual)
	if err != nil {
		return false, err
	}
	if _, err := set.Observations(m.key); err != nil {
		return false, err
	}
	m.set = set
	all := set.Repeats(m.key)
	m.samples = len(all)
	m.repeated = false
	for _, s := range all {
		if len(s.Values) > 1 {
			m.repeated = true
		}
	}
	m.flaky = set.Flaky(m.key, m.maxSpread)
	return float64(len(m.flaky)) <= m.allow*float64(m.samples), nil
}

func (m *stableMatcher) FailureMessage(actual any) string {
	s := fmt.Sprintf("%s: %d of %d samples are flaky on %s", m.set.Name(), len(m.flaky), m.samples, m.key)
	if m.maxSpread > 0 {
		s += fmt.Sprintf(" (repeats more than %s apart)", num(m.maxSpread))
	} else {
		s += " (repeats disagree)"
	}
	s += fmt.Sprintf("; allowed %s%% of samples", num(m.allow*100))
	return s + "\n  flaky samples:" + listRepeats(m.flaky)
}

func (m *stableMatcher) NegatedFailureMessage(actual any) string {
	s := fmt.Sprintf("%s: expected flaky samples on %s, but %d of %d are flaky", m.set.Name(), m.key, len(m.flaky), m.samples)
	if !m.repeated {
		s += " (no sample was judged more than once: declare the evaluator with harness.Repeat(k))"
	}
	return s
}

func listRepeats(rs []harness.SampleRepeats) string {
	var b strings.Builder
	for i, r := range rs {
		if i == maxListed {
			fmt.Fprintf(&b, "\n    … and %d more", len(rs)-maxListed)
			break
		}
		vals := make([]string, len(r.Values))
		for j, v := range r.Values {
			if r.Type == heval.Boolean {
				vals[j] = strconv.FormatBool(v != 0)
			} else {
				vals[j] = strconv.FormatInt(v, 10)
			}
		}
		fmt.Fprintf(&b, "\n    %s", r.Describe())
		if r.Hypothesis != "" {
			fmt.Fprintf(&b, " [%s]", r.Hypothesis)
		}
		fmt.Fprintf(&b, ": [%s]", strings.Join(vals, " "))
		if r.Type == heval.Boolean {
			fmt.Fprintf(&b, " pass rate %s", num(r.PassRate()))
		} else {
			fmt.Fprintf(&b, " mean %s, spread %s", num(r.Mean), num(r.Spread))
		}
	}
	return b.String()
}
