package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// BootstrapMeanCI is a percentile bootstrap confidence interval for the mean of xs: it draws
// resamples samples of len(xs) values with replacement, using a generator seeded with
// seed, so the same input always gives the same interval. confidence is between 0 and 1
// (for example 0.95). It returns NaN, NaN for no values; a single value gives an interval
// of width zero.
func BootstrapMeanCI(xs []float64, confidence float64, resamples int, seed uint64) (lo, hi float64) {
	n := len(xs)
	if n == 0 || math.IsNaN(confidence) {
		return math.NaN(), math.NaN()
	}
	if resamples < 1 {
		resamples = 1
	}
	confidence = math.Max(0, math.Min(1, confidence))
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	means := make([]float64, resamples)
	for i := range means {
		var s float64
		for range n {
			s += xs[rng.IntN(n)]
		}
		means[i] = s / float64(n)
	}
	slices.Sort(means)
	alpha := (1 - confidence) / 2
	return QuantileSorted(means, alpha), QuantileSorted(means, 1-alpha)
}
