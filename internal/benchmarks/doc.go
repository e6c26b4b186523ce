// Package benchmarks measures heval end to end, against the targets of the performance
// issue: whole runs over the demo-shaped experiment scaled to 10,000 and 100,000 samples
// (dry run, and submitting to the in-process emulator side by side with a bare net/http
// POST loop), decoding a large experiment query answer, and peak memory from 100,000 to
// 1,000,000 scores.
//
// The package holds no code of its own; its benchmarks run with
//
//	go test -run '^$' -bench . -benchtime=1x -count=3 ./internal/benchmarks/
//
// and each reports its figures with custom units (samples/s, peak-heap-MB, ratios against
// the baseline measured in the same run). Under plain go test only a smoke suite runs,
// which checks every benchmark's setup at a tiny size.
package benchmarks
