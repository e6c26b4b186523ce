// Package stats holds the statistics heval reports and asserts on, so that the matcher
// that fails a build and the report a person reads always agree:
//
//   - descriptive statistics ([Mean], [Quantile], [Describe], ...);
//   - [Statistic], the one definition of the statistics a threshold or a matcher names
//     (mean, median, pNN, min, max, pass_rate, count), read with [ParseStatistic];
//   - [Compare], the one comparison of a candidate with a baseline on one score key: a
//     deterministic paired bootstrap of the difference of means, paired per unit (a
//     dataset row, else a request), falling back to an unpaired bootstrap when the two
//     sides share too few units.
//
// The input of a comparison is compact, 16 bytes per value ([Observation]): a unit id
// hashed from the unit's name with [UnitID], and the value. Boolean values are 0 and 1, so
// their means are pass rates between 0 and 1 and their differences are in that unit (0.05
// is 5 percentage points); renderers turn them into percentages for people.
//
// Every function is deterministic; none of them modifies its input. The package imports
// only the standard library and the model package heval, so that suites, reporters and
// tools outside this module can compute the same figures heval shows.
package stats
