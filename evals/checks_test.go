package evals_test

import (
	"context"
	"errors"
	"strings"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/evals"
)

var huge = strings.Repeat("word ", 200_000) + "[1] ```x``` # Title" // about 1 MB

var _ = Describe("the seed's automated checks", func() {
	DescribeTable("word_count",
		func(text string, want int64) { Expect(value(evals.WordCount, chat(text))).To(Equal(want)) },
		Entry("empty", "", int64(0)),
		Entry("blank", "  \n\t ", int64(0)),
		Entry("one", "hello", int64(1)),
		Entry("double spaces", "a  b   c", int64(3)),
		Entry("newlines and tabs", "a\nb\tc\r\nd", int64(4)),
		Entry("unicode", "héllo wörld 日本語 テキスト", int64(4)),
		Entry("huge", huge, int64(200_004)),
	)

	DescribeTable("has_citations",
		func(text string, want bool) { Expect(value(evals.HasCitations, chat(text))).To(Equal(want)) },
		Entry("bracketed number", "as shown [1].", true),
		Entry("multi-digit", "see [12]", true),
		Entry("year", "Smith (2021) found", true),
		Entry("three digits", "(202)", false),
		Entry("bracketed word", "[a]", false),
		Entry("empty", "", false),
		Entry("unicode digits are not citations", "[١]", false),
		Entry("huge", huge, true),
	)

	DescribeTable("has_code_examples",
		func(text string, want bool) { Expect(value(evals.HasCodeExamples, chat(text))).To(Equal(want)) },
		Entry("fence", "```go\nx := 1\n```", true),
		Entry("inline code only", "use `x`", false),
		Entry("empty", "", false),
	)

	DescribeTable("starts_with_greeting",
		func(text string, want bool) { Expect(value(evals.StartsWithGreeting, chat(text))).To(Equal(want)) },
		Entry("hello", "Hello there", true),
		Entry("HI", "HI!", true),
		Entry("hey comma", "hey, you", true),
		Entry("leading space", "  \nhi", true),
		Entry("history is not hi", "History shows", false),
		Entry("greeting later", "Well, hello", false),
		Entry("empty", "", false),
		Entry("unicode", "héllo", false),
	)

	DescribeTable("exceeds_min_length counts characters, not bytes",
		func(text string, want bool) { Expect(value(evals.ExceedsMinLength, chat(text))).To(Equal(want)) },
		Entry("100 ASCII", strings.Repeat("a", 100), false),
		Entry("101 ASCII", strings.Repeat("a", 101), true),
		Entry("100 runes of 3 bytes", strings.Repeat("日", 100), false),
		Entry("empty", "", false),
		Entry("huge", huge, true),
	)

	It("min_length uses its own limit", func() {
		Expect(value(evals.MinLength(3), chat("abcd"))).To(BeTrue())
		Expect(value(evals.MinLength(4), chat("abcd"))).To(BeFalse())
	})

	DescribeTable("contains_markdown",
		func(text string, want bool) { Expect(value(evals.ContainsMarkdown, chat(text))).To(Equal(want)) },
		Entry("heading", "# Title\ntext", true),
		Entry("bullet", "intro\n- item", true),
		Entry("numbered", "1. first", true),
		Entry("bold", "this is **bold**", true),
		Entry("emphasis", "this is *it* ok", true),
		Entry("inline code", "run `ls`", true),
		Entry("link", "[docs](https://x.y)", true),
		Entry("quote", "> quoted", true),
		Entry("table", "| a | b |", true),
		Entry("snake_case is not markdown", "use snake_case names", false),
		Entry("multiplication is not markdown", "5 * 3 = 15", false),
		Entry("hashtag is not a heading", "#hashtag", false),
		Entry("empty", "", false),
	)

	It("seed_checks returns the six keys with their types", func() {
		sc, err := evals.SeedChecks(context.Background(), chat("Hello! See [1].\n\n```go\nfmt.Println()\n```\n"+strings.Repeat("x", 100)))
		Expect(err).NotTo(HaveOccurred())
		Expect(values(sc)).To(Equal(map[string]any{
			"word_count": int64(7), "has_citations": true, "has_code_examples": true,
			"starts_with_greeting": true, "exceeds_min_length": true, "contains_markdown": true,
		}))
		sc, err = evals.SeedChecks(context.Background(), plain(""))
		Expect(err).NotTo(HaveOccurred())
		Expect(values(sc)).To(Equal(map[string]any{
			"word_count": int64(0), "has_citations": false, "has_code_examples": false,
			"starts_with_greeting": false, "exceeds_min_length": false, "contains_markdown": false,
		}))
	})
})

// textEvaluators are every evaluator that reads the answer text.
var textEvaluators = map[string]heval.Func{
	"word_count": evals.WordCount, "has_citations": evals.HasCitations, "has_code_examples": evals.HasCodeExamples,
	"starts_with_greeting": evals.StartsWithGreeting, "exceeds_min_length": evals.ExceedsMinLength,
	"contains_markdown": evals.ContainsMarkdown, "seed_checks": evals.SeedChecks, "exact_match": evals.ExactMatch,
	"normalized_match": evals.NormalizedMatch, "contains": evals.Contains("x"), "contains_all": evals.ContainsAllFold("x"),
	"contains_any": evals.ContainsAny("x"), "regex": evals.MustRegex("x"), "valid_json": evals.ValidJSON,
	"json_schema": evals.MustJSONSchema([]byte(`{"type":"object"}`)), "levenshtein": evals.Levenshtein,
	"numeric_closeness": evals.NumericCloseness(1), "refusal": evals.Refusal,
}

var _ = Describe("an unreadable answer", func() {
	It("is an error from every text evaluator, never a score of an empty answer", func() {
		for name, f := range textEvaluators {
			s := withRef(unavailable(), "x")
			_, err := f(context.Background(), s)
			Expect(errors.Is(err, heval.ErrBodyNotAvailable)).To(BeTrue(), "%s: %v", name, err)

			_, err = f(context.Background(), withRef(heval.Sample{}, "x"))
			Expect(err).To(HaveOccurred(), name)
		}
	})
})

var _ = Describe("matching the reference", func() {
	DescribeTable("exact and normalized match",
		func(answer, ref string, exact, normalized bool) {
			s := withRef(chat(answer), ref)
			Expect(value(evals.ExactMatch, s)).To(Equal(exact))
			Expect(value(evals.NormalizedMatch, s)).To(Equal(normalized))
		},
		Entry("identical", "Paris", "Paris", true, true),
		Entry("case", "PARIS", "paris", false, true),
		Entry("white space", "  New\n York ", "new york", false, true),
		Entry("unicode folding", "STRASSE", "straße", false, true),
		Entry("different", "Paris", "London", false, false),
		Entry("both empty", "", "", true, true),
		Entry("empty answer", "", "x", false, false),
	)

	It("is an error without a reference", func() {
		for _, f := range []heval.Func{evals.ExactMatch, evals.NormalizedMatch, evals.Levenshtein, evals.NumericCloseness(1)} {
			_, err := f(context.Background(), chat("x"))
			Expect(err).To(MatchError(evals.ErrNoReference))
		}
	})

	It("reads a reference that is a provider body", func() {
		s := chat("Paris")
		s.Reference = chat("Paris").Body
		Expect(value(evals.ExactMatch, s)).To(BeTrue())
	})

	DescribeTable("levenshtein",
		func(answer, ref string, want int64) {
			Expect(value(evals.Levenshtein, withRef(plain(answer), ref))).To(Equal(want))
		},
		Entry("identical", "kitten", "kitten", int64(100)),
		Entry("kitten/sitting: 3 edits over 7", "kitten", "sitting", int64(57)),
		Entry("both empty", "", "", int64(100)),
		Entry("empty answer", "", "abc", int64(0)),
		Entry("runes, not bytes", "日本語", "日本人", int64(67)),
		Entry("disjoint", "abc", "xyz", int64(0)),
		Entry("huge vs short", huge, "word", int64(0)),
		Entry("huge identical", huge, huge, int64(100)),
	)

	It("refuses to compare two huge different texts instead of running for minutes", func() {
		a := strings.Repeat("ab", 300_000)
		b := strings.Repeat("ba", 300_000)
		_, err := evals.Levenshtein(context.Background(), withRef(plain(a), b))
		Expect(err).To(MatchError(ContainSubstring("too long to compare")))
	})

	DescribeTable("numeric closeness",
		func(f heval.Func, answer, ref string, want bool) {
			Expect(value(f, withRef(plain(answer), ref))).To(Equal(want))
		},
		Entry("exact", evals.NumericCloseness(0), "The answer is 42.", "42", true),
		Entry("within", evals.NumericCloseness(0.5), "about 3.3", "3.14159", true),
		Entry("outside", evals.NumericCloseness(0.1), "about 3.3", "3.14159", false),
		Entry("thousands separators", evals.NumericCloseness(0), "It costs $1,234.50 total", "1234.5", true),
		Entry("negative", evals.NumericCloseness(0), "-7 degrees", "−7", true),
		Entry("exponent", evals.NumericCloseness(1), "6.02e23", "6.02e23", true),
		Entry("no number", evals.NumericCloseness(100), "none", "1", false),
		Entry("relative within", evals.NumericClosenessRelative(0.05), "104", "100", true),
		Entry("relative outside", evals.NumericClosenessRelative(0.05), "106", "100", false),
	)

	It("numeric closeness is an error when the reference holds no number", func() {
		_, err := evals.NumericCloseness(1)(context.Background(), withRef(plain("1"), "none"))
		Expect(err).To(MatchError(ContainSubstring("holds no number")))
	})
})

var _ = Describe("contains and regex", func() {
	DescribeTable("contains family",
		func(f heval.Func, text string, want bool) { Expect(value(f, chat(text))).To(Equal(want)) },
		Entry("contains", evals.Contains("refund"), "we refund you", true),
		Entry("contains is case-sensitive", evals.Contains("Refund"), "we refund you", false),
		Entry("contains fold", evals.ContainsFold("REFUND"), "we refund you", true),
		Entry("contains fold unicode", evals.ContainsFold("straße"), "STRASSE", true),
		Entry("contains empty", evals.Contains(""), "", true),
		Entry("all", evals.ContainsAll("a", "b"), "a b", true),
		Entry("all missing", evals.ContainsAll("a", "z"), "a b", false),
		Entry("all none", evals.ContainsAll(), "", true),
		Entry("all fold", evals.ContainsAllFold("A", "B"), "a b", true),
		Entry("any", evals.ContainsAny("x", "b"), "a b", true),
		Entry("any none found", evals.ContainsAny("x", "y"), "a b", false),
		Entry("any of none", evals.ContainsAny(), "a", false),
		Entry("any fold", evals.ContainsAnyFold("X", "B"), "a b", true),
		Entry("huge", evals.ContainsAll("Title", "word"), huge, true),
	)

	It("names what is missing", func() {
		_, sc, err := run(evals.ContainsAll("a", "z", "y"), chat("a"))
		Expect(err).NotTo(HaveOccurred())
		Expect(sc.Reason()).To(Equal(`missing "z", "y"`))
	})

	It("regex matches and reports a bad pattern when declared", func() {
		f, err := evals.Regex(`^(?i)hi\b`)
		Expect(err).NotTo(HaveOccurred())
		Expect(value(f, chat("Hi there"))).To(BeTrue())
		Expect(value(f, chat("high"))).To(BeFalse())
		Expect(value(f, chat(""))).To(BeFalse())

		_, err = evals.Regex(`(`)
		Expect(err).To(MatchError(ContainSubstring("does not compile")))
		Expect(func() { evals.MustRegex(`(`) }).To(PanicWith(MatchError(ContainSubstring("does not compile"))))
	})

	DescribeTable("refusal",
		func(text string, want bool) { Expect(value(evals.Refusal, chat(text))).To(Equal(want)) },
		Entry("can't help", "I'm sorry, but I can't help with that.", true),
		Entry("typographic apostrophe", "I can\u2019t assist with this request.", true),
		Entry("as an AI", "As an AI language model, I have no opinions.", true),
		Entry("unable", "I am unable to do this.", true),
		Entry("helpful answer", "Sure! Here is how to reset your password.", false),
		Entry("empty", "", false),
		Entry("unicode", "Désolé, je ne peux pas.", false),
	)

	It("not inverts a boolean", func() {
		Expect(value(evals.Not(evals.Refusal), chat("Sure."))).To(BeTrue())
		_, err := evals.Not(evals.WordCount)(context.Background(), chat("x"))
		Expect(err).To(MatchError(ContainSubstring("not a boolean")))
	})
})

var _ = Describe("response formats", func() {
	DescribeTable("valid_json",
		func(text string, want bool) { Expect(value(evals.ValidJSON, chat(text))).To(Equal(want)) },
		Entry("object", `{"a": 1}`, true),
		Entry("padded array", "  [1, 2]\n", true),
		Entry("string", `"x"`, true),
		Entry("fenced", "```json\n{}\n```", false),
		Entry("trailing text", `{} extra`, false),
		Entry("truncated", `{"a": `, false),
		Entry("empty", "", false),
		Entry("unicode", `{"名前": "太郎"}`, true),
	)

	schema := []byte(`{
		"type": "object",
		"required": ["name", "age"],
		"properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
		"additionalProperties": false
	}`)

	It("json_schema checks conformance and lists violations", func() {
		f, err := evals.JSONSchema(schema)
		Expect(err).NotTo(HaveOccurred())
		Expect(value(f, chat(`{"name": "Ada", "age": 36}`))).To(BeTrue())

		v, sc, err := run(f, chat(`{"name": 5, "age": -1, "extra": true}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(v).To(BeFalse())
		Expect(sc.Reason()).To(ContainSubstring("/name"))
		Expect(sc.Reason()).To(ContainSubstring("/age"))
		Expect(sc.Reason()).To(ContainSubstring("extra"))

		v, sc, _ = run(f, chat("not json"))
		Expect(v).To(BeFalse())
		Expect(sc.Reason()).To(ContainSubstring("not JSON"))
	})

	It("json_schema reports a bad schema when declared and loads nothing external", func() {
		_, err := evals.JSONSchema([]byte(`{"type": 5}`))
		Expect(err).To(MatchError(ContainSubstring("does not compile")))
		_, err = evals.JSONSchema([]byte(`{`))
		Expect(err).To(MatchError(ContainSubstring("not JSON")))
		_, err = evals.JSONSchema([]byte(`{"$ref": "https://example.invalid/s.json"}`))
		Expect(err).To(HaveOccurred())
		Expect(func() { evals.MustJSONSchema([]byte(`{`)) }).To(Panic())
	})
})
