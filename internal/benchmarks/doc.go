// Package benchmarks measures heval against its performance targets. BenchmarkProcess runs
// heval as users do, `heval serve --demo-samples N` as one child process and `heval run` as
// another, at 10,000, 100,000 and 1,000,000 samples: dry runs of an experiment, of the same
// samples from a local JSONL file, of a Helicone Dataset and of a request query, and a
// submitting run next to a bare loopback POST loop, each measured from outside (wall time,
// the child's CPU time and peak RSS). The in-process benchmarks decode a large experiment
// query answer, follow the peak heap from 100,000 to 1,000,000 scores, and hold a run to a
// rate budget.
//
// The package holds no code of its own; its benchmarks run with
//
//	go test -run '^$' -bench . -benchtime=1x -count=3 -timeout=120m ./internal/benchmarks/
//
// and each reports its figures with custom units (samples/s, peak-RSS-MiB, ratios against
// the baseline measured in the same run). Under plain go test only smoke specs run, which
// check every benchmark's setup at a tiny size.
package benchmarks
