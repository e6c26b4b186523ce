package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/helicone/heliconetest/demo"
)

// demoCmd runs the whole job twice against in-process emulators seeded with the demo data,
// no account and no network: once on a legacy Helicone (the demo's experiments), once on
// current Helicone (its Helicone Datasets and their tagged runs, with every score read
// back).
type demoCmd struct{ stdio }

// currentDir is the subdirectory of --out that the current path's outputs go to.
const currentDir = "current"

// demoPath is one of the two runs of the demo.
type demoPath struct {
	title   string
	profile heliconetest.Profile
	out     string
	verify  bool
	source  datasets.Source
	summary *heval.Summary
}

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
	paths := []*demoPath{
		{title: "legacy Helicone (self-hosted, before the 2025-10 migration): the demo's two experiments",
			profile: heliconetest.Legacy, out: jf.out, verify: jf.verify, source: legacySource()},
		{title: "current Helicone (hosted today): the demo's two Helicone datasets and their tagged runs, every score read back (--verify)",
			profile: heliconetest.Current, out: filepath.Join(jf.out, currentDir), verify: !jf.dryRun, source: currentSource()},
	}
	var firstErr error
	for i, p := range paths {
		err := c.runPath(ctx, jf, p, i+1, len(paths))
		var fe *failedError
		switch {
		case err == nil:
		case errors.As(err, &fe):
			// A threshold that failed, or a score that did not land: the other path still runs.
			firstErr = cmpErr(firstErr, err)
		default:
			return err
		}
	}
	c.closing(jf, paths)
	return firstErr
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// runPath runs one path of the demo on an emulator of its own.
func (c *demoCmd) runPath(ctx context.Context, jf jobFlags, p *demoPath, n, of int) error {
	srv := heliconetest.NewServer(heliconetest.WithProfile(p.profile), heliconetest.WithSeed(demo.Seed()))
	defer srv.Close()
	client, err := helicone.NewClient(helicone.WithBaseURL(srv.URL), helicone.WithAPIKey(srv.APIKey))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "\n== heval demo %d/%d: %s\n", n, of, p.title)
	fmt.Fprintf(c.out, "heval demo: a Helicone emulator (profile %s) with the demo data is listening on %s\n", p.profile, srv.URL)
	flags := jf
	flags.out, flags.verify = p.out, p.verify
	if flags.markdown != "" && p.out != jf.out {
		ext := filepath.Ext(flags.markdown)
		flags.markdown = strings.TrimSuffix(flags.markdown, ext) + "-" + currentDir + ext
	}
	j := &job{stdio: c.stdio, flags: flags, source: p.source, env: datasets.Env{Client: client}}
	err = j.run(ctx)
	p.summary = j.summary
	return err
}

// legacySource is the demo's experiments. Their hypotheses have the same labels
// ("baseline", "candidate"); the samples carry short experiment names, which the reports
// put in front of the labels ("support/candidate") because the run holds two experiments,
// while the Parquet files keep experiment and hypothesis in columns of their own.
func legacySource() datasets.Source {
	var srcs []datasets.Source
	for _, id := range demo.ExperimentIDs() {
		name := "support"
		if strings.HasPrefix(id, demo.CodeExperimentID[:8]) {
			name = "code"
		}
		srcs = append(srcs, datasets.Experiment(id, datasets.WithLabels(demo.Labels()), datasets.WithExperimentName(name)))
	}
	return datasets.Concat(srcs...)
}

// currentSource is the demo's Helicone datasets and their tagged runs, named as the legacy
// path names the same experiments.
func currentSource() datasets.Source {
	var srcs []datasets.Source
	for _, d := range []struct{ short, name string }{{"support", demo.SupportDatasetName}, {"code", demo.CodeDatasetName}} {
		srcs = append(srcs, datasets.DatasetExperiment(d.name, datasets.WithExperimentName(d.short)))
	}
	return datasets.Concat(srcs...)
}

// closing says what each path did, and how to run the same against a server that stays up
// (the demo's emulators exit with it, and the scores they held with them).
func (c *demoCmd) closing(jf jobFlags, paths []*demoPath) {
	fmt.Fprintf(c.out, "\n== heval demo: summary\n")
	for _, p := range paths {
		name := "legacy Helicone, experiments:"
		if p.profile == heliconetest.Current {
			name = "current Helicone, datasets and tagged runs:"
		}
		fmt.Fprintf(c.out, "  %-44s %s; reports in %s\n", name, pathSummary(jf, p), p.out)
	}
	fmt.Fprintf(c.out, `
The demo's emulators have exited, and the scores they held with them. To run the same against
an emulator that stays up, start 'heval serve' (current Helicone; '--profile legacy' for the
experiments), export the HELICONE_BASE_URL and HELICONE_API_KEY it prints, and run
  heval run --dataset %s --verify --rate unlimited       # heval serve
  heval run --experiment %s --verify --rate unlimited   # heval serve --profile legacy
Against your own Helicone, set HELICONE_API_KEY to a key with write permission and run
  heval run --dataset NAME --verify
`, demo.SupportDatasetName, demo.SupportExperimentID)
}

// pathSummary says in a few words how a path went.
func pathSummary(jf jobFlags, p *demoPath) string {
	s := p.summary
	switch {
	case s == nil:
		return "did not run"
	case jf.dryRun:
		return fmt.Sprintf("%d samples judged, no scores sent (--dry-run)", s.Samples)
	}
	d := s.Delivery
	out := fmt.Sprintf("%d samples judged, %d score writes acknowledged", s.Samples, d.Acknowledged)
	if p.verify {
		out += fmt.Sprintf(", %d scores read back, %d missing", d.Verified, d.Missing)
	} else {
		out += ", not read back (add --verify)"
	}
	return out
}
