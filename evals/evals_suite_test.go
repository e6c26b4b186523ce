package evals_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestEvals(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "evals")
}

// chat is a sample whose body is an OpenAI chat completion answering text.
func chat(text string) heval.Sample {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}}},
	})
	return heval.Sample{Body: json.RawMessage(b), Model: "gpt-4o-mini"}
}

// plain is a sample whose body is a JSON string.
func plain(text string) heval.Sample {
	b, _ := json.Marshal(text)
	return heval.Sample{Body: json.RawMessage(b)}
}

// withRef returns s with a plain-string reference answer.
func withRef(s heval.Sample, ref string) heval.Sample {
	b, _ := json.Marshal(ref)
	s.Reference = json.RawMessage(b)
	return s
}

// unavailable is a sample whose body Helicone replaced by a placeholder.
func unavailable() heval.Sample {
	return heval.Sample{Body: json.RawMessage(`{"helicone_message":"body too large","signed_url":"https://example.invalid/x"}`)}
}

// run runs f and returns its only value (or the value under key, when given).
func run(f heval.Func, s heval.Sample) (any, heval.Score, error) {
	sc, err := f(context.Background(), s)
	if err != nil {
		return nil, sc, err
	}
	es := sc.Entries()
	if len(es) != 1 {
		return nil, sc, nil
	}
	return es[0].Value, sc, nil
}

// value runs f and fails the spec on an error.
func value(f heval.Func, s heval.Sample) any {
	GinkgoHelper()
	v, _, err := run(f, s)
	Expect(err).NotTo(HaveOccurred())
	return v
}

// values returns the named values of a score as a map.
func values(sc heval.Score) map[string]any {
	m := map[string]any{}
	for _, e := range sc.Entries() {
		m[e.Key] = e.Value
	}
	return m
}
