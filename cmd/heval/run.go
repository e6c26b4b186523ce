package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/datasets/parquetfile"
	"github.com/heval-dev/heval/helicone"
)

// runCmd evaluates samples from Helicone (or a local file) and submits the scores.
type runCmd struct{ stdio }

// sourceFlags choose what to judge.
type sourceFlags struct {
	experiments listFlag
	prompt      string
	filters     listFlag
	jsonl       string
	parquet     string
	hypProp     string
	eu          bool
	insecure    bool
}

func (c *runCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("run", "(--experiment ID | --prompt NAME | --filter EXPR... | --jsonl FILE | --parquet FILE) [flags]", c.err)
	var sf sourceFlags
	fs.Var(&sf.experiments, "experiment", "experiment `ID` to evaluate: its dataset rows and hypothesis runs (repeatable)")
	fs.StringVar(&sf.prompt, "prompt", "", "evaluate every experiment of this prompt (prompt_v2 equals `NAME`)")
	fs.Var(&sf.filters, "filter", "evaluate logged requests matching `EXPR`, e.g. 'property:Variant=B', 'model=gpt-4o-mini', 'created>=-24h' (repeatable, ANDed)")
	fs.StringVar(&sf.hypProp, "group-by", "", "with --filter: the request property whose value names a sample's group (e.g. Variant)")
	fs.StringVar(&sf.jsonl, "jsonl", "", "evaluate the samples of a local JSONL `FILE`")
	fs.StringVar(&sf.parquet, "parquet", "", "evaluate the samples of a local Parquet `FILE`")
	fs.BoolVar(&sf.eu, "eu", false, "use Helicone's EU region (https://eu.api.helicone.ai) unless HELICONE_BASE_URL is set")
	fs.BoolVar(&sf.insecure, "insecure", false, "allow sending the API key over plain HTTP to a host that is not loopback")
	var jf jobFlags
	jf.register(fs, "pro")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run: unexpected argument %q (see 'heval run -h')", fs.Arg(0))
	}
	src, needsClient, err := sf.source()
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
			return usagef("%v (or pass --dry-run to evaluate a local file without submitting)", err)
		}
		env.Client = client
	}
	j := &job{stdio: c.stdio, flags: jf, source: src, env: env}
	return j.run(ctx)
}

func (sf *sourceFlags) source() (datasets.Source, bool, error) {
	var srcs []datasets.Source
	needsClient := false
	for _, id := range sf.experiments {
		srcs = append(srcs, datasets.Experiment(id))
		needsClient = true
	}
	if sf.prompt != "" {
		srcs = append(srcs, datasets.ExperimentsByPrompt(helicone.Equals, sf.prompt))
		needsClient = true
	}
	if len(sf.filters) > 0 {
		f, err := helicone.ParseFilter(sf.filters...)
		if err != nil {
			return nil, false, usagef("--filter: %v", err)
		}
		var opts []datasets.RequestsOption
		if sf.hypProp != "" {
			opts = append(opts, datasets.HypothesisProperty(sf.hypProp))
		}
		srcs = append(srcs, datasets.Requests(f, opts...))
		needsClient = true
	} else if sf.hypProp != "" {
		return nil, false, usagef("--group-by goes with --filter")
	}
	if sf.jsonl != "" {
		srcs = append(srcs, datasets.JSONL(sf.jsonl))
	}
	if sf.parquet != "" {
		srcs = append(srcs, parquetfile.Source(sf.parquet))
	}
	switch len(srcs) {
	case 0:
		return nil, false, usagef("run: say what to evaluate: --experiment ID, --prompt NAME, --filter EXPR, --jsonl FILE or --parquet FILE (see 'heval run -h')")
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
		return nil, usagef("%v", err)
	}
	if c.SendsKeyInClear() {
		fmt.Fprintf(stderr, "heval: warning: --insecure: the API key goes in clear text over plain HTTP to %s; anyone on the network path can read it (use https)\n", c.BaseURL())
	}
	return c, nil
}
