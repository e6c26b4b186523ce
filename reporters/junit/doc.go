// Package junit writes a run's results as JUnit XML for CI systems (GitHub, GitLab, Jenkins,
// Buildkite). The output validates against the Jenkins xunit JUnit schema as written and is
// deterministic: the same run gives the same bytes.
//
// Shape: one <testsuite> per (hypothesis or dataset, evaluator), named
// "heval/<evaluator> [<group>]", whose file= attribute is the file that declared the
// evaluator (relative to the module root; none for an evaluator named on a command line);
// one <testcase> per sample (and repeat), named "<evaluator> [<group>] row N · request ID",
// with classname "heval.<evaluator>.<group>"; a <failure> for each per-sample check the
// sample failed, an <error> for an evaluator error (type error, panic, timeout or
// invalid_value) and another for a delivery error (type delivery), whose texts end with
// "at FILE:LINE" of the evaluator's declaration; the run's thresholds as the test cases
// of a "heval/thresholds" suite, in the file that declared the suite; and the run's
// metadata as <properties> of every suite. Groups are qualified by experiment as the other
// reports qualify them. [AddSuite] adds the outcomes of a suite's own specs (the matchers'
// assertions), which harness/suite does after every suite run.
package junit
