// Package console prints a run for people at a terminal or in a CI log: [Progress] shows
// the run while it is under way, phase by phase (samples read, evaluated, delivered,
// verified) with the time left once the number of samples is known: a progress bar on a
// terminal, a plain line every few seconds otherwise (a CI log), and [New] (a [heval.Handler]) or [Write] prints the summary when
// it ends: a table per evaluator and group, the comparison with a baseline, the suite-level
// checks, the delivery counts and the first errors. Output is deterministic for a given run,
// and coloured only on a terminal.
package console
