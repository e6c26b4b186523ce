package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/datasets/parquetfile"
	"github.com/heval-dev/heval/helicone"
)

// runCmd evaluates samples from Helicone (or a local file) and submits the scores.
type runCmd struct{ stdio }

// sourceFlags choose what to judge.
type sourceFlags struct {
	datasets    listFlag
	experiments listFlag
	prompt      string
	filters     listFlag
	jsonl       string
	parquet     string
	hypProp     string
	runs        string
	runFilters  listFlag
	hypTag      string
	rowTag      string
	eu          bool
	insecure    bool
}

// runsModes are the values of --runs.
var runsModes = []string{"include", "exclude", "only"}

// register declares the source flags on fs.
func (sf *sourceFlags) register(fs *flag.FlagSet) {
	fs.Var(&sf.datasets, "dataset", "current Helicone (hosted today): evaluate Helicone dataset `ID|NAME`: its rows, and the runs tagged with their row ids (the "+
		datasets.HypothesisHeader+" and "+datasets.RowHeader+" headers) unless --runs exclude (repeatable)")
	fs.StringVar(&sf.runs, "runs", "include", "with --dataset, --experiment or --prompt: `MODE` is include (the dataset rows and their hypothesis runs), exclude (the rows only) or only (the runs only)")
	fs.Var(&sf.runFilters, "runs-filter", "current Helicone, with --dataset: keep only the tagged runs also matching `EXPR`, e.g. 'created>=-24h' (repeatable, ANDed)")
	fs.StringVar(&sf.hypTag, "hypothesis-property", datasets.DefaultHypothesisProperty, "current Helicone, with --dataset: the request property `NAME` whose value names a run's hypothesis")
	fs.StringVar(&sf.rowTag, "row-property", datasets.DefaultRowProperty, "current Helicone, with --dataset or --filter: the request property `NAME` whose value is the id of the dataset row a request answered, which comparisons pair on")
	fs.Var(&sf.filters, "filter", "any Helicone: evaluate logged requests matching `EXPR`, e.g. 'property:Variant=B', 'model~gpt-4o-mini' (model contains), 'created>=-24h' (repeatable, ANDed; a run that matches nothing fails and says what there is)")
	fs.StringVar(&sf.hypProp, "group-by", "", "any Helicone, with --filter: the request property `NAME` whose value names a sample's group (e.g. Variant)")
	fs.Var(&sf.experiments, "experiment", "legacy Helicone only (self-hosted, before the 2025-10 migration; hosted Helicone answers \"Not implemented\"): experiment `ID` to evaluate, its dataset rows and hypothesis runs (repeatable)")
	fs.StringVar(&sf.prompt, "prompt", "", "legacy Helicone only: evaluate every experiment of this prompt (prompt_v2 equals `NAME`)")
	fs.StringVar(&sf.jsonl, "jsonl", "", "evaluate the samples of a local JSONL `FILE`")
	fs.StringVar(&sf.parquet, "parquet", "", "evaluate the samples of a local Parquet `FILE`")
	fs.BoolVar(&sf.eu, "eu", false, "use Helicone's EU region (https://eu.api.helicone.ai) unless HELICONE_BASE_URL is set")
	fs.BoolVar(&sf.insecure, "insecure", false, "allow sending the API key over plain HTTP to a host that is not loopback")
}

func (c *runCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "run")
	var sf sourceFlags
	sf.register(fs.FlagSet)
	var jf jobFlags
	jf.register(fs.FlagSet, "pro")
	if err := fs.parse(args); err != nil {
		return err
	}
	jf.given(fs.FlagSet)
	if fs.NArg() > 0 {
		return usagef("run: unexpected argument %q (see 'heval run -h')", fs.Arg(0))
	}
	src, needsClient, err := sf.source(setFlags(fs.FlagSet))
	if err != nil {
		return err
	}
	var env datasets.Env
	if needsClient || !jf.dryRun {
		client, err := newClientFromEnv(c.err, sf.eu, sf.insecure)
		if err != nil {
			if needsClient || !errors.Is(err, helicone.ErrNoAPIKey) {
				return err
			}
			return usagef("%w; or pass --dry-run to evaluate the local file without submitting scores", err)
		}
		env.Client = client
	}
	j := &job{stdio: c.stdio, flags: jf, source: src, env: env, groupBy: sf.hypProp, asked: sf.asked()}
	return j.run(ctx)
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

func (sf *sourceFlags) source(set map[string]bool) (datasets.Source, bool, error) {
	var srcs []datasets.Source
	needsClient := false
	if !slices.Contains(runsModes, sf.runs) {
		return nil, false, usagef("--runs %s: say include (rows and runs), exclude (rows only) or only (runs only)", sf.runs)
	}
	if set["runs"] && len(sf.datasets) == 0 && len(sf.experiments) == 0 && sf.prompt == "" {
		return nil, false, usagef("--runs goes with --dataset, --experiment or --prompt")
	}
	for _, name := range []string{"runs-filter", "hypothesis-property"} {
		if set[name] && len(sf.datasets) == 0 {
			return nil, false, usagef("--%s goes with --dataset", name)
		}
	}
	var expOpts []datasets.ExperimentOption
	switch sf.runs {
	case "exclude":
		expOpts = append(expOpts, datasets.RowsOnly())
	case "only":
		expOpts = append(expOpts, datasets.RunsOnly())
	}
	for _, id := range sf.experiments {
		srcs = append(srcs, datasets.Experiment(id, expOpts...))
		needsClient = true
	}
	if sf.prompt != "" {
		srcs = append(srcs, datasets.ExperimentsByPrompt(helicone.Equals, sf.prompt, expOpts...))
		needsClient = true
	}
	if len(sf.datasets) > 0 {
		opts := append(slices.Clone(expOpts), datasets.RunTags(sf.hypTag, sf.rowTag))
		if len(sf.runFilters) > 0 {
			f, err := helicone.ParseFilter(sf.runFilters...)
			if err != nil {
				return nil, false, usagef("--runs-filter: %v", err)
			}
			opts = append(opts, datasets.RunFilter(f))
		}
		for _, d := range sf.datasets {
			srcs = append(srcs, datasets.DatasetExperiment(d, opts...))
		}
		needsClient = true
	}
	if len(sf.filters) > 0 {
		f, err := helicone.ParseFilter(sf.filters...)
		if err != nil {
			return nil, false, usagef("--filter: %v", err)
		}
		opts := []datasets.RequestsOption{datasets.RowProperty(sf.rowTag)}
		if sf.hypProp != "" {
			opts = append(opts, datasets.HypothesisProperty(sf.hypProp))
		}
		srcs = append(srcs, datasets.Requests(f, opts...))
		needsClient = true
	} else if sf.hypProp != "" {
		return nil, false, usagef("--group-by goes with --filter")
	}
	for _, file := range []struct{ flag, path string }{{"jsonl", sf.jsonl}, {"parquet", sf.parquet}} {
		if file.path == "" {
			continue
		}
		if st, err := os.Stat(file.path); err != nil {
			return nil, false, usagef("--%s %s: %w", file.flag, file.path, errors.Unwrap(err))
		} else if st.IsDir() {
			return nil, false, usagef("--%s %s is a directory; name the sample file", file.flag, file.path)
		}
	}
	if sf.jsonl != "" {
		srcs = append(srcs, datasets.JSONL(sf.jsonl))
	}
	if sf.parquet != "" {
		srcs = append(srcs, parquetfile.Source(sf.parquet))
	}
	switch len(srcs) {
	case 0:
		return nil, false, usagef("run: say what to evaluate: --dataset ID|NAME or --filter EXPR (hosted Helicone), --experiment ID or --prompt NAME (self-hosted Helicone before the 2025-10 migration), --jsonl FILE or --parquet FILE (see 'heval run -h')")
	case 1:
		return srcs[0], needsClient, nil
	}
	return datasets.Concat(srcs...), needsClient, nil
}

// newClientFromEnv builds the Helicone client from HELICONE_API_KEY and HELICONE_BASE_URL,
// warning on stderr when --insecure lets the key travel in clear text.
func newClientFromEnv(stderr io.Writer, eu, insecure bool) (*helicone.Client, error) {
	var opts []helicone.Option
	if eu && os.Getenv(helicone.EnvBaseURL) == "" {
		opts = append(opts, helicone.WithEU())
	}
	if insecure {
		opts = append(opts, helicone.WithInsecure())
	}
	c, err := helicone.NewClient(opts...)
	if err != nil {
		return nil, usagef("%w", clientError(err))
	}
	if c.SendsKeyInClear() {
		fmt.Fprintf(stderr, "heval: warning: --insecure: the API key goes in clear text over plain HTTP to %s; anyone on the network path can read it (use https)\n", c.BaseURL())
	}
	return c, nil
}

// clientError rewrites the errors of helicone.NewClient, which speak to Go callers, for
// the command line.
func clientError(err error) error {
	switch {
	case errors.Is(err, helicone.ErrNoAPIKey):
		return fmt.Errorf("%w: set %s to an API key with read and write permission (Helicone's settings page, API keys); 'heval serve' prints the key of its emulator", helicone.ErrNoAPIKey, helicone.EnvAPIKey)
	case errors.Is(err, helicone.ErrInsecureURL):
		return fmt.Errorf("%w: refusing to send the API key over plain HTTP to %s: use https or a loopback address, or pass --insecure", helicone.ErrInsecureURL, os.Getenv(helicone.EnvBaseURL))
	}
	return err
}

// asked describes the request filters of the command line for messages, "" without them.
func (sf *sourceFlags) asked() string {
	if len(sf.filters) == 0 {
		return ""
	}
	var parts []string
	for _, f := range sf.filters {
		parts = append(parts, "--filter '"+f+"'")
	}
	return strings.Join(parts, " ")
}
