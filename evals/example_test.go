package evals_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/evals"
)

// answer is a sample whose response body is the plain text t.
func answer(t string) heval.Sample {
	b, _ := json.Marshal(t)
	return heval.Sample{Body: b}
}

// expect returns s with the reference answer ref.
func expect(s heval.Sample, ref string) heval.Sample {
	s.Reference, _ = json.Marshal(ref)
	return s
}

// show prints what an evaluator returned.
func show(sc heval.Score, err error) {
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	var parts []string
	for _, e := range sc.Entries() {
		if e.Key != "" {
			parts = append(parts, fmt.Sprintf("%s=%v", e.Key, e.Value))
		} else {
			parts = append(parts, fmt.Sprint(e.Value))
		}
	}
	if sc.Reason() != "" {
		parts = append(parts, "("+sc.Reason()+")")
	}
	fmt.Println(strings.Join(parts, " "))
}

var ctx = context.Background()

func ExampleWordCount() {
	show(evals.WordCount(ctx, answer("Reset it  in Settings.")))
	show(evals.WordCount(ctx, answer("")))
	// Output:
	// 4
	// 0
}

func ExampleHasCitations() {
	show(evals.HasCitations(ctx, answer("Refunds take 30 days [1].")))
	show(evals.HasCitations(ctx, answer("As Smith (2021) showed.")))
	show(evals.HasCitations(ctx, answer("No sources.")))
	// Output:
	// true
	// true
	// false
}

func ExampleHasCodeExamples() {
	show(evals.HasCodeExamples(ctx, answer("```sh\nls\n```")))
	// Output: true
}

func ExampleStartsWithGreeting() {
	show(evals.StartsWithGreeting(ctx, answer("Hi! How can I help?")))
	show(evals.StartsWithGreeting(ctx, answer("History says...")))
	// Output:
	// true
	// false
}

func ExampleMinLength() {
	show(evals.MinLength(5)(ctx, answer("héllo!")))
	// Output: true
}

func ExampleExceedsMinLength() {
	show(evals.ExceedsMinLength(ctx, answer("Too short.")))
	// Output: false
}

func ExampleContainsMarkdown() {
	show(evals.ContainsMarkdown(ctx, answer("## Steps\n1. Open **Settings**")))
	show(evals.ContainsMarkdown(ctx, answer("Use snake_case and 2 * 3.")))
	// Output:
	// true
	// false
}

func ExampleSeedChecks() {
	sc, _ := evals.SeedChecks(ctx, answer("Hello! See [1]."))
	for _, e := range sc.Entries() {
		fmt.Println(e.Key, e.Value)
	}
	// Output:
	// word_count 3
	// has_citations true
	// has_code_examples false
	// starts_with_greeting true
	// exceeds_min_length false
	// contains_markdown false
}

func ExampleExactMatch() {
	show(evals.ExactMatch(ctx, expect(answer("Paris"), "Paris")))
	show(evals.ExactMatch(ctx, answer("Paris")))
	// Output:
	// true
	// error: the sample has no reference answer to compare with: set the expected output of the row or file sample
}

func ExampleNormalizedMatch() {
	show(evals.NormalizedMatch(ctx, expect(answer("  NEW   york\n"), "New York")))
	// Output: true
}

func ExampleContains() {
	show(evals.Contains("refund")(ctx, answer("We refund within 30 days.")))
	show(evals.ContainsFold("REFUND")(ctx, answer("We refund within 30 days.")))
	// Output:
	// true
	// true
}

func ExampleContainsAll() {
	show(evals.ContainsAll("30 days", "receipt")(ctx, answer("Refunds within 30 days.")))
	// Output: false (missing "receipt")
}

func ExampleContainsAny() {
	show(evals.ContainsAnyFold("sorry", "apolog")(ctx, answer("We Apologize for the delay.")))
	// Output: true (contains "apolog")
}

func ExampleRegex() {
	f, err := evals.Regex(`(?i)^(hi|hello)\b`)
	if err != nil {
		panic(err)
	}
	show(f(ctx, answer("Hello there")))
	_, err = evals.Regex(`(`)
	fmt.Println(err != nil)
	// Output:
	// true
	// true
}

func ExampleValidJSON() {
	show(evals.ValidJSON(ctx, answer(`{"ok": true}`)))
	show(evals.ValidJSON(ctx, answer(`{"ok": true} and more`)))
	// Output:
	// true
	// false (not JSON: text follows the JSON value at byte 12)
}

func ExampleJSONSchema() {
	f := evals.MustJSONSchema([]byte(`{"type": "object", "required": ["score"],
		"properties": {"score": {"type": "integer", "maximum": 10}}}`))
	show(f(ctx, answer(`{"score": 7}`)))
	show(f(ctx, answer(`{"score": 70}`)))
	// Output:
	// true
	// false (1 schema violation(s): /score: maximum: got 70, want 10)
}

func ExampleLevenshtein() {
	show(evals.Levenshtein(ctx, expect(answer("kitten"), "sitting")))
	// Output: 57
}

func ExampleNumericCloseness() {
	show(evals.NumericCloseness(0.5)(ctx, expect(answer("It is about 1,234.2 km."), "1234")))
	show(evals.NumericClosenessRelative(0.01)(ctx, expect(answer("104"), "100")))
	// Output:
	// true (answer 1234.2, reference 1234, tolerance 0.5)
	// false (answer 104, reference 100, tolerance 1)
}

func ExampleMaxLatency() {
	s := answer("ok")
	s.Latency = 1200 * time.Millisecond
	show(evals.MaxLatency(time.Second)(ctx, s))
	// Output: false (latency 1.2s, limit 1s)
}

func ExampleMaxTokens() {
	s := answer("ok")
	s.PromptTokens, s.CompletionTokens = 300, 120
	show(evals.MaxTokens(500)(ctx, s))
	// Output: true (420 tokens (300 prompt + 120 completion), limit 500)
}

func ExampleMaxCost() {
	s := answer("ok")
	s.Model, s.PromptTokens, s.CompletionTokens = "my-model", 1_000_000, 0
	prices := evals.Prices{"my-model": {Prompt: 0.50, Completion: 1.50}}
	show(evals.MaxCost(1, prices)(ctx, s))
	show(evals.CostMicroUSD(prices)(ctx, s))
	// Output:
	// true (cost $0.500000, limit $1.000000)
	// 500000
}

func ExampleRefusal() {
	show(evals.Refusal(ctx, answer("I'm sorry, but I can't help with that.")))
	show(evals.Not(evals.Refusal)(ctx, answer("Sure, here it is.")))
	// Output:
	// true (contains "i can't help with")
	// true
}

func ExampleWeightedMean() {
	quality := evals.WeightedMean(
		evals.W("cites", evals.HasCitations, 1),
		evals.W("similar", evals.Levenshtein, 3),
	)
	show(quality(ctx, expect(answer("Paris [1]"), "Paris")))
	// Output: 67 (cites=100×1, similar=56×3)
}

func ExampleAllOf() {
	good := evals.AllOf(evals.Not(evals.Refusal), evals.HasCitations)
	show(good(ctx, answer("See [2].")))
	// Output: true
}

func ExampleAnyOf() {
	show(evals.AnyOf(evals.HasCitations, evals.HasCodeExamples)(ctx, answer("No sources.")))
	// Output: false
}

func ExampleWhen() {
	onlyGPT := evals.When(func(s heval.Sample) bool { return s.Model == "gpt-4o" }, evals.WordCount)
	_, err := onlyGPT(ctx, answer("hi"))
	fmt.Println(err == heval.ErrNotApplicable)
	// Output: true
}

func ExamplePick() {
	show(evals.Pick(evals.SeedChecks, "word_count")(ctx, answer("one two")))
	// Output: 2
}

func ExamplePercent() {
	fmt.Println(heval.Percent(0.925), heval.Percent(0.924), heval.Percent(1.7), heval.Scale(3.5, 1, 5))
	// Output: 93 92 100 63
}

func ExampleLookup() {
	name, f, err := evals.Lookup("refund_ok:contains=refund")
	if err != nil {
		panic(err)
	}
	fmt.Print(name, ": ")
	show(f(ctx, answer("We refund you.")))
	_, _, err = evals.Lookup("word_cont")
	fmt.Println(err)
	// Output:
	// refund_ok: true
	// unknown evaluator "word_cont" (did you mean word_count?); run `heval evals` for the list
}

func ExampleCatalog() {
	for _, e := range evals.Catalog() {
		if e.Name == "seed_checks" || e.Name == "min_length" {
			fmt.Println(e.Name, e.Arg, len(e.Keys), e.Keys[0].Key, e.Keys[0].Type)
		}
	}
	// Output:
	// min_length [N] 1 min_length bool
	// seed_checks  6 word_count int
}
