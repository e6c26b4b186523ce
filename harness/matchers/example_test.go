package matchers_test

import (
	"fmt"

	"github.com/heval-dev/heval"

	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	. "github.com/heval-dev/heval/harness/matchers"
)

// exampleRun is an experiment of four dataset rows judged for two hypotheses.
func exampleRun() *harness.Results {
	var recs []heval.Record
	for h, hyp := range []string{"baseline", "candidate"} {
		for row, acc := range [][]int64{{90, 85, 80, 95}, {88, 40, 82, 94}}[h] {
			s := &heval.Sample{RequestID: fmt.Sprintf("%d0000000-0000-4000-8000-00000000000%d", h+1, row),
				Hypothesis: hyp, HypothesisID: hyp, Model: "gpt-4o-mini", DatasetRowID: fmt.Sprint("r", row), RowIndex: row}
			recs = append(recs, heval.Record{Sample: s, Evaluator: "accuracy",
				Values: []heval.Value{{Key: "accuracy", Value: acc, Type: heval.Number}}})
		}
	}
	return harness.NewResults(heval.RunInfo{}, recs, heval.Summary{})
}

func ExampleHaveMean() {
	run := exampleRun()
	m := HaveMean("accuracy", BeNumerically(">=", 80))
	ok, _ := m.Match(run.Hypothesis("candidate"))
	fmt.Println(ok)
	fmt.Println(m.FailureMessage(run.Hypothesis("candidate")))
	// Output:
	// false
	// hypothesis candidate (gpt-4o-mini): mean of accuracy is 76 over 4 values
	//   Expected
	//       <float64>: 76
	//   to be >=
	//       <int>: 80
	//   lowest values:
	//     row 1 (request 20000000-0000-4000-8000-000000000001): 40
	//     row 2 (request 20000000-0000-4000-8000-000000000002): 82
	//     row 0 (request 20000000-0000-4000-8000-000000000000): 88
	//     row 3 (request 20000000-0000-4000-8000-000000000003): 94
}

func ExampleNotBeWorseThan() {
	run := exampleRun()
	m := NotBeWorseThan(run.Hypothesis("baseline"), "accuracy", ByMoreThan(2), AtConfidence(0.9))
	ok, _ := m.Match(run.Hypothesis("candidate"))
	fmt.Println(ok)
	fmt.Println(m.FailureMessage(run.Hypothesis("candidate")))
	// Output:
	// false
	// hypothesis candidate (gpt-4o-mini): mean accuracy 76.0 is worse than hypothesis baseline (gpt-4o-mini) 87.5
	//   by 11.5 points (90% CI -0.5 .. 33.2; allowed 2.0), paired over 4 dataset rows
	//   the interval is wide: more rows or repeats would narrow it
	//   worst rows (candidate vs baseline):
	//     row 1 (request 20000000-0000-4000-8000-000000000001): 40.0 vs 85.0 (baseline request 10000000-0000-4000-8000-000000000001)
	//     row 0 (request 20000000-0000-4000-8000-000000000000): 88.0 vs 90.0 (baseline request 10000000-0000-4000-8000-000000000000)
	//     row 3 (request 20000000-0000-4000-8000-000000000003): 94.0 vs 95.0 (baseline request 10000000-0000-4000-8000-000000000003)
}
