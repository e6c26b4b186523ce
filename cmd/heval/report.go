package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/internal/textdist"
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
	htmlOut := fs.String("html", "", "also write the self-contained HTML page to `FILE`")
	mdOut := fs.String("markdown", "", "also write the summary as Markdown to `FILE`")
	if err := fs.parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("report: name one Parquet file (see 'heval report -h')")
	}
	agg, err := loadAggregate(fs.Arg(0))
	if err != nil {
		return err
	}
	var spec reporters.ComparisonSpec
	switch {
	case *baseline != "" && *groups != "":
		return usagef("report: --baseline and --compare do not go together")
	case *baseline != "":
		if spec.Baseline, err = loadAggregate(*baseline); err != nil {
			return err
		}
	case *groups != "":
		var ok bool
		spec.BaselineGroup, spec.CandidateGroup, ok = strings.Cut(*groups, ":")
		if !ok || spec.BaselineGroup == "" || spec.CandidateGroup == "" {
			return usagef("report: --compare wants BASE:CANDIDATE, for example support/baseline:support/candidate")
		}
		if spec.BaselineGroup, err = groupLabel(agg, spec.BaselineGroup); err != nil {
			return err
		}
		if spec.CandidateGroup, err = groupLabel(agg, spec.CandidateGroup); err != nil {
			return err
		}
	}
	cmps, err := spec.Comparisons(agg)
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
		if err := writeFile(*mdOut, func(f *os.File) error { return markdown.Write(f, agg, cmps) }); err != nil {
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

func loadAggregate(path string) (*reporters.Aggregate, error) {
	info, records, err := parquet.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return reporters.AggregateRecords(info, records, heval.Summary{}), nil
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
