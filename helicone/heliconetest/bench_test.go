package heliconetest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/heval-dev/heval/helicone/heliconetest"
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
