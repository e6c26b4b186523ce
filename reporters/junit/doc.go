// Package junit writes a run's results as JUnit XML for CI systems (GitHub, GitLab, Jenkins,
// Buildkite). The output validates against the Jenkins xunit JUnit schema as written and is
// deterministic: the same records give the same bytes, in whatever order they arrive.
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
//
// Order: record suites by group label, then by the order of the run's evaluators; then
// the thresholds suite and the run suite. The cases of a suite are ordered by name in
// natural order (runs of digits by their value, so "row 2" comes before "row 10"); names
// that natural order holds equal ("row 07", "row 7") by their bytes; and cases with the
// same name (a sample evaluated twice, samples without request ids) by the rest of their
// XML text, starting with the time attribute. [Merge] orders cases the same way.
//
// Text: every text is escaped as encoding/xml escapes it (the writer's output is byte for
// byte what it wrote with encoding/xml before, which the tests check on fuzzed input):
// markup characters, quotes, tab, newline and carriage return become character
// references; characters XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF) and
// each byte that is not valid UTF-8 become U+FFFD; "]]>" needs nothing more, as ">" is
// always escaped. Messages are not shortened. Times are decimal seconds with three
// digits; a negative duration is written as 0.000, as the schema has no negative times.
//
// How the [Writer] streams: a <testsuite>'s counts and time are attributes of its start
// tag, so its cases can be written only once the run has ended; and the labels of the
// groups (plain, or qualified by experiment) are only known then too. So each record's
// test case is encoded as XML when it arrives — everything but the start of its start
// tag, which holds the label — and kept, with its name, in a chunk of memory of 4 MiB. A
// full chunk is sorted (by suite, then as above; mostly as integers made of the suite and
// the first bits of an encoding of the name whose bit order is the natural order) and
// appended to a temporary file as a sorted run; when 64 runs have gathered in a file they
// are merged into one run of a file of the next level, and the first file is emptied.
// Finish writes each suite's start tag with its totals, then its cases, merged (a k-way
// merge) from every run and the last chunk, adding the start of each case's start tag; the
// last chunk never goes to disk, so a run of some 20,000 cases writes no temporary file.
//
// Memory is the chunk (with its index, about 5 MiB), the read buffers of the runs being
// merged (which share 512 KiB, 8 to 64 KiB each: past 64 runs, 8 KiB for each of the at
// most 63 runs of each level, a level being added for every 64-fold growth of the data,
// past 256 MiB of cases) and a few words per suite and run: it does not grow with the
// number of cases. The temporary files are in os.TempDir ($TMPDIR) and are removed as soon
// as they are created where the system allows it (not on Windows), so nothing is left
// behind even by a crash; they hold a little less than the document will (up to twice
// that while a level is merged).
package junit
