// Package evals holds ready-made evaluators: plain Go functions of type [Func] that judge one
// sample and return a [Score]. They keep no state between calls and know nothing of the
// harness that runs them, so they are as easy to unit-test as any other function.
//
// Helicone stores only integers and booleans. [Percent] and [Scale] turn fractions into
// integers with documented rounding, and [Normalize] says precisely why any other value
// cannot be sent.
package evals
