package datasets

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/textdist"
)

// EmptyExplainer is a source that can say, for a person, why it yielded no samples and what
// there is instead, so that a run that matches nothing fails with a hint rather than
// succeeding silently. Every source of this package implements it.
type EmptyExplainer interface {
	// ExplainEmpty is called only after the source yielded no samples and no error. It
	// returns one or more lines (separated by "\n"), "" when it knows nothing to add. It
	// may make one small query (a request source reads the organization's most recent
	// requests).
	ExplainEmpty(ctx context.Context, env Env) string
}

// ExplainEmpty asks src why it yielded no samples ("" when it cannot say).
func ExplainEmpty(ctx context.Context, src Source, env Env) string {
	if e, ok := src.(EmptyExplainer); ok {
		return e.ExplainEmpty(ctx, env)
	}
	return ""
}

// recentRequests is how many of the newest requests a request source reads to say what
// there is when its filter matched nothing: one query page.
const recentRequests = 100

func (c concatSource) ExplainEmpty(ctx context.Context, env Env) string {
	var parts []string
	for _, src := range c {
		if s := ExplainEmpty(ctx, src, env); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func (f *filterSource) ExplainEmpty(ctx context.Context, env Env) string {
	return cmp.Or(ExplainEmpty(ctx, f.src, env), "the filter of the source kept none of its samples")
}

func (l *limitSource) ExplainEmpty(ctx context.Context, env Env) string {
	return ExplainEmpty(ctx, l.src, env)
}

func (s sliceSource) ExplainEmpty(context.Context, Env) string {
	return "the slice of samples is empty"
}

func (s *jsonlSource) ExplainEmpty(context.Context, Env) string {
	return fmt.Sprintf("the file %s holds no samples (it is empty, or has blank lines only); write one JSON object per line, such as {\"request_id\": \"…\", \"output\": \"the answer\"}", s.path)
}

func (s *experimentSource) ExplainEmpty(context.Context, Env) string {
	what := "dataset rows or hypothesis runs"
	switch {
	case !s.cfg.runs:
		what = "dataset rows"
	case !s.cfg.rows:
		what = "hypothesis runs (--runs only)"
	}
	msg := fmt.Sprintf("%s has no %s", s, what)
	if len(s.cfg.hypotheses) > 0 {
		msg += fmt.Sprintf(" of the hypotheses %s", strings.Join(s.cfg.hypotheses, ", "))
	}
	return msg
}

func (s *datasetSource) ExplainEmpty(context.Context, Env) string {
	hyp, row := cmp.Or(s.cfg.hypothesisProperty, DefaultHypothesisProperty), cmp.Or(s.cfg.rowProperty, DefaultRowProperty)
	if !s.cfg.rows {
		msg := fmt.Sprintf("no logged request carries both the %s and the %s property with the id of a row of Helicone dataset %s (set the %s and %s headers on the calls that answer its rows)", hyp, row, s.query, HypothesisHeader, RowHeader)
		if !s.cfg.runFilter.IsAll() {
			msg += ", or none also matches the runs filter"
		}
		return msg
	}
	return fmt.Sprintf("Helicone dataset %s has no rows (add requests to it in Helicone's UI or through its API)", s.query)
}

// ExplainEmpty reads the organization's most recent requests (one query of 100, without the
// filter) and says which models and properties they have, naming the nearest to what the
// filter asked for.
func (s *requestsSource) ExplainEmpty(ctx context.Context, env Env) string {
	if env.Client == nil {
		return ""
	}
	var rows []helicone.Request
	for r, err := range env.Client.Requests(ctx, helicone.RequestQuery{Limit: recentRequests}) {
		if err != nil {
			return fmt.Sprintf("(what there is could not be read: %v)", err)
		}
		if rows = append(rows, r); len(rows) == recentRequests {
			break
		}
	}
	if len(rows) == 0 {
		return fmt.Sprintf("the organization of the API key has no logged requests on %s at all: check HELICONE_BASE_URL (the region) and that the key belongs to the organization that logs the requests", env.Client.BaseURL())
	}
	models := map[string]int{}
	props := map[string]map[string]int{}
	for _, r := range rows {
		if r.Model != "" {
			models[r.Model]++
		}
		for k, v := range r.Properties {
			if props[k] == nil {
				props[k] = map[string]int{}
			}
			props[k][v]++
		}
	}
	var hints []string
	for _, leaf := range s.filter.Leaves() {
		if h := leafHint(leaf, models, props); h != "" {
			hints = append(hints, h)
		}
	}
	if s.cfg.runs {
		if propertyValues(props, s.cfg.hypothesis) == nil {
			hints = append(hints, fmt.Sprintf("none of them carries the property %s that tags hypothesis runs (set the %s header on the calls of an evaluation)%s", s.cfg.hypothesis, HypothesisHeader, nearestName(s.cfg.hypothesis, props)))
		}
	}
	lines := append(hints, fmt.Sprintf("the %d most recent requests of the organization have the models %s", len(rows), counted(models, 6)))
	if len(props) == 0 {
		lines = append(lines, "and no properties")
	} else {
		var ps []string
		for _, k := range slices.Sorted(maps.Keys(props)) {
			if n := len(props[k]); n > 6 {
				ps = append(ps, fmt.Sprintf("%s (%d values)", k, n))
			} else {
				ps = append(ps, fmt.Sprintf("%s (%s)", k, counted(props[k], 6)))
			}
		}
		if len(ps) > 8 {
			ps = append(ps[:8], fmt.Sprintf("and %d more", len(ps)-8))
		}
		lines = append(lines, "and the properties "+strings.Join(ps, ", "))
	}
	return strings.Join(lines, "\n")
}

// leafHint explains one filter condition that the recent requests do not satisfy.
func leafHint(leaf helicone.FilterLeaf, models map[string]int, props map[string]map[string]int) string {
	v, _ := leaf.Value.(string)
	switch {
	case leaf.Column == "model" && leaf.Op == helicone.Equals && models[v] == 0:
		var containing []string
		for m := range models {
			if strings.Contains(strings.ToLower(m), strings.ToLower(v)) {
				containing = append(containing, m)
			}
		}
		if len(containing) > 0 {
			slices.Sort(containing)
			verb := "contains"
			if len(containing) > 1 {
				verb = "contain"
			}
			return fmt.Sprintf("no recent request has the model %q exactly, but %s %s it (Helicone stores the model the provider answered with): write model~%s (contains) or model=%s", v, strings.Join(containing, ", "), verb, v, containing[0])
		}
		return fmt.Sprintf("no recent request has the model %q%s", v, nearestName(v, models))
	case leaf.Column == "properties":
		values := propertyValues(props, leaf.Name)
		if values == nil {
			return fmt.Sprintf("no recent request has the property %q%s", leaf.Name, nearestName(leaf.Name, props))
		}
		if leaf.Op == helicone.Equals && values[v] == 0 {
			return fmt.Sprintf("no recent request has %s=%s; its values are %s", leaf.Name, v, counted(values, 6))
		}
	}
	return ""
}

// propertyValues are the values seen of a property, matched ignoring case as the sources
// match it; nil when no request carries it.
func propertyValues(props map[string]map[string]int, name string) map[string]int {
	var out map[string]int
	for k, vs := range props {
		if strings.EqualFold(k, name) {
			if out == nil {
				out = map[string]int{}
			}
			for v, n := range vs {
				out[v] += n
			}
		}
	}
	return out
}

// nearestName is " (did you mean X?)" for the name of names nearest to name, else "".
func nearestName[V any](name string, names map[string]V) string {
	if near := textdist.Nearest(name, slices.Sorted(maps.Keys(names))); near != "" {
		return fmt.Sprintf(" (did you mean %s?)", near)
	}
	return ""
}

// counted lists the most frequent names with their counts, at most n of them.
func counted(m map[string]int, n int) string {
	names := slices.Collect(maps.Keys(m))
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b)) })
	var out []string
	for _, k := range names[:min(n, len(names))] {
		label := k
		if label == "" {
			label = `""`
		}
		out = append(out, fmt.Sprintf("%s ×%d", label, m[k]))
	}
	if len(names) > n {
		out = append(out, fmt.Sprintf("and %d more", len(names)-n))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
