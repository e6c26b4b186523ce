package datasets

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/helicone"
)

// RequestsOption configures a request-query source.
type RequestsOption func(*requestsConfig)

type requestsConfig struct {
	pageSize   int
	hypothesis string
}

// PageSize sets how many requests each query asks for (1–1000, default 1000).
func PageSize(n int) RequestsOption {
	return func(c *requestsConfig) { c.pageSize = n }
}

// HypothesisProperty labels each sample with the value of a Helicone property, so that
// the arms of an A/B test can be compared like hypotheses: with
// HypothesisProperty("Variant"), a request with Helicone-Property-Variant: B has the
// Hypothesis label "B".
func HypothesisProperty(name string) RequestsOption {
	return func(c *requestsConfig) { c.hypothesis = name }
}

// Requests returns a source of logged requests chosen by a request-query filter (POST
// /v1/request/query-clickhouse, paged with limit and offset, newest first), for example
// every request with property Variant=B of the last day. Each request is one sample of
// kind [KindRequest] with its properties, model, token counts, latency and creation time;
// when the request body is a chat completion request, Inputs["prompt"] holds its last user
// message and Inputs["system"] its system message.
func Requests(f helicone.Filter, opts ...RequestsOption) Source {
	c := requestsConfig{pageSize: 1000}
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
	b, err := json.Marshal(s.filter)
	if err != nil {
		return "requests"
	}
	return "requests matching " + string(b)
}

func (s *requestsSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		if env.Client == nil {
			yield(heval.Sample{}, ErrNoClient)
			return
		}
		if s.cfg.pageSize < 1 || s.cfg.pageSize > 1000 {
			yield(heval.Sample{}, fmt.Errorf("datasets: page size %d is out of range: the request query takes 1 to 1000", s.cfg.pageSize))
			return
		}
		for r, err := range env.Client.Requests(ctx, helicone.RequestQuery{Filter: s.filter, Limit: s.cfg.pageSize}) {
			if err != nil {
				yield(heval.Sample{}, fmt.Errorf("datasets: reading %s: %w", s, err))
				return
			}
			if !yield(RequestSample(r, s.cfg.hypothesis), nil) {
				return
			}
		}
	}
}

// RequestSample turns one logged request into a sample. When hypothesisProperty is not
// empty, the sample's Hypothesis label is the value of that property.
func RequestSample(r helicone.Request, hypothesisProperty string) heval.Sample {
	s := heval.Sample{
		Kind:             heval.KindRequest,
		RequestID:        r.RequestID,
		Model:            r.Model,
		Provider:         r.Provider,
		RowIndex:         -1,
		Properties:       r.Properties,
		Body:             r.ResponseBody,
		PromptTokens:     int64(r.PromptTokens),
		CompletionTokens: int64(r.CompletionTokens),
		Latency:          time.Duration(r.DelayMs) * time.Millisecond,
		CreatedAt:        helicone.ParseTime(r.RequestCreatedAt),
		Inputs:           chatInputs(r.RequestBody),
	}
	if hypothesisProperty != "" {
		s.Hypothesis = r.Properties[hypothesisProperty]
	}
	return Prepare(s)
}

// chatInputs reads the system and last user message of a chat completion request body.
func chatInputs(body json.RawMessage) map[string]string {
	if helicone.IsJSONNull(body) {
		return nil
	}
	var req struct {
		System   json.RawMessage `json:"system"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil || len(req.Messages) == 0 {
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
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var out string
	for _, p := range parts {
		out += p.Text
	}
	return out
}
