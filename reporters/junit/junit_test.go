package junit_test

import (
	"bytes"
	"encoding/xml"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/heval-dev/heval/internal/testutil"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/junit"
)

var started = time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)

func sample(row int, req, hyp string) *heval.Sample {
	return &heval.Sample{Kind: heval.KindHypothesisRun, RequestID: req, HypothesisID: "h-" + hyp, Hypothesis: hyp,
		DatasetRowID: "row-" + req[:4], RowIndex: row, ExperimentID: "e1"}
}

// writeRun writes a run with passes, failed checks, every kind of error and thresholds.
func writeRun(reversed ...bool) []byte {
	var buf bytes.Buffer
	w := junit.NewWriter(&buf)
	Expect(w.Start(heval.RunInfo{RunID: "run-1", Started: started, Source: "experiment e1", Evaluators: []string{"word_count", "judge"},
		Version: "v0.1.0", GitCommit: "abc123", GitBranch: "main", CIJobID: "42",
		Declared: []heval.EvaluatorInfo{
			{Name: "word_count", Spec: "word_count", Direction: heval.Neutral, File: "evals/support_test.go", Line: 31},
			{Name: "judge", Spec: "judge=accuracy", Direction: heval.HigherIsBetter, File: "evals/judges.go", Line: 12},
		},
		File: "evals/support_test.go", Line: 29})).To(Succeed())
	recs := []heval.Record{
		{Sample: sample(10, "1f0e0000-0000-4000-8000-000000000010", "candidate"), Evaluator: "word_count", Duration: 1500 * time.Microsecond,
			Values: []heval.Value{{Key: "word_count", Value: 40, Type: heval.Number}}, Submitted: true},
		{Sample: sample(2, "1f0e0000-0000-4000-8000-000000000002", "candidate"), Evaluator: "word_count", Duration: 125 * time.Millisecond,
			Values: []heval.Value{{Key: "word_count", Value: 400, Type: heval.Number}}, Submitted: true,
			Failures: []string{"word_count 400 is not <= 250"}},
		{Sample: sample(3, "1f0e0000-0000-4000-8000-000000000003", "candidate"), Evaluator: "word_count",
			Err: "score \"word_count\" = 0.92 cannot be sent to Helicone: it is a float", ErrKind: heval.ErrorKindInvalidValue},
		{Sample: sample(3, "1f0e0000-0000-4000-8000-000000000003", "baseline"), Evaluator: "judge",
			Err: "panic: runtime error: index out of range\ngoroutine 1 [running]", ErrKind: heval.ErrorKindPanic},
		{Sample: sample(4, "1f0e0000-0000-4000-8000-000000000004", "baseline"), Evaluator: "judge", Repeat: 1,
			Values: []heval.Value{{Key: "accurate", Value: 1, Type: heval.Boolean}}, Reason: "cites <script>alert(1)</script> ]]> \x01 bell",
			DeliveryErr: "helicone: POST /v1/request/…/score: 503 Service Unavailable"},
	}
	if len(reversed) > 0 && reversed[0] {
		slices.Reverse(recs)
	}
	for _, r := range recs {
		Expect(w.Record(r)).To(Succeed())
	}
	Expect(w.Finish(heval.Summary{Checks: []heval.Check{
		{Name: "word_count:p90<=250@candidate", Key: "word_count", Stat: "p90", Op: "<=", Limit: 250, Observed: 400, Passed: false,
			Message: "hypothesis candidate: word_count p90 400 is not <= 250; worst: row 2 (request 1f0e…0002) 400"},
		{Name: "judge:errors<=5", Key: "judge", Stat: "errors", Op: "<=", Limit: 5, Observed: 1, Passed: true},
	}})).To(Succeed())
	return buf.Bytes()
}

type doc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failures  []struct {
				Type    string `xml:"type,attr"`
				Message string `xml:"message,attr"`
			} `xml:"failure"`
			Errors []struct {
				Type    string `xml:"type,attr"`
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parse(b []byte) doc {
	var d doc
	Expect(xml.Unmarshal(b, &d)).To(Succeed())
	return d
}

var _ = Describe("the JUnit writer", func() {
	It("matches its golden file", func() {
		got := writeRun()
		testutil.ExpectGolden(filepath.Join("testdata", "run.xml"), got)
	})

	It("is deterministic whatever order the records arrive in", func() {
		a := writeRun()
		b := writeRun(true)
		Expect(a).To(Equal(b))
	})

	It("has one suite per (group, evaluator), cases ordered by row, counts that add up", func() {
		d := parse(writeRun())
		var names []string
		for _, s := range d.Suites {
			names = append(names, s.Name)
			Expect(s.Tests).To(Equal(len(s.Cases)))
		}
		Expect(names).To(Equal([]string{"heval/judge [baseline]", "heval/word_count [candidate]", "heval/thresholds"}))
		wc := d.Suites[1]
		Expect(wc.Cases[0].Name).To(Equal("word_count [candidate] row 2 · request 1f0e0000-0000-4000-8000-000000000002"))
		Expect(wc.Cases[2].Name).To(HavePrefix("word_count [candidate] row 10 "))
		Expect(wc.Cases[0].Classname).To(Equal("heval.word_count.candidate"))
		Expect(wc.Cases[0].Time).To(Equal("0.125"))
		Expect(wc.Failures).To(Equal(1))
		Expect(wc.Errors).To(Equal(1))
		Expect(wc.Cases[0].Failures[0].Message).To(ContainSubstring("400 is not <= 250"))
		Expect(wc.Cases[1].Errors[0].Type).To(Equal("invalid_value"))
		judge := d.Suites[0]
		Expect(judge.Cases[0].Errors[0].Type).To(Equal("panic"))
		Expect(judge.Cases[0].Errors[0].Message).To(Equal("runtime error: index out of range"), "no doubled panic: panic:")
		Expect(judge.Cases[1].Name).To(HaveSuffix("· repeat 2"))
		Expect(judge.Cases[1].Errors[0].Type).To(Equal("delivery"))
		th := d.Suites[2]
		Expect(th.Tests).To(Equal(2))
		Expect(th.Failures).To(Equal(1))
		Expect(th.Cases[1].Failures[0].Message).To(ContainSubstring("p90 400 is not <= 250"))
		Expect(d.Tests).To(Equal(7))
		Expect(d.Failures).To(Equal(2))
		Expect(d.Errors).To(Equal(3))
	})

	It("says where each evaluator and the suite were declared, for CI tools to place their annotations", func() {
		b := string(writeRun())
		Expect(b).To(ContainSubstring(`<testsuite name="heval/word_count [candidate]" tests="3" failures="1" errors="1" time="0.127" timestamp="2026-11-20T22:00:00" file="evals/support_test.go">`))
		Expect(b).To(ContainSubstring(`<testsuite name="heval/judge [baseline]" tests="2" failures="0" errors="2" time="0.000" timestamp="2026-11-20T22:00:00" file="evals/judges.go">`))
		Expect(b).To(ContainSubstring(`<testsuite name="heval/thresholds" tests="2" failures="1" errors="0" time="0.000" timestamp="2026-11-20T22:00:00" file="evals/support_test.go">`))
		Expect(b).To(ContainSubstring("word_count 400 is not &lt;= 250&#xA;at evals/support_test.go:31</failure>"))
		Expect(b).To(ContainSubstring("goroutine 1 [running]&#xA;at evals/judges.go:12</error>"))
		Expect(b).To(ContainSubstring("(request 1f0e…0002) 400&#xA;at evals/support_test.go:29</failure>"))
		Expect(b).NotTo(ContainSubstring(`message="panic: `))
	})

	It("escapes hostile text into well-formed XML and writes no exponent times", func() {
		b := writeRun()
		Expect(string(b)).NotTo(ContainSubstring("<script>"))
		Expect(string(b)).NotTo(ContainSubstring("\x01"))
		Expect(string(b)).NotTo(MatchRegexp(`time="[0-9.]+e`))
		parse(b)
	})

	It("uses only the elements and attributes the Jenkins JUnit schema allows", func() {
		allowed := map[string]map[string]bool{
			"testsuites": {"name": true, "time": true, "tests": true, "failures": true, "errors": true},
			"testsuite":  {"name": true, "tests": true, "failures": true, "errors": true, "group": true, "time": true, "skipped": true, "timestamp": true, "hostname": true, "id": true, "package": true, "file": true, "log": true, "url": true},
			"properties": {}, "property": {"name": true, "value": true},
			"testcase": {"name": true, "time": true, "classname": true, "group": true},
			"failure":  {"type": true, "message": true}, "error": {"type": true, "message": true},
			"system-out": {}, "system-err": {},
		}
		required := map[string][]string{"testsuite": {"name", "tests", "failures", "errors"}, "testcase": {"name"}, "property": {"name", "value"}}
		dec := xml.NewDecoder(bytes.NewReader(writeRun()))
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			attrs, known := allowed[se.Name.Local]
			Expect(known).To(BeTrue(), "element %s", se.Name.Local)
			have := map[string]bool{}
			for _, a := range se.Attr {
				Expect(attrs).To(HaveKey(a.Name.Local), "attribute %s of %s", a.Name.Local, se.Name.Local)
				have[a.Name.Local] = true
			}
			for _, r := range required[se.Name.Local] {
				Expect(have).To(HaveKey(r), "required attribute %s of %s", r, se.Name.Local)
			}
		}
	})

	It("validates against the JUnit XSD with xmllint", func() {
		validateXSD(writeRun())
	})

	It("merges shards into the document a single run writes", func() {
		single := writeRun()
		var a, b bytes.Buffer
		shard := func(buf *bytes.Buffer, keep func(i int) bool) {
			w := junit.NewWriter(buf)
			Expect(w.Start(heval.RunInfo{RunID: "run-1", Started: started, Evaluators: []string{"word_count", "judge"}})).To(Succeed())
			for i := range 6 {
				if keep(i) {
					Expect(w.Record(heval.Record{Sample: sample(i, "2f0e0000-0000-4000-8000-00000000000"+string(rune('0'+i)), "x"), Evaluator: "word_count",
						Values: []heval.Value{{Key: "word_count", Value: int64(i), Type: heval.Number}}})).To(Succeed())
				}
			}
			Expect(w.Finish(heval.Summary{})).To(Succeed())
		}
		var whole bytes.Buffer
		shard(&whole, func(int) bool { return true })
		shard(&a, func(i int) bool { return i%2 == 0 })
		shard(&b, func(i int) bool { return i%2 == 1 })
		var merged bytes.Buffer
		Expect(junit.Merge(&merged, &a, &b)).To(Succeed())
		m, w := parse(merged.Bytes()), parse(whole.Bytes())
		Expect(m.Tests).To(Equal(6))
		Expect(m.Suites).To(HaveLen(1))
		for i := range w.Suites[0].Cases {
			Expect(m.Suites[0].Cases[i].Name).To(Equal(w.Suites[0].Cases[i].Name))
		}
		Expect(strings.Count(string(single), "<testsuite ")).To(Equal(3))
	})
})

var _ = Describe("adding a suite of specs", func() {
	It("puts each spec's outcome in the run's document, failures placed at their file and line, valid against the XSD", func() {
		var out bytes.Buffer
		specs := []junit.Spec{
			{Name: "the candidate prompt keeps answers short", File: "evals/support_test.go", Line: 40, State: junit.SpecFailed,
				Message: "hypothesis candidate: p90 of word_count 312 is not <= 250\nworst: row 3", At: "evals/support_test.go:41", Duration: 3 * time.Millisecond},
			{Name: "the candidate prompt cites its sources", File: "evals/support_test.go", Line: 36, State: junit.SpecPassed},
			{Name: "a judge spec", File: "evals/support_test.go", Line: 50, State: junit.SpecSkipped, Message: "excluded by the label filter"},
			{Name: "a broken spec", File: "evals/support_test.go", Line: 55, State: junit.SpecPanic, Message: "panic: nil map", At: "evals/support_test.go:56"},
		}
		Expect(junit.AddSuite(&out, bytes.NewReader(writeRun()), "heval/specs", "evals/support_test.go", specs)).To(Succeed())
		d := parse(out.Bytes())
		Expect(d.Tests).To(Equal(7 + 4))
		Expect(d.Failures).To(Equal(2 + 1))
		Expect(d.Errors).To(Equal(3 + 1))
		last := d.Suites[len(d.Suites)-1]
		Expect(last.Name).To(Equal("heval/specs"))
		Expect(last.Cases[0].Name).To(Equal("the candidate prompt cites its sources"))
		Expect(last.Cases[1].Failures[0].Message).To(Equal("hypothesis candidate: p90 of word_count 312 is not <= 250"))
		Expect(out.String()).To(ContainSubstring("worst: row 3&#xA;at evals/support_test.go:41</failure>"))
		Expect(out.String()).To(ContainSubstring(`<testsuite name="heval/specs" tests="4" failures="1" errors="1" skipped="1"`))
		Expect(out.String()).To(ContainSubstring(`file="evals/support_test.go"`))
		Expect(out.String()).To(ContainSubstring(`<error type="panic" message="nil map">`))

		validateXSD(out.Bytes())

		var again bytes.Buffer
		Expect(junit.AddSuite(&again, bytes.NewReader(out.Bytes()), "heval/specs", "evals/support_test.go", specs)).To(Succeed())
		Expect(again.String()).To(Equal(out.String()), "adding the suite again replaces it")
	})
})
