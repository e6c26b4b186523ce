package judge

import (
	"bytes"
	"fmt"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/evals"
)

// answerOf returns the answer text of s. An unreadable body (including
// [heval.ErrBodyNotAvailable]) is an error, never an empty answer.
func answerOf(s heval.Sample) (string, error) {
	t, err := s.Answer()
	if err != nil {
		return "", fmt.Errorf("cannot judge the answer%s: %w", requestSuffix(s), err)
	}
	return t, nil
}

// referenceOf returns the reference text of s, an error wrapping [evals.ErrNoReference]
// when there is none, or the reason it cannot be read.
func referenceOf(s heval.Sample) (string, error) {
	if t := bytes.TrimSpace(s.Reference); len(t) == 0 || string(t) == "null" {
		return "", fmt.Errorf("%w%s: set the expected output of the row or file sample", evals.ErrNoReference, requestSuffix(s))
	}
	if t := s.ReferenceText(); t != "" {
		return t, nil
	}
	t, err := heval.ReferenceText(s.Reference)
	if err != nil {
		return "", fmt.Errorf("cannot read the reference answer%s: %w", requestSuffix(s), err)
	}
	return t, nil
}

func requestSuffix(s heval.Sample) string {
	if s.RequestID == "" {
		return ""
	}
	return " of request " + s.RequestID
}
