// Package junit writes a run's results as JUnit XML for CI systems (GitHub, GitLab, Jenkins,
// Buildkite). The output validates against the Jenkins xunit JUnit schema as written and is
// deterministic: the same run gives the same bytes.
//
// Shape: one <testsuite> per (hypothesis or dataset, evaluator), named
// "heval/<evaluator> [<group>]"; one <testcase> per sample (and repeat), named by its dataset
// row and request id, with classname "heval.<evaluator>.<group>"; a <failure> for each
// per-sample check the sample failed, an <error> for an evaluator error (type error, panic,
// timeout or invalid_value) and another for a delivery error (type delivery); the run's
// thresholds as the test cases of a "heval/thresholds" suite; and the run's metadata as
// <properties> of every suite.
package junit
