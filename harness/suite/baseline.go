package suite

import (
	"fmt"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/harness"

	"github.com/heval-dev/heval/reporters/parquet"
)

// LoadBaseline reads a previous run's scores file (scores.parquet, as written by
// `heval run`, `heval demo` or a suite with an output directory) as results to compare
// with, for the nightly question "is tonight not worse than last night":
//
//	lastNight, err := suite.LoadBaseline("baseline/scores.parquet")
//	…
//	Expect(run.Hypothesis("candidate")).To(NotBeWorseThan(lastNight.Hypothesis("candidate"), "accuracy", ByMoreThan(2)))
//
// Sets from two runs of one experiment pair by dataset row; samples without a row (runs
// over logged requests) pair by request id, and matchers.PairedByRequest pairs by request
// id always. The results carry the baseline run's evaluator specs and directions, so
// NotBeWorseThan refuses an evaluator whose spec changed since, and the samples' answers
// when samples.parquet is beside the file.
func LoadBaseline(path string) (*harness.Results, error) {
	run, err := parquet.ReadRun(path)
	if err != nil {
		return nil, fmt.Errorf("loading the baseline: %w", err)
	}
	if len(run.Records) == 0 {
		return nil, fmt.Errorf("loading the baseline %s: the file holds no scores", path)
	}
	sum := run.Summary
	if !run.HasSummary {
		samples := map[string]bool{}
		for _, r := range run.Records {
			if r.Sample != nil {
				samples[r.Sample.RequestID+"\x00"+r.Sample.DatasetRowID] = true
			}
		}
		sum = heval.Summary{Samples: len(samples)}
	}
	return harness.NewResults(run.Info, run.Records, sum), nil
}
