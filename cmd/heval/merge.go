package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/heval-dev/heval"
	"github.com/heval-dev/heval/reporters/console"
	"github.com/heval-dev/heval/reporters/html"
	"github.com/heval-dev/heval/reporters/junit"
	"github.com/heval-dev/heval/reporters/markdown"
	"github.com/heval-dev/heval/reporters/outputs"
	"github.com/heval-dev/heval/reporters/parquet"
)

// mergeCmd joins the reports of several runs or shards into one report set.
type mergeCmd struct{ stdio }

// mergeInput is one run directory given to merge.
type mergeInput struct {
	dir, parquet, junit string
	// samplesTable is the run's samples.parquet, "" when it has none (an older heval).
	samplesTable string
	runs         []heval.RunInfo
	records      []heval.Record
	samples      int
}

func (c *mergeCmd) Run(_ context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "merge")
	out := fs.String("out", "heval-merged", "`DIR` for the merged report set: scores.parquet, samples.parquet, junit.xml, report.html")
	noHTML := fs.Bool("no-html", false, "do not write report.html")
	mdOut := fs.String("markdown", "", "also write the summary as Markdown to `FILE` (it is always appended to $GITHUB_STEP_SUMMARY when set)")
	allowPartial := fs.Bool("allow-partial", false, "succeed when shards of a run are missing (by default the merged reports are written and the merge exits 1, naming the missing shards)")
	if err := fs.parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return usagef("merge: name the output directories of the runs or shards to merge (each holding scores.parquet and junit.xml)")
	}
	inputs, err := mergeInputs(*out, fs.Args())
	if err != nil {
		return err
	}
	missing, err := checkShards(inputs)
	if err != nil {
		return err
	}
	if err := checkOverlap(inputs); err != nil {
		return err
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("merge: creating %s: %w", *out, err)
	}
	files := &pendingFiles{}
	defer files.discard()
	pq, err := files.create(filepath.Join(*out, outputs.ScoresFile))
	if err != nil {
		return err
	}
	var pqs []string
	for _, in := range inputs {
		pqs = append(pqs, in.parquet)
	}
	if err := parquet.Merge(pq, pqs...); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := pq.Sync(); err != nil {
		return fmt.Errorf("merge: writing %s: %w", files.final(pq), err)
	}
	// The samples tables are merged when every run has one (runs of an older heval have none).
	var sps []string
	for _, in := range inputs {
		if in.samplesTable != "" {
			sps = append(sps, in.samplesTable)
		}
	}
	samplesTmp := ""
	if len(sps) > 0 && len(sps) == len(inputs) {
		sf, err := files.create(filepath.Join(*out, parquet.SamplesFile))
		if err != nil {
			return err
		}
		if err := parquet.MergeSamples(sf, sps...); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := sf.Sync(); err != nil {
			return fmt.Errorf("merge: writing %s: %w", files.final(sf), err)
		}
		samplesTmp = sf.Name()
	}
	var jus []string
	for _, in := range inputs {
		if in.junit != "" {
			jus = append(jus, in.junit)
		}
	}
	if len(jus) > 0 {
		ju, err := files.create(filepath.Join(*out, outputs.JUnitFile))
		if err != nil {
			return err
		}
		if err := mergeJUnit(ju, jus); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	// The summaries are drawn from the merged files, read back as a run's records and samples.
	agg, err := loadAggregate(pq.Name(), samplesTmp, nil)
	if err != nil {
		return fmt.Errorf("merge: reading the merged file back: %w", err)
	}
	if !*noHTML {
		hf, err := files.create(filepath.Join(*out, outputs.HTMLFile))
		if err != nil {
			return err
		}
		if err := html.Render(hf, html.Report{Run: agg}); err != nil {
			return fmt.Errorf("merge: writing %s: %w", files.final(hf), err)
		}
	}
	if *mdOut != "" {
		mf, err := files.create(*mdOut)
		if err != nil {
			return err
		}
		if err := markdown.Write(mf, agg, nil); err != nil {
			return fmt.Errorf("merge: writing %s: %w", *mdOut, err)
		}
	}
	var step strings.Builder
	stepPath := markdown.StepSummaryPath()
	if stepPath != "" {
		if err := markdown.Write(&step, agg, nil); err != nil {
			return err
		}
	}
	if err := files.commit(); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	paths := files.paths
	if stepPath != "" {
		if err := appendFile(stepPath, step.String()); err != nil {
			return fmt.Errorf("merge: appending the summary to %s: %w", stepPath, err)
		}
		paths = append(paths, stepPath)
	}

	c.printf("merged %d runs into %s:\n", len(inputs), *out)
	for _, in := range inputs {
		c.printf("  %s: %s, %d samples, %d records\n", in.dir, describeRuns(in.runs), in.samples, len(in.records))
	}
	c.printf("\n")
	if err := console.Write(c.out, agg, nil); err != nil {
		return err
	}
	c.printf("\nwrote %s\n", strings.Join(paths, ", "))
	if len(missing) > 0 {
		msg := "merge: " + strings.Join(missing, "; ") + ": the merged reports cover only part of the samples; merge every shard's directory"
		if *allowPartial {
			fmt.Fprintln(c.err, "heval: warning: "+msg)
			return nil
		}
		return &failedError{msg + " (or pass --allow-partial)"}
	}
	return nil
}

// mergeInputs checks the run directories and reads their records.
func mergeInputs(out string, dirs []string) ([]*mergeInput, error) {
	outAbs := canonicalPath(out)
	seen := map[string]string{}
	var inputs []*mergeInput
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		switch {
		case err != nil && strings.HasSuffix(dir, ".parquet"):
			return nil, usagef("merge: %s: no such file; merge takes the output directories of the runs (each holds scores.parquet and junit.xml), e.g. heval merge --out all %s", dir, filepath.Dir(dir))
		case err != nil:
			return nil, usagef("merge: %s: no such directory; name the output directories of the runs or shards (their --out)", dir)
		}
		if !st.IsDir() {
			return nil, usagef("merge: %s is a file; name the output directories of the runs (each holds scores.parquet and junit.xml), e.g. heval merge --out all %s", dir, filepath.Dir(dir))
		}
		abs := canonicalPath(dir)
		if prev, dup := seen[abs]; dup {
			return nil, usagef("merge: %s and %s are the same run directory; each run may be merged once", prev, dir)
		}
		seen[abs] = dir
		if abs == outAbs {
			return nil, usagef("merge: the output directory %s is also an input; merging into it would overwrite that run's reports: give another --out", dir)
		}
		in := &mergeInput{dir: dir, parquet: filepath.Join(dir, outputs.ScoresFile)}
		if _, err := os.Stat(in.parquet); err != nil {
			return nil, usagef("merge: %s has no %s: name the output directory of a run or shard", dir, outputs.ScoresFile)
		}
		if ju := filepath.Join(dir, outputs.JUnitFile); fileExists(ju) {
			in.junit = ju
		}
		if sp := filepath.Join(dir, parquet.SamplesFile); fileExists(sp) {
			in.samplesTable = sp
		}
		f, closer, err := parquet.OpenFile(in.parquet)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		in.runs = f.Runs
		in.samples = f.Summary.Samples
		closer.Close()
		if _, in.records, err = parquet.ReadFile(in.parquet); err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// checkOverlap is a usage error when two inputs hold the same evaluation of one sample:
// merging them would count it twice.
func checkOverlap(inputs []*mergeInput) error {
	type evaluation struct {
		sample, evaluator string
		repeat            int
	}
	where := map[evaluation]int{}
	for i, in := range inputs {
		for _, r := range in.records {
			if r.Sample == nil {
				continue
			}
			id := cmp.Or(r.Sample.RequestID, r.Sample.Unit())
			if id == "" {
				continue
			}
			k := evaluation{id + "\x00" + r.Sample.Group(), r.Evaluator, r.Repeat}
			if j, ok := where[k]; ok && j != i {
				return usagef("merge: %s and %s overlap: both hold evaluator %s on request %s (%s); each sample may come from one run or shard only, so merge each shard once (an overlap also means two runs of the same source, or shards cut in different numbers)",
					inputs[j].dir, in.dir, r.Evaluator, r.Sample.RequestID, r.Sample.Group())
			}
			where[k] = i
		}
	}
	return nil
}

// checkShards names the missing shards of each sharded run among the inputs, and is a
// usage error when one shard is given twice or shards were cut in different numbers.
func checkShards(inputs []*mergeInput) (missing []string, err error) {
	type shardSet struct {
		n   map[int]bool
		k   map[int]string
		dir map[int]string
	}
	bySource := map[string]*shardSet{}
	for _, in := range inputs {
		for _, run := range in.runs {
			k, n, ok := parseShard(run.Shard)
			if !ok {
				continue
			}
			set := bySource[run.Source]
			if set == nil {
				set = &shardSet{n: map[int]bool{}, k: map[int]string{}, dir: map[int]string{}}
				bySource[run.Source] = set
			}
			set.n[n] = true
			if prev, dup := set.dir[k]; dup {
				return nil, usagef("merge: %s and %s both hold shard %s of %s: merge each shard once", prev, in.dir, run.Shard, run.Source)
			}
			set.dir[k] = in.dir
			set.k[k] = run.Shard
		}
	}
	for _, source := range slices.Sorted(maps.Keys(bySource)) {
		set := bySource[source]
		if len(set.n) > 1 {
			var ns []string
			for _, n := range slices.Sorted(maps.Keys(set.n)) {
				ns = append(ns, strconv.Itoa(n))
			}
			return nil, usagef("merge: the shards of %s were cut in different numbers (%s): their samples overlap or are missing; merge the shards of one sharded run", source, strings.Join(ns, " and "))
		}
		var n int
		for x := range set.n {
			n = x
		}
		var lost []string
		for k := 1; k <= n; k++ {
			if _, ok := set.dir[k]; !ok {
				lost = append(lost, fmt.Sprintf("%d/%d", k, n))
			}
		}
		if len(lost) > 0 {
			missing = append(missing, fmt.Sprintf("%d of the %d shards of %s are missing (shard %s)", len(lost), n, source, strings.Join(lost, ", ")))
		}
	}
	return missing, nil
}

// parseShard reads "K/N".
func parseShard(s string) (k, n int, ok bool) {
	a, b, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	k, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	return k, n, err1 == nil && err2 == nil && k >= 1 && k <= n
}

// describeRuns says which runs (or shards) a file holds.
func describeRuns(runs []heval.RunInfo) string {
	var parts []string
	for _, r := range runs {
		d := r.Source
		if r.Shard != "" {
			d = "shard " + r.Shard + " of " + d
		}
		if len(runs) > 1 {
			d += " (run " + r.RunID + ")"
		}
		parts = append(parts, d)
	}
	if len(parts) == 0 {
		return "a run"
	}
	return strings.Join(parts, "; ")
}

// mergeJUnit joins the JUnit files at paths into w.
func mergeJUnit(w io.Writer, paths []string) error {
	var rs []io.Reader
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rs = append(rs, f)
	}
	return junit.Merge(w, rs...)
}

// pendingFiles are files written under temporary names and renamed into place together,
// only when every one was written: a merge that fails leaves the earlier files as they were.
type pendingFiles struct {
	files []*os.File
	paths []string
	done  bool
}

func (p *pendingFiles) create(path string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	p.files = append(p.files, f)
	p.paths = append(p.paths, path)
	return f, nil
}

// final is the path f will be renamed to.
func (p *pendingFiles) final(f *os.File) string {
	for i, g := range p.files {
		if g == f {
			return p.paths[i]
		}
	}
	return f.Name()
}

// commit flushes every file and renames it into place.
func (p *pendingFiles) commit() error {
	for i, f := range p.files {
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			return fmt.Errorf("writing %s: %w", p.paths[i], err)
		}
	}
	for i, f := range p.files {
		if err := os.Rename(f.Name(), p.paths[i]); err != nil {
			return fmt.Errorf("writing %s: %w", p.paths[i], err)
		}
	}
	p.done = true
	return nil
}

// discard removes the temporary files of an uncommitted set.
func (p *pendingFiles) discard() {
	if p.done {
		return
	}
	for _, f := range p.files {
		f.Close()
		os.Remove(f.Name())
	}
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(text)
	return errors.Join(werr, f.Close())
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
