package junit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters/junit"
)

// benchEvaluators are the three deterministic checks of the measurements.
var benchEvaluators = []string{"word_count", "has_citations", "exceeds_min_length"}

// benchRecords calls yield with the records of a run of n test cases: n/3 samples of two
// hypotheses, three checks each, with failed checks (one in 10), evaluator errors (one
// in 100) and a reason (one in 20). Samples arrive out of order within windows of 64, as
// concurrent evaluation delivers them. The records are built on the fly, so the
// generator holds no memory that grows with n.
func benchRecords(n int, yield func(heval.Record)) {
	samples := (n + len(benchEvaluators) - 1) / len(benchEvaluators)
	rng := rand.New(rand.NewPCG(17, 17))
	var window [64]int
	cases := 0
	for base := 0; base < samples; base += len(window) {
		w := window[:min(len(window), samples-base)]
		for i := range w {
			w[i] = base + i
		}
		rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
		for _, i := range w {
			hyp := "candidate"
			if i%2 == 1 {
				hyp = "baseline"
			}
			s := &heval.Sample{Kind: heval.KindHypothesisRun, RequestID: fmt.Sprintf("1f0e0000-0000-4000-8000-%012d", i),
				HypothesisID: "h-" + hyp, Hypothesis: hyp, DatasetRowID: "row-" + strconv.Itoa(i/2), RowIndex: i / 2, ExperimentID: "e1"}
			for k, ev := range benchEvaluators {
				if cases == n {
					return
				}
				cases++
				r := heval.Record{Sample: s, Evaluator: ev, Duration: time.Duration(i%5) * 300 * time.Microsecond}
				if k == 0 {
					r.Values = []heval.Value{{Key: ev, Value: int64(i % 400), Type: heval.Number}}
				} else {
					r.Values = []heval.Value{{Key: ev, Value: int64(i % 2), Type: heval.Boolean}}
				}
				switch {
				case i%100 == 7:
					r.Values = nil
					r.Err, r.ErrKind = "evaluator "+ev+": the answer is not valid JSON: unexpected end of input", heval.ErrorKindEvaluator
				case i%10 == 3:
					r.Failures = []string{fmt.Sprintf("%s %d is not <= 250", ev, i%400)}
				}
				if i%20 == 11 {
					r.Reason = "the answer cites <source 1> & \"source 2\""
				}
				yield(r)
			}
		}
	}
}

var benchInfo = heval.RunInfo{RunID: "bench", Started: time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC), Source: "experiment e1",
	Evaluators: benchEvaluators, Version: "v0.1.0", GitCommit: "abc123",
	Declared: []heval.EvaluatorInfo{
		{Name: "word_count", Spec: "word_count", File: "evals/checks_test.go", Line: 10},
		{Name: "has_citations", Spec: "has_citations", File: "evals/checks_test.go", Line: 11},
		{Name: "exceeds_min_length", Spec: "exceeds_min_length", File: "evals/checks_test.go", Line: 12},
	}}

var benchSummary = heval.Summary{Checks: []heval.Check{{Name: "word_count:p90<=250", Key: "word_count", Stat: "p90", Op: "<=", Limit: 250, Observed: 300}}}

// writerRun is what one run of the writer over n cases measured.
type writerRun struct {
	cpu, finish time.Duration
	alloc       uint64
	peak, live  uint64
	size        int64
	sum         string
}

// runWriter writes the JUnit file of n cases to dir through the writer, as reporters/outputs
// does, and measures it: process CPU time, bytes allocated, the peak heap in use and the
// peak live heap (as of the latest collection), both sampled every millisecond, the time
// Finish takes (from the end of the run to the file being
// complete) and the file's size and SHA-256. With bare, the records are generated and
// dropped: the generator's own cost.
func runWriter(b *testing.B, dir string, n int, bare bool) writerRun {
	path := filepath.Join(dir, "junit.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	alloc0 := ms.TotalAlloc
	peak := startHeapPeak()
	cpu0 := processCPU()
	var out writerRun
	if bare {
		var count int
		benchRecords(n, func(r heval.Record) { count += len(r.Evaluator) })
		if count == 0 {
			b.Fatal("no records")
		}
	} else {
		w := junit.NewWriter(f)
		if err := w.Start(benchInfo); err != nil {
			b.Fatal(err)
		}
		benchRecords(n, func(r heval.Record) {
			if err := w.Record(r); err != nil {
				b.Fatal(err)
			}
		})
		t := time.Now()
		if err := w.Finish(benchSummary); err != nil {
			b.Fatal(err)
		}
		out.finish = time.Since(t)
	}
	out.cpu = processCPU() - cpu0
	out.peak, out.live = peak.stop()
	runtime.ReadMemStats(&ms)
	out.alloc = ms.TotalAlloc - alloc0
	if bare {
		return out
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	if out.size, err = io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	out.sum = hex.EncodeToString(h.Sum(nil))[:16]
	return out
}

// BenchmarkWriter writes the JUnit file of a run of 100,000 and of 1,000,000 test cases
// (three checks over samples of two hypotheses) to a file, each op one whole run, next to
// the bare record generator in the same op. It reports, net of the generator, the CPU time
// and the bytes allocated per case, the peak heap in use and the peak live heap of each
// size and their ratios, and the time from Finish to the file being complete. The file's size and the first 16 hex
// digits of its SHA-256 are logged, to compare outputs across implementations.
func BenchmarkWriter(b *testing.B) {
	sizes := []int{100_000, 1_000_000}
	var cpu, alloc, finish, peak, live [2]float64
	for b.Loop() {
		for i, n := range sizes {
			bare := runWriter(b, b.TempDir(), n, true)
			r := runWriter(b, b.TempDir(), n, false)
			cpu[i] += float64(r.cpu-bare.cpu) / float64(n)
			alloc[i] += (float64(r.alloc) - float64(bare.alloc)) / float64(n)
			finish[i] += float64(r.finish.Microseconds()) / 1000
			peak[i] += float64(r.peak) / (1 << 20)
			live[i] += float64(r.live) / (1 << 20)
			b.Logf("%d cases: %d bytes, sha256 %s; generator %.0f ns and %.0f B per case", n, r.size, r.sum,
				float64(bare.cpu)/float64(n), float64(bare.alloc)/float64(n))
		}
	}
	k := float64(b.N)
	for i, n := range sizes {
		tag := strconv.Itoa(n/1000) + "k"
		if n >= 1_000_000 {
			tag = strconv.Itoa(n/1_000_000) + "M"
		}
		b.ReportMetric(cpu[i]/k, "cpu-ns/case-"+tag)
		b.ReportMetric(alloc[i]/k, "B/case-"+tag)
		b.ReportMetric(peak[i]/k, "peak-MB-"+tag)
		b.ReportMetric(live[i]/k, "live-MB-"+tag)
		b.ReportMetric(finish[i]/k, "finish-ms-"+tag)
	}
	b.ReportMetric(peak[1]/peak[0], "peak-ratio-1M/100k")
	b.ReportMetric(live[1]/live[0], "live-ratio-1M/100k")
}

// processCPU is the CPU time (user and system) the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapPeak samples the heap in use (live and unused parts of in-use spans) and the live
// heap as of the latest collection every millisecond, through runtime/metrics (which does
// not stop the world), and keeps their maxima. The heap in use rises and falls with every
// collection cycle; the live heap is what the program holds.
type heapPeak struct {
	peak, live atomic.Uint64
	quit       chan struct{}
	done       chan struct{}
}

func heapInuse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var total uint64
	for _, m := range s {
		if m.Value.Kind() == metrics.KindUint64 {
			total += m.Value.Uint64()
		}
	}
	return total
}

func heapSamples() []metrics.Sample {
	return []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
}

func liveHeap(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func (p *heapPeak) sample(inuse, live []metrics.Sample) {
	if v := heapInuse(inuse); v > p.peak.Load() {
		p.peak.Store(v)
	}
	if v := liveHeap(live); v > p.live.Load() {
		p.live.Store(v)
	}
}

func startHeapPeak() *heapPeak {
	p := &heapPeak{quit: make(chan struct{}), done: make(chan struct{})}
	inuse, live := heapSamples(), []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	p.sample(inuse, live)
	go func() {
		defer close(p.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.sample(inuse, live)
			}
		}
	}()
	return p
}

// stop ends the sampling, taking one last sample, and returns the peak heap in use and the
// peak live heap.
func (p *heapPeak) stop() (peak, live uint64) {
	close(p.quit)
	<-p.done
	p.sample(heapSamples(), []metrics.Sample{{Name: "/gc/heap/live:bytes"}})
	return p.peak.Load(), p.live.Load()
}
