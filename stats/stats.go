package stats

import (
	"math"
	"slices"
)

// Mean is the arithmetic mean; NaN for no values.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// StdDev is the sample standard deviation (n-1); 0 for fewer than two values.
func StdDev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := Mean(xs)
	var s float64
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)-1))
}

// Quantile is the q-quantile (0 ≤ q ≤ 1) with linear interpolation between order
// statistics (the method of R's type 7 and NumPy's default); NaN for no values.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 || math.IsNaN(q) {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return QuantileSorted(s, q)
}

// QuantileSorted is Quantile for values already sorted ascending.
func QuantileSorted(s []float64, q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	return quantileAt(len(s), func(i int) float64 { return s[i] }, q)
}

// quantileAt is the q-quantile (type 7) of n values sorted ascending, at(i) the i-th.
func quantileAt(n int, at func(int) float64, q float64) float64 {
	q = math.Max(0, math.Min(1, q))
	pos := q * float64(n-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	if lo == hi {
		return at(lo)
	}
	return at(lo) + (at(hi)-at(lo))*(pos-float64(lo))
}

// Min is the smallest value; NaN for no values.
func Min(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return slices.Min(xs)
}

// Max is the largest value; NaN for no values.
func Max(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return slices.Max(xs)
}

// Floats converts integer score values to float64.
func Floats(xs []int64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// Summary is the usual description of one score key's values.
type Summary struct {
	N                        int
	Mean, P50, P90, Min, Max float64
	StdDev                   float64
}

// Describe summarises values.
func Describe(xs []float64) Summary {
	if len(xs) == 0 {
		nan := math.NaN()
		return Summary{Mean: nan, P50: nan, P90: nan, Min: nan, Max: nan}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return DescribeSorted(s)
}

// DescribeSorted is Describe for values already sorted ascending; it does not copy them.
func DescribeSorted(s []float64) Summary {
	if len(s) == 0 {
		return Describe(nil)
	}
	return Summary{
		N: len(s), Mean: Mean(s), P50: QuantileSorted(s, 0.5), P90: QuantileSorted(s, 0.9),
		Min: s[0], Max: s[len(s)-1], StdDev: StdDev(s),
	}
}

// ValueCount is one distinct value and the number of times it occurs.
type ValueCount struct {
	Value int64
	Count int
}

// Counts returns the distinct values of xs with their counts, ascending by value.
func Counts(xs []int64) []ValueCount {
	s := slices.Clone(xs)
	slices.Sort(s)
	var out []ValueCount
	for i, x := range s {
		if i > 0 && x == s[i-1] {
			out[len(out)-1].Count++
			continue
		}
		out = append(out, ValueCount{Value: x, Count: 1})
	}
	return out
}

// DescribeCounts is Describe of the values that counts (ascending by value, each count
// positive) stand for, without expanding them: the result is bit for bit that of Describe
// of the expanded values, and its cost is that of one pass over them.
func DescribeCounts(counts []ValueCount) Summary {
	n := 0
	for _, c := range counts {
		n += c.Count
	}
	if n == 0 {
		return Describe(nil)
	}
	// at returns the i-th smallest value.
	at := func(i int) float64 {
		for _, c := range counts {
			if i < c.Count {
				return float64(c.Value)
			}
			i -= c.Count
		}
		return float64(counts[len(counts)-1].Value)
	}
	// The sums add the values one by one in ascending order, as Mean and StdDev do.
	var sum float64
	for _, c := range counts {
		x := float64(c.Value)
		for range c.Count {
			sum += x
		}
	}
	mean := sum / float64(n)
	sd := 0.0
	if n >= 2 {
		var ss float64
		for _, c := range counts {
			d := float64(c.Value) - mean
			for range c.Count {
				ss += d * d
			}
		}
		sd = math.Sqrt(ss / float64(n-1))
	}
	return Summary{
		N: n, Mean: mean, P50: quantileAt(n, at, 0.5), P90: quantileAt(n, at, 0.9),
		Min: float64(counts[0].Value), Max: float64(counts[len(counts)-1].Value), StdDev: sd,
	}
}
