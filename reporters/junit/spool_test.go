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

var _ = Describe("a run larger than the writer keeps in memory", func() {
	const n = 5000
	var tmp string

	write := func(seed uint64) []byte {
		GinkgoT().Setenv("TMPDIR", tmp)
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
		var buf bytes.Buffer
		w := junit.NewWriter(&buf)
		Expect(w.Start(heval.RunInfo{RunID: "big", Started: started, Evaluators: []string{"word_count", "judge"}})).To(Succeed())
		for _, r := range recs {
			Expect(w.Record(r)).To(Succeed())
		}
		Expect(w.Finish(heval.Summary{})).To(Succeed())
		return buf.Bytes()
	}

	BeforeEach(func() { tmp = GinkgoT().TempDir() })

	It("writes every case, in order, with the same bytes whatever the arrival order, and leaves no spool files", func() {
		a := write(1)
		b := write(2)
		Expect(a).To(Equal(b))
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
})
