package heliconetest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// BenchmarkAddScoresHandler measures the score-write path without the network.
func BenchmarkAddScoresHandler(b *testing.B) {
	h, err := heliconetest.NewHandler(heliconetest.WithSeed(fixture()), heliconetest.WithWriteDelay(0))
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	body := []byte(`{"scores":{"accuracy":92,"words":120,"has_citation":true}}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/request/"+reqA1+"/score", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+keyA)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

// BenchmarkAddScoresHTTP measures score writes over loopback HTTP.
func BenchmarkAddScoresHTTP(b *testing.B) {
	srv := heliconetest.NewServer(heliconetest.WithSeed(fixture()), heliconetest.WithWriteDelay(0))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	body := []byte(`{"scores":{"accuracy":92,"words":120,"has_citation":true}}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/request/"+reqA1+"/score", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+keyA)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// discardWriter is a ResponseWriter that counts and drops what is written.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }

// BenchmarkQueryExperimentsAnswer serves the answer of one experiment of 25,000 rows and
// three hypotheses (100,000 samples, about 130 MB) to a writer that drops it: the bytes
// allocated per answer are a fraction of its size, as it is written piece by piece. "first"
// is a server's first answer, which checks each response body's form once (a new server
// per op, its seeding not timed); "again" is every later one.
func BenchmarkQueryExperimentsAnswer(b *testing.B) {
	o := demo.Options{Experiments: 1, Rows: 25_000, Hypotheses: 3, Requests: -1}
	seed := demo.Generate(o)
	newHandler := func(b *testing.B) *heliconetest.Handler {
		h, err := heliconetest.NewHandler(heliconetest.WithSeed(seed), heliconetest.WithProfile(heliconetest.Legacy))
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	body := `{"filter":"all","include":{"inputs":true,"promptVersion":true,"responseBodies":true,"score":true}}`
	serve := func(h *heliconetest.Handler) int64 {
		req := httptest.NewRequest(http.MethodPost, "/v1/experiment/query", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+demo.APIKey)
		req.Header.Set("Content-Type", "application/json")
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
		return w.n
	}
	report := func(b *testing.B, size int64) {
		b.ReportMetric(float64(size), "answer-bytes")
		b.ReportMetric(float64(o.Samples())*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	}
	b.Run("first", func(b *testing.B) {
		var size int64
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			h := newHandler(b)
			runtime.GC()
			b.StartTimer()
			size = serve(h)
			b.StopTimer()
			h.Close()
			b.StartTimer()
		}
		report(b, size)
	})
	b.Run("again", func(b *testing.B) {
		h := newHandler(b)
		defer h.Close()
		serve(h)
		var size int64
		b.ReportAllocs()
		for b.Loop() {
			size = serve(h)
		}
		report(b, size)
	})
}
