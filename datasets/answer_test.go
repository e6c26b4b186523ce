package datasets_test

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
)

var _ = Describe("AnswerText", func() {
	DescribeTable("reads the answer of every common provider body",
		func(body, want string) {
			got, err := datasets.AnswerText(json.RawMessage(body))
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry("OpenAI chat completion",
			`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi there! [1]"}}]}`, "Hi there! [1]"),
		Entry("OpenAI chat completion with content parts",
			`{"choices":[{"message":{"content":[{"type":"text","text":"Hello "},{"type":"text","text":"world"}]}}]}`, "Hello world"),
		Entry("OpenAI chat completion with an empty answer",
			`{"choices":[{"message":{"content":""}}]}`, ""),
		Entry("OpenAI tool call without content",
			`{"choices":[{"message":{"content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]}}]}`,
			`tool_call get_weather({"city":"Paris"})`),
		Entry("OpenAI two tool calls",
			`{"choices":[{"message":{"content":"","tool_calls":[{"function":{"name":"a","arguments":"{}"}},{"function":{"name":"b","arguments":"{\"x\":1}"}}]}}]}`,
			"tool_call a({})\ntool_call b({\"x\":1})"),
		Entry("OpenAI content wins over tool calls",
			`{"choices":[{"message":{"content":"Checking.","tool_calls":[{"function":{"name":"a","arguments":"{}"}}]}}]}`, "Checking."),
		Entry("OpenAI legacy function call",
			`{"choices":[{"message":{"content":null,"function_call":{"name":"lookup","arguments":"{\"id\":7}"}}}]}`, `tool_call lookup({"id":7})`),
		Entry("OpenAI refusal",
			`{"choices":[{"message":{"content":null,"refusal":"I can't help with that."}}]}`, "I can't help with that."),
		Entry("OpenAI legacy completion",
			`{"object":"text_completion","choices":[{"text":"Paris","index":0}]}`, "Paris"),
		Entry("OpenAI Responses API",
			`{"object":"response","output":[{"type":"reasoning","summary":[]},{"type":"message","content":[{"type":"output_text","text":"Part one. "},{"type":"output_text","text":"Part two."}]}]}`,
			"Part one. Part two."),
		Entry("OpenAI Responses API function call",
			`{"object":"response","output":[{"type":"function_call","name":"get_weather","arguments":"{\"city\":\"Paris\"}","call_id":"c"}]}`,
			`tool_call get_weather({"city":"Paris"})`),
		Entry("Anthropic message",
			`{"id":"msg","type":"message","role":"assistant","content":[{"type":"text","text":"Bonjour "},{"type":"text","text":"!"}]}`, "Bonjour !"),
		Entry("Anthropic tool use",
			`{"type":"message","content":[{"type":"tool_use","id":"t","name":"get_weather","input":{"city":"Paris"}}]}`, `tool_call get_weather({"city":"Paris"})`),
		Entry("Anthropic legacy completion",
			`{"completion":" Yes.","stop_reason":"stop_sequence"}`, " Yes."),
		Entry("Gemini",
			`{"candidates":[{"content":{"parts":[{"text":"Ein "},{"text":"Satz."}],"role":"model"}}]}`, "Ein Satz."),
		Entry("Gemini function call",
			`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"find","args":{"q":"x"}}}]}}]}`, `tool_call find({"q":"x"})`),
		Entry("JSON string", `"just text"`, "just text"),
		Entry("JSON string holding a provider body", `"{\"choices\":[{\"message\":{\"content\":\"inner\"}}]}"`, "inner"),
		Entry("plain text", "  plain answer\n", "plain answer"),
		Entry("unicode", `{"choices":[{"message":{"content":"こんにちは！ ¡Hola! 👋 \u00e9"}}]}`, "こんにちは！ ¡Hola! 👋 é"),
		Entry("OpenAI stream (SSE)",
			"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\ndata: [DONE]\n", "Hello"),
		Entry("OpenAI stream of tool call deltas",
			"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"ci\"}}]}}]}\n\ndata: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ty\\\":\\\"Paris\\\"}\"}}]}}]}\n\ndata: [DONE]\n",
			`tool_call get_weather({"city":"Paris"})`),
		Entry("Anthropic stream (SSE)",
			"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"content\":[]}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"there\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n",
			"Hi there"),
		Entry("Responses API stream (SSE)",
			"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Par\"}\n\nevent: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"is\"}\n",
			"Paris"),
		Entry("stream chunks as a JSON array",
			`[{"choices":[{"delta":{"content":"a"}}]},{"choices":[{"delta":{"content":"b"}}]}]`, "ab"),
		Entry("Gemini stream as a JSON array",
			`[{"candidates":[{"content":{"parts":[{"text":"x"}]}}]},{"candidates":[{"content":{"parts":[{"text":"y"}]}}]}]`, "xy"),
	)

	It("reads a huge body", func() {
		long := strings.Repeat("word ", 400_000)
		b, err := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"content": long}}}})
		Expect(err).NotTo(HaveOccurred())
		got, err := datasets.AnswerText(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(len(long)))
	})

	It("reports a Helicone placeholder as body not available", func() {
		_, err := datasets.AnswerText(json.RawMessage(`{"helicone_message":"Body too large","signed_url":"https://x"}`))
		Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
	})

	It("reports a missing body", func() {
		for _, b := range []string{"", "null", "  "} {
			_, err := datasets.AnswerText(json.RawMessage(b))
			Expect(err).To(MatchError(heval.ErrNoBody), "body %q", b)
		}
	})

	It("reports a provider error object with its message", func() {
		_, err := datasets.AnswerText(json.RawMessage(`{"error":{"message":"The server had an error","type":"server_error"}}`))
		var pe *heval.ProviderError
		Expect(errors.As(err, &pe)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("The server had an error"))
	})

	DescribeTable("a body it cannot read is an error saying what it saw, never an empty answer",
		func(body, mention string) {
			got, err := datasets.AnswerText(json.RawMessage(body))
			Expect(err).To(MatchError(heval.ErrUnknownBody))
			Expect(err.Error()).To(ContainSubstring(mention))
			Expect(got).To(BeEmpty())
		},
		Entry("unknown object", `{"foo":1,"bar":2}`, `"bar", "foo"`),
		Entry("number", `42`, "number"),
		Entry("boolean", `true`, "boolean"),
		Entry("array of numbers", `[1,2]`, "array"),
		Entry("truncated JSON", `{"choices":[{"message":`, "not valid JSON"),
		Entry("choice without message", `{"choices":[{"index":0}]}`, "choices[0]"),
		Entry("content of the wrong type", `{"choices":[{"message":{"content":5}}]}`, "content"),
		Entry("chat completion without choices", `{"object":"chat.completion","choices":[]}`, "without choices"),
		Entry("event stream without JSON", "data: [DONE]\n", "event stream"),
		Entry("binary", "\xff\xfe\x00", "neither JSON nor UTF-8"),
	)

	It("gives samples the answer and reference text once", func() {
		s := datasets.Prepare(heval.Sample{
			Body:      json.RawMessage(`{"choices":[{"message":{"content":"answer"}}]}`),
			Reference: json.RawMessage(`"expected"`),
		})
		Expect(s.Text()).To(Equal("answer"))
		Expect(s.ReferenceText()).To(Equal("expected"))
		_, err := datasets.Prepare(heval.Sample{Body: json.RawMessage(`{"helicone_message":"x"}`)}).Answer()
		Expect(err).To(MatchError(heval.ErrBodyNotAvailable))
	})
})
