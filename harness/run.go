package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heval-dev/heval"

	"golang.org/x/sync/errgroup"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
)

// Config is everything one run needs. Only Source and Evaluators are required; Env.Client
// is required unless DryRun.
type Config struct {
	// Source produces the samples; Env is what it (and the delivery) talks to.
	Source datasets.Source
	Env    datasets.Env
	// Evaluators run on every sample, in this order.
	Evaluators []*EvaluatorSpec
	// Concurrency bounds the evaluations running at once. The default, 4×GOMAXPROCS (at
	// least 16), suits CPU-bound evaluators. Latency-bound evaluators (LLM judges, HTTP
	// calls) reach concurrency ÷ latency evaluations per second at best: 100 ms judges at
	// Concurrency 64 give about 640 per second, so raise it (to the provider's rate limit)
	// for them.
	Concurrency int
	// Handler receives the run's records (after delivery) from one goroutine; nil for none.
	// Its Start is called once the source has yielded its first sample (or ended empty with
	// AllowEmpty), so a run that fails before that (a source error, no samples) calls the
	// handler not at all: the caller can discard its outputs and leave earlier ones as they
	// were.
	Handler heval.Handler
	// Info describes the run to the handlers; RunID, Started, Source, Evaluators, DryRun
	// and Shard are filled in when empty.
	Info heval.RunInfo
	// DryRun evaluates and reports without sending anything.
	DryRun bool
	// Rate is the budget of requests to Helicone (writes and read-backs) for this process;
	// the zero Rate is unlimited. With a Shard, the run takes 1/N of it.
	Rate helicone.Rate
	// Submitters is the number of concurrent score writers. By default a run paced by a
	// budget has as many as keep it spent when a write takes a quarter of a second (as
	// hosted Helicone's can), 8 to 48; an unlimited run has 8.
	Submitters int
	// QueueSize bounds the evaluated samples waiting for delivery (default 4×Concurrency);
	// when it is full the evaluators wait.
	QueueSize int
	// JournalPath is the journal of acknowledged writes (usually next to the reports,
	// for example heval-out/journal.jsonl); empty for none. A run without Resume starts
	// the journal afresh.
	JournalPath string
	// Resume reads the journal first: samples whose scores were all acknowledged by an
	// earlier run are not evaluated or sent again; their records, read from the journal,
	// are reported as submitted. The other samples are evaluated and sent.
	Resume bool
	// Verify reads every delivered score back and reports each one that did not land;
	// missing scores make Run return a [*MissingScoresError]. It works on both server
	// profiles: scores are read through request queries (query-clickhouse), by request id,
	// for up to 100 samples per query, and each query page is one request of the budget.
	// Helicone stores writes asynchronously, so a batch is polled 2, 4, 8, 16 and 30 s apart
	// and then every 60 s (on a loopback server, 1/20 of that), and a score counts as
	// missing only when it is still not visible VerifyTimeout after its write was
	// acknowledged.
	Verify bool
	// VerifyDelay is the wait from a write's acknowledgement to its first read-back
	// (default 2s; 100ms on a loopback server).
	VerifyDelay time.Duration
	// VerifyTimeout is how long after a write's acknowledgement its scores are looked for
	// (default [DefaultVerifyTimeout], about 11 minutes, as Helicone's asynchronous writes
	// need; [LoopbackVerifyTimeout] for a server on this machine).
	VerifyTimeout time.Duration
	// Shard restricts the run to one shard of the samples; see [Shard].
	Shard Shard
	// Thresholds are checked at the end into Summary.Checks.
	Thresholds []Threshold
	// AllowEmpty lets a source without samples make a successful, empty run. By default a
	// source that yields no samples fails the run with a [*NoSamplesError] saying what the
	// source could find instead (see [datasets.EmptyExplainer]).
	AllowEmpty bool
	// KeepResults keeps every record in the returned Results for assertions (the sample's
	// raw bodies are dropped; its metadata, inputs, properties, answer and reference text
	// stay; package suite hands them on to every process of `ginkgo -p` with their text). Without it memory does not
	// grow with the number of samples.
	KeepResults bool
	// MaxConsecutiveFailures is how many score writes in a row may fail (after the client's
	// retries) before the run stops evaluating and sending with a [*DeliveryStoppedError]
	// (default [DefaultMaxConsecutiveFailures]; negative: never stop). A refused API key stops
	// the run at the first failure.
	MaxConsecutiveFailures int
	// GracePeriod is how long an interrupted run keeps delivering what is already
	// evaluated (default 10s).
	GracePeriod time.Duration
	// Logger receives warnings about retries and failures (default: discard).
	Logger *slog.Logger
	// Progress, when set, is told about every evaluated and every submitted sample.
	Progress Progress
}

// Progress receives counts as the run advances; calls come from several goroutines.
type Progress interface {
	// Evaluated is called with 1 for each sample whose evaluations have all finished.
	Evaluated(samples int)
	// Submitted is called with 1 for each acknowledged score write.
	Submitted(writes int)
}

// PhaseProgress is a [Progress] that is also told how reading, delivery and verification
// advance, for a display of every phase of the run with the time left; Run calls these
// methods when Config.Progress implements them. [console.Progress] does.
//
// [console.Progress]: https://pkg.go.dev/github.com/heval-dev/heval/reporters/console#Progress
type PhaseProgress interface {
	Progress
	// Fetched is called with 1 for each sample read from the source that the run (or its
	// shard) evaluates.
	Fetched(samples int)
	// FetchDone is called once, when the source has no more samples.
	FetchDone()
	// Delivered is called with 1 for each evaluated sample whose delivery is over: its
	// scores acknowledged, failed, or nothing to send.
	Delivered(samples int)
	// Verified is called with 1 for each delivered sample whose read-back is over: every
	// score found, or the rest given up as missing.
	Verified(samples int)
}

// ErrInterrupted is returned (wrapped in an [*InterruptedError]) when the run's context was
// cancelled before every sample was evaluated and delivered.
var ErrInterrupted = errors.New("run interrupted")

// InterruptedError says how far an interrupted run got and how to resume it.
type InterruptedError struct {
	// Reported is the number of samples evaluated and reported; Pending the number started
	// but not finished (they are evaluated again on resume).
	Reported, Pending int
	// Abandoned names the evaluations that did not return within the grace period after
	// the interruption (functions that ignore their context); their samples are evaluated
	// again on resume.
	Abandoned []string
	// Journal is the journal path, empty when the run kept none.
	Journal string
	// Cause is the context's error.
	Cause error
}

func (e *InterruptedError) Error() string {
	msg := fmt.Sprintf("run interrupted (%v) after %d samples", e.Cause, e.Reported)
	if n := len(e.Abandoned); n > 0 {
		shown := e.Abandoned[:min(n, 3)]
		msg += fmt.Sprintf("; %d evaluations ignored the cancellation and were abandoned (%s", n, strings.Join(shown, "; "))
		if n > len(shown) {
			msg += "; …"
		}
		msg += "): give such evaluators a harness.Timeout, or make them return when ctx.Done() is closed"
	}
	if e.Journal == "" {
		return msg + "; no journal was kept, so a new run starts from the beginning (set a journal path to make runs resumable)"
	}
	return msg + fmt.Sprintf("; the scores acknowledged so far are in the journal %s: run the same command again with --resume (heval run ... --resume) to evaluate and send the rest", e.Journal)
}

// Is matches ErrInterrupted.
func (e *InterruptedError) Is(target error) bool { return target == ErrInterrupted }

// Unwrap returns the context's error.
func (e *InterruptedError) Unwrap() error { return e.Cause }

// ErrNoSamples matches a [*NoSamplesError].
var ErrNoSamples = errors.New("the source has no samples")

// NoSamplesError is the error of a run whose source yielded no samples, unless
// Config.AllowEmpty: nothing was evaluated or sent.
type NoSamplesError struct {
	// Source describes what was asked for.
	Source string
	// Hint is what the source says there is instead ("" when it cannot say).
	Hint string
}

func (e *NoSamplesError) Error() string {
	msg := fmt.Sprintf("%s matched no samples, so nothing was evaluated", e.Source)
	if e.Hint != "" {
		msg += ":\n  " + strings.ReplaceAll(e.Hint, "\n", "\n  ")
	}
	return msg + "\n(Config.AllowEmpty makes an empty run succeed)"
}

// Is matches ErrNoSamples.
func (e *NoSamplesError) Is(target error) bool { return target == ErrNoSamples }

// submitterLatency is the round trip of a score write the default number of writers is
// sized for: hosted Helicone answers one in a tenth to a quarter of a second.
const submitterLatency = 250 * time.Millisecond

// defaultSubmitters is the default number of score writers of a run paced at rt: enough to
// spend its budget when every write takes submitterLatency, at least 8 and at most 48
// (which, with the verifier and a query's pages, the client's kept-alive connections
// cover); 8 without a budget.
func defaultSubmitters(rt helicone.Rate) int {
	if rt.IsUnlimited() {
		return 8
	}
	return min(max(8, int(math.Ceil(rt.PerSecond()*submitterLatency.Seconds()))), 48)
}

// MaxConcurrency bounds Config.Concurrency and Config.Submitters.
const MaxConcurrency = 4096

// ErrConfig matches configuration errors returned by Run before anything is evaluated.
var ErrConfig = errors.New("invalid run configuration")

// run is the state of one Run.
type run struct {
	cfg     Config
	ctx     context.Context
	cancel  context.CancelCauseFunc
	breaker breaker
	sendCtx context.Context
	info    heval.RunInfo
	logger  *slog.Logger
	client  *helicone.Client
	pacer   *pacer
	journal *journalWriter
	timing  verifyTiming
	phases  PhaseProgress // cfg.Progress, when it follows the phases

	slots     []slot
	meanNanos []atomic.Int64
	calls     []atomic.Int64
	batch     []*job
	g         errgroup.Group

	toDeliver chan *job
	toVerify  chan *job
	out       chan *job

	abortedSamples atomic.Int64
	// slotsFree holds the indexes of the free concurrency slots; running names the
	// evaluation on each slot.
	slotsFree chan int
	running   []atomic.Pointer[heval.Record]
	// gate orders the hand-over of evaluated samples with abandonment: once abandoned is
	// set (under the write lock), no evaluation passes a sample on.
	gate      sync.RWMutex
	abandoned bool
	stuck     []string
	missing   missingLog
	stats     struct {
		posts, acked, failed, requeues, retries, rateLimited, notSent, verified atomic.Int64
	}
}

// Run evaluates every sample of cfg.Source with every evaluator, delivers the scores to
// Helicone (paced, coalesced per request id, journaled, optionally verified), streams the
// records to cfg.Handler and returns the results.
//
// The returned Results are never nil once the run started, also together with an error.
// Errors: a [*InterruptedError] (ErrInterrupted) when ctx was cancelled, a
// [*MissingScoresError] (ErrScoresMissing) when verification found missing scores, the
// source's error when fetching failed, and handler errors. Evaluator failures and failed
// deliveries are not errors of Run: they are in the records.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	r, err := newRun(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return r.execute()
}

func newRun(ctx context.Context, cfg Config) (*run, error) {
	if cfg.Source == nil {
		return nil, fmt.Errorf("%w: no source of samples", ErrConfig)
	}
	if len(cfg.Evaluators) == 0 {
		return nil, fmt.Errorf("%w: no evaluators", ErrConfig)
	}
	seen := map[string]bool{}
	for i, ev := range cfg.Evaluators {
		if ev == nil {
			return nil, fmt.Errorf("%w: evaluator %d is nil", ErrConfig, i+1)
		}
		if seen[ev.name] {
			return nil, fmt.Errorf("%w: two evaluators are named %q; names must be unique", ErrConfig, ev.name)
		}
		seen[ev.name] = true
	}
	if !cfg.DryRun && cfg.Env.Client == nil {
		return nil, fmt.Errorf("%w: no Helicone client to send scores with: set Env.Client, or DryRun to evaluate without sending", ErrConfig)
	}
	if cfg.Resume && cfg.JournalPath == "" {
		return nil, fmt.Errorf("%w: resuming needs the journal path of the interrupted run", ErrConfig)
	}
	if cfg.Concurrency > MaxConcurrency || cfg.Submitters > MaxConcurrency || cfg.QueueSize > 16*MaxConcurrency {
		return nil, fmt.Errorf("%w: concurrency %d, submitters %d, queue %d: at most %d evaluations (and submitters) may run at once; latency-bound evaluators rarely gain beyond a few hundred", ErrConfig, cfg.Concurrency, cfg.Submitters, cfg.QueueSize, MaxConcurrency)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = max(4*runtime.GOMAXPROCS(0), 16)
	}
	rt := cfg.Rate
	if !cfg.Shard.IsWhole() {
		rt = rt.Share(cfg.Shard.N)
	}
	if cfg.Submitters <= 0 {
		cfg.Submitters = defaultSubmitters(rt)
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 4 * cfg.Concurrency
	}
	if cfg.GracePeriod <= 0 {
		cfg.GracePeriod = 10 * time.Second
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rctx, cancel := context.WithCancelCause(ctx)
	r := &run{cfg: cfg, ctx: rctx, cancel: cancel, logger: logger, client: cfg.Env.Client, timing: newVerifyTiming(&cfg, cfg.Env.Client)}
	r.breaker.max = cfg.MaxConsecutiveFailures
	if r.breaker.max == 0 {
		r.breaker.max = DefaultMaxConsecutiveFailures
	}
	for i, ev := range cfg.Evaluators {
		for k := range ev.repeat {
			r.slots = append(r.slots, slot{ev: ev, evIdx: i, repeat: k})
		}
	}
	r.meanNanos = make([]atomic.Int64, len(cfg.Evaluators))
	r.calls = make([]atomic.Int64, len(cfg.Evaluators))
	r.slotsFree = make(chan int, cfg.Concurrency)
	for i := range cfg.Concurrency {
		r.slotsFree <- i
	}
	r.running = make([]atomic.Pointer[heval.Record], cfg.Concurrency)
	r.pacer = newPacer(rt)
	r.phases, _ = cfg.Progress.(PhaseProgress)

	info := cfg.Info
	if info.RunID == "" {
		info.RunID = newRunID()
	}
	if info.Started.IsZero() {
		info.Started = time.Now().UTC()
	}
	if info.Source == "" {
		info.Source = cfg.Source.String()
	}
	if len(info.Evaluators) == 0 {
		for _, ev := range cfg.Evaluators {
			info.Evaluators = append(info.Evaluators, ev.name)
		}
	}
	if len(info.Declared) == 0 {
		for _, ev := range cfg.Evaluators {
			info.Declared = append(info.Declared, ev.Info())
		}
	}
	if info.RequestsURL == "" && cfg.Env.Client != nil {
		info.RequestsURL = requestsURL(cfg.Env.Client.BaseURL())
	}
	info.DryRun = info.DryRun || cfg.DryRun
	if info.Shard == "" {
		info.Shard = cfg.Shard.String()
	}
	r.info = info
	return r, nil
}

func newRunID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (r *run) execute() (*Results, error) {
	defer r.cancel(nil)
	cfg := r.cfg
	var replay map[string]*journalEntry
	header := newJournalHeader(r.info.RunID, r.client, cfg.Source.String(), cfg.Evaluators)
	if cfg.Resume {
		jf, err := readJournal(cfg.JournalPath)
		if err != nil {
			return nil, err
		}
		if jf.header == nil && len(jf.entries)+jf.foreign > 0 {
			return nil, &JournalMismatchError{Path: cfg.JournalPath, Differences: []string{"it has no header binding it to a server, key, source and evaluators (written by an older heval, or not by heval)"}}
		}
		if jf.header != nil {
			if err := jf.header.check(cfg.JournalPath, header); err != nil {
				return nil, err
			}
		}
		if jf.skipped > 0 {
			r.logger.Warn("journal lines could not be read and were ignored (a torn last line is the normal trace of a crash)", "journal", cfg.JournalPath, "lines", jf.skipped)
		}
		if jf.foreign > 0 {
			r.logger.Warn("journal lines of runs without a header were ignored; their samples are sent again", "journal", cfg.JournalPath, "lines", jf.foreign)
		}
		replay = jf.entries
	}
	// The journal is opened with the first sample: a run that fails before (a bad source,
	// no samples) leaves an earlier run's journal, which --resume needs, as it was.
	openJournal := func() error {
		if cfg.JournalPath == "" || cfg.DryRun || r.journal != nil {
			return nil
		}
		j, err := openJournal(cfg.JournalPath, cfg.Resume)
		if err != nil {
			return err
		}
		r.journal = j
		j.appendHeader(header)
		return nil
	}

	// Deliveries outlive an interruption by the grace period.
	sendCtx, cancelSend := context.WithCancel(context.WithoutCancel(r.ctx))
	defer cancelSend()
	r.sendCtx = helicone.ObserveAttempts(sendCtx, func(a helicone.Attempt) {
		if a.Retried() {
			r.stats.retries.Add(1)
		}
		if a.RateLimited() {
			r.stats.rateLimited.Add(1)
		}
	})
	stopGrace := context.AfterFunc(r.ctx, func() {
		t := time.AfterFunc(cfg.GracePeriod, cancelSend)
		context.AfterFunc(sendCtx, func() { t.Stop() })
	})
	defer stopGrace()

	var errs []error
	started := false
	start := func() {
		if started {
			return
		}
		started = true
		if cfg.Handler != nil {
			if err := cfg.Handler.Start(r.info); err != nil {
				errs = append(errs, fmt.Errorf("report handler: %w", err))
			}
		}
	}

	r.out = make(chan *job, cfg.QueueSize)
	r.toDeliver = make(chan *job, cfg.QueueSize)
	r.toVerify = make(chan *job, cfg.QueueSize)
	var submitters, verifiers sync.WaitGroup
	if !cfg.DryRun {
		for range cfg.Submitters {
			submitters.Go(r.submitter)
		}
		if cfg.Verify {
			verifiers.Go(r.verifier)
		}
	}
	col := newCollector(r)
	colDone := make(chan struct{})
	go func() {
		defer close(colDone)
		col.loop()
	}()

	var sourceErr error
	read, inShard := 0, 0
	for s, err := range cfg.Source.Samples(r.ctx, cfg.Env) {
		if err != nil {
			if r.ctx.Err() == nil {
				sourceErr = fmt.Errorf("reading samples from %s: %w", cfg.Source, err)
			}
			break
		}
		if r.ctx.Err() != nil {
			break
		}
		if read++; read == 1 {
			if err := openJournal(); err != nil {
				sourceErr = err
				break
			}
			start()
		}
		if !cfg.Shard.Includes(s.RequestID) {
			continue
		}
		inShard++
		j := &job{sample: s}
		if replay != nil {
			if e, ok := replay[sampleKey(&j.sample)]; ok && e.covers(cfg.Evaluators) {
				delete(replay, sampleKey(&j.sample))
				j.replayed = true
				j.recs = e.records(&j.sample, cfg.Evaluators)
				j.sent = e.Sent
				r.out <- j
				continue
			}
		}
		if r.phases != nil {
			r.phases.Fetched(1) // replayed samples are not: they have no phases to go through
		}
		if !r.enqueue(j) {
			break
		}
	}
	if r.phases != nil && sourceErr == nil && r.ctx.Err() == nil {
		r.phases.FetchDone()
	}
	var empty *NoSamplesError
	if read == 0 && sourceErr == nil && r.ctx.Err() == nil {
		if cfg.AllowEmpty {
			start()
		} else {
			hctx, cancelHint := context.WithTimeout(r.ctx, 30*time.Second)
			empty = &NoSamplesError{Source: cfg.Source.String(), Hint: datasets.ExplainEmpty(hctx, cfg.Source, cfg.Env)}
			cancelHint()
		}
	}
	if read > 0 && !cfg.Shard.IsWhole() && inShard == 0 {
		r.logger.Warn("none of the source's samples falls in this shard; its reports are empty", "shard", cfg.Shard.String(), "samples", read)
	}
	r.flush()
	r.waitEvaluations()
	close(r.toDeliver)
	submitters.Wait()
	close(r.toVerify)
	verifiers.Wait()
	close(r.out)
	<-colDone

	if r.journal != nil {
		if err := r.journal.close(); err != nil {
			errs = append(errs, err)
		}
	}
	summary := col.summary()
	interrupted := r.ctx.Err() != nil
	var stopped *DeliveryStoppedError
	var runErr error
	switch {
	case interrupted && errors.As(context.Cause(r.ctx), &stopped):
		runErr = stopped
	case interrupted:
		journal := cfg.JournalPath
		if cfg.DryRun {
			journal = ""
		}
		runErr = &InterruptedError{Reported: summary.Samples, Pending: int(r.abortedSamples.Load()), Abandoned: r.stuck, Journal: journal, Cause: context.Cause(r.ctx)}
		summary.Interrupted = true
	case sourceErr != nil:
		runErr = sourceErr
	case empty != nil:
		runErr = empty
	case r.missing.n > 0:
		r.missing.mu.Lock()
		runErr = &MissingScoresError{Missing: r.missing.n, Examples: r.missing.examples}
		r.missing.mu.Unlock()
	}
	if runErr != nil {
		summary.Err = runErr.Error()
	}
	errs = append(errs, col.handlerErr)
	if cfg.Handler != nil && started {
		if err := cfg.Handler.Finish(summary); err != nil {
			errs = append(errs, fmt.Errorf("report handler: %w", err))
		}
	}
	res := &Results{Info: r.info, Summary: summary, records: col.kept}
	return res, errors.Join(append([]error{runErr}, errs...)...)
}

// waitEvaluations waits for every evaluation to finish. Once the run's context is
// cancelled it waits at most the grace period: evaluations still running then (functions
// that ignore their context) are abandoned — their samples are neither sent nor reported,
// and a resumed run evaluates them again — so that an interrupted run always ends.
func (r *run) waitEvaluations() {
	finished := make(chan struct{})
	go func() {
		r.g.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return
	case <-r.ctx.Done():
	}
	t := time.NewTimer(r.cfg.GracePeriod)
	defer t.Stop()
	select {
	case <-finished:
		return
	case <-t.C:
	}
	r.gate.Lock()
	r.abandoned = true
	r.gate.Unlock()
	for i := range r.running {
		if rec := r.running[i].Load(); rec != nil {
			r.stuck = append(r.stuck, describeEvaluation(rec))
		}
	}
	slices.Sort(r.stuck)
	r.logger.Error("evaluations did not return within the grace period after the interruption and were abandoned", "count", len(r.stuck), "evaluations", r.stuck)
}

// describeEvaluation names an evaluation for people: evaluator, repeat and sample.
func describeEvaluation(rec *heval.Record) string {
	d := "evaluator " + rec.Evaluator
	if rec.Repeat > 0 {
		d += fmt.Sprintf(" (repeat %d)", rec.Repeat+1)
	}
	if s := rec.Sample; s != nil {
		switch {
		case s.RequestID != "":
			d += " on request " + s.RequestID
		case s.DatasetRowID != "":
			d += " on row " + s.DatasetRowID
		}
	}
	return d
}

// collector is the one goroutine that reports records, keeps them and feeds the thresholds.
type collector struct {
	r          *run
	accs       []*thresholdAcc
	kept       []heval.Record
	samples    int
	handlerErr error
}

func newCollector(r *run) *collector {
	c := &collector{r: r}
	for _, t := range r.cfg.Thresholds {
		c.accs = append(c.accs, &thresholdAcc{t: t})
	}
	return c
}

func (c *collector) loop() {
	h := c.r.cfg.Handler
	for j := range c.r.out {
		c.samples++
		var keptSample *heval.Sample
		if c.r.cfg.KeepResults {
			keptSample = stripSample(&j.sample)
		}
		for i := range j.recs {
			rec := &j.recs[i]
			for _, a := range c.accs {
				a.add(rec)
			}
			if h != nil {
				if err := h.Record(*rec); err != nil && c.handlerErr == nil {
					c.handlerErr = fmt.Errorf("report handler: %w", err)
					c.r.logger.Error("report handler failed; later records are still passed to it", "error", err)
				}
			}
			if keptSample != nil {
				k := *rec
				k.Sample = keptSample
				c.kept = append(c.kept, k)
			}
		}
	}
}

func (c *collector) summary() heval.Summary {
	st := &c.r.stats
	s := heval.Summary{
		Finished: time.Now().UTC(),
		Samples:  c.samples,
		Delivery: heval.DeliveryStats{
			Posts:        int(st.posts.Load()),
			Acknowledged: int(st.acked.Load()),
			Failed:       int(st.failed.Load()),
			NotSent:      int(st.notSent.Load()),
			Retries:      int(st.retries.Load() + st.requeues.Load()),
			RateLimited:  int(st.rateLimited.Load()),
			Verified:     int(st.verified.Load()),
			Missing:      c.r.missing.n,
		},
	}
	for _, a := range c.accs {
		s.Checks = append(s.Checks, a.check())
	}
	return s
}

// stripSample copies a sample for keeping: the answer and reference text are extracted
// once and kept, the raw bodies are dropped.
func stripSample(s *heval.Sample) *heval.Sample {
	c := datasets.Prepare(*s)
	c.Answer()
	c.ReferenceText()
	c.Body, c.Reference = nil, nil
	return &c
}
