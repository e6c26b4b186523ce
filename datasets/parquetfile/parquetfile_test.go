package parquetfile_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/parquet-go/parquet-go"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/datasets/parquetfile"
)

func TestParquetFile(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "parquetfile")
}

func collect(src datasets.Source, env datasets.Env) ([]heval.Sample, error) {
	return datasets.Collect(context.Background(), src, env)
}

func writeFile(name, content string) string {
	p := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(p, []byte(content), 0o644)).To(Succeed())
	return p
}

var _ = Describe("Parquet", func() {
	write := func(rows any) string {
		p := filepath.Join(GinkgoT().TempDir(), "s.parquet")
		f, err := os.Create(p)
		Expect(err).NotTo(HaveOccurred())
		switch rows := rows.(type) {
		case []datasets.FileSample:
			Expect(parquet.Write(f, rows)).To(Succeed())
		case []narrowRecord:
			Expect(parquet.Write(f, rows)).To(Succeed())
		case []noOutput:
			Expect(parquet.Write(f, rows)).To(Succeed())
		}
		Expect(f.Close()).To(Succeed())
		return p
	}

	It("reads the columns of Record", func() {
		idx := int64(4)
		p := write([]datasets.FileSample{
			{RequestID: "11111111-1111-4111-8111-111111111111", Hypothesis: "baseline", Model: "gpt-4o", RowIndex: &idx,
				Inputs: map[string]string{"question": "Q"}, Output: "plain answer", Reference: "ref",
				Properties: map[string]string{"Feature": "x"}, PromptTokens: 5, CompletionTokens: 6, LatencyMs: 70},
			{Kind: "request", Output: `{"choices":[{"message":{"content":"from a body"}}]}`},
		})
		samples, err := collect(parquetfile.Source(p), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		Expect(samples[0].Text()).To(Equal("plain answer"))
		Expect(samples[0].ReferenceText()).To(Equal("ref"))
		Expect(samples[0].RowIndex).To(Equal(4))
		Expect(samples[0].Inputs).To(Equal(map[string]string{"question": "Q"}))
		Expect(samples[0].Latency).To(Equal(70 * time.Millisecond))
		Expect(samples[1].Kind).To(Equal(heval.KindRequest))
		Expect(samples[1].Text()).To(Equal("from a body"))
		Expect(samples[1].RowIndex).To(Equal(1))
	})

	It("reads a file with only some of the columns", func() {
		p := write([]narrowRecord{{RequestID: "r1", Output: "one"}, {RequestID: "r2", Output: "two"}})
		samples, err := collect(parquetfile.Source(p), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		Expect(samples[1].RequestID).To(Equal("r2"))
		Expect(samples[1].Text()).To(Equal("two"))
	})

	It("names a bad row and a file without output", func() {
		p := write([]datasets.FileSample{{Output: "ok"}, {Output: "x", Kind: "bogus"}})
		_, err := collect(parquetfile.Source(p), datasets.Env{})
		Expect(err).To(MatchError(datasets.ErrBadFileSample))
		Expect(err.Error()).To(ContainSubstring("row 2"))

		p = write([]noOutput{{RequestID: "r"}})
		_, err = collect(parquetfile.Source(p), datasets.Env{})
		Expect(err).To(MatchError(ContainSubstring(`no "output" column`)))

		p = writeFile("not.parquet", "hello")
		_, err = collect(parquetfile.Source(p), datasets.Env{})
		Expect(err).To(MatchError(ContainSubstring("not a readable Parquet file")))
	})

	It("stops reading when cancelled", func() {
		p := write([]datasets.FileSample{{Output: "a"}, {Output: "b"}})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := datasets.Collect(ctx, parquetfile.Source(p), datasets.Env{})
		Expect(err).To(MatchError(context.Canceled))
	})
})

type narrowRecord struct {
	RequestID string `parquet:"request_id"`
	Output    string `parquet:"output"`
}

type noOutput struct {
	RequestID string `parquet:"request_id"`
}
