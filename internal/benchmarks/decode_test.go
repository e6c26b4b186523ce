package benchmarks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
)

// decodeRows is the number of samples (dataset rows plus runs) of the decoded answer.
const decodeRows = 100_000

// experimentAnswer returns the emulator's answer to the experiment query the client sends
// for the demo experiment scaled to about n samples, and the experiment's id and sample
// count.
func experimentAnswer(n int) (body []byte, expID string, samples int, err error) {
	env, err := newDemoEnv(n, nil)
	if err != nil {
		return nil, "", 0, err
	}
	defer env.Close()
	inc := helicone.IncludeAll()
	q, err := json.Marshal(helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, env.expID), Include: &inc})
	if err != nil {
		return nil, "", 0, err
	}
	req, err := http.NewRequest(http.MethodPost, env.srv.URL+"/v1/experiment/query", bytes.NewReader(q))
	if err != nil {
		return nil, "", 0, err
	}
	req.Header.Set("Authorization", "Bearer "+env.srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", 0, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", 0, fmt.Errorf("experiment query: status %d: %.200s", resp.StatusCode, body)
	}
	return body, env.expID, env.samples, nil
}

// answerServer serves body to every experiment query, so that the server costs nothing
// but the copy.
func answerServer(body []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
}

// BenchmarkExperimentDecode decodes the experiment query answer of the demo experiment
// scaled to 100,000 samples, served pre-built by an httptest server: "client" is
// Client.QueryExperiments alone, "source" the experiment source yielding every sample.
// Each reports samples per second, the bytes allocated per decoded answer (alloc-MB), the
// peak heap in use and the answer's size; "bare-read" is the same answer read over the
// same loopback without decoding, the transfer the decode is compared with.
func BenchmarkExperimentDecode(b *testing.B) {
	body, expID, samples, err := experimentAnswer(decodeRows)
	if err != nil {
		b.Fatal(err)
	}
	srv := answerServer(body)
	defer srv.Close()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey("sk-helicone-bench"))
	if err != nil {
		b.Fatal(err)
	}
	bodyMB := float64(len(body)) / (1 << 20)
	ctx := context.Background()

	measure := func(b *testing.B, once func() (int, error)) {
		var rate, alloc, peak float64
		b.ReportAllocs()
		for b.Loop() {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p := startPeak()
			start := time.Now()
			got, err := once()
			elapsed := time.Since(start)
			m := p.stop()
			runtime.ReadMemStats(&after)
			if err != nil {
				b.Fatal(err)
			}
			if got != samples {
				b.Fatalf("decoded %d samples; want %d", got, samples)
			}
			rate += float64(got) / elapsed.Seconds()
			alloc += float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
			peak += m.GrowthMB()
		}
		k := float64(b.N)
		b.ReportMetric(rate/k, "samples/s")
		b.ReportMetric(alloc/k, "alloc-MB")
		b.ReportMetric(peak/k, "heap-growth-MB")
		b.ReportMetric(bodyMB, "answer-MB")
	}

	b.Run("bare-read", func(b *testing.B) {
		measure(b, func() (int, error) {
			resp, err := http.Post(srv.URL+"/v1/experiment/query", "application/json", bytes.NewReader([]byte(`{}`)))
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			if err != nil {
				return 0, err
			}
			if n != int64(len(body)) {
				return 0, fmt.Errorf("read %d bytes; want %d", n, len(body))
			}
			return samples, nil
		})
	})
	b.Run("client", func(b *testing.B) {
		inc := helicone.IncludeAll()
		measure(b, func() (int, error) {
			exps, err := client.QueryExperiments(ctx, helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, expID), Include: &inc})
			if err != nil {
				return 0, err
			}
			n := 0
			for _, e := range exps {
				n += len(e.Dataset.Rows)
				for _, h := range e.Hypotheses {
					n += len(h.Runs)
				}
			}
			return n, nil
		})
	})
	b.Run("source", func(b *testing.B) {
		measure(b, func() (int, error) {
			n := 0
			for s, err := range datasets.Experiment(expID).Samples(ctx, datasets.Env{Client: client}) {
				if err != nil {
					return n, err
				}
				if s.RequestID == "" {
					return n, fmt.Errorf("sample %d has no request id", n)
				}
				n++
			}
			return n, nil
		})
	})
}
