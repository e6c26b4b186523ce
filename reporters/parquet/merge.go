package parquet

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/heval-dev/heval"

	pq "github.com/parquet-go/parquet-go"
)

// Merge writes to dst one heval scores file holding the rows of every file in srcs (for
// example the shards of one run). The order is deterministic whatever the order of srcs:
// files are taken by run start time, run id, shard number and path, and each file's rows
// keep their order. The merged file's heval.run metadata is the first file's run with its
// shard cleared (evaluators are the union, dry_run holds when every file was a dry run);
// heval.runs lists every merged run; heval.summary adds up sample counts and delivery
// statistics. Threshold checks are not merged: they hold for the shard that computed them,
// and heval report recomputes them from the rows.
//
// Every input's checksum is verified as its rows are read; a corrupt input is an error
// naming it ("reading PATH: …", wrapping [ErrCorrupt]). Files whose evaluators of one name
// have different specs judge different things, and are refused.
func Merge(dst io.Writer, srcs ...string) error {
	return merge[row](dst, tableScores, srcs, func(r *row) recordKey {
		return recordKey{r.RunID, r.RequestID, r.Evaluator, r.Repeat}
	})
}

// MergeSamples writes to dst one samples table holding the samples of every samples
// table in srcs, in the order [Merge] takes the scores files of the same runs.
func MergeSamples(dst io.Writer, srcs ...string) error {
	return merge[sampleRow](dst, tableSamples, srcs, func(r *sampleRow) recordKey {
		return recordKey{run: r.RunID, request: r.RequestID}
	})
}

type mergeSource struct {
	path string
	f    *File
}

func merge[T any, PT interface {
	*T
	hashable
}](dst io.Writer, table string, srcs []string, key func(PT) recordKey) error {
	if len(srcs) == 0 {
		return errors.New("parquet: merge: no input files")
	}
	var files []mergeSource
	defer func() {
		for _, s := range files {
			_ = s.f.closer.Close()
		}
	}()
	for _, p := range srcs {
		fh, f, err := openPath(p)
		if err != nil {
			return err
		}
		f.closer = fh
		files = append(files, mergeSource{p, f})
		if f.table != table {
			return fmt.Errorf("reading %s: %w: it holds the %s table, not the %s table", p, ErrNotScoresFile, f.table, table)
		}
	}
	slices.SortStableFunc(files, func(a, b mergeSource) int {
		return cmp.Or(
			a.f.Info.Started.Compare(b.f.Info.Started),
			cmp.Compare(a.f.Info.RunID, b.f.Info.RunID),
			cmp.Compare(shardIndex(a.f.Info.Shard), shardIndex(b.f.Info.Shard)),
			cmp.Compare(a.path, b.path),
		)
	})

	info := files[0].f.Info
	info.Shard = ""
	info.Evaluators = slices.Clone(info.Evaluators)
	info.Declared = slices.Clone(info.Declared)
	var runs []runMeta
	var conflict error
	sum := summaryMeta{}
	hasSummary := false
	var errs []string
	for _, s := range files {
		info.DryRun = info.DryRun && s.f.Info.DryRun
		for _, e := range s.f.Info.Evaluators {
			if !slices.Contains(info.Evaluators, e) {
				info.Evaluators = append(info.Evaluators, e)
			}
		}
		for _, d := range s.f.Info.Declared {
			prev, ok := info.Evaluator(d.Name)
			switch {
			case !ok:
				info.Declared = append(info.Declared, d)
			case prev.Spec != d.Spec && conflict == nil:
				// Reported once every input is verified: a corrupt file's metadata could
				// otherwise pass for a conflict.
				conflict = fmt.Errorf("parquet: merge: evaluator %s is %q in %s but %q in %s: the runs judge different things and cannot be merged into one file",
					d.Name, prev.Spec, files[0].path, d.Spec, s.path)
			}
		}
		for _, r := range s.f.Runs {
			runs = append(runs, toRunMeta(r))
		}
		if s.f.HasSummary {
			hasSummary = true
			fs := s.f.Summary
			if fs.Finished.After(sum.Finished) {
				sum.Finished = fs.Finished.UTC()
			}
			sum.Samples += fs.Samples
			sum.Interrupted = sum.Interrupted || fs.Interrupted
			if fs.Err != "" {
				errs = append(errs, fs.Err)
			}
			d := fs.Delivery
			sum.Delivery.Posts += d.Posts
			sum.Delivery.Acknowledged += d.Acknowledged
			sum.Delivery.Failed += d.Failed
			sum.Delivery.NotSent += d.NotSent
			sum.Delivery.Retries += d.Retries
			sum.Delivery.RateLimited += d.RateLimited
			sum.Delivery.Verified += d.Verified
			sum.Delivery.Missing += d.Missing
		}
	}
	sum.Err = strings.Join(errs, "; ")

	kv := flatRunMeta(info)
	kv[MetaSchemaVersion] = strconv.Itoa(SchemaVersion)
	kv[MetaTable] = table
	var err error
	if kv[MetaRun], err = encodeJSON("run", toRunMeta(info)); err != nil {
		return err
	}
	if kv[MetaRuns], err = encodeJSON("runs", runs); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(dst, 256<<10)
	hw := &hashingWriter{w: bw, skip: 4}
	pw := pq.NewGenericWriter[T](hw, writerOptions[T](DefaultRowGroupRows, heval.Version(), kv)...)
	buf := make([]T, batchRows)
	var records int64
	var out checksum
	for _, s := range files {
		rd, err := newReader[T](s.f.pf)
		if err != nil {
			return fmt.Errorf("reading %s: %w", s.path, err)
		}
		var (
			last  recordKey
			first = true
			in    checksum
		)
		for {
			n, rerr := readRows(rd, buf)
			for i := range buf[:n] {
				r := PT(&buf[i])
				in.add(r)
				out.add(r)
				if k := key(r); first || k != last {
					records++
					last, first = k, false
				}
			}
			if n > 0 {
				if _, err := pw.Write(buf[:n]); err != nil {
					closeReader(rd)
					return fmt.Errorf("parquet: merge: writing rows: %w", err)
				}
			}
			// The reader fills maps that are already there instead of replacing them.
			clear(buf)
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				closeReader(rd)
				return fmt.Errorf("reading %s: %w", s.path, rerr)
			}
		}
		closeReader(rd)
		if err := s.f.verify(&in); err != nil {
			return fmt.Errorf("reading %s: %w", s.path, err)
		}
	}
	if conflict != nil {
		return conflict
	}
	if hasSummary && table == tableScores {
		sum.Records = records
		for _, s := range files {
			sum.Rows += s.f.NumRows()
		}
		js, err := encodeJSON("summary", sum)
		if err != nil {
			return err
		}
		pw.SetKeyValueMetadata(MetaSummary, js)
		kv[MetaSummary] = js
	}
	if err := finishFile(pw, hw, bw, kv, &out); err != nil {
		return fmt.Errorf("parquet: merge: %w", err)
	}
	return nil
}

// shardIndex returns K of a "K/N" shard, or -1.
func shardIndex(shard string) int {
	k, _, ok := strings.Cut(shard, "/")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(k))
	if err != nil {
		return -1
	}
	return n
}
