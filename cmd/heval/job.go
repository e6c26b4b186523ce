package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/console"
	"github.com/heval-dev/heval/reporters/html"
	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/markdown"
	"github.com/heval-dev/heval/reporters/parquet"
)

// defaultEvals are the evaluators of a run that names none: the automated quality checks of
// Helicone's scoring guide.
var defaultEvals = []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting", "min_length", "contains_markdown"}

// jobFlags are the flags shared by `heval run` and `heval demo`.
type jobFlags struct {
	out         string
	evals       listFlag
	requires    listFlag
	dryRun      bool
	rate        string
	concurrency int
	resume      bool
	verify      bool
	verifyDelay time.Duration
	shard       string
	noHTML      bool
	markdown    string
	quiet       bool
}

func (j *jobFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&j.out, "out", "heval-out", "directory for scores.parquet, junit.xml, report.html and the delivery journal")
	fs.Var(&j.evals, "eval", "evaluator `NAME[=ARG]` to run (repeatable; 'heval evals' lists them; default: the six automated checks)")
	fs.Var(&j.requires, "require", "threshold that must hold, e.g. 'has_citations:pass_rate>=0.8' or 'word_count:p90<=250@candidate' (repeatable)")
	fs.BoolVar(&j.dryRun, "dry-run", false, "evaluate and write reports without submitting scores")
	fs.StringVar(&j.rate, "rate", "pro", "score-write budget: N/DURATION (e.g. 10000/5m), a tier (free, pro, enterprise) or unlimited")
	fs.IntVar(&j.concurrency, "concurrency", 0, "samples evaluated at once (default: a multiple of the CPU count)")
	fs.BoolVar(&j.resume, "resume", false, "skip samples whose scores the journal in --out records as delivered, and send the rest")
	fs.BoolVar(&j.verify, "verify", false, "read every submitted score back and fail when one did not land")
	fs.DurationVar(&j.verifyDelay, "verify-delay", 0, "wait this long before reading scores back (Helicone stores writes asynchronously)")
	fs.StringVar(&j.shard, "shard", "", "evaluate only shard `K/N` of the samples (default from HEVAL_SHARD or JOB_COMPLETION_INDEX/HEVAL_SHARDS)")
	fs.BoolVar(&j.noHTML, "no-html", false, "do not write report.html")
	fs.StringVar(&j.markdown, "markdown", "", "also write the summary as Markdown to `FILE` (it is always appended to $GITHUB_STEP_SUMMARY when set)")
	fs.BoolVar(&j.quiet, "quiet", false, "print no progress, only the summary")
}

// job is one evaluation run as configured by the flags.
type job struct {
	stdio
	flags  jobFlags
	source datasets.Source
	env    datasets.Env
	// extraEvals are evaluators added by the command itself.
	extraEvals []*harness.EvaluatorSpec
}

func (j *job) evaluators() ([]*harness.EvaluatorSpec, error) {
	specs := j.flags.evals
	if len(specs) == 0 && len(j.extraEvals) == 0 {
		specs = defaultEvals
	}
	out := append([]*harness.EvaluatorSpec(nil), j.extraEvals...)
	seen := map[string]bool{}
	reg := evaluatorRegistry()
	for _, spec := range specs {
		name, fn, err := reg.Lookup(spec)
		if err != nil {
			return nil, usagef("--eval %s: %v ('heval evals' lists the evaluators)", spec, err)
		}
		if seen[name] {
			return nil, usagef("--eval %s: an evaluator named %q is already declared; rename one with 'alias:%s'", spec, name, spec)
		}
		seen[name] = true
		out = append(out, harness.Evaluator(name, fn))
	}
	return out, nil
}

func (j *job) config() (harness.Config, error) {
	var cfg harness.Config
	evs, err := j.evaluators()
	if err != nil {
		return cfg, err
	}
	for _, r := range j.flags.requires {
		t, err := harness.ParseThreshold(r)
		if err != nil {
			return cfg, usagef("--require %s: %v", r, err)
		}
		cfg.Thresholds = append(cfg.Thresholds, t)
	}
	rate, err := harness.ParseRate(j.flags.rate)
	if err != nil {
		return cfg, usagef("--rate %s: %v", j.flags.rate, err)
	}
	var shard harness.Shard
	if j.flags.shard != "" {
		shard, err = harness.ParseShard(j.flags.shard)
	} else {
		shard, err = harness.ShardFromEnv()
	}
	if err != nil {
		return cfg, usagef("shard: %v", err)
	}
	if j.flags.concurrency < 0 {
		return cfg, usagef("--concurrency must be positive")
	}
	cfg.Source = j.source
	cfg.Env = j.env
	cfg.Evaluators = evs
	cfg.Concurrency = j.flags.concurrency
	cfg.DryRun = j.flags.dryRun
	cfg.Rate = rate
	cfg.Shard = shard
	cfg.Resume = j.flags.resume
	cfg.Verify = j.flags.verify
	cfg.VerifyDelay = j.flags.verifyDelay
	cfg.JournalPath = filepath.Join(j.flags.out, "journal.jsonl")
	cfg.Logger = slog.New(slog.NewTextHandler(j.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.Info = runInfo(j.source, evs, j.flags.dryRun, shard)
	return cfg, nil
}

// runInfo describes the run for the reports: version, git and CI metadata when present.
func runInfo(src datasets.Source, evs []*harness.EvaluatorSpec, dryRun bool, shard harness.Shard) heval.RunInfo {
	info := heval.RunInfo{
		Started: time.Now().UTC(),
		Source:  src.String(),
		DryRun:  dryRun,
		Version: heVersion(),
	}
	for _, e := range evs {
		info.Evaluators = append(info.Evaluators, e.Name())
	}
	if !shard.IsWhole() {
		info.Shard = shard.String()
	}
	info.GitCommit = firstEnv("GITHUB_SHA", "CI_COMMIT_SHA", "BUILDKITE_COMMIT", "GIT_COMMIT")
	info.GitBranch = firstEnv("GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BUILDKITE_BRANCH", "GIT_BRANCH")
	if info.GitCommit == "" {
		info.GitCommit = git("rev-parse", "HEAD")
	}
	if info.GitBranch == "" {
		info.GitBranch = git("rev-parse", "--abbrev-ref", "HEAD")
	}
	info.CIJobID = firstEnv("GITHUB_RUN_ID", "CI_JOB_ID", "BUILDKITE_JOB_ID", "BUILD_ID")
	return info
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func git(args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// outputs opens the report files in dir and returns the handler that writes them all.
type outputs struct {
	files   []*os.File
	handler heval.Handler
	paths   []string
}

func openOutputs(dir string, f jobFlags, stdout io.Writer) (*outputs, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the output directory: %w", err)
	}
	o := &outputs{}
	create := func(name string) (*os.File, error) {
		p := filepath.Join(dir, name)
		fh, err := os.Create(p)
		if err != nil {
			return nil, fmt.Errorf("creating %s: %w", p, err)
		}
		o.files = append(o.files, fh)
		o.paths = append(o.paths, p)
		return fh, nil
	}
	pq, err := create("scores.parquet")
	if err != nil {
		return nil, o.closeAll(err)
	}
	ju, err := create("junit.xml")
	if err != nil {
		return nil, o.closeAll(err)
	}
	// One aggregate feeds every summary (console, HTML, Markdown): the values are kept once.
	agg := reporters.NewAggregator()
	var renders []func(*reporters.Aggregate) error
	renders = append(renders, func(a *reporters.Aggregate) error { return console.Write(stdout, a, nil) })
	if !f.noHTML {
		hf, err := create("report.html")
		if err != nil {
			return nil, o.closeAll(err)
		}
		renders = append(renders, func(a *reporters.Aggregate) error { return html.Render(hf, html.Report{Run: a}) })
	}
	var mds []io.Writer
	if f.markdown != "" {
		mf, err := os.Create(f.markdown)
		if err != nil {
			return nil, o.closeAll(fmt.Errorf("creating %s: %w", f.markdown, err))
		}
		o.files = append(o.files, mf)
		o.paths = append(o.paths, f.markdown)
		mds = append(mds, mf)
	}
	if p := markdown.StepSummaryPath(); p != "" {
		if sf, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			o.files = append(o.files, sf)
			mds = append(mds, sf)
		}
	}
	for _, mw := range mds {
		renders = append(renders, func(a *reporters.Aggregate) error { return markdown.Write(mw, a, nil) })
	}
	hs := []heval.Handler{parquet.NewWriter(pq), junit.NewWriter(ju), agg, onFinish(func(heval.Summary) error {
		a := agg.Result()
		var errs []error
		for _, r := range renders {
			errs = append(errs, r(a))
		}
		return errors.Join(errs...)
	})}
	o.handler = heval.Multi(hs...)
	return o, nil
}

func (o *outputs) closeAll(err error) error {
	errs := []error{err}
	for _, f := range o.files {
		errs = append(errs, f.Sync(), f.Close())
	}
	return errors.Join(errs...)
}

// run executes the job and maps its outcome to the CLI's errors.
func (j *job) run(ctx context.Context) error {
	cfg, err := j.config()
	if err != nil {
		return err
	}
	outs, err := openOutputs(j.flags.out, j.flags, j.out)
	if err != nil {
		return err
	}
	cfg.Handler = outs.handler
	if !j.flags.quiet {
		p := console.NewProgress(j.err, 0)
		defer p.Done()
		cfg.Progress = p
	}
	res, runErr := harness.Run(ctx, cfg)
	if err := outs.closeAll(nil); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(j.out, "\nwrote %s\n", strings.Join(outs.paths, ", "))
	switch {
	case errors.Is(runErr, harness.ErrInterrupted):
		return fmt.Errorf("%w: %v", errInterrupted, runErr)
	case errors.Is(runErr, harness.ErrScoresMissing):
		return &failedError{runErr.Error()}
	case runErr != nil:
		return runErr
	}
	var failed []string
	for _, c := range res.Summary.Checks {
		if !c.Passed {
			failed = append(failed, c.Message)
		}
	}
	if len(failed) > 0 {
		return &failedError{fmt.Sprintf("%d of %d thresholds failed:\n  %s", len(failed), len(res.Summary.Checks), strings.Join(failed, "\n  "))}
	}
	if d := res.Summary.Delivery; d.Failed > 0 {
		return &failedError{fmt.Sprintf("%d score writes were not acknowledged by Helicone (see the error column of scores.parquet); rerun with --resume to retry them", d.Failed)}
	}
	return nil
}

// onFinish is a handler that only acts when the run finishes.
type onFinish func(heval.Summary) error

func (onFinish) Start(heval.RunInfo) error      { return nil }
func (onFinish) Record(heval.Record) error      { return nil }
func (f onFinish) Finish(s heval.Summary) error { return f(s) }
