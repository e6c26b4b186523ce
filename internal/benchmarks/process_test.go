package benchmarks_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// processSizes are the sample counts of BenchmarkProcess.
var processSizes = []int{10_000, 100_000, 1_000_000}

const (
	// dryRunTarget is the end-to-end dry-run rate the project aims at, in samples per
	// second (fraction-of-target reports the rate over it).
	dryRunTarget = 50_000
	// bareWorkers is the concurrency of the bare POST loop: the harness's default number of
	// score writers of an unpaced run, as the submit benchmark's is.
	bareWorkers = 8
)

// filterExpr is the request query of the filter benchmarks: every request of the demo
// organization, which with --demo-samples holds the demo set's samples and nothing else.
const filterExpr = "created>=-30d"

// peakRSS100k holds the peak RSS (MiB) of each source's run at 100,000 samples, measured
// earlier in the same BenchmarkProcess, for the ratio reported at 1,000,000.
var peakRSS100k = map[string]float64{}

// BenchmarkProcess runs heval as users do: `heval serve --demo-samples N` as one child process
// (the emulator holding one support-bot experiment, or Helicone Dataset and tagged runs, of N
// samples) and `heval run` as another, measured from outside: wall time, the CPU time and
// peak RSS the kernel accounts to the `heval run` child. Every run judges the N samples with
// the six default checks and writes scores.parquet, samples.parquet, junit.xml and
// report.html; each op is one whole run of each kind.
//
//   - samples=N/dry-run: --jsonl over the samples from a local file, then --experiment over
//     the same samples against a legacy-profile serve, in the same op; jsonl-ratio is the
//     experiment's rate over the file's.
//   - samples=100000/submit: the experiment submitted to the serve (unpaced, writes applied
//     at once), next to a dry run of it (for cpu-ratio-to-dry-run) and a bare loopback POST
//     loop against the same serve (8 workers, kept-alive connections, one POST of the six
//     scores per request id; for ratio-to-bare, and for bare-cpu-us/post, the loop's own CPU,
//     and cpu-ratio-floor, the cpu-ratio-to-dry-run that CPU alone would make).
//   - samples=N/dataset-dry-run and filter-dry-run: --dataset (the Helicone Dataset and its
//     tagged runs) and --filter (a request query matching every request) against a
//     current-profile serve.
//
// At 1,000,000 samples each dry run also reports its peak RSS over the peak at 100,000 of the
// same source, measured earlier in the same benchmark (RSS-ratio-to-100k). The environment
// variable HEVAL_BENCH_PROFILES=DIR makes every `heval run` child write a CPU profile there
// (HEVAL_CPUPROFILE).
func BenchmarkProcess(b *testing.B) {
	bin := b.TempDir()
	exe, err := buildHeval(bin)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range processSizes {
		b.Run(fmt.Sprintf("samples=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			set, err := writeDemoSet(dir, n)
			if err != nil {
				b.Fatal(err)
			}
			pb := &processBench{exe: exe, dir: dir, set: set, n: n}
			// Each server is started when the first benchmark that needs it runs, the legacy
			// one stopped before the current one starts.
			var legacy, current *serveProc
			serve := func(b *testing.B, profile string) *serveProc {
				b.Helper()
				srv := &legacy
				if profile == "current" {
					srv = &current
					if legacy != nil {
						legacy.Stop()
						legacy = nil
					}
				}
				if *srv == nil {
					if *srv, err = startServe(exe, profile, n); err != nil {
						b.Fatal(err)
					}
				}
				return *srv
			}
			defer func() {
				for _, s := range []*serveProc{legacy, current} {
					if s != nil {
						s.Stop()
					}
				}
			}()
			b.Run("dry-run", func(b *testing.B) { pb.dryRun(b, serve(b, "legacy")) })
			if n == 100_000 {
				b.Run("submit", func(b *testing.B) { pb.submit(b, serve(b, "legacy")) })
			}
			b.Run("dataset-dry-run", func(b *testing.B) {
				pb.source(b, serve(b, "current"), "dataset", "--dataset", demo.SupportDatasetName, "--dry-run")
			})
			b.Run("filter-dry-run", func(b *testing.B) {
				pb.source(b, serve(b, "current"), "filter", "--filter", filterExpr, "--dry-run")
			})
		})
	}
}

// processBench is one size of BenchmarkProcess.
type processBench struct {
	exe, dir string
	set      *demoSet
	n        int
	runs     int
}

// judge runs `heval run ARGS` against srv (nil: no server) and checks that it judged every
// sample with the six checks. tag names the CPU profile written under HEVAL_BENCH_PROFILES.
func (p *processBench) judge(srv *serveProc, tag string, args ...string) (childRun, error) {
	var env []string
	if srv != nil {
		env = srv.Env()
	}
	if d := os.Getenv("HEVAL_BENCH_PROFILES"); d != "" {
		p.runs++
		file := strings.NewReplacer("/", "_", "=", "").Replace(tag) + fmt.Sprintf("-%d.prof", p.runs)
		env = append(env, "HEVAL_CPUPROFILE="+filepath.Join(d, file))
	}
	r, err := runHeval(p.exe, childEnv(env...), p.dir, args...)
	if err != nil {
		return r, err
	}
	if r.samples != p.n || r.records != p.n*len(seedChecks) {
		return r, fmt.Errorf("heval run %s: %d samples, %d records; want %d and %d", strings.Join(args, " "), r.samples, r.records, p.n, p.n*len(seedChecks))
	}
	return r, nil
}

// submitted checks that a submitting run made one acknowledged score write per sample.
func (p *processBench) submitted(r childRun) error {
	if r.posts != p.n || r.acknowledged != p.n || r.failed != 0 {
		return fmt.Errorf("delivery: %d score writes, %d acknowledged, %d failed; want one acknowledged write per sample (%d)", r.posts, r.acknowledged, r.failed, p.n)
	}
	return nil
}

// run is judge for a benchmark, which it fails on an error.
func (p *processBench) run(b *testing.B, srv *serveProc, name string, args ...string) childRun {
	b.Helper()
	r, err := p.judge(srv, b.Name()+"-"+name, args...)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func (p *processBench) dryRun(b *testing.B, srv *serveProc) {
	var rate, rss, cpu, jrate, jrss, jcpu, ratio float64
	var failed error
	ops := 0 // b.N is not set when the loop is left early
	for b.Loop() {
		ops++
		j := p.run(b, nil, "jsonl", "--jsonl", p.set.jsonl, "--dry-run")
		jrate += j.Rate()
		jrss += j.RSSMiB()
		jcpu += j.CPUPerSample()
		// A failing experiment run still leaves the file's figures in the log.
		e, err := p.judge(srv, b.Name()+"-experiment", "--experiment", demo.SupportExperimentID, "--dry-run")
		if err != nil {
			failed = err
			k := float64(ops)
			b.Logf("jsonl: %.0f samples/s, peak RSS %.1f MiB, %.1f µs CPU/sample", jrate/k, jrss/k, jcpu/k)
			break
		}
		rate += e.Rate()
		rss += e.RSSMiB()
		cpu += e.CPUPerSample()
		ratio += e.Rate() / j.Rate()
	}
	k := float64(max(ops, 1))
	b.ReportMetric(jrate/k, "jsonl-samples/s")
	b.ReportMetric(jrss/k, "jsonl-peak-RSS-MiB")
	b.ReportMetric(jcpu/k, "jsonl-cpu-us/sample")
	b.ReportMetric(srv.PeakRSSMiB(), "serve-peak-RSS-MiB")
	p.flat(b, "jsonl", jrss/k, "jsonl-RSS-ratio-to-100k")
	if failed != nil {
		b.Fatal(failed)
	}
	b.ReportMetric(rate/k, "samples/s")
	b.ReportMetric(rate/k/dryRunTarget, "fraction-of-target")
	b.ReportMetric(rss/k, "peak-RSS-MiB")
	b.ReportMetric(cpu/k, "cpu-us/sample")
	b.ReportMetric(ratio/k, "jsonl-ratio")
	p.flat(b, "experiment", rss/k, "RSS-ratio-to-100k")
}

// source measures a dry run of one more source against srv.
func (p *processBench) source(b *testing.B, srv *serveProc, name string, args ...string) {
	var rate, rss, cpu float64
	for b.Loop() {
		r := p.run(b, srv, name, args...)
		rate += r.Rate()
		rss += r.RSSMiB()
		cpu += r.CPUPerSample()
	}
	k := float64(b.N)
	b.ReportMetric(rate/k, "samples/s")
	b.ReportMetric(rss/k, "peak-RSS-MiB")
	b.ReportMetric(cpu/k, "cpu-us/sample")
	b.ReportMetric(srv.PeakRSSMiB(), "serve-peak-RSS-MiB")
	p.flat(b, name, rss/k, "RSS-ratio-to-100k")
}

// flat records the peak RSS of source at 100,000 samples and, at 1,000,000, reports the
// peak over it.
func (p *processBench) flat(b *testing.B, source string, rss float64, unit string) {
	switch p.n {
	case 100_000:
		peakRSS100k[source] = rss
	case 1_000_000:
		if base := peakRSS100k[source]; base > 0 {
			b.ReportMetric(rss/base, unit)
		}
	}
}

func (p *processBench) submit(b *testing.B, srv *serveProc) {
	hc := loopbackClient(bareWorkers)
	defer hc.CloseIdleConnections()
	var rate, cpu, dryCPU, cpuRatio, bare, bareCPU, ratio, rss float64
	for b.Loop() {
		d := p.run(b, srv, "experiment", "--experiment", demo.SupportExperimentID, "--dry-run")
		// The bare loop runs in this process, which does nothing else meanwhile: its CPU time
		// is what net/http alone spends on a score write.
		cpuBefore := selfCPU()
		bareTime, err := barePOSTs(context.Background(), hc, srv.baseURL, srv.apiKey, p.set.ids, bareWorkers)
		if err != nil {
			b.Fatal(err)
		}
		bareCPU += float64((selfCPU() - cpuBefore).Microseconds()) / float64(len(p.set.ids))
		s := p.run(b, srv, "submit", "--experiment", demo.SupportExperimentID)
		if err := p.submitted(s); err != nil {
			b.Fatal(err)
		}
		br := float64(len(p.set.ids)) / bareTime.Seconds()
		rate += s.Rate()
		cpu += s.CPUPerSample()
		dryCPU += d.CPUPerSample()
		cpuRatio += s.CPUPerSample() / d.CPUPerSample()
		bare += br
		ratio += s.Rate() / br
		rss += s.RSSMiB()
	}
	k := float64(b.N)
	b.ReportMetric(rate/k, "samples/s")
	b.ReportMetric(cpu/k, "cpu-us/sample")
	b.ReportMetric(dryCPU/k, "dry-run-cpu-us/sample")
	b.ReportMetric(cpuRatio/k, "cpu-ratio-to-dry-run")
	b.ReportMetric(bare/k, "bare-posts/s")
	b.ReportMetric(bareCPU/k, "bare-cpu-us/post")
	// The least cpu-ratio-to-dry-run a run can reach that makes one POST per sample through
	// net/http: the dry run's CPU plus the bare loop's, over the dry run's.
	b.ReportMetric((dryCPU+bareCPU)/dryCPU, "cpu-ratio-floor")
	b.ReportMetric(ratio/k, "ratio-to-bare")
	b.ReportMetric(rss/k, "peak-RSS-MiB")
}
