package datasets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/heval-dev/heval"
)

var chatBodies = []string{
	`{"choices":[{"message":{"content":"hi"}}]}`,
	`{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1},"service_tier":"default","system_fingerprint":"fp"}`,
	`{"choices":[{"message":{"content":""}}]}`,
	`{"choices":[{"message":{"content":"","refusal":"no"}}]}`,
	`{"choices":[{"message":{"content":"","tool_calls":[]}}]}`,
	`{"choices":[{"message":{"content":"","tool_calls":null,"function_call":null}}]}`,
	`{"choices":[{"message":{"content":"x","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}}]}`,
	`{"choices":[{"message":{"content":"","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}}]}`,
	`{"choices":[{"message":{"content":null,"tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}}]}`,
	`{"choices":[{"message":{"content":"","function_call":{"name":"f","arguments":"{}"}}}]}`,
	`{"choices":[{"message":{"content":[{"type":"text","text":"a"}]}}]}`,
	`{"choices":[{"message":{"content":5}}]}`,
	`{"choices":[{"message":{"content":"a","refusal":5}}]}`,
	`{"choices":[{"message":{"content":"a\nb \"q\" \u00e9 \ud800 \u2028"}}]}`,
	"{\"choices\":[{\"message\":{\"content\":\"bad \xff utf8\"}}]}",
	`{"choices":[{"message":{"content":"こんにちは！ ¡Hola! 👋 \u00e9"}}]}`,
	`{"choices":[{"message":{"content":"a"}},{"message":{"content":5}}]}`,
	`{"choices":[{"message":{"content":"a"}},{"message":{"content":"b"}}]}`,
	`{"choices":[{"message":{"content":"a"},"text":"t"}]}`,
	`{"choices":[{"message":{"content":"a"},"delta":{"content":"d"}}]}`,
	`{"choices":[{"Message":{"content":"a"}}]}`,
	`{"Choices":[{"message":{"content":"a"}}]}`,
	`{"choices":[{"message":{"content":"a","Content":"b"}}]}`,
	`{"choices":[{"message":{"content":"a","content":"b"}}]}`,
	`{"choices":[{"message":{"content":"a"}}],"choices":[]}`,
	`{"choices":[{"message":{"content":"a"}}],"helicone_message":"x"}`,
	`{"choices":[{"message":{"content":"a"}}],"helicone_message":null}`,
	`{"choices":[{"message":{"content":"a"}}],"object":5}`,
	`{"choices":[{"message":{"content":"a"}}],"object":"text_completion"}`,
	`{"choices":[{"message":{"content":"a"}}],"index":"x"}`,
	`{"choices":[{"message":{"content":"a"}}],"error":{"message":"boom"}}`,
	`{"choices":[{"message":{"content":"a"}}],"candidates":5}`,
	`{"choices":[],"object":"chat.completion"}`,
	`{"choices":[{"index":0}]}`,
	`{"choices":[{"message":null}]}`,
	`{"choices":[{"message":"x"}]}`,
	`{"choices":{"message":{"content":"a"}}}`,
	`{"choices":[5]}`,
	`{"\u0063hoices":[{"message":{"content":"a"}}]}`,
	`{"helicone_message":"x"}`,
	`{"error":{"message":"boom"}}`,
	`{"foo":1,"bar":2}`,
	`{"candidates":[{"content":{"parts":[{"text":"x"}]}}]}`,
	`{"type":"message","content":[{"type":"text","text":"x"}]}`,
	`  {"choices":[{"message":{"content":"spaced"}}]}` + "\n",
	`"{\"choices\":[{\"message\":{\"content\":\"inner\"}}]}"`,
	`{"choices":[{"message":{"content":"a"}}]} {}`,
	`{"choices":[{"message":{"content":"a"}}]}]`,
	`{"choices":[{"message":{"content":"a"}}]`,
	`{ "choices" : [ { "message" : { "content" : "a" , "tool_calls" : [ ] } } ] }`,
	`{"choices":[{"message":{"content":"a","tool_calls":[null]}}]}`,
	`{"choices":[{"message":{"content":"a","function_call":{}}}]}`,
	`{"choices":[{"message":{"content":"a","refusal":[]}}]}`,
	`{"choices":[{"message":{"content":"a"}}],"object":"chat.\u0063ompletion"}`,
	`{"choices":[{"message":{"content":"a"}}],"object":null}`,
	`{"choices":[{"message":{"content":"a","\u0063ontent":"b"}}]}`,
	`{"choices":[{"message":{"content":"a\ud800b"}}]}`,
	`{"choices":[{"message":{"content":"\ud83d\ude00 \u0000 \/"}}]}`,
	"{\"choices\":[{\"message\":{\"content\":\"a\"}}],\"usage\":\"\xff\"}",
	"{\"choices\":[{\"message\":{\"content\":\"a\tb\"}}]}",
	`{"choices":[{"message":{"content":"a"}}],"usage":{"a":[1,2,{"b":null}],"c":1e3}}`,
	`{"choices":[{"message":{"content":"a"}}],"usage":{"a":1,"a":2}}`,
	`{"choices":[{"message":{"content":"a"}}],"usage":01}`,
	`{"choices":[{"message":{"content":"a"},"index":0}],"id":"x"}`,
	`{"id":"x"}`,
	`{"choices":null}`,
	`{"choices":[{"message":{}}]}`,
	`{}`,
}

// generalText is AnswerText without the fast path.
func generalText(body []byte) (string, error) {
	return heval.AnswerText(body)
}

// checkFastPath checks that the fast path reads body as the general reader does when it
// reads it at all, and that AnswerText, fast path and all, gives what the general reader
// gives: the same text and the same error.
func checkFastPath(t *testing.T, body []byte) {
	t.Helper()
	trimmed := bytes.TrimSpace(body)
	if got, ok := fastChatText(trimmed); ok {
		want, err := generalText(trimmed)
		if err != nil || got != want {
			t.Fatalf("fast path read %q as %q, the general reader gives %q, %v", body, got, want, err)
		}
	}
	got, gotErr := AnswerText(json.RawMessage(body))
	want, wantErr := generalText(body)
	if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("AnswerText read %q as %q, %v; the general reader gives %q, %v", body, got, gotErr, want, wantErr)
	}
}

func TestFastChatTextBodies(t *testing.T) {
	fast := 0
	for _, b := range chatBodies {
		checkFastPath(t, []byte(b))
		if _, ok := fastChatText(bytes.TrimSpace([]byte(b))); ok {
			fast++
		}
	}
	if fast < 10 {
		t.Fatalf("the fast path read %d of the bodies; want at least 10", fast)
	}

}

func FuzzFastChatText(f *testing.F) {
	for _, b := range chatBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFastPath(t, b)
	})
}

// Exported for the Ginkgo specs of package datasets_test.
var (
	FastChatText = fastChatText
	GeneralText  = generalText
	ChatBodies   = chatBodies
)
