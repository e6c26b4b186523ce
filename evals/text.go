package evals

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/heval-dev/heval"
)

// ErrNoReference is returned by evaluators that compare the answer with the sample's
// reference answer when the sample has none.
var ErrNoReference = errors.New("the sample has no reference answer to compare with")

// Answer returns the answer text of s for an evaluator. An unreadable body (including
// [heval.ErrBodyNotAvailable]) is an error naming the request, never an empty answer.
func Answer(s heval.Sample) (string, error) {
	t, err := s.Answer()
	if err != nil {
		return "", fmt.Errorf("cannot judge the answer%s: %w", requestSuffix(s), err)
	}
	return t, nil
}

// Reference returns the reference text of s for an evaluator: an error wrapping
// [ErrNoReference] when there is none, or the reason it cannot be read.
func Reference(s heval.Sample) (string, error) {
	if t := bytes.TrimSpace(s.Reference); len(t) == 0 || string(t) == "null" {
		return "", fmt.Errorf("%w%s: set the expected output of the row or file sample", ErrNoReference, requestSuffix(s))
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

// boolOf applies pred to the answer text of s.
func boolOf(s heval.Sample, pred func(string) bool) (heval.Score, error) {
	t, err := Answer(s)
	if err != nil {
		return heval.Score{}, err
	}
	return heval.Bool(pred(t)), nil
}

// DefaultMinLength is the minimum length of [ExceedsMinLength], in characters.
const DefaultMinLength = 100

var greetingRE = regexp.MustCompile(`(?i)^(hello|hi|hey)\b`)

// WordCount counts the words of the answer: runs of non-space characters separated by
// Unicode white space. An empty or blank answer has 0 words.
//
// Score: one int under the evaluator's name, range 0 and up.
//
// The seed guide's split(' ') counts an empty answer as one word and double spaces as extra
// words; WordCount does not.
func WordCount(_ context.Context, s heval.Sample) (heval.Score, error) {
	t, err := Answer(s)
	if err != nil {
		return heval.Score{}, err
	}
	return heval.Int(int64(countWords(t))), nil
}

// HasCitations reports whether the answer cites a source: a bracketed number such as [1]
// or a four-digit year in parentheses such as (2021).
//
// Score: one bool under the evaluator's name.
func HasCitations(_ context.Context, s heval.Sample) (heval.Score, error) {
	return boolOf(s, hasCitation)
}

// HasCodeExamples reports whether the answer contains a fenced code block marker (```).
//
// Score: one bool under the evaluator's name.
func HasCodeExamples(_ context.Context, s heval.Sample) (heval.Score, error) {
	return boolOf(s, func(t string) bool { return strings.Contains(t, "```") })
}

// StartsWithGreeting reports whether the answer begins with "hello", "hi" or "hey" as a
// whole word, in any letter case. Leading white space is ignored; "History ..." is not a
// greeting.
//
// Score: one bool under the evaluator's name.
func StartsWithGreeting(_ context.Context, s heval.Sample) (heval.Score, error) {
	return boolOf(s, startsWithGreeting)
}

// MinLength returns an evaluator that reports whether the answer is longer than n
// characters (Unicode code points, not bytes).
//
// Score: one bool under the evaluator's name.
func MinLength(n int) heval.Func {
	return func(_ context.Context, s heval.Sample) (heval.Score, error) {
		return boolOf(s, func(t string) bool { return utf8.RuneCountInString(t) > n })
	}
}

// ExceedsMinLength reports whether the answer is longer than [DefaultMinLength] (100)
// characters; see [MinLength].
//
// Score: one bool under the evaluator's name.
func ExceedsMinLength(_ context.Context, s heval.Sample) (heval.Score, error) {
	return boolOf(s, exceedsMinLength)
}

func exceedsMinLength(t string) bool { return utf8.RuneCountInString(t) > DefaultMinLength }

// ContainsMarkdown reports whether the answer uses Markdown: a heading, a list item, a
// block quote, a code fence, inline code, emphasis, a link or a table row. A lone "*" or
// "_" (as in "5 * 3" or "snake_case") does not count, unlike the seed guide's character test.
//
// Score: one bool under the evaluator's name.
func ContainsMarkdown(_ context.Context, s heval.Sample) (heval.Score, error) {
	return boolOf(s, containsMarkdown)
}

// The keys of [SeedChecks].
const (
	KeyWordCount          = "word_count"
	KeyHasCitations       = "has_citations"
	KeyHasCodeExamples    = "has_code_examples"
	KeyStartsWithGreeting = "starts_with_greeting"
	KeyExceedsMinLength   = "exceeds_min_length"
	KeyContainsMarkdown   = "contains_markdown"
)

// SeedChecks runs the six automated quality checks of Helicone's scoring guide at once
// and returns them under their own keys:
//
//	word_count            int  ≥ 0   (see [WordCount])
//	has_citations         bool       (see [HasCitations])
//	has_code_examples     bool       (see [HasCodeExamples])
//	starts_with_greeting  bool       (see [StartsWithGreeting])
//	exceeds_min_length    bool       (longer than 100 characters, see [ExceedsMinLength])
//	contains_markdown     bool       (see [ContainsMarkdown])
//
// The answer is read once.
func SeedChecks(_ context.Context, s heval.Sample) (heval.Score, error) {
	t, err := Answer(s)
	if err != nil {
		return heval.Score{}, err
	}
	return heval.Scores(
		KeyWordCount, int64(countWords(t)),
		KeyHasCitations, hasCitation(t),
		KeyHasCodeExamples, strings.Contains(t, "```"),
		KeyStartsWithGreeting, startsWithGreeting(t),
		KeyExceedsMinLength, exceedsMinLength(t),
		KeyContainsMarkdown, containsMarkdown(t),
	), nil
}

func startsWithGreeting(t string) bool {
	return greetingRE.MatchString(strings.TrimLeft(t, " \t\r\n"))
}
