package suite

import (
	"context"
	"encoding/gob"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/internal/srcpos"
	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/outputs"
)

// The environment variables a suite reads; the matching flags (-heval.out, ...) win.
const (
	// EnvOut is the directory for the reports (flag -heval.out).
	EnvOut = "HEVAL_OUT"
	// EnvDryRun, when true, evaluates without sending scores (flag -heval.dry-run).
	EnvDryRun = "HEVAL_DRY_RUN"
	// EnvRate is the request budget for Helicone, as for `heval run --rate` (flag -heval.rate).
	EnvRate = "HEVAL_RATE"
	// EnvConcurrency bounds the evaluations running at once (flag -heval.concurrency).
	EnvConcurrency = "HEVAL_CONCURRENCY"
	// EnvRequire holds thresholds separated by commas, as for `heval run --require`
	// (flag -heval.require, repeatable).
	EnvRequire = "HEVAL_REQUIRE"
)

// Option configures an [Evaluation]; pass options to [Evaluate] among its items.
type Option struct{ apply func(*config) }

type config struct {
	evaluators  []*harness.EvaluatorSpec
	env         func() (datasets.Env, error)
	out         string
	dryRun      bool
	verify      bool
	rate        helicone.Rate
	concurrency int
	require     []string
	logger      *slog.Logger
	cleanup     []func()
	keys        []string // API keys to keep out of the reports
	allowEmpty  bool
}

// WithEnv gives the suite what its source and delivery talk to. Without it (or
// [WithHelicone] or [WithEnvFunc]) the suite builds a Helicone client from
// HELICONE_API_KEY and HELICONE_BASE_URL.
func WithEnv(env datasets.Env) Option {
	return Option{func(c *config) { c.env = func() (datasets.Env, error) { return env, nil } }}
}

// WithEnvFunc builds the suite's environment when the evaluation starts, on the one
// process that runs it, for example to start an emulator only where it is needed. A nil
// fn means the default: a Helicone client from HELICONE_API_KEY and HELICONE_BASE_URL.
func WithEnvFunc(fn func() (datasets.Env, error)) Option {
	return Option{func(c *config) { c.env = fn }}
}

// WithHelicone points the suite at a Helicone API (or a heliconetest emulator) by base
// URL and API key; the client is built when the evaluation starts:
//
//	var srv = heliconetest.NewServer(heliconetest.WithProfile(heliconetest.Legacy), heliconetest.WithSeed(demo.Seed()))
//	var run = suite.Evaluate(source, suite.WithHelicone(srv.URL, srv.APIKey), ...)
func WithHelicone(baseURL, apiKey string, opts ...helicone.Option) Option {
	env := WithEnvFunc(func() (datasets.Env, error) {
		c, err := helicone.NewClient(append([]helicone.Option{helicone.WithBaseURL(baseURL), helicone.WithAPIKey(apiKey)}, opts...)...)
		return datasets.Env{Client: c}, err
	})
	return Option{func(c *config) {
		env.apply(c)
		c.keys = append(c.keys, apiKey)
	}}
}

// WithOutDir writes the reports of `heval run` to dir: scores.parquet, samples.parquet,
// junit.xml, report.html, and the Markdown summary appended to $GITHUB_STEP_SUMMARY when
// that is set. The flag -heval.out and HEVAL_OUT override it; without any of them the
// reports go to [DefaultOutDir].
func WithOutDir(dir string) Option { return Option{func(c *config) { c.out = dir }} }

// WithDryRun evaluates without sending scores to Helicone. The flag -heval.dry-run and
// HEVAL_DRY_RUN override it.
func WithDryRun(on bool) Option { return Option{func(c *config) { c.dryRun = on }} }

// WithVerify reads every submitted score back from Helicone, as `heval run --verify` does
// (see [harness.Config].Verify), and fails the evaluation when one did not land: Helicone
// acknowledges writes it drops later (requests older than 30 days, another organization's).
// It does nothing in a dry run.
func WithVerify(on bool) Option { return Option{func(c *config) { c.verify = on }} }

// WithRate sets the request budget for Helicone (see [helicone.ParseRate]).
func WithRate(r helicone.Rate) Option { return Option{func(c *config) { c.rate = r }} }

// WithConcurrency bounds the evaluations running at once (see [harness.Config]).
func WithConcurrency(n int) Option {
	return Option{func(c *config) { c.concurrency = n }}
}

// Require adds suite-level thresholds in the syntax of `heval run --require` (see
// [harness.ParseThreshold]), for example Require("has_citations:pass_rate>=0.8@candidate").
// Each becomes a spec of its own, named by the threshold, that fails when it does not hold.
func Require(thresholds ...string) Option {
	for _, t := range thresholds {
		if _, err := harness.ParseThreshold(t); err != nil {
			panic("suite.Require: " + err.Error())
		}
	}
	return Option{func(c *config) { c.require = append(c.require, thresholds...) }}
}

// AllowEmpty lets the suite pass when its source has no samples. By default a source that
// yields none fails the suite's SynchronizedBeforeSuite with a [*harness.NoSamplesError]
// saying what the source could find instead, rather than running every spec on nothing.
func AllowEmpty() Option { return Option{func(c *config) { c.allowEmpty = true }} }

// WithLogger receives the run's warnings (retries, failed deliveries).
func WithLogger(l *slog.Logger) Option {
	return Option{func(c *config) { c.logger = l }}
}

// WithCleanup runs fn on every process after the suite, for example to close an emulator.
func WithCleanup(fn func()) Option {
	return Option{func(c *config) { c.cleanup = append(c.cleanup, fn) }}
}

// flags are registered on flag.CommandLine by the first Evaluate.
var flags struct {
	once             sync.Once
	out, rate, concy *string
	dryRun           *bool
	requires         []string
}

// dryRunSet reports whether -heval.dry-run was given on the command line.
func dryRunSet() bool {
	set := false
	flag.CommandLine.Visit(func(f *flag.Flag) { set = set || f.Name == "heval.dry-run" })
	return set
}

func registerFlags() {
	flags.once.Do(func() {
		fs := flag.CommandLine
		str := func(name, usage string) *string {
			if fs.Lookup(name) != nil {
				return new(string)
			}
			return fs.String(name, "", usage)
		}
		flags.out = str("heval.out", "directory for heval's reports: scores.parquet, samples.parquet, junit.xml, report.html (env "+EnvOut+"; default heval-out/PACKAGE at the module root; off for none)")
		if fs.Lookup("heval.dry-run") == nil {
			flags.dryRun = fs.Bool("heval.dry-run", false, "evaluate without sending scores to Helicone (env "+EnvDryRun+")")
		} else {
			flags.dryRun = new(bool)
		}
		flags.rate = str("heval.rate", "request budget for Helicone, for example 10/s or pro (env "+EnvRate+")")
		flags.concy = str("heval.concurrency", "evaluations running at once (env "+EnvConcurrency+")")
		if fs.Lookup("heval.require") == nil {
			fs.Func("heval.require", "threshold KEY:STAT OP LIMIT[@HYPOTHESIS], repeatable (env "+EnvRequire+", comma-separated)", func(s string) error {
				if _, err := harness.ParseThreshold(s); err != nil {
					return err
				}
				flags.requires = append(flags.requires, s)
				return nil
			})
		}
	})
}

// setting returns the flag's value when set, else the environment variable's.
func setting(flagVal *string, env string) (string, bool) {
	if flagVal != nil && *flagVal != "" {
		return *flagVal, true
	}
	if v, ok := os.LookupEnv(env); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), true
	}
	return "", false
}

// Evaluation is the evaluation of a Ginkgo suite declared with [Evaluate]. Its results
// are available inside specs.
type Evaluation struct {
	source datasets.Source
	cfg    config
	// declFile and declLine are where Evaluate was called.
	declFile string
	declLine int

	mu      sync.Mutex
	results *harness.Results
	file    string
	// outDir is where the reports were written on the process that evaluated ("" for
	// none).
	outDir string
}

// Evaluate declares the evaluation of a Ginkgo suite: the samples of source, judged by
// the evaluators among items (built with [harness.Evaluator]), configured by the options
// among items. Call it once per test package, at package level:
//
//	var run = suite.Evaluate(
//		datasets.Experiment(id),
//		harness.Evaluator("has_citations", evals.HasCitations),
//		harness.Evaluator("accuracy", accuracy, harness.Repeat(3), Label("judge")),
//	)
//
// Evaluate registers a SynchronizedBeforeSuite: one process (also under `ginkgo -p`)
// fetches the samples, runs the evaluators whose labels match the run's label filter,
// submits the scores, writes the reports and adds a summary per evaluator to Ginkgo's
// report; every process then receives the same results, which specs read with
// [Evaluation.Hypothesis], [Evaluation.All] and [Evaluation.Results]. Thresholds
// ([Require], -heval.require) become specs. Because it registers the suite-level nodes, a
// package with an Evaluation must not declare its own BeforeSuite or AfterSuite; use
// [WithCleanup].
//
// The flags -heval.out, -heval.dry-run, -heval.rate, -heval.concurrency and
// -heval.require (after -args for go test, after -- for ginkgo) and the matching HEVAL_*
// environment variables override the options. The reports go where -heval.out, HEVAL_OUT
// or [WithOutDir] say, else to [DefaultOutDir]; "off" writes none. After the specs ran,
// their outcomes (the matchers' assertions) are added to the run's junit.xml as the
// suite "heval/specs".
func Evaluate(source datasets.Source, items ...any) *Evaluation {
	registerFlags()
	s := &Evaluation{source: source}
	s.declFile, s.declLine = srcpos.Caller(1)
	for i, it := range items {
		switch it := it.(type) {
		case *harness.EvaluatorSpec:
			if it == nil {
				panic(fmt.Sprintf("suite.Evaluate: item %d is a nil evaluator", i+1))
			}
			s.cfg.evaluators = append(s.cfg.evaluators, it)
		case Option:
			it.apply(&s.cfg)
		case nil:
			panic(fmt.Sprintf("suite.Evaluate: item %d is nil", i+1))
		default:
			panic(fmt.Sprintf("suite.Evaluate: item %d has type %T; pass harness.Evaluator(...) and suite options (suite.WithHelicone, suite.Require, ...)", i+1, it))
		}
	}
	if source == nil {
		panic("suite.Evaluate: the source is nil; pass datasets.DatasetExperiment(idOrName), datasets.Requests(filter), datasets.Experiment(id), datasets.JSONL(path), ...")
	}
	if len(s.cfg.evaluators) == 0 {
		panic("suite.Evaluate: no evaluators; pass harness.Evaluator(name, fn) items")
	}
	ginkgo.SynchronizedBeforeSuite(s.evaluate, s.receive)
	ginkgo.SynchronizedAfterSuite(s.cleanupAll, s.cleanupFirst)
	ginkgo.ReportAfterSuite("heval: the specs' outcomes in junit.xml", s.reportSpecs)
	ginkgo.Describe("heval thresholds", s.thresholdSpecs)
	return s
}

// thresholds are the option's, the environment's and the flags' thresholds.
func (s *Evaluation) thresholds() []string {
	out := slices.Clone(s.cfg.require)
	if v, ok := os.LookupEnv(EnvRequire); ok {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return append(out, flags.requires...)
}

func (s *Evaluation) thresholdSpecs() {
	for _, raw := range s.thresholds() {
		t, err := harness.ParseThreshold(raw)
		var args []any
		for _, ev := range s.cfg.evaluators {
			if err == nil && ev.Name() == t.Key && len(ev.Labels()) > 0 {
				args = append(args, ginkgo.Label(ev.Labels()...))
			}
		}
		args = append(args, func() {
			if err != nil {
				ginkgo.Fail(err.Error())
			}
			res := s.Results()
			for _, c := range res.Summary.Checks {
				if c.Name == t.Name {
					if !c.Passed {
						ginkgo.Fail("threshold " + c.Name + " does not hold: " + c.Message)
					}
					return
				}
			}
			ginkgo.Fail("threshold " + t.Name + " was not checked: is its evaluator excluded by the label filter?")
		})
		ginkgo.It(raw, args...)
	}
}

// settings are the flags, the environment and the options, resolved.
type settings struct {
	out         string
	outDefault  bool
	dryRun      bool
	rate        helicone.Rate
	concurrency int
	thresholds  []harness.Threshold
}

func (s *Evaluation) resolve() (settings, error) {
	r := settings{out: s.cfg.out, dryRun: s.cfg.dryRun, rate: s.cfg.rate, concurrency: s.cfg.concurrency}
	if v, ok := setting(flags.out, EnvOut); ok {
		r.out = v
	}
	if r.out == "" {
		r.out, r.outDefault = DefaultOutDir(), true
	}
	if strings.EqualFold(r.out, OutOff) {
		r.out = ""
	}
	if dryRunSet() {
		r.dryRun = *flags.dryRun
	} else if v, ok := os.LookupEnv(EnvDryRun); ok && strings.TrimSpace(v) != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return r, fmt.Errorf("heval: %s = %q is not true or false", EnvDryRun, v)
		}
		r.dryRun = b
	}
	if v, ok := setting(flags.rate, EnvRate); ok {
		rt, err := helicone.ParseRate(v)
		if err != nil {
			return r, fmt.Errorf("heval: -heval.rate / %s: %w", EnvRate, err)
		}
		r.rate = rt
	}
	if v, ok := setting(flags.concy, EnvConcurrency); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return r, fmt.Errorf("heval: -heval.concurrency / %s = %q is not a positive integer", EnvConcurrency, v)
		}
		r.concurrency = n
	}
	for _, raw := range s.thresholds() {
		t, err := harness.ParseThreshold(raw)
		if err != nil {
			return r, err
		}
		r.thresholds = append(r.thresholds, t)
	}
	return r, nil
}

// selected are the evaluators whose labels match the run's label filter.
func (s *Evaluation) selected() []*harness.EvaluatorSpec {
	filter := ginkgo.GinkgoLabelFilter()
	var out []*harness.EvaluatorSpec
	for _, ev := range s.cfg.evaluators {
		if filter == "" || ginkgo.Labels(ev.Labels()).MatchesLabelFilter(filter) {
			out = append(out, ev)
		}
	}
	return out
}

// evaluate runs on process 1: fetch, evaluate, submit, report, and save the results for
// the other processes.
func (s *Evaluation) evaluate(ctx ginkgo.SpecContext) []byte {
	res, err := s.execute(ctx)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	for _, e := range summaryEntries(res) {
		ginkgo.AddReportEntry(e.name, e.text)
	}
	f, err := os.CreateTemp("", "heval-suite-*.gob")
	if err != nil {
		ginkgo.Fail("heval: saving the results for the other processes: " + err.Error())
	}
	defer f.Close()
	if err := gob.NewEncoder(f).Encode(snapshotOf(res)); err != nil {
		os.Remove(f.Name())
		ginkgo.Fail("heval: saving the results for the other processes: " + err.Error())
	}
	s.mu.Lock()
	s.file = f.Name()
	s.mu.Unlock()
	return []byte(f.Name())
}

func (s *Evaluation) execute(ctx context.Context) (*harness.Results, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	evs := s.selected()
	info := harness.Provenance(heval.RunInfo{Source: s.source.String(), DryRun: r.dryRun, File: s.declFile, Line: s.declLine})
	if len(evs) == 0 {
		return harness.NewResults(info, nil, heval.Summary{}), nil
	}
	envFn := s.cfg.env
	if envFn == nil {
		envFn = func() (datasets.Env, error) {
			c, err := helicone.NewClient()
			switch {
			case errors.Is(err, helicone.ErrNoAPIKey) && r.dryRun:
				// A dry run sends nothing: a source of local files needs no key, and one that
				// reads Helicone says so (datasets.ErrNoClient).
				return datasets.Env{}, nil
			case errors.Is(err, helicone.ErrNoAPIKey):
				return datasets.Env{}, fmt.Errorf("%w: set %s (and %s for a server other than hosted Helicone's US region), or give the suite suite.WithHelicone(baseURL, apiKey); a dry run (-heval.dry-run) of local files needs none", helicone.ErrNoAPIKey, helicone.EnvAPIKey, helicone.EnvBaseURL)
			}
			return datasets.Env{Client: c}, err
		}
	}
	env, err := envFn()
	if err != nil {
		return nil, fmt.Errorf("heval: connecting to Helicone: %w", err)
	}
	cfg := harness.Config{
		Source: s.source, Env: env, Evaluators: evs, Concurrency: r.concurrency, Info: info,
		DryRun: r.dryRun, Rate: r.rate, Thresholds: r.thresholds, KeepResults: true, Logger: s.cfg.logger,
		Verify:     s.cfg.verify && !r.dryRun,
		AllowEmpty: s.cfg.allowEmpty,
	}
	var outs *outputs.Set
	var spy *startSpy
	if r.out != "" {
		red := helicone.NewRedactor(append(slices.Clone(s.cfg.keys), os.Getenv(helicone.EnvAPIKey))...)
		outs, err = outputs.Open(outputs.Options{Dir: r.out, Redact: red.String})
		switch {
		case err != nil && r.outDefault:
			// The default directory is a convenience: a tree that cannot be written to (a
			// module cache, a read-only checkout) only costs the files.
			fmt.Fprintf(ginkgo.GinkgoWriter, "heval: writing no reports: %v (give a directory with -heval.out or HEVAL_OUT, or -heval.out=off)\n", err)
			outs = nil
		case err != nil:
			return nil, fmt.Errorf("heval: %w", err)
		default:
			spy = &startSpy{Handler: outs.Handler()}
			cfg.Handler = spy
			if !r.dryRun {
				cfg.JournalPath = filepath.Join(r.out, harness.JournalFile)
			}
			s.mu.Lock()
			s.outDir = r.out
			s.mu.Unlock()
		}
	}
	res, runErr := harness.Run(ctx, cfg)
	var errs []error
	var empty *harness.NoSamplesError
	switch {
	case errors.As(runErr, &empty):
		msg := fmt.Sprintf("heval: %s matched no samples, so the specs have nothing to check", empty.Source)
		if empty.Hint != "" {
			msg += ":\n  " + strings.ReplaceAll(empty.Hint, "\n", "\n  ")
		}
		errs = append(errs, errors.New(msg+"\n(suite.AllowEmpty() lets a suite without samples pass)"))
	case runErr != nil:
		errs = append(errs, fmt.Errorf("heval: the evaluation of %s failed: %w", s.source, runErr))
	}
	switch {
	case outs != nil && !spy.started:
		// The run failed before its first sample: the reports of an earlier run stay.
		_ = outs.Discard()
	case outs != nil:
		if err := outs.Close(); err != nil {
			errs = append(errs, fmt.Errorf("heval: writing the reports: %w", err))
		}
	}
	if res == nil && len(errs) == 0 {
		errs = append(errs, errors.New("heval: the evaluation returned no results"))
	}
	return res, errors.Join(errs...)
}

// OutOff, given as -heval.out or HEVAL_OUT, writes no reports.
const OutOff = "off"

// DefaultOutDir is where a suite writes its reports when -heval.out, HEVAL_OUT and
// [WithOutDir] say nothing: heval-out/PACKAGE under the root of the module being tested,
// PACKAGE being the test's package directory relative to that root (heval-out/evals/
// supportbot for the package in evals/supportbot). `go test ./...` thus gathers every
// suite's reports in one heval-out directory at the top of the repository (one line of
// .gitignore, one CI artifact), each suite in its own directory. Outside a module it is
// heval-out in the working directory. When the default directory cannot be written, the
// suite writes no reports and says so in its output.
func DefaultOutDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "heval-out"
	}
	root := srcpos.ModuleRoot(wd)
	if root == "" {
		return filepath.Join(wd, "heval-out")
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.Join(wd, "heval-out")
	}
	return filepath.Join(root, "heval-out", rel)
}

// reportSpecs adds the specs' outcomes to the junit.xml of the run, on the process that
// wrote it, once every process's specs have run.
func (s *Evaluation) reportSpecs(report ginkgo.Report) {
	s.mu.Lock()
	dir := s.outDir
	s.mu.Unlock()
	if dir == "" {
		return
	}
	var specs []junit.Spec
	for _, sr := range report.SpecReports {
		leaf := sr.LeafNodeType == types.NodeTypeIt
		if !leaf && !sr.State.Is(types.SpecStateFailureStates) {
			continue // suite-level nodes appear only when they failed
		}
		sp := junit.Spec{Name: sr.FullText(), File: srcpos.Rel(sr.LeafNodeLocation.FileName), Line: sr.LeafNodeLocation.LineNumber,
			Duration: sr.RunTime, State: junit.SpecPassed}
		if !leaf {
			sp.Name = sr.LeafNodeType.String()
			if sr.LeafNodeText != "" {
				sp.Name += " " + sr.LeafNodeText
			}
		}
		switch {
		case sr.State == types.SpecStatePanicked:
			sp.State = junit.SpecPanic
		case sr.State.Is(types.SpecStateFailureStates):
			sp.State = junit.SpecFailed
		case sr.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			sp.State = junit.SpecSkipped
			sp.Message = sr.Failure.Message
		}
		if sp.State == junit.SpecFailed || sp.State == junit.SpecPanic {
			sp.Message = sr.Failure.Message
			if sr.State == types.SpecStatePanicked && sr.Failure.ForwardedPanic != "" {
				sp.Message = sr.Failure.Message + ": " + sr.Failure.ForwardedPanic
			}
			if loc := sr.Failure.Location; loc.FileName != "" {
				sp.At = srcpos.Rel(loc.FileName) + ":" + strconv.Itoa(loc.LineNumber)
			}
		}
		specs = append(specs, sp)
	}
	path := filepath.Join(dir, outputs.JUnitFile)
	if err := addSpecs(path, s.declFile, specs); err != nil {
		fmt.Fprintf(ginkgo.GinkgoWriter, "heval: adding the specs' outcomes to %s: %v\n", path, err)
	}
}

// addSpecs rewrites the JUnit file at path with the suite of specs added, through a
// temporary file renamed into place.
func addSpecs(path, file string, specs []junit.Spec) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	err = junit.AddSuite(tmp, src, "heval/specs", file, specs)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// startSpy remembers whether the run started its handler, which it does with the first
// sample.
type startSpy struct {
	heval.Handler
	started bool
}

func (s *startSpy) Start(info heval.RunInfo) error {
	s.started = true
	return s.Handler.Start(info)
}

// receive runs on every process with the path of the saved results.
func (s *Evaluation) receive(ctx ginkgo.SpecContext, path []byte) {
	f, err := os.Open(string(path))
	if err != nil {
		ginkgo.Fail("heval: reading the suite's results: " + err.Error())
	}
	defer f.Close()
	var snap snapshot
	if err := gob.NewDecoder(f).Decode(&snap); err != nil {
		ginkgo.Fail("heval: reading the suite's results: " + err.Error())
	}
	s.mu.Lock()
	s.results = harness.NewResults(snap.Info, snap.records(), snap.Summary)
	s.mu.Unlock()
}

func (s *Evaluation) cleanupAll() {
	for _, fn := range s.cfg.cleanup {
		fn()
	}
}

func (s *Evaluation) cleanupFirst() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != "" {
		os.Remove(s.file)
		s.file = ""
	}
}

// snapshot is the form in which process 1 hands the results to the others: each sample
// once, with the text it read (which gob would drop), and the records pointing at them.
type snapshot struct {
	Info    heval.RunInfo
	Summary heval.Summary
	Samples []heval.Sample
	Texts   []sampleText
	// Records are the records without their samples; SampleOf[i] is the index in Samples
	// of record i's sample, -1 for none.
	Records  []heval.Record
	SampleOf []int32
}

// sampleText is what a sample read from its bodies.
type sampleText struct {
	Text, Ref string
	// Err is the message of the error reading the answer; Kind names its sentinel.
	Err, Kind string
}

// textErrors are the sentinels a read error keeps across processes.
var textErrors = map[string]error{"not_available": heval.ErrBodyNotAvailable, "no_body": heval.ErrNoBody, "unknown": heval.ErrUnknownBody}

func snapshotOf(r *harness.Results) snapshot {
	snap := snapshot{Info: r.Info, Summary: r.Summary}
	index := map[*heval.Sample]int32{}
	for _, rec := range r.Records() {
		at := int32(-1)
		if s := rec.Sample; s != nil {
			i, ok := index[s]
			if !ok {
				i = int32(len(snap.Samples))
				index[s] = i
				text, err := s.Answer()
				t := sampleText{Text: text, Ref: s.ReferenceText()}
				if err != nil {
					t.Err = err.Error()
					for k, sentinel := range textErrors {
						if errors.Is(err, sentinel) {
							t.Kind = k
						}
					}
				}
				snap.Samples = append(snap.Samples, *s)
				snap.Texts = append(snap.Texts, t)
			}
			at = i
		}
		rec.Sample = nil
		snap.Records = append(snap.Records, rec)
		snap.SampleOf = append(snap.SampleOf, at)
	}
	return snap
}

// records rebuilds the records of a snapshot, their samples answering Text and
// ReferenceText as on the process that evaluated them.
func (snap *snapshot) records() []heval.Record {
	samples := make([]heval.Sample, len(snap.Samples))
	for i, s := range snap.Samples {
		t := snap.Texts[i]
		var err error
		if t.Err != "" {
			err = &readError{msg: t.Err, sentinel: textErrors[t.Kind]}
		}
		samples[i] = s.WithText(t.Text, err, t.Ref)
	}
	recs := snap.Records
	for i := range recs {
		if at := snap.SampleOf[i]; at >= 0 {
			recs[i].Sample = &samples[at]
		}
	}
	return recs
}

// readError is a read error handed on by a snapshot: its message, and its sentinel for
// errors.Is.
type readError struct {
	msg      string
	sentinel error
}

func (e *readError) Error() string { return e.msg }

func (e *readError) Unwrap() error { return e.sentinel }

// Results are the suite's results. It panics when called before the suite ran, for
// example in a container body or at package level: call it inside It or BeforeEach.
func (s *Evaluation) Results() *harness.Results {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.results == nil {
		panic("heval: the suite's results are not available yet: use run.Results, run.Hypothesis and run.All inside It, BeforeEach or JustBeforeEach, not in a Describe body or at package level (and check that the suite's SynchronizedBeforeSuite did not fail)")
	}
	return s.results
}

// All is every record of the suite's run.
func (s *Evaluation) All() *harness.ResultSet { return s.Results().All() }

// Hypothesis is the records of one hypothesis, by id or label ("dataset" for the dataset
// rows' original outputs). When the run has no such hypothesis, the empty set's name says
// which hypotheses it has, so a mistyped name shows in the failure message.
func (s *Evaluation) Hypothesis(name string) *harness.ResultSet {
	set := s.Results().Hypothesis(name)
	if set.Len() == 0 {
		has := s.All().Hypotheses()
		desc := "none"
		if len(has) > 0 {
			desc = strings.Join(has, ", ")
		}
		return set.Named(fmt.Sprintf("hypothesis %s (not in this run; its hypotheses are: %s)", name, desc))
	}
	return set
}

// Model is the records whose judged request used model.
func (s *Evaluation) Model(model string) *harness.ResultSet { return s.All().Model(model) }

type entry struct{ name, text string }

// summaryEntries describe each evaluator's results per group, for Ginkgo's report.
func summaryEntries(res *harness.Results) []entry {
	if res == nil {
		return nil
	}
	agg := reporters.AggregateRecords(res.Info, res.Records(), res.Summary)
	var out []entry
	for _, ev := range agg.Evaluators {
		var b strings.Builder
		for _, st := range agg.ByEvaluator(ev) {
			for _, k := range st.Keys {
				fmt.Fprintf(&b, "%s %s: n=%d", st.Group, k.Key, k.N)
				if k.Type == heval.Boolean {
					fmt.Fprintf(&b, " pass_rate=%s", stat2(k.PassRate))
				} else {
					fmt.Fprintf(&b, " mean=%s p50=%s p90=%s min=%s max=%s", stat2(k.Mean), stat2(k.P50), stat2(k.P90), stat2(k.Min), stat2(k.Max))
				}
				b.WriteString("\n")
			}
			if st.Errors > 0 || st.DeliveryErrors > 0 {
				fmt.Fprintf(&b, "%s: %d evaluator errors, %d delivery errors\n", st.Group, st.Errors, st.DeliveryErrors)
			}
		}
		out = append(out, entry{name: "heval " + ev, text: strings.TrimRight(b.String(), "\n")})
	}
	for _, c := range res.Summary.Checks {
		status := "holds"
		if !c.Passed {
			status = "FAILS: " + c.Message
		}
		out = append(out, entry{name: "heval threshold " + c.Name, text: status})
	}
	return out
}

// stat2 formats a statistic with at most two decimals.
func stat2(x float64) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}
