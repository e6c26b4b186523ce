package helicone

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// benchExperimentAnswer is the emulator's (legacy profile) answer to the experiment query
// for one experiment of 25,000 rows and three hypotheses: 100,000 samples.
var benchExperimentAnswer = sync.OnceValues(func() ([]byte, error) { return experimentAnswer(false) })

// benchScoredAnswer is the same answer after a run judged it: every request carries the
// six scores of the demo suite.
var benchScoredAnswer = sync.OnceValues(func() ([]byte, error) { return experimentAnswer(true) })

func experimentAnswer(scored bool) ([]byte, error) {
	o := demo.Options{Experiments: 1, Rows: 25_000, Hypotheses: 3, Requests: -1}
	seed := demo.Generate(o)
	if scored {
		for i := range seed.Organizations {
			for j := range seed.Organizations[i].Requests {
				r := &seed.Organizations[i].Requests[j]
				r.Scores = map[string]int64{"word_count": int64(40 + j%90), "has_citations" + BoolSuffix: int64(j % 2),
					"has_code_examples" + BoolSuffix: 0, "starts_with_greeting" + BoolSuffix: int64(j % 3 / 2),
					"exceeds_min_length" + BoolSuffix: 1, "contains_markdown" + BoolSuffix: int64(j % 5 / 4)}
			}
		}
	}
	h, err := heliconetest.NewHandler(heliconetest.WithSeed(seed), heliconetest.WithProfile(heliconetest.Legacy))
	if err != nil {
		return nil, err
	}
	defer h.Close()
	req := httptest.NewRequest(http.MethodPost, "/v1/experiment/query",
		strings.NewReader(`{"filter":{"experiment":{"id":{"equals":"`+demo.SupportExperimentID+`"}}},"include":{"inputs":true,"promptVersion":true,"responseBodies":true,"score":true}}`))
	req.Header.Set("Authorization", "Bearer "+demo.APIKey)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return nil, &APIError{Status: w.Code, Message: w.Body.String()}
	}
	return w.Body.Bytes(), nil
}

const benchSamples = 100_000

func benchAnswer(b *testing.B) []byte {
	raw, err := benchExperimentAnswer()
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func countSamples(b *testing.B, exps []Experiment) {
	n := 0
	for _, e := range exps {
		n += len(e.Dataset.Rows)
		for _, h := range e.Hypotheses {
			n += len(h.Runs)
		}
	}
	if n != benchSamples {
		b.Fatalf("decoded %d samples, want %d", n, benchSamples)
	}
}

func reportRate(b *testing.B, raw []byte) {
	b.SetBytes(int64(len(raw)))
	b.ReportMetric(float64(benchSamples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkDecodeExperimentAnswer decodes the same 100,000-sample experiment answer (about
// 130 MB) into []Experiment three ways: the client's decoder (collecting what
// StreamExperiments reads, as QueryExperiments does), plain encoding/json, and
// go-json-experiment/json; and streams it without collecting (client-stream). client-scored
// is the client's decoder on the answer after a run judged it, six scores on every request.
// clientDecode measures the client's decoder on raw, collecting the experiments.
func clientDecode(b *testing.B, c *Client, raw []byte) {
	b.ReportAllocs()
	for b.Loop() {
		var exps []Experiment
		data := func(a *answer) error {
			return (&experimentReader{a: a, emit: func(it *ExperimentItem) error { exps = collectExperiment(exps, it); return nil }}).data()
		}
		br := &bodyReader{r: bytes.NewReader(raw)}
		if err := c.decodeBody("POST", "/v1/experiment/query", 200, br, RateLimit{}, data, maxValueBytes); err != nil {
			b.Fatal(err)
		}
		countSamples(b, exps)
	}
	reportRate(b, raw)
}

func BenchmarkDecodeExperimentAnswer(b *testing.B) {
	c := fuzzClient()
	b.Run("client", func(b *testing.B) {
		raw := benchAnswer(b)
		clientDecode(b, c, raw)
	})
	b.Run("client-scored", func(b *testing.B) {
		raw, err := benchScoredAnswer()
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Contains(raw, []byte(`"has_citations`+BoolSuffix+`":{"value":`)) {
			b.Fatal("the answer carries no scores")
		}
		clientDecode(b, c, raw)
	})
	b.Run("client-stream", func(b *testing.B) {
		raw := benchAnswer(b)
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			data := func(a *answer) error {
				return (&experimentReader{a: a, emit: func(it *ExperimentItem) error {
					if it.Part == PartRow || it.Part == PartRun {
						n++
					}
					return nil
				}}).data()
			}
			br := &bodyReader{r: bytes.NewReader(raw)}
			if err := c.decodeBody("POST", "/v1/experiment/query", 200, br, RateLimit{}, data, maxValueBytes); err != nil {
				b.Fatal(err)
			}
			if n != benchSamples {
				b.Fatalf("streamed %d samples", n)
			}
		}
		reportRate(b, raw)
	})
	b.Run("encoding-json", func(b *testing.B) {
		raw := benchAnswer(b)
		b.ReportAllocs()
		for b.Loop() {
			var env struct{ Data []Experiment }
			if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&env); err != nil {
				b.Fatal(err)
			}
			countSamples(b, env.Data)
		}
		reportRate(b, raw)
	})
	b.Run("go-json-experiment", func(b *testing.B) {
		raw := benchAnswer(b)
		b.ReportAllocs()
		for b.Loop() {
			var env struct{ Data []Experiment }
			if err := jsonv2.UnmarshalRead(bytes.NewReader(raw), &env, jsonv2.MatchCaseInsensitiveNames(true)); err != nil {
				b.Fatal(err)
			}
			countSamples(b, env.Data)
		}
		reportRate(b, raw)
	})
}

// BenchmarkDatasetRowsPage reads one page of 10,000 Helicone dataset rows, each with a
// signed URL as the server signs them, through the client over loopback HTTP, and reports
// rows/s.
func BenchmarkDatasetRowsPage(b *testing.B) {
	const rows = 10_000
	dataset := "5e0b7c1a-da7a-4a8e-9b61-2c4d8f0a1e01"
	var page bytes.Buffer
	page.WriteString(`{"data":[`)
	for i := range rows {
		if i > 0 {
			page.WriteByte(',')
		}
		id := fmt.Sprintf("a6721e50-176c-4cbb-b625-%012x", i)
		fmt.Fprintf(&page, `{"id":%q,"origin_request_id":"ec873c78-8a59-4b09-9677-%012x","dataset_id":%q,"created_at":"2026-12-03T20:14:26.845Z",`+
			`"signed_url":{"data":"https://heval-bucket.s3.us-west-2.amazonaws.com/organizations/de300000-0000-4000-8000-00000000d3e0/datasets/%s/requests/%s/raw_request_response_body?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261206T212929Z&X-Amz-Expires=86400&X-Amz-Signature=%064x","error":null}}`,
			id, i, dataset, dataset, id, i*7919)
	}
	page.WriteString(`],"error":null}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(page.Bytes())
	}))
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL), WithAPIKey(demo.APIKey))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := c.DatasetRows(context.Background(), dataset, 0, rows)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != rows || !strings.HasPrefix(got[rows-1].SignedURL.URL, "https://heval-bucket.s3.") {
			b.Fatalf("%d rows, the last one's URL %q", len(got), got[len(got)-1].SignedURL.URL)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
