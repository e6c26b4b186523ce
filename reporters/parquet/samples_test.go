package parquet_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/heval-dev/heval"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/parquet"
)

// withBodies gives the fixture's samples what a run has: bodies, inputs, properties.
func withBodies(recs []heval.Record) []heval.Record {
	a, b, c := *recs[0].Sample, *recs[2].Sample, *recs[4].Sample
	a.Body = json.RawMessage(`{"choices":[{"message":{"role":"assistant","content":"Hello! See [1]. {\"json\": true}"}}]}`)
	a.Reference = json.RawMessage(`"the reference answer"`)
	a.Inputs = map[string]string{"question": "How do I get a refund?", "product": "Widget ✓"}
	a.Properties = map[string]string{"Variant": "B"}
	b.Body = json.RawMessage(`{"helicone_message":"placeholder"}`)
	c.Body = json.RawMessage(`"{\"answer\": 42}"`) // a JSON answer stored as a JSON string
	out := make([]heval.Record, len(recs))
	copy(out, recs)
	for i := range out {
		switch i {
		case 0, 1:
			out[i].Sample = &a
		case 2, 3:
			out[i].Sample = &b
		default:
			out[i].Sample = &c
		}
	}
	return out
}

func writeSamples(path string, recs []heval.Record) {
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
	Expect(w.Rows()).To(BeEquivalentTo(3), "one row per sample")
}

var _ = Describe("the samples table", func() {
	var dir string
	var recs []heval.Record
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		recs = withBodies(fixtureRecords())
		writeRun(filepath.Join(dir, "scores.parquet"), recs)
		writeSamples(filepath.Join(dir, parquet.SamplesFile), recs)
	})

	It("holds one row per sample with its answer, reference, inputs and properties (Apache Arrow reader)", func() {
		tbl, err := pqarrow.ReadTable(context.Background(), mustOpen(filepath.Join(dir, parquet.SamplesFile)), nil,
			pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		Expect(err).NotTo(HaveOccurred())
		defer tbl.Release()
		Expect(tbl.NumRows()).To(BeEquivalentTo(3))
		col := func(name string) []any {
			idx := tbl.Schema().FieldIndices(name)
			Expect(idx).To(HaveLen(1), name)
			return arrowValues(tbl, idx[0])
		}
		Expect(col("request_id")).To(Equal([]any{recs[0].Sample.RequestID, recs[2].Sample.RequestID, recs[4].Sample.RequestID}))
		Expect(col("answer")).To(Equal([]any{`Hello! See [1]. {"json": true}`, nil, `{"answer": 42}`}))
		Expect(col("answer_error")[1]).To(ContainSubstring("placeholder"))
		Expect(col("answer_error")[0]).To(BeNil())
		Expect(col("reference")).To(Equal([]any{"the reference answer", nil, nil}))
		Expect(col("hypothesis")).To(Equal([]any{"gpt-4o-mini v2", "dataset", nil}))
		Expect(col("experiment")).To(Equal([]any{"support", "support", nil}))
		Expect(col("row_index")).To(Equal([]any{int64(0), int64(1), nil}))
		inputs := tbl.Column(tbl.Schema().FieldIndices("inputs")[0]).Data().Chunk(0).(*array.Map)
		Expect(inputs.DataType().(*arrow.MapType).KeyType()).To(Equal(arrow.BinaryTypes.String))
		keys := inputs.Keys().(*array.String)
		items := inputs.Items().(*array.String)
		start, end := inputs.ValueOffsets(0)
		got := map[string]string{}
		for j := start; j < end; j++ {
			got[keys.Value(int(j))] = items.Value(int(j))
		}
		Expect(got).To(Equal(recs[0].Sample.Inputs))
		s1, e1 := inputs.ValueOffsets(1)
		Expect(e1-s1).To(BeZero(), "a sample without inputs has an empty map")
	})

	It("gives the records read back their samples' content, as the run saw it", func() {
		run, err := parquet.ReadRun(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(run.SamplesPath).To(Equal(filepath.Join(dir, parquet.SamplesFile)))
		Expect(run.HasSummary).To(BeTrue())
		Expect(run.Summary.Samples).To(Equal(3))
		Expect(run.Info.Declared).To(Equal(runInfo().Declared))
		Expect(run.Records).To(HaveLen(len(recs)))
		for i, r := range run.Records {
			want := recs[i].Sample
			text, err := r.Sample.Answer()
			wantText, wantErr := want.Answer()
			Expect(text).To(Equal(wantText), "record %d", i)
			if wantErr != nil {
				Expect(err).To(MatchError(wantErr.Error()), "record %d", i)
			} else {
				Expect(err).NotTo(HaveOccurred(), "record %d", i)
			}
			Expect(r.Sample.ReferenceText()).To(Equal(want.ReferenceText()), "record %d", i)
			Expect(r.Sample.Inputs).To(Equal(want.Inputs), "record %d", i)
			Expect(r.Sample.Properties).To(Equal(want.Properties), "record %d", i)
			Expect(r.Sample.Experiment).To(Equal(want.Experiment), "record %d", i)
		}
		Expect(run.Records[0].Sample).To(BeIdenticalTo(run.Records[1].Sample))
	})

	It("is optional: a scores file alone reads without content", func() {
		Expect(os.Remove(filepath.Join(dir, parquet.SamplesFile))).To(Succeed())
		run, err := parquet.ReadRun(filepath.Join(dir, "scores.parquet"))
		Expect(err).NotTo(HaveOccurred())
		Expect(run.SamplesPath).To(BeEmpty())
		Expect(run.Records[0].Sample.Inputs).To(BeNil())
		_, err = parquet.ReadRun(filepath.Join(dir, "scores.parquet"), filepath.Join(dir, "missing.parquet"))
		Expect(err).To(MatchError(ContainSubstring("reading " + filepath.Join(dir, "missing.parquet"))))
	})

	It("is not mistaken for the scores file", func() {
		_, _, err := parquet.ReadFile(filepath.Join(dir, parquet.SamplesFile))
		Expect(errors.Is(err, parquet.ErrNotScoresFile)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("samples table"))
	})

	It("merges as the scores files merge", func() {
		out := filepath.Join(dir, "merged-samples.parquet")
		fh, err := os.Create(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(parquet.MergeSamples(fh, filepath.Join(dir, parquet.SamplesFile), filepath.Join(dir, parquet.SamplesFile))).To(Succeed())
		Expect(fh.Close()).To(Succeed())
		tbl, err := pqarrow.ReadTable(context.Background(), mustOpen(out), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		Expect(err).NotTo(HaveOccurred())
		defer tbl.Release()
		Expect(tbl.NumRows()).To(BeEquivalentTo(6))
	})
})

var _ = Describe("a file of schema version 1", func() {
	It("is still read, without content, checksum or the columns added since", func() {
		info, recs, err := parquet.ReadFile("testdata/scores-v1.parquet")
		Expect(err).NotTo(HaveOccurred())
		Expect(info.RunID).To(Equal("run-0001"))
		Expect(info.Declared).To(BeEmpty())
		Expect(recs).To(HaveLen(5))
		Expect(recs[0].Values).To(Equal([]heval.Value{{Key: "words", Value: 42, Type: heval.Number}}))
		Expect(recs[0].Sample.Experiment).To(BeEmpty())
		Expect(recs[0].Sample.Latency).To(BeNumerically("==", 830e6))
	})
})
