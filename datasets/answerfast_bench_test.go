package datasets

import (
	"encoding/json"
	"testing"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// demoBodies are the response bodies of the demo's logged requests: OpenAI chat
// completions of a few hundred bytes to a few kilobytes, as most experiments hold.
func demoBodies(b *testing.B) []json.RawMessage {
	b.Helper()
	seed := demo.Generate(demo.Options{Experiments: 1, Rows: 256, Hypotheses: 1, Requests: -1})
	var out []json.RawMessage
	for _, o := range seed.Organizations {
		for _, r := range o.Requests {
			if len(r.ResponseBody) > 0 {
				out = append(out, r.ResponseBody)
			}
		}
	}
	if len(out) == 0 {
		b.Fatal("the demo has no response bodies")
	}
	return out
}

// BenchmarkAnswerText reads the answer text of the demo's chat completion bodies with the
// fast path (AnswerText) and with the general reader alone; us/body is the time per body.
func BenchmarkAnswerText(b *testing.B) {
	bodies := demoBodies(b)
	size := 0
	for _, body := range bodies {
		size += len(body)
	}
	for _, bc := range []struct {
		name string
		read func(json.RawMessage) (string, error)
	}{
		{"fast", AnswerText},
		{"general", heval.AnswerText},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size / len(bodies)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := bc.read(bodies[i%len(bodies)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us/body")
		})
	}
}
