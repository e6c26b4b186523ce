package parquet_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/heval-dev/heval"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	apq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/reporters/parquet"
)

// column is the expected shape of one column.
type column struct {
	name     string
	physical apq.Type
	logical  schema.LogicalType // nil: no logical type
	optional bool
	dict     bool
}

var (
	str     = schema.StringLogicalType{}
	tsMicro = schema.NewTimestampLogicalType(true, schema.TimeUnitMicros)
	i64     = schema.NewIntLogicalType(64, true)
)

var columns = []column{
	{"run_id", apq.Types.ByteArray, str, false, true},
	{"run_started", apq.Types.Int64, tsMicro, false, false},
	{"experiment_id", apq.Types.ByteArray, str, true, true},
	{"experiment", apq.Types.ByteArray, str, true, true},
	{"hypothesis_id", apq.Types.ByteArray, str, true, true},
	{"hypothesis", apq.Types.ByteArray, str, true, true},
	{"model", apq.Types.ByteArray, str, true, true},
	{"provider", apq.Types.ByteArray, str, true, true},
	{"prompt_version_id", apq.Types.ByteArray, str, true, true},
	{"dataset_row_id", apq.Types.ByteArray, str, true, false},
	{"row_index", apq.Types.Int64, i64, true, false},
	{"request_id", apq.Types.ByteArray, str, false, false},
	{"sample_kind", apq.Types.ByteArray, str, false, true},
	{"evaluator", apq.Types.ByteArray, str, false, true},
	{"evaluator_spec", apq.Types.ByteArray, str, true, true},
	{"score_key", apq.Types.ByteArray, str, false, true},
	{"direction", apq.Types.ByteArray, str, true, true},
	{"repeat", apq.Types.Int64, i64, false, false},
	{"value", apq.Types.Int64, i64, true, false},
	{"value_type", apq.Types.ByteArray, str, true, true},
	{"error", apq.Types.ByteArray, str, true, true},
	{"error_kind", apq.Types.ByteArray, str, true, true},
	{"delivery_error", apq.Types.ByteArray, str, true, true},
	{"reason", apq.Types.ByteArray, str, true, false},
	{"failures", apq.Types.ByteArray, str, true, false},
	{"submitted", apq.Types.Boolean, nil, false, false},
	{"evaluator_duration_us", apq.Types.Int64, i64, false, false},
	{"prompt_tokens", apq.Types.Int64, i64, true, false},
	{"completion_tokens", apq.Types.Int64, i64, true, false},
	{"latency_ms", apq.Types.Int64, i64, true, false},
	{"request_created_at", apq.Types.Int64, tsMicro, true, false},
}

// expectedRows lists fixtureRecords' rows in column order; nil is null.
func expectedRows() [][]any {
	const (
		ra = "11111111-1111-4111-8111-111111111111"
		rb = "22222222-2222-4222-8222-222222222222"
		rc = "33333333-3333-4333-8333-333333333333"
	)
	i := func(v int64) any { return v }
	a := []any{"run-0001", started, "exp-1", "support", "hyp-1", "gpt-4o-mini v2", "gpt-4o-mini", "OPENAI", "pv-2", "row-0", i(0), ra, "hypothesis_run"}
	aTail := []any{i(120), i(48), i(830), createdAt}
	b := []any{"run-0001", started, "exp-1", "support", nil, "dataset", "gpt-4o", nil, nil, "row-1", i(1), rb, "dataset_row"}
	bTail := []any{nil, nil, nil, nil}
	c := []any{"run-0001", started, nil, nil, nil, nil, "模型-✓", nil, nil, nil, nil, rc, "request"}
	cTail := []any{nil, nil, i(2000), createdAt.Add(time.Hour)}
	cat := func(parts ...[]any) []any {
		var out []any
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	delivery := "POST /v1/request/2222…/score: 503 Service Unavailable"
	return [][]any{
		cat(a, []any{"words", "words=3", "words", "neutral", i(0), i(42), "number", nil, nil, nil, "counted", nil, true, i(1250)}, aTail),
		cat(a, []any{"checks", "checks", "has_citations", "higher", i(0), i(1), "boolean", nil, nil, nil, nil, "greeting is false, want true\nmulti line", true, i(3000)}, aTail),
		cat(a, []any{"checks", "checks", "greeting", "lower", i(0), i(0), "boolean", nil, nil, nil, nil, "greeting is false, want true\nmulti line", true, i(3000)}, aTail),
		cat(b, []any{"words", "words=3", "words", "neutral", i(0), nil, nil, "runtime error: index out of range [3] with length 3", "panic", nil, nil, nil, false, i(10)}, bTail),
		cat(b, []any{"checks", "checks", "greeting", "lower", i(0), i(1), "boolean", delivery, "delivery", delivery, nil, nil, false, i(5)}, bTail),
		cat(c, []any{"words", "words=3", "words", "neutral", i(1), i(-7), "number", "score \"ratio\": 0.5 is not an integer", "invalid_value", nil, "naïve ☃ — «ok» 🚀", nil, true, i(1_000_000)}, cTail),
	}
}

func writeRun(path string, recs []heval.Record, opts ...parquet.Option) {
	GinkgoHelper()
	writeRunInfo(path, runInfo(), recs, opts...)
}

func writeRunInfo(path string, info heval.RunInfo, recs []heval.Record, opts ...parquet.Option) {
	GinkgoHelper()
	fh, err := os.Create(path)
	Expect(err).NotTo(HaveOccurred())
	defer fh.Close()
	w := parquet.NewWriter(fh, opts...)
	Expect(w.Start(info)).To(Succeed())
	for _, r := range recs {
		Expect(w.Record(r)).To(Succeed())
	}
	Expect(w.Finish(summary())).To(Succeed())
}

// arrowValues reads a column of an Arrow table as Go values (nil for null).
func arrowValues(tbl arrow.Table, idx int) []any {
	var out []any
	for _, chunk := range tbl.Column(idx).Data().Chunks() {
		for j := 0; j < chunk.Len(); j++ {
			if chunk.IsNull(j) {
				out = append(out, nil)
				continue
			}
			switch a := chunk.(type) {
			case *array.String:
				out = append(out, a.Value(j))
			case *array.Int64:
				out = append(out, a.Value(j))
			case *array.Boolean:
				out = append(out, a.Value(j))
			case *array.Timestamp:
				unit := a.DataType().(*arrow.TimestampType).Unit
				out = append(out, a.Value(j).ToTime(unit))
			default:
				Fail("unexpected Arrow array type " + chunk.DataType().String())
			}
		}
	}
	return out
}

var _ = Describe("Writer", func() {
	var path string
	BeforeEach(func() {
		path = filepath.Join(GinkgoT().TempDir(), "scores.parquet")
		writeRun(path, fixtureRecords())
	})

	It("writes the documented schema, read back by the Apache Arrow Parquet reader", func() {
		rdr, err := file.OpenParquetFile(path, false)
		Expect(err).NotTo(HaveOccurred())
		defer rdr.Close()
		md := rdr.MetaData()
		sc := md.Schema
		Expect(sc.NumColumns()).To(Equal(len(columns)))
		for i, want := range columns {
			col := sc.Column(i)
			By("column " + want.name)
			Expect(col.Name()).To(Equal(want.name))
			Expect(col.PhysicalType()).To(Equal(want.physical), want.name)
			if want.logical == nil {
				Expect(col.LogicalType().IsNone()).To(BeTrue(), "%s has logical type %s", want.name, col.LogicalType())
			} else {
				Expect(col.LogicalType().Equals(want.logical)).To(BeTrue(), "%s has logical type %s", want.name, col.LogicalType())
			}
			if want.optional {
				Expect(col.MaxDefinitionLevel()).To(BeEquivalentTo(1), want.name)
			} else {
				Expect(col.MaxDefinitionLevel()).To(BeEquivalentTo(0), want.name)
			}
			for g := 0; g < md.NumRowGroups(); g++ {
				cc, err := md.RowGroup(g).ColumnChunk(i)
				Expect(err).NotTo(HaveOccurred())
				Expect(cc.Compression()).To(Equal(compress.Codecs.Zstd), want.name)
				if want.dict {
					Expect(cc.Encodings()).To(ContainElement(apq.Encodings.RLEDict), want.name)
				} else {
					Expect(cc.Encodings()).NotTo(ContainElement(apq.Encodings.RLEDict), want.name)
				}
				// Strings have bounds only where they tell runs apart; numbers always.
				stats, err := cc.Statistics()
				Expect(err).NotTo(HaveOccurred(), want.name)
				if stats.HasNullCount() && stats.NullCount() == cc.NumValues() {
					continue // no value to bound
				}
				bounded := want.physical != apq.Types.ByteArray || want.name == "run_id" || want.name == "experiment_id" || want.name == "experiment"
				Expect(stats.HasMinMax()).To(Equal(bounded), want.name)
			}
		}
		for _, name := range []string{"run_started", "request_created_at"} {
			lt := sc.Column(sc.ColumnIndexByName(name)).LogicalType().(schema.TimestampLogicalType)
			Expect(lt.TimeUnit()).To(Equal(schema.TimeUnitMicros))
			Expect(lt.IsAdjustedToUTC()).To(BeTrue())
		}

		kv := md.KeyValueMetadata()
		Expect(kv.FindValue("heval.schema_version")).To(HaveValue(Equal("2")))
		Expect(kv.FindValue("heval.table")).To(HaveValue(Equal("scores")))
		Expect(kv.FindValue("heval.checksum")).To(HaveValue(MatchRegexp(`^crc32c:[0-9a-f]{8}$`)))
		Expect(kv.FindValue("heval.run")).To(HaveValue(ContainSubstring(`{"name":"words","spec":"words=3","direction":"neutral"`)))
		Expect(md.GetCreatedBy()).To(HavePrefix("heval version v0.1.0"))
		Expect(kv.FindValue("heval.run_id")).To(HaveValue(Equal("run-0001")))
		Expect(kv.FindValue("heval.git_commit")).To(HaveValue(Equal("0123456789abcdef")))
		Expect(kv.FindValue("heval.git_branch")).To(HaveValue(Equal("main")))
		Expect(kv.FindValue("heval.ci_job_id")).To(HaveValue(Equal("ci-42")))
		Expect(kv.FindValue("heval.version")).To(HaveValue(Equal("v0.1.0")))
		Expect(kv.FindValue("heval.dry_run")).To(HaveValue(Equal("false")))
		Expect(kv.FindValue("heval.run")).To(HaveValue(ContainSubstring(`"source":"experiment 4b0c2f4e`)))
		Expect(kv.FindValue("heval.summary")).To(HaveValue(ContainSubstring(`"samples":3`)))

		tbl, err := pqarrow.ReadTable(context.Background(), mustOpen(path), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		Expect(err).NotTo(HaveOccurred())
		defer tbl.Release()
		for _, name := range []string{"run_started", "request_created_at"} {
			f, _ := tbl.Schema().FieldsByName(name)
			Expect(f).To(HaveLen(1))
			Expect(f[0].Type).To(Equal(&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}))
		}
		want := expectedRows()
		Expect(tbl.NumRows()).To(BeEquivalentTo(len(want)))
		for i, c := range columns {
			got := arrowValues(tbl, i)
			for r := range want {
				w := want[r][i]
				if t, ok := w.(time.Time); ok {
					Expect(got[r]).To(BeTemporally("==", t), "row %d column %s", r, c.name)
					Expect(got[r].(time.Time).Location()).To(Equal(time.UTC), "row %d column %s", r, c.name)
					continue
				}
				if w == nil {
					Expect(got[r]).To(BeNil(), "row %d column %s", r, c.name)
					continue
				}
				Expect(got[r]).To(Equal(w), "row %d column %s", r, c.name)
			}
		}
	})

	It("round-trips records through its own reader", func() {
		info, recs, err := parquet.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(info).To(Equal(runInfo()))
		want := fixtureRecords()
		want[1].Failures = []string{"greeting is false, want true", "multi line"}
		Expect(recs).To(HaveLen(len(want)))
		for i := range want {
			Expect(*recs[i].Sample).To(Equal(*want[i].Sample), "record %d sample", i)
			recs[i].Sample, want[i].Sample = nil, nil
			Expect(recs[i]).To(Equal(want[i]), "record %d", i)
		}
	})

	It("shares one Sample between consecutive records of one request and reads the summary", func() {
		fh, err := os.Open(path)
		Expect(err).NotTo(HaveOccurred())
		defer fh.Close()
		st, _ := fh.Stat()
		f, err := parquet.Open(fh, st.Size())
		Expect(err).NotTo(HaveOccurred())
		Expect(f.NumRows()).To(BeEquivalentTo(6))
		Expect(f.HasSummary).To(BeTrue())
		Expect(f.Summary.Finished).To(BeTemporally("==", summary().Finished))
		Expect(f.Summary.Checks).To(Equal(summary().Checks))
		Expect(f.Summary.Delivery).To(Equal(summary().Delivery))
		var recs []heval.Record
		for r, err := range f.Records() {
			Expect(err).NotTo(HaveOccurred())
			recs = append(recs, r)
		}
		Expect(recs[0].Sample).To(BeIdenticalTo(recs[1].Sample))
		Expect(recs[1].Sample).NotTo(BeIdenticalTo(recs[2].Sample))
	})

	It("writes row groups of bounded size", func() {
		p := filepath.Join(GinkgoT().TempDir(), "small-groups.parquet")
		var recs []heval.Record
		for range 50 {
			recs = append(recs, fixtureRecords()...)
		}
		writeRun(p, recs, parquet.RowGroupRows(64))
		rdr, err := file.OpenParquetFile(p, false)
		Expect(err).NotTo(HaveOccurred())
		defer rdr.Close()
		Expect(rdr.NumRows()).To(BeEquivalentTo(300))
		Expect(rdr.NumRowGroups()).To(Equal(5))
		_, got, err := parquet.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(HaveLen(250))
	})

	It("rejects calls out of order", func() {
		w := parquet.NewWriter(&bytes.Buffer{})
		Expect(w.Record(heval.Record{})).To(MatchError(parquet.ErrNotStarted))
		Expect(w.Finish(heval.Summary{})).To(MatchError(parquet.ErrNotStarted))
		Expect(w.Start(runInfo())).To(Succeed())
		Expect(w.Finish(heval.Summary{})).To(Succeed())
		Expect(w.Record(heval.Record{})).To(MatchError(parquet.ErrFinished))
	})

	It("writes a valid empty file", func() {
		var buf bytes.Buffer
		w := parquet.NewWriter(&buf)
		Expect(w.Start(runInfo())).To(Succeed())
		Expect(w.Finish(heval.Summary{})).To(Succeed())
		f, err := parquet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		Expect(err).NotTo(HaveOccurred())
		Expect(f.NumRows()).To(BeZero())
		for range f.Records() {
			Fail("an empty file has no records")
		}
	})

	It("refuses a Parquet file that heval did not write", func() {
		p := filepath.Join(GinkgoT().TempDir(), "other.parquet")
		Expect(os.WriteFile(p, []byte("PAR1 not really"), 0o644)).To(Succeed())
		_, _, err := parquet.ReadFile(p)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring(p))
	})
})

func mustOpen(path string) *os.File {
	GinkgoHelper()
	fh, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(fh.Close)
	return fh
}
