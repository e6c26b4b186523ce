package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/parquet"
)

// mergeCmd joins the reports of several runs or shards into one.
type mergeCmd struct{ stdio }

func (c *mergeCmd) Run(_ context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "merge")
	out := fs.String("out", "heval-merged", "`DIR` for the merged report set: scores.parquet, junit.xml, report.html")
	if err := fs.parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return usagef("merge: name the output directories of the runs or shards to merge (each holding scores.parquet and junit.xml)")
	}
	outAbs := canonicalPath(*out)
	seen := map[string]string{}
	var pqs, jus []string
	for _, dir := range fs.Args() {
		if st, err := os.Stat(dir); err == nil && !st.IsDir() {
			return usagef("merge: %s is a file; name the output directories of the runs (each holds scores.parquet and junit.xml), e.g. heval merge --out all %s", dir, filepath.Dir(dir))
		}
		abs := canonicalPath(dir)
		if prev, dup := seen[abs]; dup {
			return usagef("merge: %s and %s are the same run directory; each run may be merged once", prev, dir)
		}
		seen[abs] = dir
		if abs == outAbs {
			return usagef("merge: the output directory %s is also an input; merging into it would overwrite that run's reports: give another --out", dir)
		}
		pq := filepath.Join(dir, "scores.parquet")
		if _, err := os.Stat(pq); err != nil {
			return usagef("merge: %s has no scores.parquet: name the output directory of a run or shard", dir)
		}
		pqs = append(pqs, pq)
		if ju := filepath.Join(dir, "junit.xml"); fileExists(ju) {
			jus = append(jus, ju)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(*out, "scores.parquet"), func(f *os.File) error { return parquet.Merge(f, pqs...) }); err != nil {
		return err
	}
	if len(jus) > 0 {
		if err := writeFile(filepath.Join(*out, "junit.xml"), func(f *os.File) error {
			var files []*os.File
			defer func() {
				for _, s := range files {
					s.Close()
				}
			}()
			var rs []io.Reader
			for _, p := range jus {
				s, err := os.Open(p)
				if err != nil {
					return err
				}
				files = append(files, s)
				rs = append(rs, s)
			}
			return junit.Merge(f, rs...)
		}); err != nil {
			return err
		}
	}
	c.printf("merged %d runs into %s\n", len(pqs), *out)
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func (s stdio) printf(format string, a ...any) { _, _ = fmt.Fprintf(s.out, format, a...) }

// canonicalPath is path made absolute, cleaned and with its symbolic links resolved as far
// as they exist, so that two names of one directory compare equal.
func canonicalPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}
