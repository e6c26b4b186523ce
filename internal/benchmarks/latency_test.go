package benchmarks_test

import (
	"testing"
	"time"

	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

const (
	// latencySamples is the size of BenchmarkLatency's demo set.
	latencySamples = 10_000
	// benchLatency is the round trip BenchmarkLatency's serve adds to every request: a CI
	// runner's to hosted Helicone and its storage, give or take.
	benchLatency = 50 * time.Millisecond
)

// BenchmarkLatency runs the sources of today's Helicone against a current-profile `heval
// serve --demo-samples 10000 --latency 50ms`, whose every request (signed body downloads
// included) waits 50 ms before it is handled: with a server that far away, a run's pace is
// set by how many requests it keeps in flight, not by CPU. Each op is one dry run;
// round-trips is its wall time over the latency, the number of 50 ms waits the run took one
// after another (a run that made its 2,500 body downloads and 100-odd queries one at a time
// would take some 2,600).
//
//   - dataset-dry-run: --dataset, the Helicone Dataset's 2,500 rows (a query for each 100
//     rows' origin requests, a download for each row's body) and their 7,500 tagged runs
//     (a query for each 50 rows).
//   - filter-dry-run: --filter, one request query over the 10,000 requests, paged.
func BenchmarkLatency(b *testing.B) {
	exe, err := buildHeval(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	srv, err := startServe(exe, "current", latencySamples, "--latency", benchLatency.String())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	pb := &processBench{exe: exe, dir: dir, n: latencySamples}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"dataset-dry-run", []string{"--dataset", demo.SupportDatasetName, "--dry-run"}},
		{"filter-dry-run", []string{"--filter", filterExpr, "--dry-run"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rate, wall, cpu float64
			for b.Loop() {
				r := pb.run(b, srv, c.name, c.args...)
				rate += r.Rate()
				wall += r.wall.Seconds()
				cpu += r.CPUPerSample()
			}
			k := float64(b.N)
			b.ReportMetric(rate/k, "samples/s")
			b.ReportMetric(wall/k/benchLatency.Seconds(), "round-trips")
			b.ReportMetric(cpu/k, "cpu-us/sample")
		})
	}
}
