package helicone

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// cannedScoreAnswers answers every request in process with Helicone's acknowledgement of
// a score write and its rate-limit headers: no connection, no server.
type cannedScoreAnswers struct{}

func (cannedScoreAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	const body = `{"data":null,"error":null}`
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("RateLimit-Limit", "1000")
	h.Set("RateLimit-Remaining", "998")
	h.Set("RateLimit-Reset", "42")
	h.Set("RateLimit-Policy", "1000;w=60")
	return &http.Response{StatusCode: http.StatusCreated, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}, nil
}

// BenchmarkAddScores measures the client's own work per score write of the six seed
// checks (validating, encoding, building the request, the phase timeouts, reading the
// rate limit and the acknowledgement), the transport being an in-process answer: what a
// write costs beyond net/http.
func BenchmarkAddScores(b *testing.B) {
	c, err := NewClient(WithBaseURL("http://127.0.0.1:1"), WithAPIKey("sk-helicone-bench000-heval00-0000000-0000000"),
		WithHTTPClient(&http.Client{Transport: cannedScoreAnswers{}}))
	if err != nil {
		b.Fatal(err)
	}
	scores := Scores{"word_count": Int(142), "has_citations": Bool(true), "has_code_examples": Bool(false),
		"starts_with_greeting": Bool(true), "exceeds_min_length": Bool(true), "contains_markdown": Bool(false)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rl, err := c.AddScores(ctx, "0a26e182-e9cc-4191-a4a1-8dfc24406b6f", scores)
		if err != nil || rl.Remaining != 998 || rl.Window != 60e9 {
			b.Fatalf("%+v, %v", rl, err)
		}
	}
}
