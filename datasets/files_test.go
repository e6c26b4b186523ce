package datasets_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/datasets"
)

func writeFile(name, content string) string {
	p := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(p, []byte(content), 0o600)).To(Succeed())
	return p
}

var _ = Describe("JSONL", func() {
	It("reads records with text and provider-body outputs", func() {
		p := writeFile("s.jsonl", "\xef\xbb\xbf"+`{"request_id":"11111111-1111-4111-8111-111111111111","hypothesis":"candidate","model":"gpt-4o-mini","inputs":{"question":"Q?","n":3},"output":"Answer [1]","expected":"Answer","properties":{"Variant":"B"},"prompt_tokens":10,"completion_tokens":4,"latency_ms":250,"created_at":"2026-01-15T12:00:00Z"}`+"\n\n"+
			`{"kind":"hypothesis_run","hypothesis_id":"h2","dataset_row_id":"r2","row_index":7,"output":{"type":"message","content":[{"type":"text","text":"Claude says hi"}]},"reference":{"choices":[{"message":{"content":"ref"}}]}}`+"\n")
		samples, err := collect(datasets.JSONL(p), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(2))
		a := samples[0]
		Expect(a.Kind).To(Equal(heval.KindFile))
		Expect(a.RequestID).To(Equal("11111111-1111-4111-8111-111111111111"))
		Expect(a.Hypothesis).To(Equal("candidate"))
		Expect(a.Inputs).To(Equal(map[string]string{"question": "Q?", "n": "3"}))
		Expect(a.Text()).To(Equal("Answer [1]"))
		Expect(a.ReferenceText()).To(Equal("Answer"))
		Expect(a.Properties).To(HaveKeyWithValue("Variant", "B"))
		Expect(a.Latency).To(Equal(250 * time.Millisecond))
		Expect(a.CreatedAt).To(Equal(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)))
		Expect(a.RowIndex).To(Equal(0))
		b := samples[1]
		Expect(b.Kind).To(Equal(heval.KindHypothesisRun))
		Expect(b.Hypothesis).To(Equal("h2"))
		Expect(b.RowIndex).To(Equal(7))
		Expect(b.Text()).To(Equal("Claude says hi"))
		Expect(b.ReferenceText()).To(Equal("ref"))
	})

	DescribeTable("names the line of a bad record",
		func(content, line, mention string) {
			p := writeFile("bad.jsonl", content)
			samples, err := collect(datasets.JSONL(p), datasets.Env{})
			Expect(err).To(MatchError(datasets.ErrBadFileSample))
			Expect(err.Error()).To(ContainSubstring(p + " line " + line))
			Expect(err.Error()).To(ContainSubstring(mention))
			Expect(samples).To(HaveLen(1))
		},
		Entry("invalid JSON", `{"output":"ok"}`+"\n"+`{"output": "x"`+"\n", "2", "not a valid sample record"),
		Entry("not an object", `{"output":"ok"}`+"\n\n"+`["x"]`+"\n", "3", "expected a JSON object"),
		Entry("misspelled field", `{"output":"ok"}`+"\n"+`{"output":"x","reqeust_id":"1"}`, "2", `unknown field "reqeust_id"`),
		Entry("no output", `{"output":"ok"}`+"\n"+`{"request_id":"x"}`, "2", `no "output"`),
		Entry("unknown kind", `{"output":"ok"}`+"\n"+`{"output":"x","kind":"row"}`, "2", `kind "row"`),
		Entry("bad time", `{"output":"ok"}`+"\n"+`{"output":"x","created_at":"yesterday"}`, "2", "RFC 3339"),
		Entry("reference twice", `{"output":"ok"}`+"\n"+`{"output":"x","reference":"a","expected":"b"}`, "2", "both"),
		Entry("negative tokens", `{"output":"ok"}`+"\n"+`{"output":"x","prompt_tokens":-1}`, "2", "negative"),
		Entry("two records on one line", `{"output":"ok"}`+"\n"+`{"output":"x"} {"output":"y"}`, "2", "more than one JSON value on the line"),
		Entry("a fraction where a count goes", `{"output":"ok"}`+"\n"+`{"output":"x","row_index":1.5}`, "2", "cannot unmarshal number 1.5"),
	)

	It("matches field names as encoding/json does: without regard to case, the last of a repeated one kept", func() {
		p := writeFile("case.jsonl", `{"OUTPUT":"first","Output":"second","Request_ID":"r-1"}`+"\n")
		samples, err := collect(datasets.JSONL(p), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(1))
		Expect(samples[0].RequestID).To(Equal("r-1"))
		Expect(samples[0].Text()).To(Equal("second"))
	})

	It("reads a very long line", func() {
		long := make([]byte, 3<<20)
		for i := range long {
			long[i] = 'a'
		}
		p := writeFile("long.jsonl", `{"output":"`+string(long)+`"}`)
		samples, err := collect(datasets.JSONL(p), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples[0].Text()).To(HaveLen(len(long)))
	})

	It("keeps each record whole when the lines that follow are read into the same buffer", func() {
		var b strings.Builder
		var want []string
		for i := range 40 {
			text := strings.Repeat(string(rune('a'+i%26)), []int{10, 70 << 10, 300}[i%3])
			want = append(want, text)
			fmt.Fprintf(&b, `{"output":%q,"reference":"ref %d","request_id":"r-%d"}`+"\n", text, i, i)
		}
		samples, err := collect(datasets.JSONL(writeFile("many.jsonl", b.String())), datasets.Env{})
		Expect(err).NotTo(HaveOccurred())
		Expect(samples).To(HaveLen(len(want)))
		for i, s := range samples {
			Expect(s.Text()).To(Equal(want[i]), "line %d", i+1)
			Expect(s.ReferenceText()).To(Equal(fmt.Sprintf("ref %d", i)))
			Expect(s.RequestID).To(Equal(fmt.Sprintf("r-%d", i)))
		}
	})

	It("reports a missing file", func() {
		_, err := collect(datasets.JSONL(filepath.Join(GinkgoT().TempDir(), "nope.jsonl")), datasets.Env{})
		Expect(err).To(MatchError(os.ErrNotExist))
	})
})
