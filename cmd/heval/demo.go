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
	fs := newFlagSet(c.stdio, "demo")
	var jf jobFlags
	jf.register(fs.FlagSet, "unlimited")
	if err := fs.parse(args); err != nil {
		return err
	}
	jf.given(fs.FlagSet)
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
	// Label hypotheses per experiment ("support/candidate", "code/baseline"), so that the
	// summary does not pool the two experiments' arms.
	labels := map[string]string{}
	for id, l := range demo.Labels() {
		prefix := "support/"
		if strings.HasPrefix(id, demo.CodeExperimentID[:8]) {
			prefix = "code/"
		}
		labels[id] = prefix + l
	}
	var srcs []datasets.Source
	for _, id := range demo.ExperimentIDs() {
		srcs = append(srcs, datasets.Experiment(id, datasets.WithLabels(labels)))
	}
	j := &job{stdio: c.stdio, flags: jf, source: datasets.Concat(srcs...), env: datasets.Env{Client: client}}
	if err := j.run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "\nThe emulator stopped with the demo, and the scores it held with it; the reports in %s stay.\n"+
		"To keep an emulator running and judge it yourself: heval serve --profile legacy (it prints what to export)\n"+
		"Against your own Helicone: HELICONE_API_KEY=... heval run --dataset <id or name> --out %s\n", jf.out, jf.out)
	return nil
}
