//go:build ignore

// gen writes a scores file of the demo support experiment, as a nightly run would, for the
// nightly example to compare with.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/evals"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
	"github.com/heval-dev/heval/reporters/parquet"
)

func main() {
	out := flag.String("out", "last-night.parquet", "file to write")
	flag.Parse()
	srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
	defer srv.Close()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(demo.APIKey))
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	_, err = harness.Run(context.Background(), harness.Config{
		Source: datasets.Experiment(demo.SupportExperimentID),
		Env:    datasets.Env{Client: client},
		Evaluators: []*harness.EvaluatorSpec{
			harness.Evaluator("has_citations", evals.HasCitations),
			harness.Evaluator("word_count", evals.WordCount),
			harness.Evaluator("latency_ms", evals.LatencyMillis),
		},
		DryRun:  true,
		Handler: parquet.NewWriter(f),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
