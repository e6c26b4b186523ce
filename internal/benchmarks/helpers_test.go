package benchmarks_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/parquet"
)

// seedChecks are the six deterministic evaluators of Helicone's scoring guide, as
// `heval run` runs them by default.
var seedChecks = []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting", "exceeds_min_length", "contains_markdown"}

// sixChecks returns the evaluators named by seedChecks.
func sixChecks() ([]*harness.EvaluatorSpec, error) {
	var out []*harness.EvaluatorSpec
	for _, spec := range seedChecks {
		name, fn, err := evals.Lookup(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, harness.Evaluator(name, fn))
	}
	return out, nil
}

// demoOptions sizes a demo set of one support-bot experiment (three hypotheses, so four
// samples per dataset row) holding about n samples.
func demoOptions(n int) demo.Options {
	return demo.Options{Experiments: 1, Rows: max(n/4, 1), Hypotheses: 3, Requests: -1}
}

// demoEnv is an emulator seeded with a scaled demo experiment and a client of it.
type demoEnv struct {
	srv     *heliconetest.Server
	client  *helicone.Client
	expID   string
	samples int
	// ids are the request ids of the experiment's samples (rows and runs).
	ids []string
}

// newDemoEnv starts an emulator holding the demo experiment scaled to about n samples, in the
// legacy profile (the experiment path), applying each score write before its 201 so that
// what a run wrote can be counted when it ends. httpClient is the client's HTTP client; nil
// keeps the helicone client's default.
func newDemoEnv(n int, httpClient *http.Client, opts ...heliconetest.Option) (*demoEnv, error) {
	seed := demo.Generate(demoOptions(n))
	exp := seed.Organizations[0].Experiments[0]
	e := &demoEnv{expID: exp.ID}
	for _, r := range exp.Dataset.Rows {
		e.ids = append(e.ids, r.RequestID)
	}
	for _, h := range exp.Hypotheses {
		for _, r := range h.Runs {
			e.ids = append(e.ids, r.RequestID)
		}
	}
	e.samples = len(e.ids)
	srv, err := heliconetest.StartServer("127.0.0.1:0", append([]heliconetest.Option{heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithWriteDelay(0), heliconetest.WithSeed(seed)}, opts...)...)
	if err != nil {
		return nil, err
	}
	e.srv = srv
	copts := []helicone.Option{helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey)}
	if httpClient != nil {
		copts = append(copts, helicone.WithHTTPClient(httpClient))
	}
	e.client, err = helicone.NewClient(copts...)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return e, nil
}

func (e *demoEnv) Close() { e.srv.Close() }

// loopbackClient is an HTTP client that keeps one idle connection per concurrent caller,
// so a loop of concurrent POSTs reuses its connections.
func loopbackClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 2
	t.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: t, Timeout: time.Minute}
}

// runResult is what one measured harness run gives.
type runResult struct {
	res     *harness.Results
	elapsed time.Duration
	mem     memPeak
	// parquetRows and junitBytes prove the reports were written.
	parquetRows int64
	junitBytes  int64
}

// runConfig is one measured run.
type runConfig struct {
	source     datasets.Source
	env        datasets.Env
	evaluators []*harness.EvaluatorSpec
	dryRun     bool
	// dir receives scores.parquet; junit.xml goes to a byte counter unless noJUnit.
	dir     string
	noJUnit bool
}

// measuredRun runs the harness once with the Parquet and JUnit writers attached, timing it
// and sampling the heap while it runs.
func measuredRun(ctx context.Context, rc runConfig) (runResult, error) {
	var out runResult
	f, err := os.Create(filepath.Join(rc.dir, "scores.parquet"))
	if err != nil {
		return out, err
	}
	defer f.Close()
	pw := parquet.NewWriter(f)
	var jcount countingWriter
	var h heval.Handler = pw
	if !rc.noJUnit {
		h = heval.Multi(pw, junit.NewWriter(&jcount))
	}
	peak := startPeak()
	start := time.Now()
	res, err := harness.Run(ctx, harness.Config{
		Source:     rc.source,
		Env:        rc.env,
		Evaluators: rc.evaluators,
		DryRun:     rc.dryRun,
		Handler:    h,
	})
	out.elapsed = time.Since(start)
	out.mem = peak.stop()
	out.res = res
	out.parquetRows = pw.Rows()
	out.junitBytes = jcount.n.Load()
	if err != nil {
		return out, err
	}
	return out, f.Close()
}

// countingWriter discards what it is given and counts the bytes.
type countingWriter struct{ n atomic.Int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// memPeak is the heap in use (runtime HeapInuse: live and unused parts of in-use spans)
// before a measured section and at its peak.
type memPeak struct {
	base, peak uint64
}

// PeakMB is the peak heap in use in MiB.
func (m memPeak) PeakMB() float64 { return float64(m.peak) / (1 << 20) }

// GrowthMB is how far the heap in use rose above its level at the start, in MiB.
func (m memPeak) GrowthMB() float64 {
	if m.peak < m.base {
		return 0
	}
	return float64(m.peak-m.base) / (1 << 20)
}

// peakSampler reads the heap in use every millisecond (runtime/metrics, which does not
// stop the world) and keeps the maximum.
type peakSampler struct {
	base uint64
	peak atomic.Uint64
	quit chan struct{}
	done chan struct{}
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

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

func newHeapSamples() []metrics.Sample {
	s := make([]metrics.Sample, len(heapMetrics))
	for i, n := range heapMetrics {
		s[i].Name = n
	}
	return s
}

// startPeak collects garbage, records the heap in use as the base and starts sampling.
func startPeak() *peakSampler {
	runtime.GC()
	s := newHeapSamples()
	p := &peakSampler{base: heapInuse(s), quit: make(chan struct{}), done: make(chan struct{})}
	p.peak.Store(p.base)
	go func() {
		defer close(p.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				if v := heapInuse(s); v > p.peak.Load() {
					p.peak.Store(v)
				}
			}
		}
	}()
	return p
}

// stop ends the sampling (taking one last reading) and returns the base and the peak.
func (p *peakSampler) stop() memPeak {
	close(p.quit)
	<-p.done
	if v := heapInuse(newHeapSamples()); v > p.peak.Load() {
		p.peak.Store(v)
	}
	return memPeak{base: p.base, peak: p.peak.Load()}
}

// scoreBody is the body of one coalesced score write of the six seed checks, as the
// harness sends it.
var scoreBody = []byte(`{"scores":{"word_count":142,"has_citations":true,"has_code_examples":false,"starts_with_greeting":true,"exceeds_min_length":true,"contains_markdown":false}}`)

// barePOSTs sends one score write per request id to baseURL with workers concurrent
// goroutines, each reusing its connection: the bare loopback rate the harness's delivery
// is compared with. Every answer must be 201.
func barePOSTs(ctx context.Context, hc *http.Client, baseURL, apiKey string, ids []string, workers int) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/request/"+ids[i]+"/score", bytes.NewReader(scoreBody))
				if err != nil {
					errs[w] = err
					return
				}
				req.Header.Set("Authorization", "Bearer "+apiKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					errs[w] = err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					errs[w] = fmt.Errorf("POST score for %s: status %d", ids[i], resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

// streamSource yields n demo-shaped samples, cycling through a small set of templates
// (whose answer text is extracted once) with a fresh request id each, so that the source
// itself holds constant memory however large n is.
type streamSource struct {
	templates []heval.Sample
	n         int
}

func (s *streamSource) String() string { return fmt.Sprintf("%d generated demo samples", s.n) }

func (s *streamSource) Samples(ctx context.Context, _ datasets.Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		for i := range s.n {
			if i%4096 == 0 && ctx.Err() != nil {
				yield(heval.Sample{}, ctx.Err())
				return
			}
			smp := s.templates[i%len(s.templates)]
			smp.RequestID = counterUUID(uint64(i))
			smp.RowIndex = i
			if !yield(smp, nil) {
				return
			}
		}
	}
}

// counterUUID is a version-4-shaped UUID made from a counter.
func counterUUID(i uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[8:], i)
	b[0], b[1] = 0xbe, 0x9c
	b[6] = 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// demoTemplates returns the samples of the default demo experiments, read through the
// emulator as a run reads them.
func demoTemplates(ctx context.Context) ([]heval.Sample, error) {
	srv, err := heliconetest.StartServer("127.0.0.1:0", heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
	if err != nil {
		return nil, err
	}
	var srcs []datasets.Source
	for _, id := range demo.ExperimentIDs() {
		srcs = append(srcs, datasets.Experiment(id))
	}
	return datasets.Collect(ctx, datasets.Concat(srcs...), datasets.Env{Client: client})
}
