package parquet_test

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/parquet/file"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/parquet"
)

var _ = Describe("Merge", func() {
	var dir, shard1, shard2 string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		recs := fixtureRecords()
		info := runInfo()
		info.Shard = "1/2"
		shard1 = filepath.Join(dir, "b-shard1.parquet")
		writeRunInfo(shard1, info, recs[:3])
		info.Shard = "2/2"
		info.DryRun = true
		shard2 = filepath.Join(dir, "a-shard2.parquet")
		writeRunInfo(shard2, info, recs[3:])
	})

	merge := func(srcs ...string) []byte {
		GinkgoHelper()
		var buf bytes.Buffer
		Expect(parquet.Merge(&buf, srcs...)).To(Succeed())
		return buf.Bytes()
	}

	It("joins shards into one file in shard order, whatever the argument order", func() {
		out := merge(shard2, shard1)
		Expect(merge(shard1, shard2)).To(Equal(out))
		p := filepath.Join(dir, "merged.parquet")
		Expect(os.WriteFile(p, out, 0o644)).To(Succeed())

		info, recs, err := parquet.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(info.RunID).To(Equal("run-0001"))
		Expect(info.Shard).To(BeEmpty())
		Expect(info.DryRun).To(BeFalse(), "one shard submitted scores")
		want := fixtureRecords()
		Expect(recs).To(HaveLen(len(want)))
		for i := range want {
			Expect(recs[i].Sample.RequestID).To(Equal(want[i].Sample.RequestID))
			Expect(recs[i].Evaluator).To(Equal(want[i].Evaluator))
			Expect(recs[i].Values).To(Equal(want[i].Values))
			Expect(recs[i].Err).To(Equal(want[i].Err))
			Expect(recs[i].DeliveryErr).To(Equal(want[i].DeliveryErr))
		}

		fh, err := os.Open(p)
		Expect(err).NotTo(HaveOccurred())
		defer fh.Close()
		st, _ := fh.Stat()
		f, err := parquet.Open(fh, st.Size())
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Runs).To(HaveLen(2))
		Expect(f.Runs[0].Shard).To(Equal("1/2"))
		Expect(f.Runs[1].Shard).To(Equal("2/2"))
		Expect(f.HasSummary).To(BeTrue())
		Expect(f.Summary.Samples).To(Equal(6))
		Expect(f.Summary.Delivery.Posts).To(Equal(6))
		Expect(f.Summary.Checks).To(BeEmpty())

		rdr, err := file.OpenParquetFile(p, false)
		Expect(err).NotTo(HaveOccurred())
		defer rdr.Close()
		Expect(rdr.NumRows()).To(BeEquivalentTo(6))
	})

	It("says which input is not a heval scores file", func() {
		bad := filepath.Join(dir, "bad.parquet")
		Expect(os.WriteFile(bad, []byte("nope"), 0o644)).To(Succeed())
		err := parquet.Merge(&bytes.Buffer{}, shard1, bad)
		Expect(err).To(MatchError(ContainSubstring("bad.parquet")))
		Expect(parquet.Merge(&bytes.Buffer{})).To(HaveOccurred())
	})

	It("reads a file merged from merged files", func() {
		m1 := filepath.Join(dir, "m1.parquet")
		Expect(os.WriteFile(m1, merge(shard1, shard2), 0o644)).To(Succeed())
		var buf bytes.Buffer
		Expect(parquet.Merge(&buf, m1)).To(Succeed())
		f, err := parquet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Runs).To(HaveLen(2))
		n := 0
		for r, err := range f.Records() {
			Expect(err).NotTo(HaveOccurred())
			Expect(r).NotTo(BeZero())
			n++
		}
		Expect(n).To(Equal(5))
	})
})
