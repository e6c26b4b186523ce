package benchmarks_test

import (
	"context"
	"testing"
	"time"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
)

// Rate-limit benchmark parameters: a short window keeps the run to a few seconds while
// the emulator enforces the budget exactly as it does a 5-minute one.
const (
	rateWindow  = 2 * time.Second
	rateBudget  = 400
	rateWindows = 3
	// rateTarget is the achieved write rate as a fraction of the budget.
	rateTarget = 0.95
)

// BenchmarkRateBudget runs the six seed checks over a demo experiment of three windows'
// worth of samples against the emulator with a rate limit of rateBudget requests per
// rateWindow, with the same budget given to the run. It reports the achieved score-write
// rate as a fraction of the budget (target ≥ 0.95) and the number of 429 answers (target
// 0). The experiment query counts against the budget too, as on the real server.
func BenchmarkRateBudget(b *testing.B) {
	env, err := newDemoEnv(rateBudget*rateWindows, nil, heliconetest.WithRateLimit(rateWindow, rateBudget))
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	evs, err := sixChecks()
	if err != nil {
		b.Fatal(err)
	}
	var fraction, tooMany float64
	for b.Loop() {
		b.StopTimer()
		// Reset clears the stored scores, the call log and the organization's window.
		if err := env.srv.Reset(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := harness.Run(context.Background(), harness.Config{
			Source:     datasets.Experiment(env.expID),
			Env:        datasets.Env{Client: env.client},
			Evaluators: evs,
			Rate:       helicone.Rate{Requests: rateBudget, Window: rateWindow},
		})
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if d := res.Summary.Delivery; d.Acknowledged != env.samples {
			b.Fatalf("%d of %d score writes acknowledged", d.Acknowledged, env.samples)
		}
		n := 0
		for _, c := range env.srv.Log() {
			if c.Status == 429 {
				n++
			}
		}
		calls := float64(env.samples + 1) // the writes and the experiment query
		fraction += calls / elapsed.Seconds() / (rateBudget / rateWindow.Seconds())
		tooMany += float64(n)
	}
	k := float64(b.N)
	b.ReportMetric(fraction/k, "fraction-of-budget")
	b.ReportMetric(fraction/k/rateTarget, "fraction-of-target")
	b.ReportMetric(tooMany/k, "429s")
}
