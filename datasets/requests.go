package datasets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/textdist"
)

// RequestsOption configures a request-query source ([Requests], [TaggedRuns]).
type RequestsOption func(*requestsConfig)

type requestsConfig struct {
	pageSize   int
	hypothesis string
	row        string
	// runs makes the samples hypothesis runs (TaggedRuns); else they are requests.
	runs bool
}

// PageSize sets how many requests each query asks for (1–1000, default 1000).
func PageSize(n int) RequestsOption {
	return func(c *requestsConfig) { c.pageSize = n }
}

// HypothesisProperty labels each sample with the value of a Helicone property, so that
// the arms of an A/B test can be compared like hypotheses: with
// HypothesisProperty("Variant"), a request with Helicone-Property-Variant: B has the
// Hypothesis label "B". The name may be given with or without the Helicone-Property-
// prefix, and matches the stored property ignoring case (Helicone stores the names of
// header-set properties lower-cased). For [TaggedRuns] it names the hypothesis property
// (default [DefaultHypothesisProperty]). For [Requests], when none of the first page of
// requests carries the property, the source yields an [*UnknownPropertyError] listing the
// properties they have, instead of samples that all lack the label.
func HypothesisProperty(name string) RequestsOption {
	return func(c *requestsConfig) { c.hypothesis = propertyName(name) }
}

// RowProperty sets each sample's DatasetRowID to the value of a Helicone property: the id
// of the dataset row the request answered, so that two hypotheses pair per row in
// comparisons ([heval.Sample.Unit]). The name is read as by [HypothesisProperty]. For
// [TaggedRuns] the default is [DefaultRowProperty]; "" turns it off.
func RowProperty(name string) RequestsOption {
	return func(c *requestsConfig) { c.row = propertyName(name) }
}

// Requests returns a source of logged requests chosen by a request-query filter (POST
// /v1/request/query-clickhouse, paged with limit and offset, newest first), for example
// every request with property Variant=B of the last day. Each request is one sample of
// kind [KindRequest] with its properties, model, token counts, latency and creation time;
// when the request body is a chat completion request, Inputs["prompt"] holds its last user
// message and Inputs["system"] its system message. Bodies of requests stored in S3 (rows
// older than late 2025, or over 10 MiB) are read from their signed URLs.
func Requests(f helicone.Filter, opts ...RequestsOption) Source {
	c := requestsConfig{pageSize: 1000}
	for _, o := range opts {
		o(&c)
	}
	return &requestsSource{filter: f, cfg: c}
}

// TaggedRuns returns a source of hypothesis runs logged as ordinary requests and tagged
// with custom properties, as an application does on current Helicone: the requests
// matching f that carry the hypothesis property (default "heval-hypothesis", set with the
// Helicone-Property-Heval-Hypothesis header), oldest first. Each is a sample of kind
// [KindHypothesisRun] whose HypothesisID and Hypothesis are that property's value, and
// whose DatasetRowID is the value of the row property (default "heval-row", the
// Helicone-Property-Heval-Row header), so that hypotheses pair per dataset row in
// comparisons. Change the properties with [HypothesisProperty] and [RowProperty].
//
// To evaluate a Helicone dataset together with its runs, joined to its rows (inputs,
// reference answers), use [DatasetExperiment].
func TaggedRuns(f helicone.Filter, opts ...RequestsOption) Source {
	c := requestsConfig{pageSize: 1000, hypothesis: DefaultHypothesisProperty, row: DefaultRowProperty, runs: true}
	for _, o := range opts {
		o(&c)
	}
	return &requestsSource{filter: f, cfg: c}
}

type requestsSource struct {
	filter helicone.Filter
	cfg    requestsConfig
}

func (s *requestsSource) String() string {
	what := "requests"
	if s.cfg.runs {
		what = fmt.Sprintf("runs tagged with %s", s.cfg.hypothesis)
	}
	if s.filter.IsAll() {
		return what
	}
	b, err := json.Marshal(s.filter)
	if err != nil {
		return what
	}
	return what + " matching " + string(b)
}

// query is the request query of the source.
func (s *requestsSource) query() (helicone.RequestQuery, error) {
	q := helicone.RequestQuery{Filter: s.filter, Limit: s.cfg.pageSize}
	if s.cfg.runs {
		if s.cfg.hypothesis == "" {
			return q, errors.New("datasets: TaggedRuns needs a hypothesis property; HypothesisProperty(\"\") leaves none")
		}
		q.Filter = helicone.And(s.filter, hasProperty(s.cfg.hypothesis))
		q.Sort = &helicone.RequestSort{Column: "created_at"}
	}
	return q, nil
}

func (s *requestsSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		if env.Client == nil {
			yield(heval.Sample{}, ErrNoClient)
			return
		}
		if s.cfg.pageSize < 1 || s.cfg.pageSize > helicone.MaxRequestLimit {
			yield(heval.Sample{}, fmt.Errorf("datasets: page size %d is out of range: the request query takes 1 to %d", s.cfg.pageSize, helicone.MaxRequestLimit))
			return
		}
		q, err := s.query()
		if err != nil {
			yield(heval.Sample{}, err)
			return
		}
		// A grouping property that none of the first page's requests carries is a mistake
		// (a misspelt name labels nothing): the samples are held back until one carries it.
		checking := s.cfg.hypothesis != "" && !s.cfg.runs
		var held []heval.Sample
		seen := map[string]bool{}
		unknown := func() error {
			names := slices.Sorted(maps.Keys(seen))
			return &UnknownPropertyError{Property: s.cfg.hypothesis, Requests: len(held), Seen: names, Nearest: textdist.Nearest(s.cfg.hypothesis, names)}
		}
		for r, err := range env.Client.Requests(ctx, q) {
			if err == nil {
				var smp heval.Sample
				if smp, err = s.cfg.sample(ctx, env.Client, &r); err == nil {
					if checking {
						if propertyValue(r.Properties, s.cfg.hypothesis) == "" {
							held = append(held, smp)
							for k := range r.Properties {
								if len(seen) < 256 {
									seen[k] = true
								}
							}
							if len(held) >= s.cfg.pageSize {
								yield(heval.Sample{}, unknown())
								return
							}
							continue
						}
						checking = false
						for _, h := range held {
							if !yield(h, nil) {
								return
							}
						}
						held = nil
					}
					if !yield(smp, nil) {
						return
					}
					continue
				}
			}
			yield(heval.Sample{}, fmt.Errorf("datasets: reading %s: %w", s, err))
			return
		}
		if checking && len(held) > 0 {
			yield(heval.Sample{}, unknown())
		}
	}
}

// ErrUnknownProperty matches an [*UnknownPropertyError].
var ErrUnknownProperty = errors.New("no request has the grouping property")

// UnknownPropertyError says that none of the first requests a source read carries the
// property its samples are grouped by ([HypothesisProperty]), which is almost always a
// misspelt name; it lists the properties they do have.
type UnknownPropertyError struct {
	// Property is the grouping property; Requests the number of requests read.
	Property string
	Requests int
	// Seen are the property names of those requests, sorted; Nearest the one closest to
	// Property ("" when none is a plausible typo).
	Seen    []string
	Nearest string
}

func (e *UnknownPropertyError) Error() string {
	msg := fmt.Sprintf("datasets: none of the %d requests read has the property %q that groups the samples (heval run --group-by)", e.Requests, e.Property)
	if len(e.Seen) == 0 {
		return msg + "; they have no properties at all"
	}
	msg += "; their properties are " + strings.Join(e.Seen, ", ")
	if e.Nearest != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", e.Nearest)
	}
	return msg
}

// Is matches ErrUnknownProperty.
func (e *UnknownPropertyError) Is(target error) bool { return target == ErrUnknownProperty }

// sample turns one logged request into a sample, reading its bodies from its signed URL
// when the row does not hold them.
func (c *requestsConfig) sample(ctx context.Context, client *helicone.Client, r *helicone.Request) (heval.Sample, error) {
	bodies, err := requestBodies(ctx, client, r)
	if err != nil {
		return heval.Sample{}, err
	}
	s := requestSample(r, bodies)
	if c.hypothesis != "" {
		h := propertyValue(r.Properties, c.hypothesis)
		s.Hypothesis = h
		if c.runs {
			s.Kind, s.HypothesisID = heval.KindHypothesisRun, h
			if h == "" {
				s.Hypothesis = UntaggedHypothesis
			}
		}
	}
	if c.row != "" {
		s.DatasetRowID = propertyValue(r.Properties, c.row)
	}
	return Prepare(s), nil
}

// requestBodies returns a request's bodies; a signed URL that no longer serves them leaves
// the row's own (a placeholder, whose answer text then says that the body is not
// available).
func requestBodies(ctx context.Context, client *helicone.Client, r *helicone.Request) (helicone.SignedBody, error) {
	b, err := client.RequestBodies(ctx, r)
	var se *helicone.SignedURLError
	if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 {
		return helicone.SignedBody{Request: r.RequestBody, Response: r.ResponseBody}, nil
	}
	return b, err
}

// RequestSample turns one logged request into a sample, from the bodies the row holds.
// When hypothesisProperty is not empty, the sample's Hypothesis label is the value of that
// property.
func RequestSample(r helicone.Request, hypothesisProperty string) heval.Sample {
	s := requestSample(&r, helicone.SignedBody{Request: r.RequestBody, Response: r.ResponseBody})
	if name := propertyName(hypothesisProperty); name != "" {
		s.Hypothesis = propertyValue(r.Properties, name)
	}
	return Prepare(s)
}

func requestSample(r *helicone.Request, bodies helicone.SignedBody) heval.Sample {
	return heval.Sample{
		Kind:             heval.KindRequest,
		RequestID:        r.RequestID,
		Model:            r.Model,
		Provider:         r.Provider,
		RowIndex:         -1,
		Properties:       r.Properties,
		Body:             bodies.Response,
		PromptTokens:     int64(r.PromptTokens),
		CompletionTokens: int64(r.CompletionTokens),
		Latency:          time.Duration(r.DelayMs) * time.Millisecond,
		CreatedAt:        helicone.ParseTime(r.RequestCreatedAt),
		Inputs:           chatInputs(bodies.Request),
	}
}

// chatInputs reads the system and last user message of a chat completion request body.
func chatInputs(body json.RawMessage) map[string]string {
	if helicone.IsJSONNull(body) {
		return nil
	}
	if in, ok := fastChatInputs(body); ok {
		return in
	}
	return generalChatInputs(body)
}

// generalChatInputs is chatInputs by the general decoder, for any body.
func generalChatInputs(body json.RawMessage) map[string]string {
	var req struct {
		System   json.RawMessage `json:"system"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if jsonv2.Unmarshal(body, &req, jsonV1) != nil || len(req.Messages) == 0 {
		return nil
	}
	in := map[string]string{}
	if t := contentText(req.System); t != "" {
		in["system"] = t
	}
	for _, m := range req.Messages {
		switch m.Role {
		case "system", "developer":
			if t := contentText(m.Content); t != "" {
				in["system"] = t
			}
		case "user":
			in["prompt"] = contentText(m.Content)
		}
	}
	if len(in) == 0 {
		return nil
	}
	return in
}

// contentText reads message content given as text or as a list of text parts.
func contentText(raw json.RawMessage) string {
	if helicone.IsJSONNull(raw) {
		return ""
	}
	var s string
	if jsonv2.Unmarshal(raw, &s, jsonV1) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if jsonv2.Unmarshal(raw, &parts, jsonV1) != nil {
		return ""
	}
	var out string
	for _, p := range parts {
		out += p.Text
	}
	return out
}
