package harness

import (
	"fmt"
	"strings"

	"github.com/heval-dev/heval"
)

// Results are the records of one run, kept for assertions. Samples in results keep their
// metadata, inputs, properties, answer text and reference text (Text, ReferenceText), but
// not their raw bodies.
type Results struct {
	Info    heval.RunInfo
	Summary heval.Summary
	records []heval.Record
}

// NewResults builds results from records, for example read back from a Parquet file.
func NewResults(info heval.RunInfo, records []heval.Record, summary heval.Summary) *Results {
	return &Results{Info: info, Summary: summary, records: records}
}

// Len is the number of records.
func (r *Results) Len() int { return len(r.records) }

// All is every record of the run.
func (r *Results) All() *ResultSet {
	set := &ResultSet{name: "all samples", records: make([]*heval.Record, len(r.records)), info: &r.Info}
	for i := range r.records {
		set.records[i] = &r.records[i]
	}
	return set
}

// Hypothesis is the records of one hypothesis, chosen by id or label; "dataset" names the
// experiment's dataset rows (their original outputs).
func (r *Results) Hypothesis(name string) *ResultSet { return r.All().Hypothesis(name) }

// Observation is one value of one score key on one sample.
type Observation struct {
	Value        int64
	Type         heval.ValueType
	RequestID    string
	DatasetRowID string
	RowIndex     int
	Repeat       int
	Record       *heval.Record
}

// ResultSet is a named subset of a run's records: a hypothesis, a model, a slice of the
// dataset. Sets are immutable; each filter returns a new set.
type ResultSet struct {
	name    string
	records []*heval.Record
	info    *heval.RunInfo
}

// Info describes the run the set's records are from (their evaluators' specs and
// directions), or nil for a set not taken from [Results].
func (s *ResultSet) Info() *heval.RunInfo { return s.info }

// Name describes the set for failure messages, for example
// "hypothesis candidate (gpt-4o-mini, prompt v7)".
func (s *ResultSet) Name() string { return s.name }

// Len is the number of records in the set.
func (s *ResultSet) Len() int { return len(s.records) }

// Records returns the records of the set.
func (s *ResultSet) Records() []*heval.Record { return s.records }

// Where keeps the records for which keep returns true; desc names the subset in messages,
// for example
//
//	run.Hypothesis("candidate").Where("long answers", func(r *heval.Record) bool {
//		return len(r.Sample.Text()) > 2000
//	})
func (s *ResultSet) Where(desc string, keep func(*heval.Record) bool) *ResultSet {
	out := &ResultSet{name: s.name + ", " + desc, info: s.info}
	for _, rec := range s.records {
		if keep(rec) {
			out.records = append(out.records, rec)
		}
	}
	return out
}

// Hypothesis keeps the records of one hypothesis: by id, by label, or by label qualified
// with its experiment ("support/candidate") when a run holds several experiments.
func (s *ResultSet) Hypothesis(name string) *ResultSet {
	out := &ResultSet{info: s.info}
	var model, prompt string
	for _, rec := range s.records {
		if rec.Sample.InGroup(name) {
			out.records = append(out.records, rec)
			if model == "" {
				model, prompt = rec.Sample.Model, rec.Sample.PromptVersionID
			}
		}
	}
	var details []string
	if model != "" {
		details = append(details, model)
	}
	if prompt != "" {
		details = append(details, "prompt "+prompt)
	}
	out.name = "hypothesis " + name
	if len(details) > 0 {
		out.name += " (" + strings.Join(details, ", ") + ")"
	}
	if s.name != "all samples" && s.name != "" {
		out.name = s.name + ", " + out.name
	}
	return out
}

// Model keeps the records whose judged request used model.
func (s *ResultSet) Model(model string) *ResultSet {
	return s.Where("model "+model, func(r *heval.Record) bool { return r.Sample != nil && r.Sample.Model == model })
}

// WithInput keeps the records whose sample has input key = value.
func (s *ResultSet) WithInput(key, value string) *ResultSet {
	return s.Where(fmt.Sprintf("input %s=%s", key, value), func(r *heval.Record) bool {
		return r.Sample != nil && r.Sample.Inputs[key] == value
	})
}

// WithProperty keeps the records whose request has Helicone property key = value.
func (s *ResultSet) WithProperty(key, value string) *ResultSet {
	return s.Where(fmt.Sprintf("property %s=%s", key, value), func(r *heval.Record) bool {
		return r.Sample != nil && r.Sample.Properties[key] == value
	})
}

// observations returns every value of the score key in the set.
func (s *ResultSet) observations(key string) []Observation {
	var out []Observation
	for _, rec := range s.records {
		for _, v := range rec.Values {
			if v.Key != key {
				continue
			}
			o := Observation{Value: v.Value, Type: v.Type, Repeat: rec.Repeat, Record: rec}
			if rec.Sample != nil {
				o.RequestID, o.DatasetRowID, o.RowIndex = rec.Sample.RequestID, rec.Sample.DatasetRowID, rec.Sample.RowIndex
			}
			out = append(out, o)
		}
	}
	return out
}

// Errors returns the records whose evaluator failed or whose delivery failed.
func (s *ResultSet) Errors() []*heval.Record {
	var out []*heval.Record
	for _, rec := range s.records {
		if rec.Err != "" || rec.DeliveryErr != "" {
			out = append(out, rec)
		}
	}
	return out
}

// Records returns every record of the run, in the order they were reported.
func (r *Results) Records() []heval.Record { return r.records }
