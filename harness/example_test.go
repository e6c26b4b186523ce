package harness_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// Run judges the samples of a source with every evaluator, submits the scores and returns
// the results. Here the source is an experiment of the local emulator's demo data.
func ExampleRun() {
	srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
	defer srv.Close()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := harness.Run(context.Background(), harness.Config{
		Source: datasets.Experiment(demo.SupportExperimentID, datasets.RowsOnly()),
		Env:    datasets.Env{Client: client},
		Evaluators: []*harness.EvaluatorSpec{
			harness.Evaluator("has_citations", evals.HasCitations),
			harness.Evaluator("polite", func(_ context.Context, s heval.Sample) (heval.Score, error) {
				return heval.Bool(!strings.Contains(strings.ToLower(s.Text()), "obviously")), nil
			}),
		},
		KeepResults: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := res.Summary.Delivery
	fmt.Printf("%d samples, %d score writes, %d acknowledged\n", res.Summary.Samples, d.Posts, d.Acknowledged)
	first := res.All().Records()[0]
	srv.FlushWrites() // Helicone applies acknowledged writes a while later; the emulator can now
	stored := srv.Scores(first.Sample.RequestID)
	fmt.Println("stored keys:", len(stored) == 2)
	// Output:
	// 120 samples, 120 score writes, 120 acknowledged
	// stored keys: true
}
