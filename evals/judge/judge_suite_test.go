package judge_test

import (
	"encoding/json"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval"
)

func TestJudge(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "judge")
}

// chat is a sample whose body is an OpenAI chat completion answering text.
func chat(text string) heval.Sample {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}}},
	})
	return heval.Sample{Body: json.RawMessage(b), Model: "gpt-4o-mini"}
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
