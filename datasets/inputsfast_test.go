package datasets

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/heval-dev/heval/helicone"
)

// chatRequestBodies are chat completion request bodies, usual and odd, for the fast reader of
// their inputs.
var chatRequestBodies = []string{
	`{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Where is my order?"}],"temperature":0.2}`,
	`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":256,"stream":false,"stop":null,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`,
	` {"messages":[{"role":"developer","content":"Rules"},{"role":"assistant","content":"ok","tool_calls":[]},{"role":"user","content":""}]} `,
	`{"system":"Top system","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}`,
	`{"system":null,"messages":[{"role":"system","content":""},{"role":"user","content":null}]}`,
	`{"messages":[]}`,
	`{"messages":null}`,
	`{}`,
	`{"model":"x"}`,
	`{"messages":[{"role":"user","content":[{"type":"text","text":"part one "},{"type":"text","text":"two"}]}]}`,
	`{"system":[{"type":"text","text":"parts"}],"messages":[{"role":"user","content":"q"}]}`,
	`{"Messages":[{"role":"user","content":"case"}]}`,
	`{"messages":[{"Role":"user","content":"case"}]}`,
	`{"messages":[{"role":"user","CONTENT":"case"}]}`,
	`{"mes_sages":[{"role":"user","content":"underscore"}]}`,
	`{"messages":[{"role":"user","content":"one"}],"messages":[{"role":"user","content":"two"}]}`,
	`{"messages":[{"role":"user","content":"a","content":"b"}]}`,
	`{"messages":[null,{"role":"user","content":"after null"}]}`,
	`{"messages":[{"role":null,"content":"null role"}]}`,
	`{"messages":[{"role":5,"content":"number role"}]}`,
	`{"messages":[{"role":"user","content":5}]}`,
	`{"messages":{"role":"user"}}`,
	`{"messages":[{"role":"user","content":"esc \" \\ \n \u00e9 \ud83d\ude00"}]}`,
	`{"messages":[{"role":"user","content":"lone \ud800"}]}`,
	"{\"messages\":[{\"role\":\"user\",\"content\":\"bad \xff\"}]}",
	"{\"m\xc3\xa9ssages\":[{\"role\":\"user\",\"content\":\"non-ASCII name\"}]}",
	`{"messages":[{"role":"user","content":"x"}]} trailing`,
	`{"messages":[{"role":"user","content":"x"}]`,
	`[{"role":"user","content":"x"}]`,
	`"text"`,
	`{"messages":[{"role":"user","content":"deep","extra":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}`,
	`{"n":1e400,"messages":[{"role":"user","content":"big number"}]}`,
	`{"messages":[{"role":"tool","content":"result","tool_call_id":"t1"},{"name":"n","role":"user","content":"named"}]}`,
}

// checkFastInputs fails t when the fast reader reads body differently from the general
// one.
func checkFastInputs(t *testing.T, body []byte) {
	t.Helper()
	if helicone.IsJSONNull(body) {
		return
	}
	got, ok := fastChatInputs(body)
	if !ok {
		return
	}
	want := generalChatInputs(json.RawMessage(body))
	if !maps.Equal(got, want) || (got == nil) != (want == nil) {
		t.Fatalf("the fast reader read the inputs of %q as %q; the general reader gives %q", body, got, want)
	}
}

func TestFastChatInputsBodies(t *testing.T) {
	fast := 0
	for _, b := range chatRequestBodies {
		checkFastInputs(t, []byte(b))
		if _, ok := fastChatInputs([]byte(b)); ok {
			fast++
		}
	}
	if fast < 9 {
		t.Fatalf("the fast reader read %d of the bodies; want at least 9", fast)
	}
	if in, _ := fastChatInputs([]byte(chatRequestBodies[0])); !maps.Equal(in, map[string]string{"system": "Be brief.", "prompt": "Where is my order?"}) {
		t.Errorf("the fast reader read the first body as %q", in)
	}
	for _, b := range []string{chatRequestBodies[0], chatRequestBodies[1], chatRequestBodies[2]} {
		if _, ok := fastChatInputs([]byte(b)); !ok {
			t.Errorf("the fast reader refused the usual body %s", b)
		}
	}
	for _, b := range []string{
		`{"Messages":[{"role":"user","content":"case"}]}`,
		`{"messages":[{"Role":"user","content":"case"}]}`,
		`{"messages":[{"role":"user","content":"one"}],"messages":[{"role":"user","content":"two"}]}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"part one "}]}]}`,
	} {
		if in, ok := fastChatInputs([]byte(b)); ok {
			t.Errorf("the fast reader read %s as %q; the general reader must decide it", b, in)
		}
	}
}

func FuzzFastChatInputs(f *testing.F) {
	for _, b := range chatRequestBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFastInputs(t, b)
	})
}
