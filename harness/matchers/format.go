package matchers

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/onsi/gomega/types"

	gm "github.com/onsi/gomega/matchers"

	"github.com/heval-dev/heval/harness"
)

// maxListed is how many samples a failure message lists.
const maxListed = 5

// toSet accepts what the matchers assert on.
func toSet(actual any) (*harness.ResultSet, error) {
	switch a := actual.(type) {
	case *harness.ResultSet:
		if a == nil {
			return nil, errors.New("expected a *harness.ResultSet, got nil: assert inside a spec, after the suite has run")
		}
		return a, nil
	case *harness.Results:
		if a == nil {
			return nil, errors.New("expected *harness.Results, got nil: did the run fail?")
		}
		return a.All(), nil
	case interface{ All() *harness.ResultSet }:
		return toSet(a.All())
	}
	return nil, fmt.Errorf("expected a *harness.ResultSet or *harness.Results, got %T", actual)
}

// num formats a statistic: one decimal from 10 up, three below.
func num(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.Abs(f) >= 10:
		return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
}

// pts formats a comparison's means and differences with one decimal.
func pts(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if s == "-0.0" {
		return "0.0"
	}
	return s
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// direction tells which end of the values is "worse" for an inner matcher: -1 when a lower
// bound is asserted (low values are the problem), +1 for an upper bound, 0 when unknown.
func direction(m types.GomegaMatcher) int {
	if bn, ok := m.(*gm.BeNumericallyMatcher); ok {
		switch bn.Comparator {
		case ">", ">=":
			return -1
		case "<", "<=":
			return 1
		}
	}
	return 0
}

// describeObs is one line about a sample: where it is, its value and its reason.
func describeObs(o harness.Observation, mixed bool) string {
	var b strings.Builder
	b.WriteString(o.Describe())
	if mixed && o.Record != nil && o.Record.Sample != nil && o.Record.Sample.Hypothesis != "" {
		b.WriteString(" [" + o.Record.Sample.Hypothesis + "]")
	}
	if o.Repeat > 0 {
		fmt.Fprintf(&b, " repeat %d", o.Repeat)
	}
	b.WriteString(": ")
	if o.Type == heval.Boolean {
		b.WriteString(strconv.FormatBool(o.Value != 0))
	} else {
		b.WriteString(strconv.FormatInt(o.Value, 10))
	}
	if o.Record != nil && o.Record.Reason != "" {
		b.WriteString(" — " + clip(o.Record.Reason, 100))
	}
	return b.String()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// mixedHypotheses reports whether obs come from more than one hypothesis.
func mixedHypotheses(obs []harness.Observation) bool {
	first := ""
	for i, o := range obs {
		h := ""
		if o.Record != nil && o.Record.Sample != nil {
			h = o.Record.Sample.Hypothesis
		}
		if i == 0 {
			first = h
		} else if h != first {
			return true
		}
	}
	return false
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
