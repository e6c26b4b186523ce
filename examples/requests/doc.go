// Package requests evaluates logged production requests rather than an experiment: the
// requests of variant B of an A/B test, chosen by a Helicone property filter. It runs
// offline against the heliconetest emulator's demo requests.
package requests
