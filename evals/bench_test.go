package evals

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
)

func benchSample(text, ref string) heval.Sample {
	b, _ := json.Marshal(text)
	r, _ := json.Marshal(ref)
	return datasets.Prepare(heval.Sample{Body: b, Reference: r})
}

func BenchmarkSeedChecks1MB(b *testing.B) {
	s := benchSample(strings.Repeat("Some *text* with [1] and words. ", 32_000), "")
	b.ResetTimer()
	for b.Loop() {
		if _, err := SeedChecks(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLevenshtein2000(b *testing.B) {
	s := benchSample(strings.Repeat("abcde", 400), strings.Repeat("abdce", 400))
	for b.Loop() {
		if _, err := Levenshtein(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRefusal1MB(b *testing.B) {
	s := benchSample(strings.Repeat("Here is a helpful answer. ", 40_000), "")
	for b.Loop() {
		if _, err := Refusal(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}
