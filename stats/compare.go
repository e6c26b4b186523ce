package stats

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"

	"github.com/heval-dev/heval"
)

// The defaults of [CompareOptions].
const (
	// DefaultConfidence is the confidence level of a comparison's interval.
	DefaultConfidence = 0.95
	// DefaultResamples is the number of bootstrap resamples of a comparison (and of
	// [BootstrapDiff] given a non-positive count).
	DefaultResamples = 2000
	// DefaultSeed seeds a comparison's bootstrap.
	DefaultSeed = 1
	// MaxBootstrapWork bounds resamples × units of one comparison: for larger inputs
	// [Compare] draws fewer resamples (never fewer than [MinResamples]), so that a
	// comparison of millions of values takes seconds.
	MaxBootstrapWork = 50_000_000
	// MinResamples is the fewest resamples [Compare] draws when it lowers the count.
	MinResamples = 200
)

// Observation is one value of a score key and the unit it was observed on: the input of
// [Compare], 16 bytes.
type Observation struct {
	// Unit identifies what the value was observed on (see [UnitID]); values with the same
	// Unit are averaged before the two sides are compared. 0 means the value has no unit: it
	// counts as a unit of its own that pairs with nothing.
	Unit uint64
	// Value is the value; a boolean is 1 (true) or 0 (false).
	Value int64
}

// UnitID hashes a unit's name into the id an [Observation] carries: 64-bit FNV-1a, never
// 0, and 0 for the empty name (a value without a unit). A comparison usually names its
// units with (*heval.Sample).Unit, "row:" + dataset row id, else "request:" + request id;
// callers that describe units in messages keep their own map from id back to name.
func UnitID(unit string) uint64 {
	if unit == "" {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(unit))
	if id := h.Sum64(); id != 0 {
		return id
	}
	return 1
}

// CompareOptions tune [Compare]. The zero value compares at 95% confidence with 2,000
// resamples and seed 1, and keeps every per-unit row.
type CompareOptions struct {
	// Confidence is the confidence level of the interval, strictly between 0 and 1; 0 means
	// [DefaultConfidence].
	Confidence float64
	// Resamples is the number of bootstrap resamples; 0 means [DefaultResamples]. Large
	// inputs draw fewer (see [MaxBootstrapWork]); [Comparison.Resamples] says how many.
	Resamples int
	// Seed seeds the bootstrap; 0 means [DefaultSeed]. The same inputs, options and seed
	// always give the same result.
	Seed uint64
	// MaxRows is how many per-unit rows [Comparison.Rows] keeps, worst for the candidate
	// first; 0 keeps all of them.
	MaxRows int
}

// UnitDiff is one unit observed on both sides: the mean of its values on each side and
// the difference Candidate − Baseline.
type UnitDiff struct {
	// Unit is the unit's id (see [UnitID]).
	Unit uint64
	// Baseline and Candidate are the means of the unit's values on each side; Diff is
	// Candidate − Baseline.
	Baseline, Candidate, Diff float64
}

// Comparison is the result of [Compare]: how the candidate's mean differs from the
// baseline's, with a bootstrap confidence interval.
//
// For a boolean key the values are 0 and 1, so the means are pass rates between 0 and 1
// and Diff, Low and High are differences of pass rates in that same unit: a Diff of -0.05
// is 5 percentage points lower.
type Comparison struct {
	// Direction is the key's direction (an empty one is [heval.HigherIsBetter]).
	Direction heval.Direction
	// Confidence is the interval's confidence level; Resamples the number of resamples
	// drawn; Seed the bootstrap's seed.
	Confidence float64
	Resamples  int
	Seed       uint64
	// BaselineMean and CandidateMean are the means of the per-unit means that were compared:
	// over the shared units when Paired, else over every unit of each side.
	BaselineMean, CandidateMean float64
	// Diff is CandidateMean − BaselineMean (when Paired, the mean of the per-unit
	// differences); Low and High bound its percentile bootstrap interval.
	Diff, Low, High float64
	// Paired is true when the interval comes from resampling the per-unit differences of
	// the shared units; false when the two sides were resampled independently, because
	// they share fewer than 2 units or fewer than half the units of the smaller side.
	Paired bool
	// Units is the number of units the interval was computed from: the shared units when
	// Paired, else the units of both sides together.
	Units int
	// Shared is the number of units observed on both sides.
	Shared int
	// BaselineN and CandidateN count the values of each side, before averaging within units.
	BaselineN, CandidateN int
	// BaselineOnly and CandidateOnly count the units observed on one side only (values
	// without a unit count as units of their own); a paired comparison leaves them out.
	BaselineOnly, CandidateOnly int
	// Rows are the shared units, worst for the candidate first: by Diff ascending when
	// higher is better, descending when lower is better, by its absolute value descending
	// when neutral; ties by unit id. [CompareOptions.MaxRows] may shorten the list.
	Rows []UnitDiff
	// Regression is true when the whole interval lies on the worse side of zero,
	// Improvement when it lies on the better side; both are false for a neutral key.
	Regression, Improvement bool
}

// Compare compares the candidate's values with the baseline's: a percentile bootstrap of
// the difference of means, candidate − baseline, paired per unit.
//
// The values of one unit on one side (repeats of an evaluator, several samples on one
// dataset row) are averaged first, so every unit weighs the same. When the sides share at
// least 2 units and at least half the units of the smaller side, the shared units are
// paired and their differences resampled; units seen on one side only are left out. Else
// the per-unit means of the two sides are resampled independently (see
// [Comparison.Paired]).
//
// dir decides what counts as a regression or an improvement; [heval.Neutral] reports
// neither. The result depends only on the values per unit, the options and the seed, not
// on the order of the observations. Compare returns an error when a side has no values or
// an option is out of range.
func Compare(baseline, candidate []Observation, dir heval.Direction, opts CompareOptions) (*Comparison, error) {
	switch dir {
	case "":
		dir = heval.HigherIsBetter
	case heval.HigherIsBetter, heval.LowerIsBetter, heval.Neutral:
	default:
		return nil, fmt.Errorf("compare: direction %q is not one of %q, %q, %q", dir, heval.HigherIsBetter, heval.LowerIsBetter, heval.Neutral)
	}
	switch {
	case opts.Confidence == 0:
		opts.Confidence = DefaultConfidence
	case !(opts.Confidence > 0 && opts.Confidence < 1):
		return nil, fmt.Errorf("compare: confidence %s is not between 0 and 1; write 0.95 for a 95%% interval", strconv.FormatFloat(opts.Confidence, 'g', -1, 64))
	}
	switch {
	case opts.Resamples == 0:
		opts.Resamples = DefaultResamples
	case opts.Resamples < 0:
		return nil, fmt.Errorf("compare: %d resamples: the count must be positive (leave it 0 for %d)", opts.Resamples, DefaultResamples)
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if len(baseline) == 0 || len(candidate) == 0 {
		return nil, errors.New("compare: " + emptySide(len(baseline), len(candidate)) + " no values: there is nothing to compare")
	}

	base, cand := unitMeans(baseline), unitMeans(candidate)
	c := &Comparison{
		Direction: dir, Confidence: opts.Confidence, Seed: opts.Seed,
		BaselineN: len(baseline), CandidateN: len(candidate),
	}
	// Merge the two sides' units, both sorted by id; units without an id never match.
	most := min(len(base.units), len(cand.units))
	pb, pc := make([]float64, 0, most), make([]float64, 0, most)
	c.Rows = make([]UnitDiff, 0, most)
	i, j := 0, 0
	for i < len(base.units) && j < len(cand.units) {
		bu, cu := base.units[i], cand.units[j]
		switch {
		case bu.id < cu.id:
			i++
		case bu.id > cu.id:
			j++
		default:
			pb, pc = append(pb, bu.mean), append(pc, cu.mean)
			c.Rows = append(c.Rows, UnitDiff{Unit: bu.id, Baseline: bu.mean, Candidate: cu.mean, Diff: cu.mean - bu.mean})
			i++
			j++
		}
	}
	c.Shared = len(c.Rows)
	nb, nc := base.count(), cand.count()
	c.BaselineOnly, c.CandidateOnly = nb-c.Shared, nc-c.Shared
	c.Paired = c.Shared >= 2 && 2*c.Shared >= min(nb, nc)

	var a, b []float64
	if c.Paired {
		a, b = pb, pc
		c.Units = c.Shared
	} else {
		a, b = base.means(), cand.means()
		c.Units = len(a) + len(b)
	}
	c.Resamples = opts.Resamples
	if n := max(len(a), len(b)); n*c.Resamples > MaxBootstrapWork {
		c.Resamples = max(MinResamples, MaxBootstrapWork/n)
	}
	c.BaselineMean, c.CandidateMean = Mean(a), Mean(b)
	c.Diff, c.Low, c.High = BootstrapDiff(a, b, c.Paired, c.Confidence, c.Resamples, c.Seed)

	better, worse := c.Low > 0, c.High < 0 // for higher is better
	switch dir {
	case heval.HigherIsBetter:
		c.Improvement, c.Regression = better, worse
	case heval.LowerIsBetter:
		c.Improvement, c.Regression = worse, better
	}
	sortRows(c.Rows, dir)
	if opts.MaxRows > 0 && len(c.Rows) > opts.MaxRows {
		c.Rows = slices.Clip(c.Rows[:opts.MaxRows])
	}
	return c, nil
}

func emptySide(nb, nc int) string {
	switch {
	case nb == 0 && nc == 0:
		return "the baseline and the candidate have"
	case nb == 0:
		return "the baseline has"
	}
	return "the candidate has"
}

// sortRows orders rows worst for the candidate first; ties by unit id.
func sortRows(rows []UnitDiff, dir heval.Direction) {
	badness := func(d float64) float64 {
		switch dir {
		case heval.LowerIsBetter:
			return d
		case heval.Neutral:
			return math.Abs(d)
		}
		return -d
	}
	slices.SortFunc(rows, func(x, y UnitDiff) int {
		return cmp.Or(cmp.Compare(badness(y.Diff), badness(x.Diff)), cmp.Compare(x.Unit, y.Unit))
	})
}

type unitMean struct {
	id   uint64
	mean float64
}

// side is one side of a comparison reduced to a mean per unit.
type side struct {
	units []unitMean // units with an id, by id
	loose []float64  // values without a unit, ascending
}

func (s *side) count() int { return len(s.units) + len(s.loose) }

// means returns every unit's mean in a fixed order: units by id, then the loose values.
func (s *side) means() []float64 {
	out := make([]float64, 0, s.count())
	for _, u := range s.units {
		out = append(out, u.mean)
	}
	return append(out, s.loose...)
}

// unitMeans averages the values of each unit. It sorts a copy of the observations by
// (unit, value), so that the sums, and hence the result, do not depend on their order.
func unitMeans(obs []Observation) side {
	sorted := slices.Clone(obs)
	slices.SortFunc(sorted, func(x, y Observation) int {
		return cmp.Or(cmp.Compare(x.Unit, y.Unit), cmp.Compare(x.Value, y.Value))
	})
	var s side
	for i := 0; i < len(sorted); {
		id := sorted[i].Unit
		if id == 0 {
			s.loose = append(s.loose, float64(sorted[i].Value))
			i++
			continue
		}
		j := i
		for j < len(sorted) && sorted[j].Unit == id {
			j++
		}
		s.units = append(s.units, unitMean{id: id, mean: meanOf(sorted[i:j])})
		i = j
	}
	return s
}

// meanOf is the mean of the values: exact integer sums unless they would overflow.
func meanOf(obs []Observation) float64 {
	var sum int64
	for k, o := range obs {
		next := sum + o.Value
		if (o.Value > 0 && next < sum) || (o.Value < 0 && next > sum) {
			f := float64(sum)
			for _, r := range obs[k:] {
				f += float64(r.Value)
			}
			return f / float64(len(obs))
		}
		sum = next
	}
	return float64(sum) / float64(len(obs))
}
