package datasets_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
)

// AnswerText reads the answer out of the provider bodies Helicone logs.
func ExampleAnswerText() {
	bodies := []string{
		`{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":"Hi! See [1]."}}]}`,
		`{"type":"message","role":"assistant","content":[{"type":"text","text":"From Claude."}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"From Gemini."}]}}]}`,
		`"plain text"`,
	}
	for _, b := range bodies {
		text, err := datasets.AnswerText(json.RawMessage(b))
		fmt.Printf("%q %v\n", text, err)
	}
	_, err := datasets.AnswerText(json.RawMessage(`{"helicone_message":"stored elsewhere"}`))
	fmt.Println(errors.Is(err, heval.ErrBodyNotAvailable))
	// Output:
	// "Hi! See [1]." <nil>
	// "From Claude." <nil>
	// "From Gemini." <nil>
	// "plain text" <nil>
	// true
}
