package parquet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/heval-dev/heval"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/parquet"
)

// sampleValues and recordValues are the rows of each 128-row group whose optional values
// are present; every other row's are absent, so each group has nulls at its start, in its
// middle and at its end. Each run of values is k values starting k rows into a 64-row
// block, followed by nulls: the shape that parquet-go v0.32.0 wrote as zeros up to the end
// of the block for optional non-pointer fields.
var (
	sampleValues = map[int]bool{1: true, 66: true, 67: true}
	recordValues = map[int]bool{3: true, 4: true, 5: true, 70: true, 71: true, 72: true, 73: true, 74: true, 75: true}
)

var _ = Describe("Writer's nulls", func() {
	It("are null exactly where a value is absent, at the start, middle and end of every row group (Apache Arrow reader)", func() {
		const groupRows, groups = 128, 3
		path := filepath.Join(GinkgoT().TempDir(), "nulls.parquet")
		var recs []heval.Record
		var absentSample, absentRecord []bool
		for i := range groupRows * groups {
			gi := i % groupRows
			sampleAbsent, recordAbsent := !sampleValues[gi], !recordValues[gi]
			s := &heval.Sample{Kind: heval.KindFile, RequestID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)}
			if !sampleAbsent {
				s.Kind = heval.KindHypothesisRun
				s.ExperimentID, s.HypothesisID, s.Hypothesis = "exp-1", "hyp-1", "candidate"
				s.Model, s.Provider, s.PromptVersionID = "gpt-4o-mini", "OPENAI", "pv-1"
				s.DatasetRowID, s.RowIndex = fmt.Sprintf("row-%d", i), i
				s.PromptTokens, s.CompletionTokens = 100, 40
				s.Latency, s.CreatedAt = 300*time.Millisecond, createdAt
			}
			r := heval.Record{Sample: s, Evaluator: "words", Submitted: true}
			if recordAbsent {
				r.Values = []heval.Value{{Key: "words", Value: 7, Type: heval.Number}}
			} else {
				r.Err, r.ErrKind, r.Reason = "boom", heval.ErrorKindEvaluator, "why"
				r.Failures = []string{"words is 0, want > 1"}
				r.DeliveryErr, r.Submitted = "503", false
			}
			recs = append(recs, r)
			absentSample = append(absentSample, sampleAbsent)
			absentRecord = append(absentRecord, recordAbsent)
		}
		writeRun(path, recs, parquet.RowGroupRows(groupRows))

		rdr, err := file.OpenParquetFile(path, false)
		Expect(err).NotTo(HaveOccurred())
		defer rdr.Close()
		Expect(rdr.NumRowGroups()).To(Equal(groups))
		// heval merge writes the rows it reads: its file must keep the same nulls.
		merged := filepath.Join(GinkgoT().TempDir(), "merged.parquet")
		fh, err := os.Create(merged)
		Expect(err).NotTo(HaveOccurred())
		Expect(parquet.Merge(fh, path)).To(Succeed())
		Expect(fh.Close()).To(Succeed())
		for _, p := range []string{path, merged} {
			checkNulls(p, recs, absentSample, absentRecord, groupRows)
		}
	})
})

func checkNulls(path string, recs []heval.Record, absentSample, absentRecord []bool, groupRows int) {
	GinkgoHelper()
	tbl, err := pqarrow.ReadTable(context.Background(), mustOpen(path), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	Expect(err).NotTo(HaveOccurred())
	defer tbl.Release()

	sampleCols := []string{"experiment_id", "hypothesis_id", "hypothesis", "model", "provider", "prompt_version_id",
		"dataset_row_id", "row_index", "prompt_tokens", "completion_tokens", "latency_ms", "request_created_at"}
	// A record with an error has no value; one without has no error, reason or failures.
	valueCols := []string{"value", "value_type"}
	errorCols := []string{"error", "error_kind", "delivery_error", "reason", "failures"}
	check := func(cols []string, wantNull func(i int) bool) {
		for _, name := range cols {
			idx := tbl.Schema().FieldIndices(name)
			Expect(idx).To(HaveLen(1), name)
			got := arrowValues(tbl, idx[0])
			Expect(got).To(HaveLen(len(recs)), name)
			nulls, want := 0, 0
			for i := range got {
				if wantNull(i) {
					want++
				}
				if got[i] == nil {
					nulls++
				}
				Expect(got[i] == nil).To(Equal(wantNull(i)), "%s: column %s, row %d (row %d of row group %d): null is %t",
					path, name, i, i%groupRows, i/groupRows, got[i] == nil)
			}
			Expect(nulls).To(Equal(want), name)
		}
	}
	check(sampleCols, func(i int) bool { return absentSample[i] })
	check(valueCols, func(i int) bool { return !absentRecord[i] })
	check(errorCols, func(i int) bool { return absentRecord[i] })
}
