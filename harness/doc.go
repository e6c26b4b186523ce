// Package harness is heval's engine: it runs evaluators over samples and delivers their
// scores to Helicone. It imports neither Ginkgo nor Gomega nor any concrete reporter, so
// any program can embed it; the Ginkgo DSL is package harness/suite, the matchers
// harness/matchers, the report files reporters/outputs.
//
// # Declaring evaluators
//
// [Evaluator] names a [heval.Func] and gives it options: [Repeat] for nondeterministic
// judges, [Timeout], per-sample checks ([Expect], [AtLeast], [AtMost]), [Labels], [Spec]
// (what configures it beyond its name) and [Direction] (which values are better: higher,
// lower or neutral, for verdicts, worst samples and comparisons). It records the file and
// line that declared it ([DeclaredAt] overrides them), for the reports to point at. The
// run's [heval.RunInfo] carries every declaration (Declared) to every handler.
//
// # Running
//
// [Run] takes a [Config]: a source of samples (package datasets), the evaluators, and how
// to deliver. It evaluates every sample with every evaluator concurrently (bounded by
// Config.Concurrency, with cheap evaluators batched into one task), streams one
// [heval.Record] per (sample, evaluator, repeat) to Config.Handler, and returns the
// [Results] (with Config.KeepResults, every record, for assertions).
//
// Failures of an evaluator (an error, a panic, a timeout, a value Helicone cannot store)
// are recorded on that sample and evaluator only; the run goes on.
//
// A source that yields no samples fails the run with a [*NoSamplesError] ([ErrNoSamples])
// that says what the source could find instead ([datasets.EmptyExplainer]), unless
// Config.AllowEmpty. The handler is started with the first sample, so a run that fails
// before it (a source error, no samples) calls no handler, and the journal of an earlier
// run is left as it was. A Config.Progress that is a [PhaseProgress] is told how reading,
// evaluation, delivery and verification advance.
//
// # Delivering
//
// All keys of one request id, from every evaluator, go out in one score write, once the
// sample's last evaluation has finished. Writes are paced under Config.Rate (a
// [helicone.Rate], split among shards), slowed down by the server's RateLimit-* headers,
// retried on 429, 5xx and dropped connections, and journaled (Config.JournalPath,
// [JournalFile]) so that Config.Resume skips what an interrupted run already delivered.
// Config.Verify reads every score back, on legacy and current Helicone alike, and reports
// the ones that did not land as a [*MissingScoresError]: the acknowledged samples are read
// back through request queries in batches of up to 100 request ids, polled 2, 4, 8, 16,
// 30 s apart and then every 60 s, and a score is called missing, with the reason that fits
// what the read-backs showed, only after Config.VerifyTimeout ([DefaultVerifyTimeout],
// about 11 minutes, since Helicone writes scores asynchronously; [LoopbackVerifyTimeout]
// and polls 20 times closer for a server on this machine). Every read-back counts against
// Config.Rate.
//
// # Sharding and thresholds
//
// [Shard] (from --shard K/N, HEVAL_SHARD or a Kubernetes Indexed Job's index) keeps the
// samples of one shard; [ParseThreshold] reads the suite-level requirements of
// `heval run --require` into Config.Thresholds, checked at the end into
// [heval.Summary].Checks.
package harness
