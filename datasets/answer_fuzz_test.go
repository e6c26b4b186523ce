package datasets

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/heval-dev/heval"
)

func FuzzAnswerText(f *testing.F) {
	for _, s := range []string{
		`{"choices":[{"message":{"content":"hi"}}]}`,
		`{"choices":[{"message":{"content":null,"tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}}]}`,
		`{"object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"x"}]}]}`,
		`{"type":"message","content":[{"type":"text","text":"x"},{"type":"tool_use","name":"t","input":{}}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"x"}]}}]}`,
		`{"helicone_message":"x"}`,
		`{"error":{"message":"boom"}}`,
		"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n",
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"partial_json\":\"{}\"}}\n",
		`[{"choices":[{"delta":{"tool_calls":[{"index":2000,"function":{"name":"x"}}]}}]}]`,
		`"{\"choices\":[]}"`, `plain`, `[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := AnswerText(json.RawMessage(b))
		if err != nil && text != "" {
			t.Fatalf("error %v with text %q", err, text)
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
		if errors.Is(err, heval.ErrUnknownBody) && len(err.Error()) < 30 {
			t.Fatalf("unhelpful error %q", err)
		}
	})
}
