package evals

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/heval-dev/heval"
)

// ErrNoMetadata is returned by the latency, token and cost evaluators when the sample does
// not carry the measurement they need (a zero latency, or zero prompt and completion
// tokens, means "not known").
var ErrNoMetadata = errors.New("the sample does not carry this measurement")

// MaxLatency returns an evaluator that reports whether the judged request took at most d.
// A sample without a latency is an error wrapping [ErrNoMetadata].
//
// Score: one bool under the evaluator's name; the reason gives the latency.
func MaxLatency(d time.Duration) heval.Func {
	return func(_ context.Context, s heval.Sample) (heval.Score, error) {
		if s.Latency <= 0 {
			return heval.Score{}, fmt.Errorf("%w: latency%s", ErrNoMetadata, requestSuffix(s))
		}
		return heval.Bool(s.Latency <= d).Because(fmt.Sprintf("latency %s, limit %s", s.Latency, d)), nil
	}
}

// LatencyMillis is the latency of the judged request in whole milliseconds (rounded
// half up). A sample without a latency is an error wrapping [ErrNoMetadata].
//
// Score: one int under the evaluator's name, range 1 and up.
func LatencyMillis(_ context.Context, s heval.Sample) (heval.Score, error) {
	if s.Latency <= 0 {
		return heval.Score{}, fmt.Errorf("%w: latency%s", ErrNoMetadata, requestSuffix(s))
	}
	return heval.Int(max(1, s.Latency.Round(time.Millisecond).Milliseconds())), nil
}

func totalTokens(s heval.Sample) (int64, error) {
	if s.PromptTokens <= 0 && s.CompletionTokens <= 0 {
		return 0, fmt.Errorf("%w: token counts%s", ErrNoMetadata, requestSuffix(s))
	}
	return max(s.PromptTokens, 0) + max(s.CompletionTokens, 0), nil
}

// MaxTokens returns an evaluator that reports whether the judged request used at most n
// tokens (prompt plus completion). A sample without token counts is an error wrapping
// [ErrNoMetadata].
//
// Score: one bool under the evaluator's name; the reason gives the counts.
func MaxTokens(n int64) heval.Func {
	return func(_ context.Context, s heval.Sample) (heval.Score, error) {
		t, err := totalTokens(s)
		if err != nil {
			return heval.Score{}, err
		}
		return heval.Bool(t <= n).Because(fmt.Sprintf("%d tokens (%d prompt + %d completion), limit %d", t, s.PromptTokens, s.CompletionTokens, n)), nil
	}
}

// TotalTokens is the number of tokens of the judged request (prompt plus completion).
// A sample without token counts is an error wrapping [ErrNoMetadata].
//
// Score: one int under the evaluator's name, range 1 and up.
func TotalTokens(_ context.Context, s heval.Sample) (heval.Score, error) {
	t, err := totalTokens(s)
	if err != nil {
		return heval.Score{}, err
	}
	return heval.Int(t), nil
}

// Price is what a model costs, in US dollars per million tokens.
type Price struct {
	Prompt, Completion float64
}

// Prices maps a model name to its price. A model is found by its exact name, else by the
// longest name in the table that it starts with ("gpt-4o-mini-2024-07-18" uses
// "gpt-4o-mini"), case-insensitively.
type Prices map[string]Price

// DefaultPrices is a small table of list prices (USD per million tokens) of common models,
// as the providers published them in 2025. Prices change: pass your own table to
// [MaxCost] and [CostMicroUSD] when the figures matter.
var DefaultPrices = Prices{
	"gpt-4o":            {Prompt: 2.50, Completion: 10.00},
	"gpt-4o-mini":       {Prompt: 0.15, Completion: 0.60},
	"gpt-4.1":           {Prompt: 2.00, Completion: 8.00},
	"gpt-4.1-mini":      {Prompt: 0.40, Completion: 1.60},
	"gpt-4.1-nano":      {Prompt: 0.10, Completion: 0.40},
	"gpt-3.5-turbo":     {Prompt: 0.50, Completion: 1.50},
	"o3-mini":           {Prompt: 1.10, Completion: 4.40},
	"claude-3-5-sonnet": {Prompt: 3.00, Completion: 15.00},
	"claude-3-5-haiku":  {Prompt: 0.80, Completion: 4.00},
	"claude-3-haiku":    {Prompt: 0.25, Completion: 1.25},
}

// Lookup returns the price of model (see [Prices]).
func (p Prices) Lookup(model string) (Price, bool) {
	m := strings.ToLower(strings.TrimSpace(model))
	if pr, ok := p[m]; ok {
		return pr, true
	}
	best, found := "", false
	for name := range p {
		n := strings.ToLower(name)
		if strings.HasPrefix(m, n) && len(n) > len(best) {
			best, found = name, true
		}
	}
	if !found {
		return Price{}, false
	}
	return p[best], true
}

// cost returns the cost of s in US dollars.
func (p Prices) cost(s heval.Sample) (float64, error) {
	if _, err := totalTokens(s); err != nil {
		return 0, err
	}
	if s.Model == "" {
		return 0, fmt.Errorf("%w: model%s (needed to price the request)", ErrNoMetadata, requestSuffix(s))
	}
	pr, ok := p.Lookup(s.Model)
	if !ok {
		return 0, fmt.Errorf("evals: no price for model %q%s: add it to the price table (evals.Prices)", s.Model, requestSuffix(s))
	}
	return (float64(max(s.PromptTokens, 0))*pr.Prompt + float64(max(s.CompletionTokens, 0))*pr.Completion) / 1e6, nil
}

// MaxCost returns an evaluator that reports whether the judged request cost at most
// maxUSD US dollars, pricing its prompt and completion tokens with prices (nil means
// [DefaultPrices]) by the sample's model. A sample without token counts or model is an
// error wrapping [ErrNoMetadata]; a model missing from the table is an error.
//
// Score: one bool under the evaluator's name; the reason gives the cost.
func MaxCost(maxUSD float64, prices Prices) heval.Func {
	if prices == nil {
		prices = DefaultPrices
	}
	return func(_ context.Context, s heval.Sample) (heval.Score, error) {
		c, err := prices.cost(s)
		if err != nil {
			return heval.Score{}, err
		}
		return heval.Bool(c <= maxUSD).Because(fmt.Sprintf("cost $%.6f, limit $%.6f", c, maxUSD)), nil
	}
}

// CostMicroUSD returns an evaluator that scores what the judged request cost, in
// millionths of a US dollar rounded half away from zero, priced as in [MaxCost].
//
// Score: one int under the evaluator's name, range 0 and up.
func CostMicroUSD(prices Prices) heval.Func {
	if prices == nil {
		prices = DefaultPrices
	}
	return func(_ context.Context, s heval.Sample) (heval.Score, error) {
		c, err := prices.cost(s)
		if err != nil {
			return heval.Score{}, err
		}
		return heval.Int(int64(math.Round(c * 1e6))), nil
	}
}
