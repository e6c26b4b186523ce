package harness

import (
	"cmp"
	"slices"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/stats"
)

// SampleRepeats are the values of one score key on one sample across an evaluator's
// repeats (see [Repeat]).
type SampleRepeats struct {
	// RequestID, DatasetRowID and RowIndex identify the sample; Hypothesis is its arm.
	RequestID, DatasetRowID string
	RowIndex                int
	Hypothesis              string
	// Type is the key's value type.
	Type heval.ValueType
	// Values are the values in repeat order (booleans as 1/0).
	Values []int64
	// Mean, StdDev, Min and Max describe Values; Spread is Max − Min.
	Mean, StdDev, Min, Max, Spread float64
}

// PassRate is the share of repeats with a true (non-zero) value.
func (r SampleRepeats) PassRate() float64 {
	if len(r.Values) == 0 {
		return 0
	}
	n := 0
	for _, v := range r.Values {
		if v != 0 {
			n++
		}
	}
	return float64(n) / float64(len(r.Values))
}

// Flaky reports whether the repeats disagree: a boolean that was both true and false, or a
// number whose spread exceeds maxSpread.
func (r SampleRepeats) Flaky(maxSpread float64) bool {
	if r.Type == heval.Boolean {
		return r.Spread > 0
	}
	return r.Spread > maxSpread
}

// Describe names the sample for failure messages, for example "row 17 (request 1f0e…)".
func (r SampleRepeats) Describe() string {
	return Observation{RequestID: r.RequestID, DatasetRowID: r.DatasetRowID, RowIndex: r.RowIndex}.Describe()
}

// Repeats groups the values of key by sample, in dataset-row order, so that the spread of
// a nondeterministic evaluator across its repeats can be inspected. Samples judged once
// have a single value and no spread.
func (s *ResultSet) Repeats(key string) []SampleRepeats {
	groups := map[string]*SampleRepeats{}
	type rv struct {
		repeat int
		v      int64
	}
	vals := map[string][]rv{}
	var order []string
	for _, o := range s.observations(key) {
		id := sampleID(o)
		g := groups[id]
		if g == nil {
			g = &SampleRepeats{RequestID: o.RequestID, DatasetRowID: o.DatasetRowID, RowIndex: o.RowIndex, Type: o.Type}
			if o.Record != nil && o.Record.Sample != nil {
				g.Hypothesis = o.Record.Sample.Hypothesis
			}
			groups[id] = g
			order = append(order, id)
		}
		vals[id] = append(vals[id], rv{o.Repeat, o.Value})
	}
	out := make([]SampleRepeats, 0, len(order))
	for _, id := range order {
		g := groups[id]
		vs := vals[id]
		slices.SortStableFunc(vs, func(a, b rv) int { return cmp.Compare(a.repeat, b.repeat) })
		fs := make([]float64, len(vs))
		for i, x := range vs {
			g.Values = append(g.Values, x.v)
			fs[i] = float64(x.v)
		}
		d := stats.Describe(fs)
		g.Mean, g.StdDev, g.Min, g.Max, g.Spread = d.Mean, d.StdDev, d.Min, d.Max, d.Max-d.Min
		out = append(out, *g)
	}
	slices.SortStableFunc(out, func(a, b SampleRepeats) int {
		if c := cmp.Compare(a.Hypothesis, b.Hypothesis); c != 0 {
			return c
		}
		if c := cmp.Compare(a.RowIndex, b.RowIndex); c != 0 {
			return c
		}
		return cmp.Compare(a.RequestID, b.RequestID)
	})
	return out
}

// Flaky returns the samples whose repeats of key disagree (see [SampleRepeats.Flaky]),
// the most spread first.
func (s *ResultSet) Flaky(key string, maxSpread float64) []SampleRepeats {
	var out []SampleRepeats
	for _, r := range s.Repeats(key) {
		if r.Flaky(maxSpread) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b SampleRepeats) int { return cmp.Compare(b.Spread, a.Spread) })
	return out
}
