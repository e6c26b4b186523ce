package datasets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// heapSampler records the peak of the live heap (as of the latest collection) and of the
// heap's objects while it runs.
type heapSampler struct {
	stop     chan struct{}
	done     sync.WaitGroup
	peakLive uint64
	peakObj  uint64
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(s)
		h.peakLive = max(h.peakLive, s[0].Value.Uint64())
		h.peakObj = max(h.peakObj, s[1].Value.Uint64())
	}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return h
}

func (h *heapSampler) finish() { close(h.stop); h.done.Wait() }

// baseHeap collects until the heap's objects stop shrinking and returns them.
func baseHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var last uint64
	for range 5 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		metrics.Read(s)
		if v := s[0].Value.Uint64(); last != 0 && v >= last*99/100 {
			return v
		} else {
			last = v
		}
	}
	return last
}

// experimentAnswerFile writes the emulator's (legacy profile) answer to the experiment query
// for one experiment of rows rows and three hypotheses to a file, so that the benchmark's
// process holds no emulator while it reads.
func experimentAnswerFile(b *testing.B, rows int) (string, int) {
	o := demo.Options{Experiments: 1, Rows: rows, Hypotheses: 3, Requests: -1}
	h, err := heliconetest.NewHandler(heliconetest.WithSeed(demo.Generate(o)), heliconetest.WithProfile(heliconetest.Legacy))
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	inc := helicone.IncludeAll()
	q, err := json.Marshal(helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, demo.SupportExperimentID), Include: &inc})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/experiment/query", bytes.NewReader(q))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+demo.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	path := filepath.Join(b.TempDir(), "answer.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, o.Samples()
}

// BenchmarkExperimentSource reads every sample of one experiment (rows × 4 samples: the
// row and three hypothesis runs) over loopback HTTP, as a run does, from a server that
// sends the emulator's answer from a file, and reports samples/s and the peak heap of the
// process above its heap before the read (GOGC=20 while reading, so that garbage stays
// small): peak-live-MiB from the live heap of each collection, peak-heap-MiB from the heap's
// objects (garbage included), sampled every 5 ms.
func BenchmarkExperimentSource(b *testing.B) {
	for _, size := range []struct {
		name string
		rows int
	}{{"100k", 25_000}, {"1M", 250_000}} {
		b.Run(size.name, func(b *testing.B) {
			path, want := experimentAnswerFile(b, size.rows)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				f, err := os.Open(path)
				if err != nil {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				defer f.Close()
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				_, _ = io.Copy(w, f)
			}))
			defer srv.Close()
			c, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey))
			if err != nil {
				b.Fatal(err)
			}
			src := datasets.Experiment(demo.SupportExperimentID)
			// Collect often, so that the heap's objects stay close to the live heap.
			defer debug.SetGCPercent(debug.SetGCPercent(20))
			var peakLive, peakObj uint64
			for b.Loop() {
				b.StopTimer()
				base := baseHeap()
				hs := startHeapSampler()
				b.StartTimer()
				n := 0
				for s, err := range src.Samples(context.Background(), datasets.Env{Client: c}) {
					if err != nil {
						b.Fatal(err)
					}
					if s.RequestID == "" {
						b.Fatal("a sample without a request id")
					}
					n++
				}
				b.StopTimer()
				hs.finish()
				if n != want {
					b.Fatalf("read %d samples, want %d", n, want)
				}
				peakLive = max(peakLive, hs.peakLive-min(base, hs.peakLive))
				peakObj = max(peakObj, hs.peakObj-min(base, hs.peakObj))
				b.StartTimer()
			}
			b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(peakLive)/(1<<20), "peak-live-MiB")
			b.ReportMetric(float64(peakObj)/(1<<20), "peak-heap-MiB")
		})
	}
}
