package evals

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/heval-dev/heval"
)

// When returns an evaluator that runs f only on samples for which cond is true; on the
// others it returns [ErrNotApplicable] (recorded as skipped, not failed).
func When(cond func(heval.Sample) bool, f heval.Func) heval.Func {
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		if !cond(s) {
			return heval.Score{}, heval.ErrNotApplicable
		}
		return f(ctx, s)
	}
}

// Not returns an evaluator that negates the boolean score of f, for example
// Not(Refusal). A non-boolean score is an error. The reason of f is kept.
func Not(f heval.Func) heval.Func {
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		sc, err := f(ctx, s)
		if err != nil {
			return heval.Score{}, err
		}
		b, err := boolOfScore(sc)
		if err != nil {
			return heval.Score{}, fmt.Errorf("evals.Not: %w", err)
		}
		return heval.Bool(!b).Because(sc.Reason()), nil
	}
}

// Pick returns an evaluator that keeps only the value under key of the scores of f (an
// empty key picks the unnamed value), as the unnamed value. It turns one key of a
// multi-valued evaluator into an evaluator of its own, for example
// Pick(SeedChecks, "word_count").
func Pick(f heval.Func, key string) heval.Func {
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		sc, err := f(ctx, s)
		if err != nil {
			return heval.Score{}, err
		}
		for _, e := range sc.Entries() {
			if e.Key == key {
				return heval.Any(e.Value).Because(sc.Reason()), nil
			}
		}
		return heval.Score{}, fmt.Errorf("evals.Pick: the score has no key %q (it has %s)", key, keysOf(sc))
	}
}

func keysOf(sc heval.Score) string {
	var ks []string
	for _, e := range sc.Entries() {
		if e.Key == "" {
			ks = append(ks, "an unnamed value")
		} else {
			ks = append(ks, fmt.Sprintf("%q", e.Key))
		}
	}
	if len(ks) == 0 {
		return "no value"
	}
	return strings.Join(ks, ", ")
}

// single returns the one value of sc: its unnamed value, or its only value.
func single(sc heval.Score) (heval.Value, error) {
	es := sc.Entries()
	var pick *heval.Entry
	for i := range es {
		if es[i].Key == "" {
			pick = &es[i]
			break
		}
	}
	if pick == nil {
		if len(es) != 1 {
			return heval.Value{}, fmt.Errorf("the score has %s; choose one with evals.Pick", keysOf(sc))
		}
		pick = &es[0]
	}
	key := pick.Key
	if key == "" {
		key = "value"
	}
	return heval.Normalize(key, pick.Value)
}

func boolOfScore(sc heval.Score) (bool, error) {
	v, err := single(sc)
	if err != nil {
		return false, err
	}
	if v.Type != heval.Boolean {
		return false, fmt.Errorf("the score %d is not a boolean", v.Value)
	}
	return v.Value != 0, nil
}

// Weighted is one part of a [WeightedMean].
type Weighted struct {
	// Name labels the part in the reason; it may be empty.
	Name string
	// F is the evaluator.
	F heval.Func
	// Weight is its weight, zero or more.
	Weight float64
}

// W is shorthand for a [Weighted] part.
func W(name string, f heval.Func, weight float64) Weighted {
	return Weighted{Name: name, F: f, Weight: weight}
}

// WeightedMean returns an evaluator that runs each part in turn and scores the weighted
// mean of their values: booleans count 100 (true) and 0 (false), integers must lie in
// 0–100. The mean is rounded half away from zero. A part that returns
// [ErrNotApplicable] is left out and the weights of the others are renormalised; when
// every part is left out the result is [ErrNotApplicable]. Any other error of a part is
// the error of the mean. A part with several values must be narrowed with [Pick].
//
// It panics, when declared, if there are no parts, a weight is negative, NaN or infinite,
// or all weights are zero.
//
// Score: one int under the evaluator's name, range 0–100; the reason lists each part.
func WeightedMean(parts ...Weighted) heval.Func {
	total := 0.0
	for i, p := range parts {
		if p.F == nil {
			panic(fmt.Sprintf("evals.WeightedMean: part %d has no evaluator", i))
		}
		if p.Weight < 0 || math.IsNaN(p.Weight) || math.IsInf(p.Weight, 0) {
			panic(fmt.Sprintf("evals.WeightedMean: part %d has weight %v; weights must be finite and not negative", i, p.Weight))
		}
		total += p.Weight
	}
	if total == 0 {
		panic("evals.WeightedMean: no parts, or all weights are zero")
	}
	parts = append([]Weighted(nil), parts...)
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		var sum, weights float64
		var why []string
		for i, p := range parts {
			label := p.Name
			if label == "" {
				label = fmt.Sprintf("part %d", i+1)
			}
			sc, err := p.F(ctx, s)
			if errors.Is(err, heval.ErrNotApplicable) {
				why = append(why, label+" n/a")
				continue
			}
			if err != nil {
				return heval.Score{}, fmt.Errorf("evals.WeightedMean: %s: %w", label, err)
			}
			v, err := single(sc)
			if err != nil {
				return heval.Score{}, fmt.Errorf("evals.WeightedMean: %s: %w", label, err)
			}
			x := v.Value
			if v.Type == heval.Boolean {
				x *= 100
			} else if x < 0 || x > 100 {
				return heval.Score{}, fmt.Errorf("evals.WeightedMean: %s scored %d, outside 0–100; scale it with heval.Scale first", label, x)
			}
			sum += float64(x) * p.Weight
			weights += p.Weight
			why = append(why, fmt.Sprintf("%s=%d×%g", label, x, p.Weight))
		}
		if weights == 0 {
			return heval.Score{}, fmt.Errorf("%w: every part of the weighted mean was not applicable", heval.ErrNotApplicable)
		}
		return heval.Int(heval.Scale(sum/weights, 0, 100)).Because(strings.Join(why, ", ")), nil
	}
}

// AllOf returns an evaluator that is true when every f scores true. It stops at the first
// false (so later, possibly costly, evaluators do not run) and gives that evaluator's
// position and reason. Parts returning [ErrNotApplicable] are left out; when all are, the
// result is [ErrNotApplicable]. A non-boolean score is an error. With no parts it is true.
//
// Score: one bool under the evaluator's name.
func AllOf(fs ...heval.Func) heval.Func { return boolCombine("AllOf", fs, false) }

// AnyOf returns an evaluator that is true when at least one f scores true. It stops at the
// first true. Parts returning [ErrNotApplicable] are left out; when all are, the result is
// [ErrNotApplicable]. A non-boolean score is an error. With no parts it is false.
//
// Score: one bool under the evaluator's name.
func AnyOf(fs ...heval.Func) heval.Func { return boolCombine("AnyOf", fs, true) }

// boolCombine stops at the first part scoring stopAt and returns stopAt; else !stopAt.
func boolCombine(name string, fs []heval.Func, stopAt bool) heval.Func {
	fs = append([]heval.Func(nil), fs...)
	return func(ctx context.Context, s heval.Sample) (heval.Score, error) {
		applicable := 0
		for i, f := range fs {
			sc, err := f(ctx, s)
			if errors.Is(err, heval.ErrNotApplicable) {
				continue
			}
			if err != nil {
				return heval.Score{}, fmt.Errorf("evals.%s: part %d: %w", name, i+1, err)
			}
			b, err := boolOfScore(sc)
			if err != nil {
				return heval.Score{}, fmt.Errorf("evals.%s: part %d: %w", name, i+1, err)
			}
			applicable++
			if b == stopAt {
				why := fmt.Sprintf("part %d scored %t", i+1, b)
				if r := sc.Reason(); r != "" {
					why += ": " + r
				}
				return heval.Bool(stopAt).Because(why), nil
			}
		}
		if applicable == 0 && len(fs) > 0 {
			return heval.Score{}, fmt.Errorf("%w: every part of %s was not applicable", heval.ErrNotApplicable, name)
		}
		return heval.Bool(!stopAt), nil
	}
}
