package harness_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/heval-dev/heval"

	"golang.org/x/sync/errgroup"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
)

var sink int64

// BenchmarkRunnerOverhead measures the runner's cost per evaluation with six trivial
// evaluators (dry run, no handler), against a bare errgroup task per evaluation measured in
// the same run. One op is one evaluation.
func BenchmarkRunnerOverhead(b *testing.B) {
	const evaluators = 6
	samples := makeSamples(max(b.N/evaluators, 1))
	var evs []*harness.EvaluatorSpec
	for i := range evaluators {
		evs = append(evs, harness.Evaluator(fmt.Sprintf("e%d", i), func(_ context.Context, s heval.Sample) (heval.Score, error) {
			return heval.Int(int64(s.RowIndex + i)), nil
		}))
	}
	evals := len(samples) * evaluators
	concurrency := max(4*runtime.GOMAXPROCS(0), 16)

	// The baseline: one bare errgroup task per evaluation.
	start := time.Now()
	var g errgroup.Group
	g.SetLimit(concurrency)
	for i := range evals {
		g.Go(func() error {
			s := samples[i/evaluators]
			if s.RowIndex < 0 {
				sink++
			}
			return nil
		})
	}
	g.Wait()
	bare := time.Since(start)

	b.ReportAllocs()
	b.ResetTimer()
	start = time.Now()
	_, err := harness.Run(context.Background(), harness.Config{
		Source: datasets.Slice(samples...), DryRun: true, Evaluators: evs, Concurrency: concurrency,
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	perEval := float64(elapsed.Nanoseconds()) / float64(evals)
	bareTask := float64(bare.Nanoseconds()) / float64(evals)
	b.ReportMetric(perEval, "ns/eval")
	b.ReportMetric(bareTask, "bare-ns/task")
	b.ReportMetric(perEval/bareTask, "ratio-to-bare")
	b.ReportMetric(float64(evals)/elapsed.Seconds(), "evals/s")
}

// BenchmarkLatencyBound runs evaluators that each wait 100 ms (an LLM judge's order of
// magnitude) and reports the achieved
// throughput as a fraction of the ideal concurrency ÷ latency.
func BenchmarkLatencyBound(b *testing.B) {
	const latency = 100 * time.Millisecond
	const concurrency = 64
	for b.Loop() {
		samples := makeSamples(640)
		evs := []*harness.EvaluatorSpec{
			harness.Evaluator("judge", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
				time.Sleep(latency)
				return heval.Int(1), nil
			}),
			harness.Evaluator("judge2", func(ctx context.Context, s heval.Sample) (heval.Score, error) {
				time.Sleep(latency)
				return heval.Int(1), nil
			}),
		}
		start := time.Now()
		_, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(samples...), DryRun: true, Evaluators: evs, Concurrency: concurrency,
		})
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		achieved := float64(len(samples)*len(evs)) / elapsed.Seconds()
		ideal := concurrency / latency.Seconds()
		b.ReportMetric(achieved, "evals/s")
		b.ReportMetric(achieved/ideal, "fraction-of-ideal")
	}
}

// BenchmarkSubmissionRate sends score writes to the emulator with a rate limit set and the
// same budget configured, and reports the achieved rate as a fraction of the budget and the
// number of 429 answers.
func BenchmarkSubmissionRate(b *testing.B) {
	const window = 2 * time.Second
	const budget = 300
	const windows = 3
	for b.Loop() {
		srv := heliconetest.NewServer(heliconetest.WithRateLimit(window, budget))
		client, err := helicone.NewClient(helicone.WithAPIKey(srv.APIKey), helicone.WithBaseURL(srv.URL), helicone.WithRetry(helicone.NoRetry()))
		if err != nil {
			b.Fatal(err)
		}
		n := budget * windows
		start := time.Now()
		res, err := harness.Run(context.Background(), harness.Config{
			Source: datasets.Slice(makeSamples(n)...), Env: datasets.Env{Client: client},
			Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
			Rate:       helicone.Rate{Requests: budget, Window: window},
		})
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		tooMany := 0
		for _, c := range srv.Log() {
			if c.Status == 429 {
				tooMany++
			}
		}
		srv.Close()
		achieved := float64(res.Summary.Delivery.Posts) / elapsed.Seconds()
		b.ReportMetric(achieved, "posts/s")
		b.ReportMetric(achieved/(float64(budget)/window.Seconds()), "fraction-of-budget")
		b.ReportMetric(float64(tooMany), "429s")
	}
}

// BenchmarkSubmissionLatency sends score writes that each take 100 ms to answer (as a
// distant server's do) under a budget of 200 a second, with 8 writers and with the default
// number for the budget, and reports the achieved rate as a fraction of the budget.
func BenchmarkSubmissionLatency(b *testing.B) {
	const budget = 200
	for _, writers := range []int{8, 0} {
		name := fmt.Sprintf("writers=%d", writers)
		if writers == 0 {
			name = "writers=default"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				srv := heliconetest.NewServer(heliconetest.WithRateLimit(time.Second, budget), heliconetest.WithWriteDelay(0))
				srv.Inject(heliconetest.RouteAddScores, heliconetest.Delay(100*time.Millisecond).Sometimes(1, 1))
				client, err := helicone.NewClient(helicone.WithAPIKey(srv.APIKey), helicone.WithBaseURL(srv.URL), helicone.WithRetry(helicone.NoRetry()))
				if err != nil {
					b.Fatal(err)
				}
				n := 2 * budget
				start := time.Now()
				res, err := harness.Run(context.Background(), harness.Config{
					Source: datasets.Slice(makeSamples(n)...), Env: datasets.Env{Client: client},
					Evaluators: []*harness.EvaluatorSpec{harness.Evaluator("one", constant(1))},
					Rate:       helicone.Rate{Requests: budget, Window: time.Second}, Submitters: writers,
				})
				elapsed := time.Since(start)
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				achieved := float64(res.Summary.Delivery.Posts) / elapsed.Seconds()
				b.ReportMetric(achieved, "posts/s")
				b.ReportMetric(achieved/budget, "fraction-of-budget")
			}
		})
	}
}
