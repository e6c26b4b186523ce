// Package suitetest tests harness.Suite from the outside, as a user's suite would use it:
// against the heliconetest emulator with the demo data, also under `ginkgo -p`.
package suitetest
