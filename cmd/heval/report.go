package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/heval-dev/heval/internal/textdist"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/console"
	"github.com/heval-dev/heval/reporters/html"
	"github.com/heval-dev/heval/reporters/markdown"
	"github.com/heval-dev/heval/reporters/parquet"
)

// reportCmd re-renders the summary of a Parquet file, optionally compared with a baseline,
// without evaluating anything.
type reportCmd struct{ stdio }

func (c *reportCmd) Run(_ context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "report")
	baseline := fs.String("baseline", "", "compare with a previous run's Parquet `FILE` (tonight against last night)")
	groups := fs.String("compare", "", "compare two hypotheses of the run, `BASE:CANDIDATE` (labels or ids)")
	var dirs listFlag
	fs.Var(&dirs, "direction", "which values of the score key (or of every key of the evaluator) named in `KEY=DIR` are better, DIR being higher, lower or neutral, instead of what the evaluator declared (repeatable)")
	samples := fs.String("samples", "", "the run's samples table `FILE` (default: samples.parquet beside FILE.parquet, when there is one)")
	htmlOut := fs.String("html", "", "also write the self-contained HTML page to `FILE`")
	mdOut := fs.String("markdown", "", "also write the summary as Markdown to `FILE`")
	if err := fs.parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("report: name one Parquet file (see 'heval report -h')")
	}
	overrides, err := parseDirections(dirs)
	if err != nil {
		return err
	}
	agg, err := loadAggregate(fs.Arg(0), *samples, overrides)
	if err != nil {
		return err
	}
	var spec reporters.ComparisonSpec
	switch {
	case *baseline != "" && *groups != "":
		return usagef("report: --baseline and --compare do not go together")
	case *baseline != "":
		if spec.Baseline, err = loadAggregate(*baseline, "", overrides); err != nil {
			return err
		}
	case *groups != "":
		var ok bool
		spec.BaselineGroup, spec.CandidateGroup, ok = strings.Cut(*groups, ":")
		if !ok || spec.BaselineGroup == "" || spec.CandidateGroup == "" {
			return usagef("report: --compare wants BASE:CANDIDATE, for example baseline:candidate")
		}
		if spec.BaselineGroup, err = groupLabel(agg, spec.BaselineGroup); err != nil {
			return err
		}
		if spec.CandidateGroup, err = groupLabel(agg, spec.CandidateGroup); err != nil {
			return err
		}
	}
	cmps, err := spec.Comparisons(agg)
	var mismatch *reporters.SpecMismatchError
	if errors.As(err, &mismatch) {
		return usagef("report: %v", err)
	}
	if err != nil {
		return err
	}
	if err := console.Write(c.out, agg, cmps); err != nil {
		return err
	}
	if *htmlOut != "" {
		if err := writeFile(*htmlOut, func(f *os.File) error {
			return html.Render(f, html.Report{Run: agg, Baseline: spec.Baseline, Comparisons: cmps})
		}); err != nil {
			return err
		}
	}
	if *mdOut != "" {
		if err := writeFile(*mdOut, func(f *os.File) error {
			return markdown.Write(f, agg, cmps, markdown.AgainstBaselineRun(spec.Baseline != nil))
		}); err != nil {
			return err
		}
	}
	return nil
}

// groupLabel is the label of the run's group named by a label or a hypothesis id, or a
// usage error that lists the groups there are and the nearest one.
func groupLabel(agg *reporters.Aggregate, name string) (string, error) {
	var labels []string
	for _, g := range agg.Groups {
		if g.Label == name || (g.HypothesisID != "" && g.HypothesisID == name) {
			return g.Label, nil
		}
		labels = append(labels, g.Label)
	}
	msg := fmt.Sprintf("report: --compare: the run has no hypothesis %q", name)
	if len(labels) == 0 {
		return "", usagef("%s; it has no samples", msg)
	}
	msg += "; its hypotheses are " + strings.Join(labels, ", ")
	if near := textdist.Nearest(name, labels); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return "", usagef("%s", msg)
}

// parseDirections reads the --direction flags: NAME=higher|lower|neutral.
func parseDirections(specs []string) (map[string]heval.Direction, error) {
	out := map[string]heval.Direction{}
	for _, s := range specs {
		name, d, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, usagef("report: --direction %q: write KEY=DIR, for example word_count=neutral or latency_ms=lower", s)
		}
		dir, err := heval.ParseDirection(d)
		if err != nil || strings.TrimSpace(d) == "" {
			return nil, usagef("report: --direction %s: the direction %q is not higher, lower or neutral", s, d)
		}
		out[name] = dir
	}
	return out, nil
}

// loadAggregate reads a run's files and summarises them as the run itself did: with its
// stored summary (samples, checks, delivery) and, when the samples table is at hand, the
// samples' answers, inputs and references. overrides replace the directions the run's
// evaluators declared, by score key or evaluator name.
func loadAggregate(path, samples string, overrides map[string]heval.Direction) (*reporters.Aggregate, error) {
	run, err := parquet.ReadRun(path, samples)
	if err != nil {
		return nil, err
	}
	info := run.Info
	if len(overrides) > 0 {
		info = withDirections(info, run.Records, overrides)
	}
	sum := run.Summary
	if !run.HasSummary {
		sum = heval.Summary{}
	}
	return reporters.AggregateRecords(info, run.Records, sum), nil
}

// withDirections returns info with the directions of overrides: a name that is an
// evaluator's sets the direction of all its keys, any other name that of the score key of
// that name, whichever evaluator produced it.
func withDirections(info heval.RunInfo, recs []heval.Record, overrides map[string]heval.Direction) heval.RunInfo {
	declared := map[string]*heval.EvaluatorInfo{}
	info.Declared = slices.Clone(info.Declared)
	for i := range info.Declared {
		info.Declared[i].Keys = maps.Clone(info.Declared[i].Keys)
		declared[info.Declared[i].Name] = &info.Declared[i]
	}
	entry := func(name string) *heval.EvaluatorInfo {
		if e := declared[name]; e != nil {
			return e
		}
		info.Declared = append(info.Declared, heval.EvaluatorInfo{Name: name, Spec: name, Direction: heval.HigherIsBetter})
		clear(declared)
		for i := range info.Declared {
			declared[info.Declared[i].Name] = &info.Declared[i]
		}
		return declared[name]
	}
	keys := map[string][]string{} // key → evaluators that produced it
	for _, r := range recs {
		for _, v := range r.Values {
			if !slices.Contains(keys[v.Key], r.Evaluator) {
				keys[v.Key] = append(keys[v.Key], r.Evaluator)
			}
		}
	}
	for name, dir := range overrides {
		if slices.Contains(info.Evaluators, name) || declared[name] != nil {
			e := entry(name)
			e.Direction, e.Keys = dir, nil
		}
	}
	for name, dir := range overrides {
		for _, ev := range keys[name] {
			e := entry(ev)
			if e.Keys == nil {
				e.Keys = map[string]heval.Direction{}
			}
			e.Keys[name] = dir
		}
	}
	return info
}

// writeFile writes path through a temporary file in its directory, renamed into place only
// when write succeeded: a failed write leaves an existing file as it was, and a file being
// read while its replacement is written is not truncated.
func writeFile(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// reorder moves flags before positional arguments, so that `heval report FILE --html x`
// works as well as `heval report --html x FILE`.
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !isBoolFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(flags, pos...)
}

func isBoolFlag(a string) bool {
	switch strings.TrimLeft(a, "-") {
	case "h", "help", "dry-run", "resume", "verify", "no-html", "quiet", "allow-partial", "allow-empty":
		return true
	}
	return false
}
