package parquet

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

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
func Merge(dst io.Writer, srcs ...string) error {
	if len(srcs) == 0 {
		return errors.New("parquet: merge: no input files")
	}
	type source struct {
		path string
		f    *File
	}
	var files []source
	defer func() {
		for _, s := range files {
			_ = s.f.closer.Close()
		}
	}()
	for _, p := range srcs {
		fh, f, err := openPath(p)
		if err != nil {
			return fmt.Errorf("parquet: merge: %w", err)
		}
		f.closer = fh
		files = append(files, source{p, f})
	}
	slices.SortStableFunc(files, func(a, b source) int {
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
	var runs []runMeta
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
			sum.Delivery.Retries += d.Retries
			sum.Delivery.RateLimited += d.RateLimited
			sum.Delivery.Verified += d.Verified
			sum.Delivery.Missing += d.Missing
		}
	}
	sum.Err = strings.Join(errs, "; ")

	kv := flatRunMeta(info)
	kv[MetaSchemaVersion] = strconv.Itoa(SchemaVersion)
	var err error
	if kv[MetaRun], err = encodeJSON("run", toRunMeta(info)); err != nil {
		return err
	}
	if kv[MetaRuns], err = encodeJSON("runs", runs); err != nil {
		return err
	}
	pw := pq.NewGenericWriter[row](dst, writerOptions(DefaultRowGroupRows, kv)...)
	buf := make([]row, batchRows)
	var records int64
	for _, s := range files {
		rd := pq.NewGenericReader[row](s.f.pf)
		var (
			last  recordKey
			first = true
		)
		for {
			n, rerr := rd.Read(buf)
			for i := range buf[:n] {
				r := &buf[i]
				if k := (recordKey{r.RunID, r.RequestID, r.Evaluator, r.Repeat}); first || k != last {
					records++
					last, first = k, false
				}
			}
			if n > 0 {
				if _, err := pw.Write(buf[:n]); err != nil {
					rd.Close()
					return fmt.Errorf("parquet: merge: writing rows: %w", err)
				}
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				rd.Close()
				return fmt.Errorf("parquet: merge: reading %s: %w", s.path, rerr)
			}
		}
		rd.Close()
	}
	if hasSummary {
		sum.Records = records
		for _, s := range files {
			sum.Rows += s.f.NumRows()
		}
		js, err := encodeJSON("summary", sum)
		if err != nil {
			return err
		}
		pw.SetKeyValueMetadata(MetaSummary, js)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("parquet: merge: closing file: %w", err)
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
