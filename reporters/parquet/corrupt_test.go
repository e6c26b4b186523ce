package parquet_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/parquet"
)

// realRun is a small run shaped like a real one: three hypotheses, three evaluators, a
// repeat, errors and failures, with bodies.
func realRun() []heval.Record {
	var recs []heval.Record
	for i := range 24 {
		s := &heval.Sample{
			Kind: heval.KindHypothesisRun, RequestID: fmt.Sprintf("%08x-1111-4111-8111-000000000000", i),
			ExperimentID: "exp-1", Experiment: "support", HypothesisID: fmt.Sprintf("h%d", i%3), Hypothesis: []string{"baseline", "candidate", "claude"}[i%3],
			Model: "gpt-4o-mini", DatasetRowID: fmt.Sprintf("row-%d", i/3), RowIndex: i / 3,
			Inputs: map[string]string{"question": fmt.Sprintf("question %d?", i)},
			Body:   []byte(fmt.Sprintf(`{"choices":[{"message":{"role":"assistant","content":"answer %d with [1]"}}]}`, i)),
		}
		if i%5 == 0 {
			s.Latency, s.CreatedAt = time.Duration(100+i)*time.Millisecond, createdAt
		}
		recs = append(recs,
			heval.Record{Sample: s, Evaluator: "words", Values: []heval.Value{{Key: "words", Value: int64(10 + i), Type: heval.Number}}, Submitted: true},
			heval.Record{Sample: s, Evaluator: "checks", Values: []heval.Value{{Key: "has_citations", Value: int64(i % 2), Type: heval.Boolean}}, Submitted: true},
		)
		if i%4 == 0 {
			recs = append(recs, heval.Record{Sample: s, Evaluator: "judge", Repeat: 1, Err: "judge timed out", ErrKind: heval.ErrorKindTimeout})
		}
	}
	return recs
}

// dump describes what a reader got, for telling a changed read from an intact one.
func dump(run *parquet.Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%#v\n%#v\n", run.Info, run.Summary)
	for _, r := range run.Records {
		s := *r.Sample
		text, err := s.Answer()
		fmt.Fprintf(&b, "%#v %q %v %q %v %v %#v %q %v\n", s.Kind, s.RequestID, s.RowIndex, s.Hypothesis, s.Latency, s.CreatedAt.UnixMicro(), s.Inputs, text, err)
		r.Sample = nil
		fmt.Fprintf(&b, "%#v\n", r)
	}
	return b.String()
}

// flipOutcomes counts how the reads of byte-flipped copies of a file ended.
type flipOutcomes struct{ flips, errs, same, different int }

// flipBytes reads copies of the file at name (in dir), each with one bit of one byte
// flipped, for every stride-th byte from the first, and counts how each read ended.
func flipBytes(dir, name string, stride int, read func() (*parquet.Run, error), want string) flipOutcomes {
	GinkgoHelper()
	path := filepath.Join(dir, name)
	orig, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	defer os.WriteFile(path, orig, 0o644)
	var o flipOutcomes
	for pos := 0; pos < len(orig); pos += stride {
		bad := append([]byte(nil), orig...)
		bad[pos] ^= 1 << (pos * 7 % 8)
		Expect(os.WriteFile(path, bad, 0o644)).To(Succeed())
		o.flips++
		run, err := func() (run *parquet.Run, err error) {
			defer func() {
				if p := recover(); p != nil {
					Fail(fmt.Sprintf("reading %s with byte %d flipped panicked: %v", name, pos, p))
				}
			}()
			return read()
		}()
		switch {
		case err != nil:
			o.errs++
			Expect(err.Error()).To(HavePrefix("reading "+dir), "byte %d", pos)
			Expect(utf8.ValidString(err.Error())).To(BeTrue(), "byte %d: %q", pos, err.Error())
			Expect(errors.Is(err, parquet.ErrCorrupt) || errors.Is(err, parquet.ErrNotScoresFile) ||
				errors.Is(err, parquet.ErrSchemaVersion) || strings.Contains(err.Error(), "opening file") ||
				strings.Contains(err.Error(), "metadata")).
				To(BeTrue(), "byte %d: %v", pos, err)
		case dump(run) == want:
			o.same++
		default:
			o.different++
		}
	}
	return o
}

var _ = Describe("a corrupt file", func() {
	var dir string
	var want string
	read := func() (*parquet.Run, error) { return parquet.ReadRun(filepath.Join(dir, "scores.parquet")) }
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		recs := realRun()
		writeRun(filepath.Join(dir, "scores.parquet"), recs)
		writeSamples24(filepath.Join(dir, parquet.SamplesFile), recs)
		run, err := read()
		Expect(err).NotTo(HaveOccurred())
		want = dump(run)
	})

	for _, name := range []string{"scores.parquet", parquet.SamplesFile} {
		It("is never read as different data, nor panics the reader, whatever byte of "+name+" is flipped", func() {
			// Every 8th byte with the checksums, every 16th without (a read takes milliseconds).
			old := parquet.SetVerifyChecksums(false)
			before := flipBytes(dir, name, 16, read, want)
			parquet.SetVerifyChecksums(old)
			after := flipBytes(dir, name, 8, read, want)
			report := fmt.Sprintf("%s: without heval's checksums, of %d copies with one bit flipped %d read as different data, %d as the same, %d refused; with them, of %d copies %d, %d, %d",
				name, before.flips, before.different, before.same, before.errs, after.flips, after.different, after.same, after.errs)
			AddReportEntry("byte flips "+name, report)
			GinkgoWriter.Println(report)
			Expect(before.different).To(BeNumerically(">", 0), "the measurement finds what the checksum catches")
			Expect(after.different).To(BeZero(), report)
		})
	}
})

var _ = Describe("a damaged checksum", func() {
	It("is quoted in the error, not sent to the terminal as the bytes the file holds", func() {
		dir := GinkgoT().TempDir()
		path := filepath.Join(dir, "scores.parquet")
		writeRun(path, realRun())
		orig, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		// The two checksums are kept as "crc32c:" and eight hex digits; each in turn gets its
		// last digit's high bit set, which no UTF-8 text has alone.
		var at []int
		for i := 0; ; {
			j := bytes.Index(orig[i:], []byte("crc32c:"))
			if j < 0 {
				break
			}
			at = append(at, i+j+len("crc32c:")+7)
			i += j + 1
		}
		Expect(at).To(HaveLen(2))
		for _, pos := range at {
			bad := bytes.Clone(orig)
			bad[pos] |= 0x80
			Expect(os.WriteFile(path, bad, 0o644)).To(Succeed())
			_, err := parquet.ReadRun(path)
			Expect(err).To(MatchError(parquet.ErrCorrupt))
			Expect(utf8.ValidString(err.Error())).To(BeTrue(), "%q", err.Error())
			Expect(err.Error()).To(MatchRegexp(`checksum written with (it|them) \("crc32c:[0-9a-f]{7}\\x[0-9a-f]{2}", read crc32c:[0-9a-f]{8}\)`))
		}
	})
})

func writeSamples24(path string, recs []heval.Record) {
	GinkgoHelper()
	fh, err := os.Create(path)
	Expect(err).NotTo(HaveOccurred())
	defer fh.Close()
	w := parquet.NewSamplesWriter(fh)
	Expect(w.Start(runInfo())).To(Succeed())
	for _, r := range recs {
		Expect(w.Record(r)).To(Succeed())
	}
	Expect(w.Finish(summary())).To(Succeed())
}
