package matchers_test

import (
	"fmt"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/harness"
)

// arm describes one hypothesis of a hand-built experiment.
type arm struct {
	id, model, prompt string
	// accuracy gives the accuracy of a row (0–100); cites whether its answer cites sources.
	accuracy func(row int) int64
	cites    func(row int) bool
	// judge gives the repeats of a boolean judge on a row (nil: no judge).
	judge func(row int) []bool
}

func requestID(h, row int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", h+1, row)
}

// build makes results of an experiment with rows dataset rows and the given arms; failing
// rows of the first arm get an evaluator error instead of a word count.
func build(rows int, arms []arm, failing ...int) *harness.Results {
	var recs []heval.Record
	bad := map[int]bool{}
	for _, r := range failing {
		bad[r] = true
	}
	for h, a := range arms {
		for row := range rows {
			s := &heval.Sample{
				Kind: heval.KindHypothesisRun, RequestID: requestID(h, row), ExperimentID: "exp-1",
				HypothesisID: a.id, Hypothesis: a.id, Model: a.model, PromptVersionID: a.prompt,
				DatasetRowID: fmt.Sprintf("row-%03d", row), RowIndex: row,
				Inputs: map[string]string{"lang": []string{"en", "de"}[row%2]},
			}
			if a.id == "dataset" {
				s.Kind, s.HypothesisID = heval.KindDatasetRow, ""
			}
			recs = append(recs, heval.Record{Sample: s, Evaluator: "accuracy", Reason: fmt.Sprintf("rubric score for row %d", row),
				Values: []heval.Value{{Key: "accuracy", Value: a.accuracy(row), Type: heval.Number}}})
			b := int64(0)
			if a.cites(row) {
				b = 1
			}
			recs = append(recs, heval.Record{Sample: s, Evaluator: "has_citations",
				Values: []heval.Value{{Key: "has_citations", Value: b, Type: heval.Boolean}}})
			if h == 0 && bad[row] {
				recs = append(recs, heval.Record{Sample: s, Evaluator: "word_count",
					Err: "answer body is not an OpenAI chat completion", ErrKind: heval.ErrorKindEvaluator})
			} else {
				recs = append(recs, heval.Record{Sample: s, Evaluator: "word_count",
					Values: []heval.Value{{Key: "word_count", Value: int64(100 + 10*row), Type: heval.Number}}})
			}
			if a.judge != nil {
				for i, v := range a.judge(row) {
					b := int64(0)
					if v {
						b = 1
					}
					recs = append(recs, heval.Record{Sample: s, Evaluator: "is_factual", Repeat: i,
						Reason: fmt.Sprintf("repeat %d of row %d", i, row),
						Values: []heval.Value{{Key: "is_factual", Value: b, Type: heval.Boolean}}})
				}
			}
		}
	}
	return harness.NewResults(heval.RunInfo{RunID: "test", Source: "experiment exp-1"}, recs, heval.Summary{Samples: rows * len(arms)})
}

func baselineArm() arm {
	return arm{id: "baseline", model: "gpt-4o-mini", prompt: "v6",
		accuracy: func(row int) int64 { return int64(80 + row%11) },
		cites:    func(row int) bool { return row%5 != 0 }}
}
