package datasets

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/heval-dev/heval"
)

// Concat returns a source of the samples of every source in turn.
func Concat(sources ...Source) Source { return concatSource(sources) }

type concatSource []Source

func (c concatSource) String() string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = s.String()
	}
	return strings.Join(parts, " + ")
}

func (c concatSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		for _, src := range c {
			for s, err := range src.Samples(ctx, env) {
				if !yield(s, err) || err != nil {
					return
				}
			}
		}
	}
}

// Filter returns a source of the samples of src for which keep returns true.
func Filter(src Source, keep func(heval.Sample) bool) Source {
	return &filterSource{src: src, keep: keep}
}

type filterSource struct {
	src  Source
	keep func(heval.Sample) bool
}

func (f *filterSource) String() string { return f.src.String() + " (filtered)" }

func (f *filterSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		for s, err := range f.src.Samples(ctx, env) {
			if err != nil {
				yield(s, err)
				return
			}
			if f.keep(s) && !yield(s, nil) {
				return
			}
		}
	}
}

// Limit returns a source of at most the first n samples of src; it stops reading src
// after them.
func Limit(src Source, n int) Source { return &limitSource{src: src, n: n} }

type limitSource struct {
	src Source
	n   int
}

func (l *limitSource) String() string { return fmt.Sprintf("%s (first %d)", l.src, l.n) }

func (l *limitSource) Samples(ctx context.Context, env Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		if l.n <= 0 {
			return
		}
		i := 0
		for s, err := range l.src.Samples(ctx, env) {
			if !yield(s, err) || err != nil {
				return
			}
			if i++; i >= l.n {
				return
			}
		}
	}
}

// Slice returns an in-memory source of the given samples (returned cached), for tests and
// for samples built by hand.
func Slice(samples ...heval.Sample) Source { return sliceSource(samples) }

type sliceSource []heval.Sample

func (s sliceSource) String() string { return fmt.Sprintf("%d samples in memory", len(s)) }

func (s sliceSource) Samples(ctx context.Context, _ Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		for _, smp := range s {
			if err := ctx.Err(); err != nil {
				yield(heval.Sample{}, err)
				return
			}
			if !yield(Prepare(smp), nil) {
				return
			}
		}
	}
}

// Collect reads every sample of src, stopping at the first error.
func Collect(ctx context.Context, src Source, env Env) ([]heval.Sample, error) {
	var out []heval.Sample
	for s, err := range src.Samples(ctx, env) {
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}
