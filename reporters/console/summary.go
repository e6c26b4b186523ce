package console

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/heval-dev/heval"

	"golang.org/x/term"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/format"
)

// Option configures the console summary.
type Option func(*config)

type config struct {
	color     *bool
	maxErrors int
}

// Color turns ANSI colours on or off. By default colours are used only when the writer is
// a terminal and NO_COLOR is not set.
func Color(on bool) Option { return func(c *config) { c.color = &on } }

// MaxErrors sets how many error messages the summary lists (default 5); every error is
// counted regardless.
func MaxErrors(n int) Option { return func(c *config) { c.maxErrors = max(0, n) } }

func newConfig(opts []Option) *config {
	c := &config{maxErrors: 5}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Write prints the summary of agg, and the comparisons when there are any, to w.
func Write(w io.Writer, agg *reporters.Aggregate, cmps []reporters.KeyComparison, opts ...Option) error {
	cfg := newConfig(opts)
	color := false
	if cfg.color != nil {
		color = *cfg.color
	} else if f, ok := w.(*os.File); ok && os.Getenv("NO_COLOR") == "" {
		color = term.IsTerminal(int(f.Fd()))
	}
	bw := bufio.NewWriter(w)
	p := &printer{w: bw, color: color}
	p.run(agg)
	p.verdict(agg, cmps)
	p.groups(agg)
	p.evaluators(agg)
	p.comparisons(cmps)
	p.checks(agg.Summary.Checks)
	p.delivery(agg)
	p.errors(agg, cfg.maxErrors)
	return bw.Flush()
}

type printer struct {
	w     *bufio.Writer
	color bool
}

const (
	red   = "\x1b[31m"
	green = "\x1b[32m"
	bold  = "\x1b[1m"
	reset = "\x1b[0m"
)

func (p *printer) paint(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + reset
}

// trimWriter drops the spaces tabwriter pads a line's empty last cells with.
type trimWriter struct {
	w      *bufio.Writer
	spaces *int
}

func newTrimWriter(w *bufio.Writer) trimWriter { return trimWriter{w: w, spaces: new(int)} }

func (t trimWriter) Write(b []byte) (int, error) {
	for _, c := range b {
		switch c {
		case ' ':
			*t.spaces++
			continue
		case '\n':
			*t.spaces = 0
		default:
			for ; *t.spaces > 0; *t.spaces-- {
				t.w.WriteByte(' ')
			}
		}
		if err := t.w.WriteByte(c); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

func (p *printer) table(header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(newTrimWriter(p.w), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join(header, "\t"))
	return tw
}

func row(tw *tabwriter.Writer, cells ...string) {
	for i, c := range cells {
		cells[i] = oneLine(c)
	}
	fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
}

// oneLine keeps untrusted text on one line and free of control characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

func (p *printer) run(agg *reporters.Aggregate) {
	info := agg.Info
	fmt.Fprintln(p.w, p.paint(bold, oneLine(format.Title(agg))))
	var meta []string
	add := func(k, v string) {
		if v != "" {
			meta = append(meta, k+" "+oneLine(v))
		}
	}
	add("run", info.RunID)
	add("started", format.Time(info.Started))
	add("finished", format.Time(agg.Summary.Finished))
	add("heval", info.Version)
	add("commit", format.Short(info.GitCommit))
	add("branch", info.GitBranch)
	add("ci job", info.CIJobID)
	add("shard", info.Shard)
	if len(meta) > 0 {
		fmt.Fprintln(p.w, strings.Join(meta, " · "))
	}
	line := fmt.Sprintf("%d samples, %d records", agg.Summary.Samples, agg.Records)
	if info.DryRun {
		line += "; dry run (nothing submitted)"
	}
	if agg.Summary.Interrupted {
		line += "; " + p.paint(red, "interrupted")
	}
	fmt.Fprintln(p.w, line)
	if agg.Summary.Err != "" {
		fmt.Fprintln(p.w, p.paint(red, "run ended early: ")+oneLine(agg.Summary.Err))
	}
}

func (p *printer) verdict(agg *reporters.Aggregate, cmps []reporters.KeyComparison) {
	o := format.RunOutcome(agg, cmps)
	line := o.Headline
	switch o.Status {
	case "failed":
		line = p.paint(red, line)
	case "passed":
		line = p.paint(green, line)
	}
	fmt.Fprintln(p.w, line)
}

func (p *printer) groups(agg *reporters.Aggregate) {
	if len(agg.Groups) == 0 {
		return
	}
	fmt.Fprintln(p.w)
	fmt.Fprintln(p.w, p.paint(bold, "groups"))
	tw := p.table("group", "hypothesis id", "model / prompt", "samples")
	for i := range agg.Groups {
		g := &agg.Groups[i]
		row(tw, g.Label, dash(g.HypothesisID), dash(format.Models(g)), strconv.Itoa(g.Samples))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (p *printer) evaluators(agg *reporters.Aggregate) {
	for _, name := range agg.Evaluators {
		stats := agg.ByEvaluator(name)
		if len(stats) == 0 {
			continue
		}
		fmt.Fprintln(p.w)
		fmt.Fprintln(p.w, p.paint(bold, "evaluator "+oneLine(name)))
		tw := p.table("group", "key", "n", "mean", "p50", "p90", "min", "max", "pass rate", "errors", "not submitted")
		for _, es := range stats {
			errs, ns := strconv.Itoa(es.Errors), strconv.Itoa(es.NotSubmitted)
			if len(es.Keys) == 0 {
				row(tw, es.Group, "-", "0", "-", "-", "-", "-", "-", "-", errs, ns)
			}
			for _, k := range es.Keys {
				row(tw, es.Group, k.Key, strconv.Itoa(k.N), format.Stat(k, k.Mean), format.Stat(k, k.P50),
					format.Stat(k, k.P90), format.Stat(k, k.Min), format.Stat(k, k.Max), format.Percent(k.PassRate), errs, ns)
			}
		}
		tw.Flush()
	}
}

func (p *printer) comparisons(cmps []reporters.KeyComparison) {
	if len(cmps) == 0 {
		return
	}
	fmt.Fprintln(p.w)
	fmt.Fprintln(p.w, p.paint(bold, fmt.Sprintf("comparison: the first side minus the second, %s bootstrap interval", format.Level(cmps[0].Confidence))))
	tw := p.table("evaluator", "key", "compared", "n", "means", "diff", "interval", "pairing", "")
	for i := range cmps {
		c := &cmps[i]
		verdict := format.Verdict(c)
		if c.Regression {
			verdict = p.paint(red, verdict)
		} else if c.Improvement {
			verdict = p.paint(green, verdict)
		}
		cells := []string{c.Evaluator, c.Key, format.Compared(c, false), fmt.Sprintf("%d vs %d", c.CandidateN, c.BaselineN),
			format.Means(c), format.Diff(c, c.Diff), format.Interval(c), format.Pairing(c)}
		for i, cell := range cells {
			cells[i] = oneLine(cell)
		}
		fmt.Fprintln(tw, "  "+strings.Join(cells, "\t")+"\t"+verdict)
	}
	tw.Flush()
}

func (p *printer) checks(checks []heval.Check) {
	if len(checks) == 0 {
		return
	}
	failed := 0
	for _, c := range checks {
		if !c.Passed {
			failed++
		}
	}
	fmt.Fprintln(p.w)
	fmt.Fprintln(p.w, p.paint(bold, fmt.Sprintf("checks: %d passed, %d failed", len(checks)-failed, failed)))
	tw := tabwriter.NewWriter(newTrimWriter(p.w), 0, 0, 2, ' ', 0)
	for i := range checks {
		c := &checks[i]
		mark := p.paint(green, "PASS")
		if !c.Passed {
			mark = p.paint(red, "FAIL")
		}
		name := c.Name
		if name == "" {
			name = format.Check(c)
		}
		detail := fmt.Sprintf("observed %s, limit %s %s", format.Num(c.Observed), c.Op, format.Num(c.Limit))
		if !c.Passed && c.Message != "" {
			detail += ": " + c.Message
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", mark, oneLine(name), oneLine(dash(c.Group)), oneLine(detail))
	}
	tw.Flush()
}

func (p *printer) delivery(agg *reporters.Aggregate) {
	fmt.Fprintln(p.w)
	line := "delivery: " + format.Delivery(agg.Summary.Delivery, agg.Info.DryRun)
	if agg.Summary.Delivery.Failed > 0 {
		line = p.paint(red, line)
	}
	fmt.Fprintln(p.w, line)
}

func (p *printer) errors(agg *reporters.Aggregate, limit int) {
	if agg.ErrorCount == 0 && agg.DeliveryErrorCount == 0 {
		return
	}
	fmt.Fprintf(p.w, "errors: %d evaluator, %d delivery\n", agg.ErrorCount, agg.DeliveryErrorCount)
	for i, e := range agg.Errors {
		if i == limit {
			fmt.Fprintf(p.w, "  … %d more (see the Parquet, JUnit or HTML report)\n", agg.ErrorCount+agg.DeliveryErrorCount-limit)
			break
		}
		where := "row " + strconv.Itoa(e.RowIndex)
		if e.DatasetRowID == "" {
			where = "request " + dash(e.RequestID)
		}
		fmt.Fprintf(p.w, "  %s [%s] %s: %s: %s\n", oneLine(e.Evaluator), oneLine(e.Group), oneLine(where), e.Kind,
			oneLine(reporters.Truncate(e.Message, 200)))
	}
}
