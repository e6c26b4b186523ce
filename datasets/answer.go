package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/heval-dev/heval/helicone"
)

// ErrBodyNotAvailable is returned when Helicone stored a placeholder instead of the response
// body (a {"helicone_message": ...} object pointing at a signed URL).
var ErrBodyNotAvailable = errors.New("response body not available: Helicone stored a placeholder instead of the body")

// ErrNoBody is returned when a sample has no response body at all.
var ErrNoBody = errors.New("no response body")

// AnswerText extracts the answer text from a provider response body. It reads an OpenAI
// chat completion (the first choice's message content) and a plain JSON string or plain text.
// A body it cannot read is an error, never an empty answer.
func AnswerText(body json.RawMessage) (string, error) {
	if helicone.IsJSONNull(body) {
		return "", ErrNoBody
	}
	trimmed := strings.TrimSpace(string(body))
	if !json.Valid([]byte(trimmed)) {
		return trimmed, nil
	}
	switch trimmed[0] {
	case '"':
		var s string
		if err := json.Unmarshal([]byte(trimmed), &s); err != nil {
			return "", fmt.Errorf("reading answer text: %w", err)
		}
		return s, nil
	case '{':
	default:
		return "", fmt.Errorf("reading answer text: a JSON %s is not a response body", jsonKind(trimmed))
	}
	var probe struct {
		HeliconeMessage json.RawMessage `json:"helicone_message"`
		Choices         []struct {
			Message struct {
				Content json.RawMessage `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(trimmed), &probe); err != nil {
		return "", fmt.Errorf("reading answer text: %w", err)
	}
	if probe.HeliconeMessage != nil {
		return "", ErrBodyNotAvailable
	}
	if len(probe.Choices) > 0 {
		c := probe.Choices[0].Message.Content
		if helicone.IsJSONNull(c) {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(c, &s); err == nil {
			return s, nil
		}
	}
	return "", errors.New("reading answer text: the body is not a format heval knows (OpenAI chat completion or a plain string)")
}

func jsonKind(s string) string {
	switch s[0] {
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
