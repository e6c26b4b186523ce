package parquet_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/heval-dev/heval"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
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

	It("bounds only the run's identity among its strings, map keys and values included (Apache Arrow reader)", func() {
		rdr, err := file.OpenParquetFile(filepath.Join(dir, parquet.SamplesFile), false)
		Expect(err).NotTo(HaveOccurred())
		defer rdr.Close()
		md := rdr.MetaData()
		bounded := map[string]bool{}
		for i := range md.Schema.NumColumns() {
			cc, err := md.RowGroup(0).ColumnChunk(i)
			Expect(err).NotTo(HaveOccurred())
			stats, err := cc.Statistics()
			Expect(err).NotTo(HaveOccurred())
			bounded[md.Schema.Column(i).Path()] = stats.HasMinMax()
		}
		Expect(bounded).To(HaveKeyWithValue("run_id", true))
		Expect(bounded).To(HaveKeyWithValue("experiment", true))
		Expect(bounded).To(HaveKeyWithValue("row_index", true))
		for _, col := range []string{"request_id", "answer", "reference", "hypothesis", "inputs.key_value.key", "inputs.key_value.value"} {
			Expect(bounded).To(HaveKeyWithValue(col, false))
		}
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

	It("merges as the scores files merge, each sample keeping its own inputs", func() {
		// A second run whose first sample has no inputs, reference or answer, where the
		// first run's has them all.
		other := withBodies(fixtureRecords())
		bare := *other[0].Sample
		bare.Inputs, bare.Reference = nil, nil
		bare.Body = json.RawMessage(`{"helicone_message":"placeholder"}`)
		other[0].Sample, other[1].Sample = &bare, &bare
		second := filepath.Join(dir, "second-samples.parquet")
		writeSamples(second, other)
		out := filepath.Join(dir, "merged-samples.parquet")
		fh, err := os.Create(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(parquet.MergeSamples(fh, filepath.Join(dir, parquet.SamplesFile), second)).To(Succeed())
		Expect(fh.Close()).To(Succeed())
		tbl, err := pqarrow.ReadTable(context.Background(), mustOpen(out), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		Expect(err).NotTo(HaveOccurred())
		defer tbl.Release()
		Expect(tbl.NumRows()).To(BeEquivalentTo(6))
		var sizes []int64
		for _, ch := range tbl.Column(tbl.Schema().FieldIndices("inputs")[0]).Data().Chunks() {
			m := ch.(*array.Map)
			for i := range m.Len() {
				a, b := m.ValueOffsets(i)
				sizes = append(sizes, b-a)
			}
		}
		Expect(sizes).To(Equal([]int64{2, 0, 0, 0, 0, 0}))
		refs := tbl.Column(tbl.Schema().FieldIndices("reference")[0])
		answers := tbl.Column(tbl.Schema().FieldIndices("answer")[0])
		Expect(arrowValues(tbl, tbl.Schema().FieldIndices("reference")[0])).To(Equal([]any{"the reference answer", nil, nil, nil, nil, nil}), "%v", refs)
		Expect(arrowValues(tbl, tbl.Schema().FieldIndices("answer")[0])[3]).To(BeNil(), "%v", answers)
	})
})

var _ = Describe("merging samples tables of many rows", func() {
	It("gives each sample its own content across the reader's batches", func() {
		dir := GinkgoT().TempDir()
		write := func(path string, full bool) {
			fh, err := os.Create(path)
			Expect(err).NotTo(HaveOccurred())
			defer fh.Close()
			w := parquet.NewSamplesWriter(fh)
			info := runInfo()
			if !full {
				info.RunID = "run-0002"
			}
			Expect(w.Start(info)).To(Succeed())
			for i := range 700 {
				s := &heval.Sample{Kind: heval.KindFile, RequestID: fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)}
				s.Inputs = map[string]string{"z": "other"}
				if full {
					s.Inputs = map[string]string{"q": fmt.Sprint(i)}
					s.Reference = json.RawMessage(fmt.Sprintf("%q", fmt.Sprint("ref ", i)))
					s.Body = json.RawMessage(fmt.Sprintf("%q", fmt.Sprint("answer ", i)))
				}
				Expect(w.Record(heval.Record{Sample: s, Evaluator: "e"})).To(Succeed())
			}
			Expect(w.Finish(heval.Summary{})).To(Succeed())
		}
		a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
		write(a, true)
		write(b, false)
		out := filepath.Join(dir, "merged.parquet")
		fh, err := os.Create(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(parquet.MergeSamples(fh, a, b)).To(Succeed())
		Expect(fh.Close()).To(Succeed())
		tbl, err := pqarrow.ReadTable(context.Background(), mustOpen(out), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		Expect(err).NotTo(HaveOccurred())
		defer tbl.Release()
		refs := arrowValues(tbl, tbl.Schema().FieldIndices("reference")[0])
		Expect(refs).To(HaveLen(1400))
		inputs := tbl.Column(tbl.Schema().FieldIndices("inputs")[0]).Data().Chunks()
		n := 0
		for _, ch := range inputs {
			m := ch.(*array.Map)
			for i := range m.Len() {
				lo, hi := m.ValueOffsets(i)
				Expect(hi-lo).To(BeEquivalentTo(1), "row %d has %d inputs", n, hi-lo)
				n++
			}
		}
		for i, r := range refs {
			if i < 700 {
				Expect(r).To(Equal(fmt.Sprint("ref ", i)), "row %d", i)
			} else {
				Expect(r).To(BeNil(), "row %d", i)
			}
		}
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
