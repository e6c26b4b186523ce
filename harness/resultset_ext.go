package harness

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/stats"
)

// ErrNoObservations is matched (with errors.Is) by a [*MissingKeyError].
var ErrNoObservations = errors.New("no observations")

// MissingKeyError says that a set holds no value of a score key, and which keys it holds.
type MissingKeyError struct {
	// Set is the set's name; Key the key asked for.
	Set, Key string
	// Keys are the score keys the set does hold, sorted.
	Keys []string
	// Records is the number of records in the set.
	Records int
}

// Error says which key is missing from which set, and which keys the set has.
func (e *MissingKeyError) Error() string {
	switch {
	case e.Records == 0:
		return fmt.Sprintf("%s: no values of score key %q: the set is empty (check the hypothesis name, the filters, and that the evaluator ran under the current label filter)", e.Set, e.Key)
	case len(e.Keys) == 0:
		return fmt.Sprintf("%s: no values of score key %q: its %d records have no values (every evaluator failed?)", e.Set, e.Key, e.Records)
	}
	return fmt.Sprintf("%s: no values of score key %q; the keys in this set are: %s", e.Set, e.Key, strings.Join(e.Keys, ", "))
}

// Unwrap returns [ErrNoObservations].
func (e *MissingKeyError) Unwrap() error { return ErrNoObservations }

// Keys returns the distinct score keys of the set, sorted.
func (s *ResultSet) Keys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, rec := range s.records {
		for _, v := range rec.Values {
			if !seen[v.Key] {
				seen[v.Key] = true
				keys = append(keys, v.Key)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// Hypotheses returns the distinct hypothesis labels of the set (the dataset rows count as
// "dataset"), sorted.
func (s *ResultSet) Hypotheses() []string {
	seen := map[string]bool{}
	var out []string
	for _, rec := range s.records {
		if rec.Sample == nil {
			continue
		}
		h := rec.Sample.Hypothesis
		if h == "" {
			h = rec.Sample.HypothesisID
		}
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

// Evaluator keeps the records of one evaluator.
func (s *ResultSet) Evaluator(name string) *ResultSet {
	return s.Where("evaluator "+name, func(r *heval.Record) bool { return r.Evaluator == name })
}

// Named returns the same records under another name, for failure messages.
func (s *ResultSet) Named(name string) *ResultSet {
	return &ResultSet{name: name, records: s.records, info: s.info}
}

// Observations returns every value of the score key in the set, or a [*MissingKeyError]
// (which names the keys the set does have) when it has none.
func (s *ResultSet) Observations(key string) ([]Observation, error) {
	if s == nil {
		return nil, errors.New("the result set is nil: assert inside a spec, after the suite has run")
	}
	obs := s.observations(key)
	if len(obs) == 0 {
		return nil, &MissingKeyError{Set: s.Name(), Key: key, Keys: s.Keys(), Records: s.Len()}
	}
	return obs, nil
}

// sampleID identifies the sample of an observation within one run: its request id, or,
// for samples without one, its dataset row within its hypothesis.
func sampleID(o Observation) string {
	if o.RequestID != "" {
		return "req:" + o.RequestID
	}
	h := ""
	if o.Record != nil && o.Record.Sample != nil {
		h = o.Record.Sample.Hypothesis
	}
	return "row:" + h + "/" + o.DatasetRowID
}

// Describe names an observation's sample for failure messages, for example
// "row 17 (request 1f0e4c2a-…)".
func (o Observation) Describe() string {
	var parts []string
	if o.DatasetRowID != "" {
		parts = append(parts, fmt.Sprintf("row %d", o.RowIndex))
	}
	if o.RequestID != "" {
		parts = append(parts, "request "+o.RequestID)
	}
	if len(parts) == 0 {
		return "sample"
	}
	if len(parts) == 2 {
		return parts[0] + " (" + parts[1] + ")"
	}
	return parts[0]
}

// Stat computes one statistic of the key's values with the definitions of
// [ParseThreshold] and `heval run --require` (see [stats.ParseStatistic]): mean, median,
// pNN (p90, p99.9, ...; type-7 quantiles), min, max, pass_rate (the share of non-zero
// values) and count. It returns a [*MissingKeyError] when the set has no value of key
// (count then is 0 without error).
func (s *ResultSet) Stat(key, stat string) (float64, error) {
	if strings.EqualFold(strings.TrimSpace(stat), "errors") {
		return math.NaN(), fmt.Errorf("statistic %q: count errors with ResultSet.Errors", stat)
	}
	st, err := stats.ParseStatistic(stat)
	if err != nil {
		return math.NaN(), err
	}
	obs := s.observations(key)
	if len(obs) == 0 && st.String() != "count" {
		return math.NaN(), &MissingKeyError{Set: s.Name(), Key: key, Keys: s.Keys(), Records: s.Len()}
	}
	xs := make([]float64, len(obs))
	for i, o := range obs {
		xs[i] = float64(o.Value)
	}
	return st.Of(xs), nil
}
