package parquetfile

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"

	"github.com/parquet-go/parquet-go"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/datasets"
)

// Source returns a source of the samples in a Parquet file with the columns of [datasets.FileSample]
// (a file may have only some of them, but it needs output). A row that is not a valid
// record stops the source with a [*FileSampleError] naming the file and row.
func Source(path string) datasets.Source { return &parquetSource{path: path} }

type parquetSource struct{ path string }

func (s *parquetSource) String() string { return "Parquet file " + s.path }

// ExplainEmpty implements [datasets.EmptyExplainer].
func (s *parquetSource) ExplainEmpty(context.Context, datasets.Env) string {
	return "the file " + s.path + " has no rows"
}

func (s *parquetSource) Samples(ctx context.Context, _ datasets.Env) iter.Seq2[heval.Sample, error] {
	return func(yield func(heval.Sample, error) bool) {
		f, err := os.Open(s.path)
		if err != nil {
			yield(heval.Sample{}, fmt.Errorf("parquetfile: opening sample file: %w", err))
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			yield(heval.Sample{}, fmt.Errorf("parquetfile: opening sample file: %w", err))
			return
		}
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			yield(heval.Sample{}, fmt.Errorf("parquetfile: %s is not a readable Parquet file: %w", s.path, err))
			return
		}
		if _, ok := pf.Schema().Lookup("output"); !ok {
			yield(heval.Sample{}, fmt.Errorf("parquetfile: %s has no \"output\" column; a sample file needs the answers to judge (columns: request_id, hypothesis, model, inputs, output, reference, ...)", s.path))
			return
		}
		rd := parquet.NewGenericReader[datasets.FileSample](pf)
		defer rd.Close()
		buf := make([]datasets.FileSample, 256)
		row := 0
		for {
			if err := ctx.Err(); err != nil {
				yield(heval.Sample{}, err)
				return
			}
			n, rerr := rd.Read(buf)
			for i := range n {
				row++
				smp, err := buf[i].Sample(row - 1)
				if err != nil {
					yield(heval.Sample{}, &datasets.FileSampleError{Path: s.path, Line: row, Unit: "row", Err: err})
					return
				}
				if !yield(smp, nil) {
					return
				}
				buf[i] = datasets.FileSample{}
			}
			if rerr == io.EOF {
				return
			}
			if rerr != nil {
				yield(heval.Sample{}, fmt.Errorf("parquetfile: reading %s after row %d: %w", s.path, row, rerr))
				return
			}
		}
	}
}
