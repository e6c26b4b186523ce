package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Statistic is one named statistic of a score key's values: mean, median, a percentile
// (pNN), min, max, pass_rate or count. Read one with [ParseStatistic] or build a
// percentile with [Percentile]; the zero Statistic is not valid.
type Statistic struct {
	kind statKind
	q    float64 // the quantile (0..1) of a percentile
	name string
}

type statKind uint8

const (
	statInvalid statKind = iota
	statMean
	statQuantile
	statMin
	statMax
	statPassRate
	statCount
)

// statisticNames lists the statistics ParseStatistic reads, for messages.
const statisticNames = "mean, median, pNN (p50, p90, p99.9, ...), min, max, pass_rate, count"

// ParseStatistic reads a statistic's name: mean, median (the same as p50), pNN for the
// NN-th percentile with NN between 0 and 100 (p90, p99.9; type-7 quantiles, see
// [Quantile]), min, max, pass_rate (the share of non-zero values: of true values for a
// boolean key) or count (the number of values). Case and surrounding spaces do not matter.
func ParseStatistic(name string) (Statistic, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "mean":
		return Statistic{kind: statMean, name: n}, nil
	case "median":
		return Statistic{kind: statQuantile, q: 0.5, name: n}, nil
	case "min":
		return Statistic{kind: statMin, name: n}, nil
	case "max":
		return Statistic{kind: statMax, name: n}, nil
	case "pass_rate":
		return Statistic{kind: statPassRate, name: n}, nil
	case "count":
		return Statistic{kind: statCount, name: n}, nil
	}
	if digits, ok := strings.CutPrefix(n, "p"); ok {
		if p, err := strconv.ParseFloat(digits, 64); err == nil {
			if s, err := Percentile(p); err == nil {
				s.name = n
				return s, nil
			}
		}
	}
	return Statistic{}, fmt.Errorf("statistic %q is not one of %s", name, statisticNames)
}

// Percentile is the p-th percentile (0 ≤ p ≤ 100) as a statistic, named "p" followed by p
// (p90, p99.9).
func Percentile(p float64) (Statistic, error) {
	if !(p >= 0 && p <= 100) {
		return Statistic{}, fmt.Errorf("percentile %s is not between 0 and 100; write 90 for the 90th percentile", strconv.FormatFloat(p, 'g', -1, 64))
	}
	return Statistic{kind: statQuantile, q: p / 100, name: "p" + strconv.FormatFloat(p, 'f', -1, 64)}, nil
}

// String is the statistic's name as parsed (lower case), for example "p90" or "pass_rate".
func (s Statistic) String() string { return s.name }

// Valid reports whether s is a statistic (and not the zero Statistic).
func (s Statistic) Valid() bool { return s.kind != statInvalid }

// Of computes the statistic over values. Every statistic but count is NaN for no values;
// count is the number of values. The zero Statistic gives NaN.
func (s Statistic) Of(xs []float64) float64 {
	switch s.kind {
	case statCount:
		return float64(len(xs))
	case statMean:
		return Mean(xs)
	case statQuantile:
		return Quantile(xs, s.q)
	case statMin:
		return Min(xs)
	case statMax:
		return Max(xs)
	case statPassRate:
		return PassRate(xs)
	}
	return math.NaN()
}

// PassRate is the share of non-zero values (0..1); NaN for no values.
func PassRate(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	n := 0
	for _, x := range xs {
		if x != 0 {
			n++
		}
	}
	return float64(n) / float64(len(xs))
}
