package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// BootstrapDiff estimates the difference of means mean(b) − mean(a) and a percentile
// bootstrap confidence interval [lo, hi] at the given level (for example 0.95).
//
// With paired set, a and b must have the same length and a[i], b[i] must be two
// observations of the same unit (the same dataset row, say): diff is the mean of the
// differences b[i] − a[i] and the interval comes from resampling those differences.
// Otherwise a and b are resampled independently of each other.
//
// The result depends only on the inputs (in their order), resamples and seed: the same
// call always returns the same interval. A non-positive resamples means
// [DefaultResamples]. It returns NaN for all three values when either side is empty, when
// paired samples differ in length, or when level is not strictly between 0 and 1.
//
// [Compare] builds on it; call BootstrapDiff directly only for values that are already
// one per unit.
func BootstrapDiff(a, b []float64, paired bool, level float64, resamples int, seed uint64) (diff, lo, hi float64) {
	nan := math.NaN()
	if len(a) == 0 || len(b) == 0 || !(level > 0 && level < 1) || (paired && len(a) != len(b)) {
		return nan, nan, nan
	}
	if resamples <= 0 {
		resamples = DefaultResamples
	}
	rng := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc908))
	est := make([]float64, resamples)
	if paired {
		d := make([]float64, len(a))
		for i := range a {
			d[i] = b[i] - a[i]
		}
		diff = Mean(d)
		for it := range est {
			est[it] = diffResampleMean(rng, d)
		}
	} else {
		diff = Mean(b) - Mean(a)
		for it := range est {
			est[it] = diffResampleMean(rng, b) - diffResampleMean(rng, a)
		}
	}
	slices.Sort(est)
	tail := (1 - level) / 2
	return diff, QuantileSorted(est, tail), QuantileSorted(est, 1-tail)
}

func diffResampleMean(rng *rand.Rand, xs []float64) float64 {
	n := len(xs)
	var s float64
	for range n {
		s += xs[rng.IntN(n)]
	}
	return s / float64(n)
}
