package parquet_test

import (
	"time"

	"github.com/heval-dev/heval"
)

var (
	started   = time.Date(2026, 4, 30, 2, 0, 0, 123456000, time.UTC)
	createdAt = time.Date(2026, 4, 29, 12, 34, 56, 789012000, time.UTC)
)

func runInfo() heval.RunInfo {
	return heval.RunInfo{
		RunID: "run-0001", Started: started, Source: "experiment 4b0c2f4e-0000-4000-8000-000000000001",
		Evaluators: []string{"words", "checks"}, Version: "v0.1.0",
		GitCommit: "0123456789abcdef", GitBranch: "main", CIJobID: "ci-42", Shard: "",
		Declared: []heval.EvaluatorInfo{
			{Name: "words", Spec: "words=3", Direction: heval.Neutral, File: "evals/words_test.go", Line: 12},
			{Name: "checks", Spec: "checks", Direction: heval.HigherIsBetter, Keys: map[string]heval.Direction{"greeting": heval.LowerIsBetter}},
		},
		File: "evals/suite_test.go", Line: 40, RequestsURL: "https://eu.helicone.ai/requests",
	}
}

// fixtureRecords covers numbers, booleans, an evaluator panic, partial values with an
// invalid value, a delivery error, a failed check, unicode and a repeat.
func fixtureRecords() []heval.Record {
	a := &heval.Sample{
		Kind: heval.KindHypothesisRun, RequestID: "11111111-1111-4111-8111-111111111111",
		ExperimentID: "exp-1", Experiment: "support", HypothesisID: "hyp-1", Hypothesis: "gpt-4o-mini v2", Model: "gpt-4o-mini",
		Provider: "OPENAI", PromptVersionID: "pv-2", DatasetRowID: "row-0", RowIndex: 0,
		PromptTokens: 120, CompletionTokens: 48, Latency: 830 * time.Millisecond, CreatedAt: createdAt,
	}
	b := &heval.Sample{
		Kind: heval.KindDatasetRow, RequestID: "22222222-2222-4222-8222-222222222222",
		ExperimentID: "exp-1", Experiment: "support", Hypothesis: "dataset", Model: "gpt-4o", DatasetRowID: "row-1", RowIndex: 1,
	}
	c := &heval.Sample{
		Kind: heval.KindRequest, RequestID: "33333333-3333-4333-8333-333333333333",
		Model: "模型-✓", Latency: 2 * time.Second, CreatedAt: createdAt.Add(time.Hour),
	}
	return []heval.Record{
		{Sample: a, Evaluator: "words", Values: []heval.Value{{Key: "words", Value: 42, Type: heval.Number}},
			Reason: "counted", Duration: 1250 * time.Microsecond, Submitted: true},
		{Sample: a, Evaluator: "checks", Values: []heval.Value{
			{Key: "has_citations", Value: 1, Type: heval.Boolean},
			{Key: "greeting", Value: 0, Type: heval.Boolean},
		}, Failures: []string{"greeting is false, want true", "multi\nline"}, Duration: 3 * time.Millisecond, Submitted: true},
		{Sample: b, Evaluator: "words", Err: "runtime error: index out of range [3] with length 3",
			ErrKind: heval.ErrorKindPanic, Duration: 10 * time.Microsecond},
		{Sample: b, Evaluator: "checks", Values: []heval.Value{{Key: "greeting", Value: 1, Type: heval.Boolean}},
			DeliveryErr: "POST /v1/request/2222…/score: 503 Service Unavailable", Duration: 5 * time.Microsecond},
		{Sample: c, Evaluator: "words", Repeat: 1, Values: []heval.Value{{Key: "words", Value: -7, Type: heval.Number}},
			Err: "score \"ratio\": 0.5 is not an integer", ErrKind: heval.ErrorKindInvalidValue,
			Reason: "naïve ☃ — «ok» 🚀", Duration: time.Second, Submitted: true},
	}
}

func summary() heval.Summary {
	return heval.Summary{
		Finished: started.Add(90 * time.Second), Samples: 3,
		Checks:   []heval.Check{{Name: "words:mean>=10", Key: "words", Stat: "mean", Op: ">=", Limit: 10, Observed: 17.5, Passed: true}},
		Delivery: heval.DeliveryStats{Posts: 3, Acknowledged: 2, Failed: 1, Retries: 4, RateLimited: 1},
	}
}
