package helicone

import (
	"context"
	"encoding/json"
	"errors"
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

// Filter is a Helicone query filter: "all", a leaf on one column, or an and/or branch of two
// filters. The zero Filter is "all". Build leaves with the constructors of this package
// ([ExperimentID], [ExperimentPrompt], and the request-query constructors) and combine them
// with [And] and [Or].
type Filter struct {
	leaf        map[string]any
	left, right *Filter
	op          string
}

// All matches everything.
func All() Filter { return Filter{} }

// IsAll reports whether f matches everything.
func (f Filter) IsAll() bool { return f.leaf == nil && f.left == nil }

// And matches what both l and r match.
func And(l, r Filter) Filter { return Filter{left: &l, right: &r, op: "and"} }

// Or matches what l or r matches.
func Or(l, r Filter) Filter { return Filter{left: &l, right: &r, op: "or"} }

// ExperimentID filters experiments on their id.
func ExperimentID(op Op, v string) Filter {
	return Filter{leaf: map[string]any{"experiment": map[string]any{"id": map[string]any{string(op): v}}}}
}

// ExperimentPrompt filters experiments on their prompt (the prompt_v2 column).
func ExperimentPrompt(op Op, v string) Filter {
	return Filter{leaf: map[string]any{"experiment": map[string]any{"prompt_v2": map[string]any{string(op): v}}}}
}

// MarshalJSON writes "all", a leaf object or a branch object.
func (f Filter) MarshalJSON() ([]byte, error) {
	switch {
	case f.left != nil:
		return json.Marshal(map[string]any{"left": *f.left, "operator": f.op, "right": *f.right})
	case f.leaf != nil:
		return json.Marshal(f.leaf)
	default:
		return []byte(`"all"`), nil
	}
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

// QueryExperiments lists experiments (POST /v1/experiment/query): at most 30, newest first.
// When the server answers the generic 500 "Not implemented" (hosted Helicone after the
// Experiments deprecation, or any failure inside the handler) the error wraps
// [ErrExperimentsUnavailable] and says how to evaluate logged requests instead.
func (c *Client) QueryExperiments(ctx context.Context, q ExperimentQuery) ([]Experiment, error) {
	var out []Experiment
	_, err := c.do(ctx, "POST", "/v1/experiment/query", q, &out)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == 500 && apiErr.Message == "Not implemented" {
		return nil, &ExperimentsUnavailableError{Err: apiErr}
	}
	return out, err
}

// ExperimentsUnavailableError explains the experiment query's generic failure.
type ExperimentsUnavailableError struct{ Err *APIError }

func (e *ExperimentsUnavailableError) Error() string {
	return "helicone: the experiment query failed with 500 \"Not implemented\": hosted Helicone deprecated Experiments in 2025 and may answer every experiment query this way (a self-hosted server answers so when the query fails). " +
		"Evaluate logged requests instead: pick them with a request query (heval run --filter, or datasets.Requests in a suite)"
}

// Unwrap matches ErrExperimentsUnavailable and the underlying *APIError.
func (e *ExperimentsUnavailableError) Unwrap() []error { return []error{ErrExperimentsUnavailable, e.Err} }
