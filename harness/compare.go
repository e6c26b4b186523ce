package harness

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/stats"
)

// CompareOptions tune [Compare]. The zero value compares at 95% confidence with 2,000
// bootstrap resamples, treating higher values as better.
type CompareOptions struct {
	// Confidence is the confidence level of the interval, between 0 and 1 (default 0.95).
	Confidence float64
	// Resamples is the number of bootstrap resamples (default 2000).
	Resamples int
	// Seed seeds the bootstrap, so a comparison is reproducible (default 1).
	Seed uint64
	// LowerIsBetter says that smaller values are better (latency, word count, cost).
	LowerIsBetter bool
	// ByRequest pairs samples by request id instead of by dataset row, for example to
	// compare two runs over the same logged requests.
	ByRequest bool
}

func (o CompareOptions) withDefaults() CompareOptions {
	if o.Confidence <= 0 || o.Confidence >= 1 || math.IsNaN(o.Confidence) {
		o.Confidence = 0.95
	}
	if o.Resamples <= 0 {
		o.Resamples = 2000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// PairedRow is one dataset row (or request) judged in both sets. Values are means over the
// row's repeats and samples; boolean keys are in percent (0–100).
type PairedRow struct {
	// Pair is what the two sides were paired on: a dataset row id or a request id.
	Pair string
	// RowIndex is the dataset row's position, or -1 when paired by request.
	RowIndex int
	// CandidateRequest and BaselineRequest are the request ids of the two sides.
	CandidateRequest, BaselineRequest string
	// Candidate and Baseline are the values; Diff is Candidate − Baseline.
	Candidate, Baseline, Diff float64
}

// Describe names the row for failure messages, for example "row 17 (request 1f0e…)".
func (p PairedRow) Describe() string {
	if p.RowIndex >= 0 {
		if p.CandidateRequest != "" {
			return fmt.Sprintf("row %d (request %s)", p.RowIndex, p.CandidateRequest)
		}
		return fmt.Sprintf("row %d", p.RowIndex)
	}
	return "request " + p.CandidateRequest
}

// Comparison is a paired comparison of a candidate with a baseline on one score key.
type Comparison struct {
	// Key is the score key; Boolean is true when its values are booleans, in which case
	// means, differences and the interval are in percentage points.
	Key     string
	Boolean bool
	// Candidate and Baseline are the names of the two sets.
	Candidate, Baseline string
	// CandidateMean and BaselineMean are the means over the paired rows.
	CandidateMean, BaselineMean float64
	// Diff is CandidateMean − BaselineMean; Low and High bound its confidence interval.
	Diff, Low, High float64
	// Confidence is the interval's confidence level; LowerIsBetter the direction.
	Confidence    float64
	LowerIsBetter bool
	// Rows are the paired rows, worst (for the candidate) first.
	Rows []PairedRow
	// CandidateOnly and BaselineOnly count rows judged on one side only; they are left out.
	CandidateOnly, BaselineOnly int
}

// Worse is how much worse the candidate is than the baseline (negative when better), in the
// key's unit, with the bounds of its interval (WorseLow ≤ WorseHigh).
func (c *Comparison) Worse() (worse, worseLow, worseHigh float64) {
	if c.LowerIsBetter {
		return c.Diff, c.Low, c.High
	}
	return -c.Diff, -c.High, -c.Low
}

// NotWorseBy reports whether the candidate is, at the comparison's confidence, worse than
// the baseline by at most margin: the interval's bound on the worse side stays within it.
func (c *Comparison) NotWorseBy(margin float64) bool {
	_, _, worstCase := c.Worse()
	return worstCase <= margin
}

// ErrNothingToPair is matched by the error of [Compare] when the two sets share no row.
var ErrNothingToPair = errors.New("no rows in common")

// Compare pairs candidate and baseline by dataset row (or by request id, see
// [CompareOptions.ByRequest]), averages repeats within a row, and estimates the
// difference of the means with a deterministic percentile bootstrap interval.
func Compare(candidate, baseline *ResultSet, key string, opts CompareOptions) (*Comparison, error) {
	opts = opts.withDefaults()
	if candidate == nil || baseline == nil {
		return nil, errors.New("compare: a result set is nil: assert inside a spec, after the suite has run")
	}
	cobs, err := candidate.ObservationsOf(key)
	if err != nil {
		return nil, err
	}
	bobs, err := baseline.ObservationsOf(key)
	if err != nil {
		return nil, err
	}
	boolean := cobs[0].Type == heval.Boolean && bobs[0].Type == heval.Boolean
	crow := pairRows(cobs, opts.ByRequest, boolean)
	brow := pairRows(bobs, opts.ByRequest, boolean)
	c := &Comparison{
		Key: key, Boolean: boolean, Candidate: candidate.Name(), Baseline: baseline.Name(),
		Confidence: opts.Confidence, LowerIsBetter: opts.LowerIsBetter,
	}
	var cv, bv []float64
	for id, cr := range crow.rows {
		br, ok := brow.rows[id]
		if !ok {
			c.CandidateOnly++
			continue
		}
		p := PairedRow{
			Pair: id, RowIndex: cr.index, CandidateRequest: cr.request, BaselineRequest: br.request,
			Candidate: cr.mean(), Baseline: br.mean(),
		}
		if opts.ByRequest {
			p.RowIndex = -1
		}
		p.Diff = p.Candidate - p.Baseline
		c.Rows = append(c.Rows, p)
	}
	for id := range brow.rows {
		if _, ok := crow.rows[id]; !ok {
			c.BaselineOnly++
		}
	}
	if len(c.Rows) == 0 {
		on := "dataset row"
		if opts.ByRequest {
			on = "request id"
		}
		return nil, fmt.Errorf("compare %s: %w: %s (%d rows) and %s (%d rows) share no %s",
			key, ErrNothingToPair, c.Candidate, len(crow.rows), c.Baseline, len(brow.rows), on)
	}
	// Worst rows first; ties in a stable order so messages do not change between runs.
	sign := 1.0
	if opts.LowerIsBetter {
		sign = -1
	}
	slices.SortFunc(c.Rows, func(a, b PairedRow) int {
		if d := cmp.Compare(sign*a.Diff, sign*b.Diff); d != 0 {
			return d
		}
		if d := cmp.Compare(a.RowIndex, b.RowIndex); d != 0 {
			return d
		}
		return cmp.Compare(a.Pair, b.Pair)
	})
	// The bootstrap resamples rows in a fixed order, independent of map iteration.
	ordered := slices.Clone(c.Rows)
	slices.SortFunc(ordered, func(a, b PairedRow) int { return cmp.Compare(a.Pair, b.Pair) })
	for _, r := range ordered {
		cv = append(cv, r.Candidate)
		bv = append(bv, r.Baseline)
	}
	c.CandidateMean, c.BaselineMean = stats.Mean(cv), stats.Mean(bv)
	c.Diff, c.Low, c.High = stats.BootstrapDiff(bv, cv, true, opts.Confidence, opts.Resamples, opts.Seed)
	return c, nil
}

type rowAcc struct {
	sum     float64
	n       int
	index   int
	request string
}

func (r *rowAcc) mean() float64 { return r.sum / float64(r.n) }

type rowTable struct{ rows map[string]*rowAcc }

func pairRows(obs []Observation, byRequest, boolean bool) rowTable {
	t := rowTable{rows: map[string]*rowAcc{}}
	for _, o := range obs {
		id := o.DatasetRowID
		if byRequest || id == "" {
			id = o.RequestID
		}
		if id == "" {
			continue
		}
		acc := t.rows[id]
		if acc == nil {
			acc = &rowAcc{index: o.RowIndex, request: o.RequestID}
			if o.DatasetRowID == "" {
				acc.index = -1
			}
			t.rows[id] = acc
		}
		v := float64(o.Value)
		if boolean {
			v *= 100
		}
		acc.sum += v
		acc.n++
	}
	return t
}
