package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/dirlock"
	"github.com/heval-dev/heval/internal/textdist"
	"github.com/heval-dev/heval/reporters/console"
	"github.com/heval-dev/heval/reporters/outputs"
)

// defaultEvals are the evaluators of a run that names none: the automated quality checks of
// Helicone's scoring guide, with the score keys of the seed_checks evaluator.
var defaultEvals = []string{"word_count", "has_citations", "has_code_examples", "starts_with_greeting", "exceeds_min_length", "contains_markdown"}

// jobFlags are the flags shared by `heval run` and `heval demo`.
type jobFlags struct {
	out           string
	evals         listFlag
	requires      listFlag
	dryRun        bool
	rate          string
	concurrency   int
	resume        bool
	verify        bool
	verifyDelay   time.Duration
	verifyTimeout time.Duration
	shard         string
	noHTML        bool
	markdown      string
	quiet         bool
	evalTimeout   time.Duration
	allowEmpty    bool
	// rateGiven is true when --rate was on the command line.
	rateGiven bool
}

// given records which of the job's flags were on the command line; call it after parsing.
func (j *jobFlags) given(fs *flag.FlagSet) { j.rateGiven = setFlags(fs)["rate"] }

// rateDefaultNote completes the help of --rate for the default rate def.
func rateDefaultNote(def string) string {
	if def == "unlimited" {
		return ""
	}
	return "; a server on this machine (such as heval serve) is not paced unless --rate is given"
}

// register declares the flags on fs; rate is the default of --rate.
func (j *jobFlags) register(fs *flag.FlagSet, rate string) {
	fs.StringVar(&j.out, "out", "heval-out", "`DIR` for scores.parquet, samples.parquet, junit.xml, report.html and the delivery journal (journal.jsonl)")
	fs.Var(&j.evals, "eval", "evaluator `NAME[=ARG]` to run (repeatable; 'heval evals' lists them; default: the six automated checks "+strings.Join(defaultEvals, ", ")+")")
	fs.Var(&j.requires, "require", "`THRESHOLD` that must hold, KEY:STAT OP LIMIT[@HYPOTHESIS] with STAT one of mean, median, pNN, min, max, pass_rate, errors, count: e.g. 'has_citations:pass_rate>=0.8' or 'word_count:p90<=250@candidate' (repeatable)")
	fs.BoolVar(&j.dryRun, "dry-run", false, "evaluate and write reports without submitting scores")
	fs.StringVar(&j.rate, "rate", rate, "budget of requests to Helicone (score writes and --verify read-backs), per organization: `RATE` is N/DURATION (e.g. 10000/5m), a tier of hosted Helicone (free = 1000/5m, pro = 10000/5m, enterprise = 100000/5m) or unlimited; with --shard K/N each shard takes 1/N of it"+rateDefaultNote(rate))
	fs.IntVar(&j.concurrency, "concurrency", 0, "`N` samples evaluated at once (default: a multiple of the CPU count)")
	fs.BoolVar(&j.resume, "resume", false, "skip samples whose scores the journal in --out records as delivered, and send the rest")
	fs.BoolVar(&j.verify, "verify", false, "any Helicone: read every submitted score back through request queries and fail when one did not land (Helicone stores writes asynchronously: a missing score is waited for up to --verify-timeout)")
	fs.DurationVar(&j.verifyDelay, "verify-delay", 0, "with --verify: the wait `DURATION` before the first read-back (default 2s; 100ms for a server on this machine)")
	fs.DurationVar(&j.verifyTimeout, "verify-timeout", 0, "with --verify: how long (`DURATION`) after a write its scores are looked for before they count as missing (default 11m, as Helicone's asynchronous writes need; 5s for a server on this machine)")
	fs.StringVar(&j.shard, "shard", "", "evaluate only shard `K/N` of the samples (default from HEVAL_SHARD or JOB_COMPLETION_INDEX/HEVAL_SHARDS)")
	fs.BoolVar(&j.noHTML, "no-html", false, "do not write report.html")
	fs.StringVar(&j.markdown, "markdown", "", "also write the summary as Markdown to `FILE` (it is always appended to $GITHUB_STEP_SUMMARY when set)")
	fs.BoolVar(&j.quiet, "quiet", false, "print no progress, only the summary")
	fs.DurationVar(&j.evalTimeout, "eval-timeout", 0, "give each evaluator call at most `DURATION` (e.g. 2m); a call past it is recorded as timed out and the run goes on (default: no limit; the LLM judge limits each of its requests itself)")
	fs.BoolVar(&j.allowEmpty, "allow-empty", false, "succeed when the source has no samples (by default a run that matches nothing fails with exit 1 and says what there is)")
}

// startSpy remembers whether the run started its handler, which it does with the first
// sample (a run that fails before has nothing to report), and counts the samples with
// scores but no request id, which have nowhere in Helicone to go.
type startSpy struct {
	heval.Handler
	started bool
	// noID counts them; last is the sample counted last (a sample's records come one
	// after another).
	noID int
	last *heval.Sample
}

func (s *startSpy) Record(r heval.Record) error {
	if r.Sample != nil && r.Sample.RequestID == "" && len(r.Values) > 0 && r.Sample != s.last {
		s.last = r.Sample
		s.noID++
	}
	return s.Handler.Record(r)
}

func (s *startSpy) Start(info heval.RunInfo) error {
	s.started = true
	return s.Handler.Start(info)
}

// job is one evaluation run as configured by the flags.
type job struct {
	stdio
	// groupBy is the --group-by property, for its error messages; asked says what the
	// command line asked for ("--filter 'model=gpt-4o-mini'"), "" to use the source's words.
	groupBy, asked string
	flags          jobFlags
	// budget says, at the start, how fast the run may send and why.
	budget string
	source datasets.Source
	env    datasets.Env
	// extraEvals are evaluators added by the command itself.
	extraEvals []*harness.EvaluatorSpec
	// summary is the run's summary once it ran (nil when it could not start).
	summary *heval.Summary
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
		if err := heval.CheckKey(name); err != nil {
			return nil, usagef("--eval %s: the evaluator's name is its score key, and %v", spec, err)
		}
		if seen[name] {
			return nil, usagef("--eval %s: an evaluator named %q is already declared; rename one with 'alias:%s'", spec, name, spec)
		}
		seen[name] = true
		opts := []any{harness.Spec(evalSpec(spec)), harness.DeclaredAt("", 0)}
		if e, ok := reg.EntryFor(spec); ok {
			for _, k := range e.Keys {
				switch {
				case k.Direction == "":
				case k.Key == name:
					opts = append(opts, harness.Direction(k.Direction)) // its own value, as a suite declares it
				default:
					opts = append(opts, harness.Direction(k.Direction, k.Key))
				}
			}
		}
		if j.flags.evalTimeout > 0 {
			opts = append(opts, harness.Timeout(j.flags.evalTimeout))
		}
		out = append(out, harness.Evaluator(name, fn, opts...))
	}
	return out, nil
}

// declaredKeys are the score keys and the names of the run's evaluators, known before the
// run from the evaluator catalog; nil keys when an evaluator is not from the catalog.
func (j *job) declaredKeys() (keys, names []string) {
	if len(j.extraEvals) > 0 {
		return nil, nil
	}
	specs := j.flags.evals
	if len(specs) == 0 {
		specs = defaultEvals
	}
	reg := evaluatorRegistry()
	catalog := reg.Catalog()
	for _, spec := range specs {
		name, _, err := reg.Lookup(spec)
		if err != nil {
			return nil, nil
		}
		names = append(names, name)
		canon, _, _ := strings.Cut(evalSpec(spec), "=")
		for _, e := range catalog {
			if e.Name != canon {
				continue
			}
			if len(e.Keys) == 1 && e.Keys[0].Key == e.Name {
				keys = append(keys, name)
				break
			}
			for _, k := range e.Keys {
				keys = append(keys, k.Key)
			}
		}
	}
	return keys, names
}

// checkThresholdKey is a usage error when a threshold names a score key (or, for the
// errors statistic, an evaluator) that no evaluator of the run has.
func checkThresholdKey(t harness.Threshold, keys, names []string) error {
	what, list := "score key", keys
	if t.Stat == "errors" {
		what, list = "evaluator", names
	}
	if slices.Contains(list, t.Key) {
		return nil
	}
	msg := fmt.Sprintf("--require %s: no evaluator of this run has the %s %q; the run's %ss are %s", t.Name, what, t.Key, what, strings.Join(list, ", "))
	if near := textdist.Nearest(t.Key, list); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return usagef("%s; add the evaluator with --eval ('heval evals' lists every evaluator's keys)", msg)
}

// evalSpec is what identifies an --eval evaluator's configuration: the spec without its
// alias, with the name in its canonical form ("Min-Length=200" is "min_length=200").
func evalSpec(spec string) string {
	spec = strings.TrimSpace(spec)
	body, arg, hasArg := strings.Cut(spec, "=")
	if i := strings.IndexByte(body, ':'); i >= 0 {
		body = body[i+1:]
	}
	name := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(body)), "-", "_")
	if hasArg {
		return name + "=" + arg
	}
	return name
}

func (j *job) config() (harness.Config, error) {
	var cfg harness.Config
	evs, err := j.evaluators()
	if err != nil {
		return cfg, err
	}
	keys, names := j.declaredKeys()
	for _, r := range j.flags.requires {
		t, err := harness.ParseThreshold(r)
		if err != nil {
			return cfg, usagef("--require %s: %v", r, err)
		}
		if keys != nil {
			if err := checkThresholdKey(t, keys, names); err != nil {
				return cfg, err
			}
		}
		cfg.Thresholds = append(cfg.Thresholds, t)
	}
	rate, err := helicone.ParseRate(j.flags.rate)
	if err != nil {
		return cfg, usagef("--rate %s: %v", j.flags.rate, err)
	}
	why := "--rate " + j.flags.rate
	if !j.flags.rateGiven {
		why = "the default of --rate, " + j.flags.rate
	}
	if t := tierName(j.flags.rate); t != "" {
		why += ": " + t
	}
	if c := j.env.Client; c != nil && c.Loopback() && !j.flags.rateGiven && !rate.IsUnlimited() {
		rate = helicone.Rate{}
		why = "the server " + c.BaseURL() + " is on this machine; --rate sets a budget"
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
	if j.flags.evalTimeout < 0 {
		return cfg, usagef("--eval-timeout %s: give a positive duration such as 2m", j.flags.evalTimeout)
	}
	if j.flags.concurrency < 0 || j.flags.concurrency > harness.MaxConcurrency {
		return cfg, usagef("--concurrency %d: give a number from 1 to %d (0 or none: a multiple of the CPU count)", j.flags.concurrency, harness.MaxConcurrency)
	}
	j.budget = budgetLine(rate, why, shard)
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
	cfg.VerifyTimeout = j.flags.verifyTimeout
	cfg.JournalPath = filepath.Join(j.flags.out, harness.JournalFile)
	cfg.Logger = slog.New(slog.NewTextHandler(j.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.Info = harness.Provenance(heval.RunInfo{Source: j.source.String(), DryRun: j.flags.dryRun})
	return cfg, nil
}

// wrongSource reports whether err says that the server does not serve the kind of source
// asked for (experiments on current Helicone, datasets on legacy Helicone): a mistake in the
// command line, which the error's text says how to mend.
func wrongSource(err error) bool {
	return errors.Is(err, helicone.ErrExperimentsUnavailable) || errors.Is(err, helicone.ErrDatasetsUnavailable)
}

// tierName names the hosted Helicone tier a --rate value is, "" for other values.
func tierName(rate string) string {
	switch strings.ToLower(strings.TrimSpace(rate)) {
	case "free":
		return "hosted Helicone's free tier"
	case "pro", "paid", "team", "growth":
		return "hosted Helicone's paid tiers"
	case "enterprise":
		return "hosted Helicone's enterprise tier"
	}
	return ""
}

// budgetLine is what a run says at its start about its request budget: the budget, where
// it comes from, and the share of one shard.
func budgetLine(rate helicone.Rate, why string, shard harness.Shard) string {
	if rate.IsUnlimited() {
		return fmt.Sprintf("heval: score writes and read-backs are not paced (%s)", why)
	}
	msg := fmt.Sprintf("heval: request budget %s for score writes and read-backs (%s)", rate, why)
	if !shard.IsWhole() {
		share := rate.Share(shard.N)
		msg += fmt.Sprintf("; this shard (%s) takes 1/%d of it, %.1f requests/s, so that the %d shards together stay within it", shard, shard.N, share.PerSecond(), shard.N)
	} else {
		msg += fmt.Sprintf(": %.1f requests/s", rate.PerSecond())
	}
	return msg
}

// refusedKey reports whether err says that Helicone refused the API key: a mistake in the
// configuration (exit 2), which the error's text says how to mend.
func refusedKey(err error) bool {
	return errors.Is(err, helicone.ErrUnauthorized) || errors.Is(err, helicone.ErrWrongRegion) || errors.Is(err, helicone.ErrKeyPermission)
}

// run executes the job and maps its outcome to the CLI's errors.
func (j *job) run(ctx context.Context) error {
	cfg, err := j.config()
	if err != nil {
		return err
	}
	_, statErr := os.Stat(j.flags.out)
	createdDir := errors.Is(statErr, fs.ErrNotExist)
	outs, err := outputs.Open(outputs.Options{Dir: j.flags.out, NoHTML: j.flags.noHTML, Markdown: j.flags.markdown,
		Console: j.termOut, Redact: j.redact.String})
	if err != nil {
		return err
	}
	spy := &startSpy{Handler: outs.Handler()}
	cfg.Handler = spy
	cfg.AllowEmpty = j.flags.allowEmpty
	if !j.flags.quiet {
		if !cfg.DryRun {
			fmt.Fprintln(j.err, j.budget)
		}
		p := console.NewProgress(j.termErr, 0, console.Phases(!cfg.DryRun, cfg.Verify && !cfg.DryRun))
		defer p.Done()
		cfg.Progress = p
	}
	res, runErr := harness.Run(ctx, cfg)
	if res != nil {
		j.summary = &res.Summary
	}
	if spy.started {
		if err := outs.Close(); err != nil && runErr == nil {
			runErr = err
		}
		fmt.Fprintf(j.out, "\nwrote %s\n", strings.Join(outs.Paths(), ", "))
	} else {
		// The run failed before its first sample: the reports of an earlier run stay, and
		// a directory made for this run goes again (os.Remove leaves a non-empty one).
		_ = outs.Discard()
		if createdDir {
			_ = os.Remove(filepath.Join(j.flags.out, dirlock.FileName))
			_ = os.Remove(j.flags.out)
		}
	}
	var empty *harness.NoSamplesError
	switch {
	case errors.As(runErr, &empty):
		what := empty.Source
		if j.asked != "" {
			what = j.asked
		}
		msg := what + " matched no samples, so nothing was evaluated or written"
		if empty.Hint != "" {
			msg += ":\n  " + strings.ReplaceAll(empty.Hint, "\n", "\n  ")
		}
		return &failedError{msg + "\n(pass --allow-empty to let a run without samples succeed)"}
	case errors.Is(runErr, datasets.ErrUnknownProperty):
		return usagef("--group-by %s: %w", j.groupBy, runErr)
	case errors.Is(runErr, harness.ErrInterrupted):
		return fmt.Errorf("%w: %v", errInterrupted, runErr)
	case errors.Is(runErr, harness.ErrJournalMismatch):
		return usagef("%v", runErr)
	case errors.Is(runErr, harness.ErrScoresMissing):
		return &failedError{runErr.Error()}
	case wrongSource(runErr), refusedKey(runErr):
		return usagef("%w", runErr)
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
	d := res.Summary.Delivery
	var problems []string
	if d.Failed > 0 {
		problems = append(problems, fmt.Sprintf("%d score writes were not acknowledged by Helicone (see the error column of scores.parquet); rerun with --resume to retry them", d.Failed))
	}
	if d.NotSent > 0 {
		problems = append(problems, fmt.Sprintf("%d samples have request ids that are not UUIDs, so their scores were not sent (Helicone drops them); they are in the reports only", d.NotSent))
	}
	if len(problems) > 0 {
		return &failedError{strings.Join(problems, "\n")}
	}
	if n := spy.noID; n > 0 && !cfg.DryRun {
		fmt.Fprintf(j.err, "heval: %d samples have no request id (a local file without request_id), so their scores are in the reports only: there is nothing in Helicone to send them to, and nothing to resume; --dry-run says so up front and needs no API key\n", n)
	}
	return nil
}
