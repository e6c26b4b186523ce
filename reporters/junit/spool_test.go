package junit_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/junit"
)

// limits are the writer's bounds in a spec: bytes of cases in memory and runs per level;
// zero keeps the defaults.
type limits struct{ chunk, fanout int }

func newWriter(buf *bytes.Buffer, l limits) *junit.Writer {
	w := junit.NewWriter(buf)
	if l.chunk > 0 {
		junit.SetLimits(w, l.chunk, l.fanout)
	}
	return w
}

// bigRecords are the records of n samples with two evaluators each, some failed and some
// errors, shuffled with seed.
func bigRecords(n int, seed uint64) []heval.Record {
	recs := make([]heval.Record, 0, 2*n)
	for i := range n {
		for _, ev := range []string{"word_count", "judge"} {
			r := heval.Record{Sample: sample(i, fmt.Sprintf("3f0e0000-0000-4000-8000-%012d", i), "big"), Evaluator: ev,
				Duration: time.Duration(i%7) * time.Millisecond, Values: []heval.Value{{Key: ev, Value: int64(i), Type: heval.Number}}}
			if i%100 == 0 {
				r.Err, r.ErrKind = "boom", heval.ErrorKindEvaluator
			} else if i%10 == 0 {
				r.Failures = []string{fmt.Sprintf("%s %d is too low", ev, i)}
			}
			recs = append(recs, r)
		}
	}
	rand.New(rand.NewPCG(seed, seed)).Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return recs
}

var _ = Describe("a run larger than the writer keeps in memory", func() {
	const n = 5000
	var tmp string

	write := func(seed uint64, l limits) []byte {
		GinkgoT().Setenv("TMPDIR", tmp)
		var buf bytes.Buffer
		w := newWriter(&buf, l)
		Expect(w.Start(heval.RunInfo{RunID: "big", Started: started, Evaluators: []string{"word_count", "judge"}})).To(Succeed())
		for _, r := range bigRecords(n, seed) {
			Expect(w.Record(r)).To(Succeed())
		}
		Expect(w.Finish(heval.Summary{})).To(Succeed())
		return buf.Bytes()
	}

	BeforeEach(func() { tmp = GinkgoT().TempDir() })

	It("writes every case, in order, with the same bytes whatever the arrival order and wherever the cases waited, and leaves no temporary files", func() {
		inMemory := write(1, limits{})
		a := write(1, limits{chunk: 16 << 10, fanout: 4})
		b := write(2, limits{chunk: 16 << 10, fanout: 4})
		c := write(3, limits{chunk: 1, fanout: 2}) // a run per case, merged two at a time
		Expect(a).To(Equal(inMemory))
		Expect(b).To(Equal(a))
		Expect(c).To(Equal(a))
		d := parse(a)
		Expect(d.Tests).To(Equal(2 * n))
		Expect(d.Errors).To(Equal(2 * n / 100))
		Expect(d.Failures).To(Equal(2 * (n/10 - n/100)))
		Expect(d.Suites).To(HaveLen(2))
		for _, s := range d.Suites {
			Expect(s.Cases).To(HaveLen(n))
			for i, c := range s.Cases {
				Expect(c.Name).To(ContainSubstring(fmt.Sprintf("] row %d ", i)))
			}
		}
		left, err := filepath.Glob(filepath.Join(tmp, "heval-junit-*"))
		Expect(err).NotTo(HaveOccurred())
		Expect(left).To(BeEmpty())
		_, err = os.Stat(tmp)
		Expect(err).NotTo(HaveOccurred())
	})

	It("holds a bounded chunk and fewer runs than the fan-out per level, however many cases arrive", func() {
		GinkgoT().Setenv("TMPDIR", tmp)
		const chunk, fanout = 8 << 10, 4
		var buf bytes.Buffer
		w := newWriter(&buf, limits{chunk: chunk, fanout: fanout})
		Expect(w.Start(heval.RunInfo{RunID: "big", Started: started, Evaluators: []string{"word_count", "judge"}})).To(Succeed())
		recs := bigRecords(4*n, 4)
		maxCap, maxLevels := 0, 0
		for i, r := range recs {
			Expect(w.Record(r)).To(Succeed())
			runs, chunkCap, cases := junit.StoreShape(w)
			for _, k := range runs {
				Expect(k).To(BeNumerically("<", fanout), "after %d records: runs per level %v", i+1, runs)
			}
			Expect(cases).To(BeNumerically("<", chunk/32), "after %d records", i+1)
			maxCap, maxLevels = max(maxCap, chunkCap), max(maxLevels, len(runs))
		}
		// 40,000 cases of about 100 bytes: some 500 runs of 8 KiB, merged in levels of 4.
		Expect(maxLevels).To(BeNumerically(">=", 4))
		Expect(maxLevels).To(BeNumerically("<=", 6))
		Expect(maxCap).To(BeNumerically("<=", chunk+16<<10))
		Expect(w.Finish(heval.Summary{})).To(Succeed())
		Expect(parse(buf.Bytes()).Tests).To(Equal(len(recs)))
	})

	It("writes the hostile run as encoding/xml did when its cases wait on disk, long ones included", func() {
		GinkgoT().Setenv("TMPDIR", tmp)
		want, err := os.ReadFile(filepath.Join("testdata", "hostile.xml"))
		Expect(err).NotTo(HaveOccurred())
		for _, l := range []limits{{chunk: 1, fanout: 2}, {chunk: 4 << 10, fanout: 3}} {
			var buf bytes.Buffer
			writeHostile(newWriter(&buf, l), hostileOrder(true))
			Expect(buf.String()).To(Equal(string(want)), "limits %+v", l)
		}
	})

	It("says what to do when the temporary files cannot be written, and writes no document", func() {
		GinkgoT().Setenv("TMPDIR", filepath.Join(tmp, "missing"))
		var buf bytes.Buffer
		w := newWriter(&buf, limits{chunk: 1, fanout: 2})
		Expect(w.Start(heval.RunInfo{RunID: "r", Evaluators: []string{"word_count"}})).To(Succeed())
		err := w.Record(bigRecords(1, 1)[0])
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("temporary file"))
		Expect(err.Error()).To(ContainSubstring("set TMPDIR to a directory with free space"))
		Expect(w.Record(bigRecords(1, 1)[1])).To(MatchError(err))
		ferr := w.Finish(heval.Summary{})
		Expect(ferr).To(HaveOccurred())
		Expect(ferr.Error()).To(ContainSubstring("the JUnit document was not written"))
		Expect(buf.Len()).To(BeZero())
	})

	It("gives Merge and AddSuite documents they read and rewrite, valid against the XSD", func() {
		whole := write(1, limits{chunk: 16 << 10, fanout: 4})
		var merged bytes.Buffer
		Expect(junit.Merge(&merged, bytes.NewReader(whole))).To(Succeed())
		Expect(merged.String()).To(Equal(string(whole)), "merging one document gives it back")
		var added bytes.Buffer
		Expect(junit.AddSuite(&added, bytes.NewReader(whole), "heval/specs", "evals/a_test.go",
			[]junit.Spec{{Name: "a spec", File: "evals/a_test.go", Line: 3, State: junit.SpecFailed, Message: "no", At: "evals/a_test.go:4"}})).To(Succeed())
		d := parse(added.Bytes())
		Expect(d.Tests).To(Equal(2*n + 1))
		Expect(d.Failures).To(Equal(2*(n/10-n/100) + 1))
		validateXSD(added.Bytes())
	})
})

var _ = Describe("cases with the same name", func() {
	It("are ordered by their XML text, so their order does not depend on arrival either", func() {
		recs := []heval.Record{
			{Sample: sample(1, "5f0e0000-0000-4000-8000-000000000001", "dup"), Evaluator: "word_count", Values: []heval.Value{{Key: "word_count", Value: 9, Type: heval.Number}}},
			{Sample: sample(1, "5f0e0000-0000-4000-8000-000000000001", "dup"), Evaluator: "word_count", Values: []heval.Value{{Key: "word_count", Value: 10, Type: heval.Number}}},
			{Sample: sample(1, "5f0e0000-0000-4000-8000-000000000001", "dup"), Evaluator: "word_count", Duration: time.Millisecond},
		}
		write := func(order ...int) string {
			var buf bytes.Buffer
			w := junit.NewWriter(&buf)
			Expect(w.Start(heval.RunInfo{RunID: "dup", Started: started, Evaluators: []string{"word_count"}})).To(Succeed())
			for _, i := range order {
				Expect(w.Record(recs[i])).To(Succeed())
			}
			Expect(w.Finish(heval.Summary{})).To(Succeed())
			return buf.String()
		}
		a := write(0, 1, 2)
		Expect(write(2, 1, 0)).To(Equal(a))
		Expect(write(1, 2, 0)).To(Equal(a))
		// time="0.000" comes before time="0.001"; "word_count=10" before "word_count=9".
		Expect(a).To(MatchRegexp(`(?s)time="0.000">\s*<system-out>word_count=10<.*time="0.000">\s*<system-out>word_count=9<.*time="0.001">`))
		var merged bytes.Buffer
		Expect(junit.Merge(&merged, bytes.NewReader([]byte(write(2, 0, 1))))).To(Succeed())
		Expect(merged.String()).To(Equal(a), "Merge orders them the same way")
	})
})

var _ = Describe("a record whose duration is negative", func() {
	It("counts as taking no time, as the schema has no negative times", func() {
		var buf bytes.Buffer
		w := junit.NewWriter(&buf)
		Expect(w.Start(heval.RunInfo{RunID: "neg", Started: started, Evaluators: []string{"word_count"}})).To(Succeed())
		Expect(w.Record(heval.Record{Sample: sample(1, "6f0e0000-0000-4000-8000-000000000001", "x"), Evaluator: "word_count", Duration: -2500 * time.Millisecond})).To(Succeed())
		Expect(w.Record(heval.Record{Sample: sample(2, "6f0e0000-0000-4000-8000-000000000002", "x"), Evaluator: "word_count", Duration: 1500 * time.Microsecond})).To(Succeed())
		Expect(w.Finish(heval.Summary{})).To(Succeed())
		Expect(buf.String()).To(ContainSubstring(`tests="2" failures="0" errors="0" time="0.002"`))
		Expect(buf.String()).To(ContainSubstring(`row 1 · request 6f0e0000-0000-4000-8000-000000000001" classname="heval.word_count.x" time="0.000"`))
		validateXSD(buf.Bytes())
	})
})
