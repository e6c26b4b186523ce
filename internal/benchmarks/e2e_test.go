package benchmarks_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

// endToEndSizes are the sample counts of the end-to-end benchmark.
var endToEndSizes = []int{10_000, 100_000}

// Targets of the performance issue.
const (
	// dryRunTarget is the end-to-end rate without submission, in samples per second.
	dryRunTarget = 50_000
	// submitTarget is the end-to-end rate with submission as a fraction of the bare
	// loopback POST rate (one POST per request id).
	submitTarget = 0.5
	// bareWorkers is the concurrency of the bare POST loop: the harness's default number of
	// score writers.
	bareWorkers = 8
)

// BenchmarkEndToEnd runs the six seed checks over the demo-shaped experiment scaled to
// 10,000 and 100,000 samples, read from the in-process emulator, with Parquet (to a temp
// file) and JUnit (to a byte counter) written: once as a dry run and once submitting every
// sample's scores to the emulator (no rate limit). The submitting run is measured side by
// side with a bare net/http POST loop to the same emulator, one POST per request id, and
// reports its rate as a fraction of the bare rate; ratio-to-bare-eval+post compares it with
// the bare evaluators and the bare POST loop run one after the other, the least time the
// same work takes on the same cores. Each op is one whole run.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range endToEndSizes {
		b.Run(fmt.Sprintf("samples=%d", n), func(b *testing.B) {
			env, err := newDemoEnv(n, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer env.Close()
			evs, err := sixChecks()
			if err != nil {
				b.Fatal(err)
			}
			b.Run("dry-run", func(b *testing.B) {
				var rate, bare, cpu, peak, growth float64
				for b.Loop() {
					b.StopTimer()
					samples, err := datasets.Collect(context.Background(), datasets.Experiment(env.expID), datasets.Env{Client: env.client})
					if err != nil {
						b.Fatal(err)
					}
					bareTime, err := bareEvaluate(context.Background(), samples, evs)
					if err != nil {
						b.Fatal(err)
					}
					samples = nil
					b.StartTimer()
					cpu0 := cpuTime()
					r := runEndToEnd(b, env, env.client, evs, true)
					cpu += float64((cpuTime() - cpu0).Microseconds()) / float64(env.samples)
					rate += float64(env.samples) / r.elapsed.Seconds()
					bare += float64(env.samples) / bareTime.Seconds()
					peak += r.mem.PeakMB()
					growth += r.mem.GrowthMB()
				}
				k := float64(b.N)
				b.ReportMetric(rate/k, "samples/s")
				b.ReportMetric(rate/k/dryRunTarget, "fraction-of-target")
				b.ReportMetric(bare/k, "bare-eval-samples/s")
				b.ReportMetric(rate/bare, "ratio-to-bare-eval")
				b.ReportMetric(cpu/k, "cpu-us/sample")
				b.ReportMetric(peak/k, "peak-heap-MB")
				b.ReportMetric(growth/k, "heap-growth-MB")
			})
			b.Run("submit", func(b *testing.B) {
				hc := loopbackClient(bareWorkers)
				defer hc.CloseIdleConnections()
				var rate, bare, ratio, sumRatio, cpu, peak, growth float64
				for b.Loop() {
					b.StopTimer()
					if err := env.srv.Reset(); err != nil {
						b.Fatal(err)
					}
					bareTime, err := barePOSTs(context.Background(), hc, env.srv.URL, env.srv.APIKey, env.ids, bareWorkers)
					if err != nil {
						b.Fatal(err)
					}
					samples, err := datasets.Collect(context.Background(), datasets.Experiment(env.expID), datasets.Env{Client: env.client})
					if err != nil {
						b.Fatal(err)
					}
					evalTime, err := bareEvaluate(context.Background(), samples, evs)
					if err != nil {
						b.Fatal(err)
					}
					samples = nil
					if err := env.srv.Reset(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					cpu0 := cpuTime()
					r := runEndToEnd(b, env, env.client, evs, false)
					cpu += float64((cpuTime() - cpu0).Microseconds()) / float64(env.samples)
					d := r.res.Summary.Delivery
					if d.Posts != env.samples || d.Acknowledged != env.samples {
						b.Fatalf("delivery: %d posts, %d acknowledged; want one per sample (%d)", d.Posts, d.Acknowledged, env.samples)
					}
					if got := len(env.srv.AllScores()); got != env.samples {
						b.Fatalf("the emulator stored scores for %d requests; want %d", got, env.samples)
					}
					rs := float64(env.samples) / r.elapsed.Seconds()
					br := float64(len(env.ids)) / bareTime.Seconds()
					rate += rs
					bare += br
					ratio += rs / br
					// The bare work of the run: evaluating and posting, one after the other.
					sumRatio += rs / (float64(env.samples) / (bareTime + evalTime).Seconds())
					peak += r.mem.PeakMB()
					growth += r.mem.GrowthMB()
				}
				k := float64(b.N)
				b.ReportMetric(rate/k, "samples/s")
				b.ReportMetric(bare/k, "bare-posts/s")
				b.ReportMetric(ratio/k, "ratio-to-bare")
				b.ReportMetric(ratio/k/submitTarget, "fraction-of-target")
				b.ReportMetric(sumRatio/k, "ratio-to-bare-eval+post")
				b.ReportMetric(cpu/k, "cpu-us/sample")
				b.ReportMetric(peak/k, "peak-heap-MB")
				b.ReportMetric(growth/k, "heap-growth-MB")
			})
		})
	}
}

// runEndToEnd runs the experiment of env once and checks that every sample was judged
// by every evaluator and written to both reports.
func runEndToEnd(b *testing.B, env *demoEnv, client *helicone.Client, evs []*harness.EvaluatorSpec, dryRun bool) runResult {
	b.Helper()
	r, err := measuredRun(context.Background(), runConfig{
		source:     datasets.Experiment(env.expID),
		env:        datasets.Env{Client: client},
		evaluators: evs,
		dryRun:     dryRun,
		dir:        b.TempDir(),
	})
	if err != nil {
		b.Fatal(err)
	}
	if got := r.res.Summary.Samples; got != env.samples {
		b.Fatalf("judged %d samples; want %d", got, env.samples)
	}
	if r.parquetRows < int64(env.samples*len(evs)) || r.junitBytes == 0 {
		b.Fatalf("reports: %d Parquet rows, %d JUnit bytes; want at least %d rows and some XML", r.parquetRows, r.junitBytes, env.samples*len(evs))
	}
	return r
}
