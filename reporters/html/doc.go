// Package html writes a run's report as one self-contained HTML page: run metadata, a
// summary table per evaluator and group, a histogram per numeric score key and pass-rate
// bars per boolean key (inline SVG drawn in Go), the comparison with a baseline with its
// intervals, the worst samples with their inputs, answers and references, and the errors.
//
// The page loads nothing: no external scripts, styles, fonts or images, and a
// Content-Security-Policy that forbids them; request ids are plain links to Helicone.
// Every text that comes from a sample or an evaluator is escaped by html/template, long
// texts sit behind a <details> expander, and sample lists are bounded, so the page stays
// small for runs of any size.
//
// Use [New] as a [heval.Handler] during a run, or [Render] with an aggregate read back
// from files (for example by `heval report`).
package html
