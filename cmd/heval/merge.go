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
	fs := newFlagSet("merge", "--out DIR RUN_DIR...", c.err)
	out := fs.String("out", "heval-merged", "directory for the merged scores.parquet and junit.xml")
	if err := parseFlags(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return usagef("merge: name the output directories of the runs or shards to merge (each holding scores.parquet and junit.xml)")
	}
	var pqs, jus []string
	for _, dir := range fs.Args() {
		pq := filepath.Join(dir, "scores.parquet")
		if _, err := os.Stat(pq); err != nil {
			return usagef("merge: %s has no scores.parquet", dir)
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
