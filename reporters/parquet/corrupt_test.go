package parquet_test

import (
	"bytes"
	"encoding/binary"
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
	pq "github.com/parquet-go/parquet-go"

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

// flipOutcomes counts how the reads of byte-flipped copies of a file ended, and of the
// flips in the file's pages (its column chunks), how many were refused by the checksum of
// the pages.
type flipOutcomes struct{ flips, errs, same, different, inPages, pagesRefused int }

// pageRange is where the column chunks of the intact Parquet file orig lie.
func pageRange(orig []byte) (start, end int) {
	GinkgoHelper()
	pf, err := pq.OpenFile(bytes.NewReader(orig), int64(len(orig)))
	Expect(err).NotTo(HaveOccurred())
	start = len(orig)
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			m := c.MetaData
			first := m.DataPageOffset
			if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < first {
				first = m.DictionaryPageOffset
			}
			start, end = min(start, int(first)), max(end, int(first+m.TotalCompressedSize))
		}
	}
	return start, end
}

// flipBytes reads copies of the file at name (in dir), each with one bit of one byte
// flipped, for every stride-th byte from the first, and counts how each read ended.
func flipBytes(dir, name string, stride int, read func() (*parquet.Run, error), want string) flipOutcomes {
	GinkgoHelper()
	path := filepath.Join(dir, name)
	orig, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	defer os.WriteFile(path, orig, 0o644)
	var o flipOutcomes
	pagesStart, pagesEnd := pageRange(orig)
	for pos := 0; pos < len(orig); pos += stride {
		bad := append([]byte(nil), orig...)
		bad[pos] ^= 1 << (pos * 7 % 8)
		Expect(os.WriteFile(path, bad, 0o644)).To(Succeed())
		o.flips++
		if pos >= pagesStart && pos < pagesEnd {
			o.inPages++
		}
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
			if pos >= pagesStart && pos < pagesEnd && strings.Contains(err.Error(), "its pages do not match the checksum written with them") {
				o.pagesRefused++
			}
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
			// Every 8th byte, with and without the checksum of the rows (a read takes
			// milliseconds). The checksum of the pages is always verified: the
			// Parquet reader is never given a damaged page, on which it can fail in ways the
			// race detector's pointer checks make fatal.
			old := parquet.SetVerifyRowChecksum(false)
			before := flipBytes(dir, name, 8, read, want)
			parquet.SetVerifyRowChecksum(old)
			after := flipBytes(dir, name, 8, read, want)
			report := fmt.Sprintf("%s: without the checksum of the rows, of %d copies with one bit flipped %d read as different data, %d as the same, %d refused; with it, of %d copies %d, %d, %d; of the %d flips in its pages the checksum of the pages refused %d",
				name, before.flips, before.different, before.same, before.errs, after.flips, after.different, after.same, after.errs, after.inPages, after.pagesRefused)
			AddReportEntry("byte flips "+name, report)
			GinkgoWriter.Println(report)
			if name == "scores.parquet" {
				// The samples file's footer damage is refused by the other checks at this stride.
				Expect(before.different).To(BeNumerically(">", 0), "the measurement finds what the checksum of the rows catches")
			}
			Expect(after.different).To(BeZero(), report)
			Expect(after.inPages).To(BeNumerically(">", after.flips/3), report)
			Expect(after.pagesRefused).To(Equal(after.inPages), report)
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

var _ = Describe("a file whose footer was changed", func() {
	// footerFlip finds a bit of the file's footer whose flip makes the footer read by
	// parquet-go satisfy changed, and returns the file with it flipped.
	footerFlip := func(orig []byte, changed func(*pq.File) bool) []byte {
		GinkgoHelper()
		footer := len(orig) - 8 - int(binary.LittleEndian.Uint32(orig[len(orig)-8:]))
		for pos := footer; pos < len(orig)-8; pos++ {
			for bit := range 8 {
				bad := bytes.Clone(orig)
				bad[pos] ^= 1 << bit
				found := func() bool {
					defer func() { _ = recover() }() // most flips make parquet-go fail, some panic
					pf, err := pq.OpenFile(bytes.NewReader(bad), int64(len(bad)), pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
					return err == nil && changed(pf)
				}()
				if found {
					return bad
				}
			}
		}
		Fail("no flipped bit of the footer makes the change")
		return nil
	}
	// refused writes a run's two files, changes one by change and reads the run.
	refused := func(name string, change func(*pq.File) bool) error {
		GinkgoHelper()
		dir := GinkgoT().TempDir()
		recs := realRun()
		writeRun(filepath.Join(dir, "scores.parquet"), recs)
		writeSamples24(filepath.Join(dir, parquet.SamplesFile), recs)
		path := filepath.Join(dir, name)
		orig, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(path, footerFlip(orig, change), 0o644)).To(Succeed())
		_, err = parquet.ReadRun(filepath.Join(dir, "scores.parquet"))
		Expect(err).To(MatchError(parquet.ErrCorrupt))
		Expect(err.Error()).NotTo(ContainSubstring("the Parquet reader failed"), "refused before the reader is given the rows")
		return err
	}
	// parquet-go trusts the footer: on these changes it reads values the pages do not
	// hold, a panic heval recovers from or, under the race detector's pointer checks, a
	// fatal error.

	for _, table := range []struct{ name, column string }{{"scores.parquet", "experiment"}, {parquet.SamplesFile, "answer"}} {
		It("is refused before its rows are read when "+table.name+" marks an optional column required", func() {
			err := refused(table.name, func(pf *pq.File) bool {
				f, ok := pf.Schema().Lookup(table.column)
				return ok && f.Node.Required()
			})
			Expect(err.Error()).To(ContainSubstring("its column " + table.column + " is required BYTE_ARRAY (STRING), where heval writes optional BYTE_ARRAY (STRING)"))
		})
	}

	It("is refused before its rows are read when a column's dictionary is not before its data", func() {
		err := refused(parquet.SamplesFile, func(pf *pq.File) bool {
			for _, rg := range pf.Metadata().RowGroups {
				for _, c := range rg.Columns {
					if c.MetaData.DictionaryPageOffset < 0 {
						return true
					}
				}
			}
			return false
		})
		Expect(err.Error()).To(MatchRegexp(`column \d+ of row group 0 has its dictionary at byte -\d+, not before its data`))
	})

	It("is refused before its rows are read when a column's data is past the column's end", func() {
		err := refused("scores.parquet", func(pf *pq.File) bool {
			for _, rg := range pf.Metadata().RowGroups {
				for _, c := range rg.Columns {
					m := c.MetaData
					if m.DictionaryPageOffset > 0 && m.TotalCompressedSize > 0 && m.DataPageOffset >= m.DictionaryPageOffset+m.TotalCompressedSize && m.DataPageOffset < 4096 {
						return true
					}
				}
			}
			return false
		})
		Expect(err.Error()).To(MatchRegexp(`column \d+ of row group 0 has its data at byte \d+, past its end at byte \d+`))
	})

	It("is refused before its rows are read when a column's size makes it overlap the next", func() {
		err := refused("scores.parquet", func(pf *pq.File) bool {
			cols := pf.Metadata().RowGroups[0].Columns
			for j := range cols[:len(cols)-1] {
				m, n := cols[j].MetaData, cols[j+1].MetaData
				next := n.DataPageOffset
				if n.DictionaryPageOffset > 0 {
					next = n.DictionaryPageOffset
				}
				if end := m.DataPageOffset + m.TotalCompressedSize; m.DictionaryPageOffset == 0 && m.TotalCompressedSize > 0 && end > next && end < pf.Size()-8 {
					return true
				}
			}
			return false
		})
		Expect(err.Error()).To(MatchRegexp(`column \d+ of row group 0 starts at byte \d+, where the column before it ends at byte \d+ \(heval writes them one after the other\)`))
	})
})
