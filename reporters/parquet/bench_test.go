package parquet

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heval-dev/heval"

	pq "github.com/parquet-go/parquet-go"
)

// benchRecords returns records shaped like a demo run: samples × six evaluators, one value
// each, a few errors.
func benchRecords(samples int) []heval.Record {
	evaluators := []string{"word_count", "has_citations", "has_code_block", "greeting", "min_length", "judge"}
	hyps := []string{"gpt-4o-mini v1", "gpt-4o v2", "claude v1"}
	var recs []heval.Record
	for i := range samples {
		s := &heval.Sample{
			Kind:         heval.KindHypothesisRun,
			RequestID:    fmt.Sprintf("%08x-1111-4111-8111-%012x", i, i*7919),
			ExperimentID: "4b0c2f4e-0000-4000-8000-000000000001",
			HypothesisID: fmt.Sprintf("hyp-%d", i%3), Hypothesis: hyps[i%3], Model: "gpt-4o-mini",
			Provider: "OPENAI", PromptVersionID: "pv-1", DatasetRowID: fmt.Sprintf("row-%d", i/3), RowIndex: i / 3,
			PromptTokens: int64(100 + i%50), CompletionTokens: int64(20 + i%200),
			Latency: time.Duration(300+i%700) * time.Millisecond, CreatedAt: time.Unix(1_777_000_000+int64(i), 0),
		}
		for j, e := range evaluators {
			r := heval.Record{Sample: s, Evaluator: e, Duration: time.Duration(1+i%90) * time.Microsecond, Submitted: true}
			switch {
			case i%97 == 0 && j == 5:
				r.Err, r.ErrKind = "judge timed out after 30s", heval.ErrorKindTimeout
			case j == 0 || j == 5:
				r.Values = []heval.Value{{Key: e, Value: int64(i % 400), Type: heval.Number}}
			default:
				r.Values = []heval.Value{{Key: e, Value: int64(i+j) % 2, Type: heval.Boolean}}
			}
			recs = append(recs, r)
		}
	}
	return recs
}

func benchInfo() heval.RunInfo {
	return heval.RunInfo{RunID: "bench", Started: time.Unix(1_777_000_000, 0).UTC(), Version: "bench"}
}

// writeRecords writes n records cycling through recs and returns the rows written.
func writeRecords(b *testing.B, w io.Writer, recs []heval.Record, n int) int64 {
	pw := NewWriter(w)
	if err := pw.Start(benchInfo()); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := pw.Record(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := pw.Finish(heval.Summary{}); err != nil {
		b.Fatal(err)
	}
	return pw.Rows()
}

// BenchmarkParquetWriter measures Writer on demo-shaped records (one row each); compare
// its rows/s with BenchmarkBareParquetGoWriter.
func BenchmarkParquetWriter(b *testing.B) {
	recs := benchRecords(2000)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	rows := writeRecords(b, io.Discard, recs, b.N)
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkBareParquetGoWriter writes the same rows, already converted, with a bare
// parquet-go GenericWriter configured like Writer (zstd, same row groups and batches).
func BenchmarkBareParquetGoWriter(b *testing.B) {
	rows := bareRows(b, benchRecords(2000))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	writeBare(b, rows, b.N)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
}

// bareRows converts records into rows with Writer itself, so that the bare writer gets
// identical rows.
func bareRows(b *testing.B, recs []heval.Record) []row {
	rows := make([]row, 0, len(recs))
	store := make([]cells, len(recs))
	conv := &Writer{cfg: config{rowGroupRows: DefaultRowGroupRows}}
	if err := conv.Start(benchInfo()); err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if err := conv.Record(r); err != nil {
			b.Fatal(err)
		}
		for i, x := range conv.buf {
			n := len(rows)
			store[n] = conv.cells[i]
			link(&x, &store[n])
			rows = append(rows, x)
		}
		conv.buf = conv.buf[:0]
	}
	return rows
}

// writeBare writes n rows cycling through rows with a bare GenericWriter configured like
// Writer.
func writeBare(b *testing.B, rows []row, n int) {
	pw := pq.NewGenericWriter[row](io.Discard, writerOptions[row](DefaultRowGroupRows, "bench", map[string]string{MetaSchemaVersion: "2"})...)
	batch := make([]row, 0, batchRows)
	for i := range n {
		batch = append(batch, rows[i%len(rows)])
		if len(batch) == cap(batch) {
			if _, err := pw.Write(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := pw.Write(batch); err != nil {
		b.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkParquetWriterVsBare alternates Writer and the bare writer on the same rows,
// 200,000 rows each per iteration, and reports Writer's rate as a fraction of the bare
// writer's (target: at least 0.8). Alternating makes the ratio robust to a noisy machine.
func BenchmarkParquetWriterVsBare(b *testing.B) {
	recs := benchRecords(2000)
	rows := bareRows(b, recs)
	const n = 200_000
	var mine, bare time.Duration
	for range b.N {
		t := time.Now()
		writeRecords(b, io.Discard, recs, n)
		mine += time.Since(t)
		t = time.Now()
		writeBare(b, rows, n)
		bare += time.Since(t)
	}
	b.ReportMetric(float64(b.N*n)/mine.Seconds(), "rows/s")
	b.ReportMetric(float64(b.N*n)/bare.Seconds(), "bare-rows/s")
	b.ReportMetric(bare.Seconds()/mine.Seconds(), "ratio")
}

// BenchmarkParquetWriter1M writes 1,000,000 rows per iteration and reports the peak heap in
// use above the heap before the write, sampled every 5 ms.
func BenchmarkParquetWriter1M(b *testing.B) {
	recs := benchRecords(2000)
	const n = 1_000_000
	var peak atomic.Uint64
	for range b.N {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					runtime.ReadMemStats(&m)
					if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
						peak.Store(m.HeapInuse - base)
					}
				}
			}
		})
		start := time.Now()
		rows := writeRecords(b, io.Discard, recs, n)
		el := time.Since(start)
		close(stop)
		wg.Wait()
		if rows != n {
			b.Fatalf("wrote %d rows, want %d", rows, n)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "rows/s")
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
