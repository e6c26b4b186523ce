package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// demoCmd runs the whole job against an in-process emulator seeded with the demo data: no
// account, no network.
type demoCmd struct{ stdio }

func (c *demoCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("demo", "[flags]", c.err)
	var jf jobFlags
	jf.register(fs, "unlimited")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo: unexpected argument %q (see 'heval demo -h')", fs.Arg(0))
	}
	// The demo runs the experiment path, which only the legacy profile serves.
	srv := heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
	defer srv.Close()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "heval demo: a Helicone emulator with the demo data is listening on %s\n", srv.URL)
	// The experiments' hypotheses have the same labels ("baseline", "candidate"); the
	// samples carry short experiment names, which the reports put in front of the labels
	// ("support/candidate") because the run holds two experiments, while the Parquet
	// files keep experiment and hypothesis in columns of their own.
	var srcs []datasets.Source
	for _, id := range demo.ExperimentIDs() {
		name := "support"
		if strings.HasPrefix(id, demo.CodeExperimentID[:8]) {
			name = "code"
		}
		srcs = append(srcs, datasets.Experiment(id, datasets.WithLabels(demo.Labels()), datasets.WithExperimentName(name)))
	}
	j := &job{stdio: c.stdio, flags: jf, source: datasets.Concat(srcs...), env: datasets.Env{Client: client}}
	if err := j.run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "\nThe scores now live in the emulator. Against your own Helicone, run:\n  HELICONE_API_KEY=... heval run --experiment <id> --out %s\n", jf.out)
	return nil
}
