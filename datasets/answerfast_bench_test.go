package datasets

import (
	"encoding/json"
	"testing"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// demoBodies are the response bodies of the demo's logged requests: OpenAI chat
// completions of a few hundred bytes to a few kilobytes, as most experiments hold.
func demoBodies(b *testing.B) []json.RawMessage {
	return demoRequestBodies(b, func(r *heliconetest.SeedRequest) json.RawMessage { return r.ResponseBody })
}

// demoRequestBodies are the bodies that body picks of each of the demo's logged requests that has one.
func demoRequestBodies(b *testing.B, body func(*heliconetest.SeedRequest) json.RawMessage) []json.RawMessage {
	b.Helper()
	seed := demo.Generate(demo.Options{Experiments: 1, Rows: 256, Hypotheses: 1, Requests: -1})
	var out []json.RawMessage
	for _, o := range seed.Organizations {
		for i := range o.Requests {
			if raw := body(&o.Requests[i]); len(raw) > 0 {
				out = append(out, raw)
			}
		}
	}
	if len(out) == 0 {
		b.Fatal("the demo has no such bodies")
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

// BenchmarkChatInputs reads the inputs (system and user message) of the demo's chat
// completion request bodies with the fast path (chatInputs) and with the general reader
// alone; us/body is the time per body.
func BenchmarkChatInputs(b *testing.B) {
	bodies := demoRequestBodies(b, func(r *heliconetest.SeedRequest) json.RawMessage { return r.RequestBody })
	for _, bc := range []struct {
		name string
		read func(json.RawMessage) map[string]string
	}{
		{"fast", chatInputs},
		{"general", generalChatInputs},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if in := bc.read(bodies[i%len(bodies)]); in["prompt"] == "" {
					b.Fatalf("no prompt read from %s", bodies[i%len(bodies)])
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us/body")
		})
	}
}
