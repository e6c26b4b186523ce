// Package harness declares evaluators, runs them over samples, submits their scores to
// Helicone and keeps the results for assertions and reports.
//
// An evaluation runs once per suite, also under `ginkgo -p`: specs assert on its
// [Results] with the Gomega matchers of package harness/matchers.
package harness
