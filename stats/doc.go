// Package stats holds the statistics heval reports and asserts on: descriptive statistics
// and a deterministic bootstrap. Every function is deterministic and allocation-light;
// none of them modifies its input.
//
// It imports only the standard library and the model package heval, so that suites,
// reporters and tools outside this module can compute the same figures heval shows.
package stats
