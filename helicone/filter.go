package helicone

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Op is a filter operator.
type Op string

// Text operators (experiment id and prompt, text columns of requests, properties, scores).
const (
	Equals      Op = "equals"
	NotEquals   Op = "not-equals"
	Like        Op = "like"
	ILike       Op = "ilike"
	Contains    Op = "contains"
	NotContains Op = "not-contains"
)

// Number and time operators (number columns and request_created_at of requests).
const (
	Gte Op = "gte"
	Lte Op = "lte"
	Gt  Op = "gt"
	Lt  Op = "lt"
)

// TextOps are the operators of text columns, properties and scores.
var TextOps = []Op{Equals, NotEquals, Like, ILike, Contains, NotContains}

// NumberOps are the operators of number columns.
var NumberOps = []Op{Equals, NotEquals, Gte, Lte, Gt, Lt}

// TimeOps are the operators of timestamp columns.
var TimeOps = []Op{Equals, Gte, Lte, Gt, Lt}

// Filter is a Helicone query filter: "all", a leaf on one column, or an and/or branch of two
// filters. The zero Filter is "all". Build leaves with the constructors of this package
// ([ExperimentID], [ExperimentPrompt], [RequestText], [RequestNumber], [CreatedAt],
// [Property], [Score], [ParseFilter]) and combine them with [And] and [Or].
//
// A constructor given a column or operator the server would reject returns a Filter that
// carries the error (see [Filter.Err]); combining it keeps the error, and a query with it
// fails before anything is sent.
type Filter struct {
	leaf        map[string]any
	left, right *Filter
	op          string
	err         error
}

// All matches everything.
func All() Filter { return Filter{} }

// IsAll reports whether f matches everything.
func (f Filter) IsAll() bool { return f.leaf == nil && f.left == nil && f.err == nil }

// Err returns the first construction error in f, nil when f can be sent.
func (f Filter) Err() error {
	if f.err != nil {
		return f.err
	}
	if f.left != nil {
		if err := f.left.Err(); err != nil {
			return err
		}
		return f.right.Err()
	}
	return nil
}

// And matches what every filter matches; "all" operands are dropped and no filters is
// "all". Several filters become a balanced tree, which keeps the server's query shallow.
func And(fs ...Filter) Filter { return tree("and", fs) }

// Or matches what any of the filters matches, as a balanced tree. It needs at least one
// filter; Or() matches nothing the server could be asked for and is reported by Err.
func Or(fs ...Filter) Filter {
	if len(fs) == 0 {
		return Filter{err: fmt.Errorf("%w: Or of no filters matches nothing", ErrInvalidFilter)}
	}
	return tree("or", fs)
}

func tree(op string, fs []Filter) Filter {
	switch len(fs) {
	case 0:
		return All()
	case 1:
		return fs[0]
	}
	mid := len(fs) / 2
	return branch(op, tree(op, fs[:mid]), tree(op, fs[mid:]))
}

func branch(op string, l, r Filter) Filter {
	if op == "and" && l.IsAll() {
		return r
	}
	if op == "and" && r.IsAll() {
		return l
	}
	if op == "or" && (l.IsAll() || r.IsAll()) && l.Err() == nil && r.Err() == nil {
		return All()
	}
	return Filter{left: &l, right: &r, op: op}
}

// FilterError is a filter the server would reject, refused by the client.
type FilterError struct {
	// Expr is the text expression, when the filter came from [ParseFilter].
	Expr string
	// Column and Op name the offending leaf, when known.
	Column string
	Op     Op
	// Reason says what is wrong and what is accepted.
	Reason string
}

func (e *FilterError) Error() string {
	var b strings.Builder
	b.WriteString("helicone: invalid filter")
	if e.Expr != "" {
		fmt.Fprintf(&b, " %q", e.Expr)
	} else if e.Column != "" {
		fmt.Fprintf(&b, " on %q", e.Column)
		if e.Op != "" {
			fmt.Fprintf(&b, " with %q", string(e.Op))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is matches ErrInvalidFilter.
func (e *FilterError) Is(target error) bool { return target == ErrInvalidFilter }

func badFilter(column string, op Op, format string, args ...any) Filter {
	return Filter{err: &FilterError{Column: column, Op: op, Reason: fmt.Sprintf(format, args...)}}
}

func opNames(ops []Op) string {
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

func checkOp(column string, op Op, allowed []Op, kind string) error {
	if slices.Contains(allowed, op) {
		return nil
	}
	return &FilterError{Column: column, Op: op, Reason: fmt.Sprintf("%s takes the operators %s", kind, opNames(allowed))}
}

// ExperimentID filters experiments on their id (text operators only).
func ExperimentID(op Op, v string) Filter { return experimentLeaf("id", op, v) }

// ExperimentPrompt filters experiments on their prompt (the prompt_v2 column; text operators only).
func ExperimentPrompt(op Op, v string) Filter { return experimentLeaf("prompt_v2", op, v) }

func experimentLeaf(column string, op Op, v string) Filter {
	if err := checkOp(column, op, TextOps, "the experiment column "+column); err != nil {
		return Filter{err: err}
	}
	return Filter{leaf: map[string]any{"experiment": map[string]any{column: map[string]any{string(op): v}}}}
}

// MarshalJSON writes "all", a leaf object or a branch object. It fails when f carries a
// construction error.
func (f Filter) MarshalJSON() ([]byte, error) {
	if err := f.Err(); err != nil {
		return nil, err
	}
	return f.appendJSON(nil)
}

// appendJSON appends what json.Marshal writes for f: a branch as the object of its
// members in key order, each subtree written once (json.Marshal would re-check the
// subtree's encoding at every level above it).
func (f Filter) appendJSON(b []byte) ([]byte, error) {
	switch {
	case f.left != nil:
		op, err := json.Marshal(f.op)
		if err != nil {
			return nil, err
		}
		b = append(b, `{"left":`...)
		if b, err = f.left.appendJSON(b); err != nil {
			return nil, err
		}
		b = append(append(append(b, `,"operator":`...), op...), `,"right":`...)
		if b, err = f.right.appendJSON(b); err != nil {
			return nil, err
		}
		return append(b, '}'), nil
	case f.leaf != nil:
		leaf, err := json.Marshal(f.leaf)
		if err != nil {
			return nil, err
		}
		return append(b, leaf...), nil
	default:
		return append(b, `"all"`...), nil
	}
}

// FilterLeaf is one condition of a filter, as [Filter.Leaves] reports it.
type FilterLeaf struct {
	// Table is the leaf's table: "request_response_rmt" for request filters, "experiment"
	// for experiment filters.
	Table string
	// Column is the column ("model", "latency", "request_created_at", ...), or
	// "properties" or "scores" for a property or score leaf.
	Column string
	// Name is the property name or score key of a properties or scores leaf.
	Name string
	// Op and Value are the comparison: a string, a float64 for number columns, or a
	// time as ISO-8601 text.
	Op    Op
	Value any
}

// Leaves returns the conditions of f from left to right, whether they are joined by "and"
// or "or"; none for "all" or a filter that carries an error.
func (f Filter) Leaves() []FilterLeaf {
	if f.err != nil {
		return nil
	}
	if f.left != nil {
		return append(f.left.Leaves(), f.right.Leaves()...)
	}
	var out []FilterLeaf
	for table, cols := range f.leaf {
		cm, _ := cols.(map[string]any)
		for col, ops := range cm {
			om, _ := ops.(map[string]any)
			for k, v := range om {
				if col == "properties" || col == "scores" {
					inner, _ := v.(map[string]any)
					for op, val := range inner {
						out = append(out, FilterLeaf{Table: table, Column: col, Name: k, Op: Op(op), Value: val})
					}
					continue
				}
				out = append(out, FilterLeaf{Table: table, Column: col, Op: Op(k), Value: v})
			}
		}
	}
	return out
}

// String returns the filter's JSON, or its error.
func (f Filter) String() string {
	b, err := f.MarshalJSON()
	if err != nil {
		return "invalid filter: " + err.Error()
	}
	return string(b)
}

// ExperimentInclude says which optional parts of an experiment the server adds. Only true
// flags are sent (the server rejects false with 422).
type ExperimentInclude struct {
	Inputs         bool
	PromptVersion  bool
	ResponseBodies bool
	Score          bool
}

// MarshalJSON writes only the flags that are set.
func (in ExperimentInclude) MarshalJSON() ([]byte, error) {
	m := map[string]bool{}
	if in.Inputs {
		m["inputs"] = true
	}
	if in.PromptVersion {
		m["promptVersion"] = true
	}
	if in.ResponseBodies {
		m["responseBodies"] = true
	}
	if in.Score {
		m["score"] = true
	}
	return json.Marshal(m)
}

// IncludeAll asks for inputs, prompt versions, response bodies and scores.
func IncludeAll() ExperimentInclude {
	return ExperimentInclude{Inputs: true, PromptVersion: true, ResponseBodies: true, Score: true}
}

// ExperimentQuery is the body of POST /v1/experiment/query.
type ExperimentQuery struct {
	Filter  Filter             `json:"filter"`
	Include *ExperimentInclude `json:"include,omitempty"`
}

func isNotImplemented(e *APIError) bool {
	return e.Status == 500 && strings.EqualFold(strings.TrimSpace(e.Message), "Not implemented")
}

// ExperimentsUnavailableError explains the experiment query's generic failure: current
// Helicone (hosted, and self-hosted on code after the 2025-10 migration) validates the
// query and then answers every one with 500 "Not implemented".
type ExperimentsUnavailableError struct{ Err *APIError }

func (e *ExperimentsUnavailableError) Error() string {
	return "helicone: POST /v1/experiment/query answered 500 \"Not implemented\": this Helicone no longer serves experiments (current hosted Helicone); " +
		"use --dataset ID|NAME, or --filter … --group-by … (a Helicone dataset with the runs an application tagged with the Helicone-Property-Heval-Hypothesis and Helicone-Property-Heval-Row headers, " +
		"or logged requests grouped by a property; in Go, datasets.DatasetExperiment or datasets.Requests)"
}

// Unwrap matches ErrExperimentsUnavailable and the underlying *APIError.
func (e *ExperimentsUnavailableError) Unwrap() []error {
	return []error{ErrExperimentsUnavailable, e.Err}
}
