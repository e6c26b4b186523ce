package datasets_test

import (
	"bytes"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
)

var _ = Describe("the fast path for OpenAI chat completion bodies", func() {
	It("reads what it reads exactly as the general reader does, and reads most chat bodies", func() {
		fast := 0
		for _, b := range datasets.ChatBodies {
			trimmed := bytes.TrimSpace([]byte(b))
			if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
				continue
			}
			want, wantErr := datasets.GeneralText(trimmed)
			if got, ok := datasets.FastChatText(trimmed); ok {
				fast++
				Expect(wantErr).NotTo(HaveOccurred(), "body %s", b)
				Expect(got).To(Equal(want), "body %s", b)
			}
			text, err := datasets.AnswerText(json.RawMessage(b))
			Expect(text).To(Equal(want), "body %s", b)
			if wantErr == nil {
				Expect(err).NotTo(HaveOccurred(), "body %s", b)
			} else {
				Expect(err).To(MatchError(wantErr.Error()), "body %s", b)
			}
		}
		Expect(fast).To(BeNumerically(">=", 8))
	})

	DescribeTable("leaves other bodies to the general reader",
		func(body string) {
			_, ok := datasets.FastChatText([]byte(body))
			Expect(ok).To(BeFalse())
		},
		Entry("tool calls", `{"choices":[{"message":{"content":"","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}}]}`),
		Entry("content parts", `{"choices":[{"message":{"content":[{"type":"text","text":"a"}]}}]}`),
		Entry("a placeholder", `{"choices":[{"message":{"content":"a"}}],"helicone_message":"x"}`),
		Entry("a key in other case", `{"Choices":[{"message":{"content":"a"}}]}`),
		Entry("an odd object field", `{"choices":[{"message":{"content":"a"}}],"object":5}`),
	)
})
