package junit_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heval-dev/heval/internal/testutil"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/junit"
)

// hostile is text that XML cannot carry as it is: markup, quotes, a CDATA end, control
// characters, whitespace that attribute normalization would change, invalid UTF-8 (a
// stray continuation byte, a truncated sequence, an encoded surrogate, an overlong form),
// the noncharacters U+FFFE and U+FFFF, a literal U+FFFD and characters outside the BMP.
const hostile = "<b>&amp; \"q\" 'a' ]]> \x00\x01\x08\x0b\x0c\x1f\x7f \t\r\n \x80 \xe2\x82 \xed\xa0\x80 \xc0\xaf \uFFFE\uFFFF \uFFFD 𝄞 é"

// hostileInfo is run metadata with hostile text in every field that reaches the document.
func hostileInfo() heval.RunInfo {
	return heval.RunInfo{RunID: "run " + hostile, Started: started, Source: "file " + hostile, Evaluators: []string{"checks", "q\"<&>"},
		Version: "v0.1.0", GitCommit: "abc123", GitBranch: "br\x01anch", CIJobID: "7",
		Declared: []heval.EvaluatorInfo{
			{Name: "checks", Spec: "checks", File: "evals/a b&c.go", Line: 3},
			{Name: "q\"<&>", Spec: "q", File: "evals/<q>.go"},
		},
		File: "evals/suite_test.go", Line: 9}
}

// hostileRecords are records whose every text is hostile, with names that are all
// different (so that the order of the cases does not depend on the tie rule).
func hostileRecords() []heval.Record {
	long := strings.Repeat("a long message, "+hostile+" ", 2000) // about 160 KB
	s := func(row int, req, exp, hyp string) *heval.Sample {
		return &heval.Sample{Kind: heval.KindHypothesisRun, RequestID: req, HypothesisID: "h-" + hyp, Hypothesis: hyp,
			DatasetRowID: "row-" + req, RowIndex: row, ExperimentID: exp, Experiment: exp}
	}
	return []heval.Record{
		{Sample: s(1, "r1 "+hostile, "exp <1>", "cand\"idate"), Evaluator: "checks", Duration: 1500 * time.Microsecond,
			Values:   []heval.Value{{Key: "score", Value: -3, Type: heval.Number}, {Key: "ok", Value: 1, Type: heval.Boolean}},
			Failures: []string{"  \n first failure " + hostile + "\nsecond line", "truncated at the end \xe2\x82", "\xac continues it"}},
		{Sample: s(2, "r2", "exp <1>", "cand\"idate"), Evaluator: "checks", Duration: 2499600 * time.Microsecond,
			Err: "\n\tpanic: " + hostile + "\ngoroutine 1 [running]", ErrKind: heval.ErrorKindPanic, DeliveryErr: "helicone: 503 " + hostile},
		{Sample: s(3, "r3", "exp <1>", "cand\"idate"), Evaluator: "checks", Repeat: 2,
			Err: long, Reason: long},
		{Sample: s(10, "r10", "exp <1>", "cand\"idate"), Evaluator: "q\"<&>",
			Values: []heval.Value{{Key: " spaced key", Value: 0, Type: heval.Boolean}}, Reason: "because " + hostile + " \u00a0\u0085\n\t "},
		{Sample: s(4, "r4", "exp 2", "cand\"idate"), Evaluator: "checks", Reason: "\n\nonly a reason\n", ErrKind: heval.ErrorKindTimeout, Err: "timeout"},
		{Sample: s(5, "r5 \xff", "exp 2", "base"), Evaluator: "checks", Duration: 999600 * time.Microsecond},
		{Sample: nil, Evaluator: "checks", Repeat: 1, Failures: []string{""}},
		{Sample: &heval.Sample{Kind: heval.KindFile}, Evaluator: "unknown evaluator", Err: "no declaration"},
	}
}

// writeHostile writes the hostile run through w with the records in the given order.
func writeHostile(w *junit.Writer, order []int) {
	recs := hostileRecords()
	Expect(w.Start(hostileInfo())).To(Succeed())
	for _, i := range order {
		Expect(w.Record(recs[i])).To(Succeed())
	}
	Expect(w.Finish(heval.Summary{Err: "run failed: " + hostile, Checks: []heval.Check{
		{Name: "a " + hostile, Key: "score", Stat: "mean", Op: ">=", Limit: 1, Observed: -3},
		{Key: "score<&>", Stat: "p90", Op: "<=", Limit: 2.5, Observed: 3, Group: "g\"1", Message: ""},
		{Name: "passes", Passed: true},
	}})).To(Succeed())
}

func hostileOrder(reversed bool) []int {
	n := len(hostileRecords())
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if reversed {
			order[i] = n - 1 - i
		}
	}
	return order
}

// validateXSD checks a document with xmllint against the JUnit schema.
func validateXSD(doc []byte) {
	GinkgoHelper()
	f := filepath.Join(GinkgoT().TempDir(), "doc.xml")
	Expect(os.WriteFile(f, doc, 0o644)).To(Succeed())
	testutil.ExpectValidJUnit(f)
}

var _ = Describe("a run whose texts XML cannot carry as they are", func() {
	It("is written as encoding/xml wrote it (the golden file comes from that writer), valid against the XSD", func() {
		var buf bytes.Buffer
		writeHostile(junit.NewWriter(&buf), hostileOrder(false))
		testutil.ExpectGolden(filepath.Join("testdata", "hostile.xml"), buf.Bytes())
		parse(buf.Bytes())
		validateXSD(buf.Bytes())

		var again bytes.Buffer
		writeHostile(junit.NewWriter(&again), hostileOrder(true))
		Expect(again.String()).To(Equal(buf.String()), "the arrival order changes nothing")
	})
})
